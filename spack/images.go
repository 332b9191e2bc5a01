package spack

import (
	"fmt"
	"slices"
	"strings"
)

// Real-world defaults, when neither flags nor container.images choose.
const (
	DefaultBuilderImage = "ghcr.io/spack/ubuntu-noble" // tagged with the Spack version
	DefaultRuntimeImage = "ubuntu:24.04"
	// Scratch names the empty base image: the runtime image then holds the closure and
	// the OS libraries its ELF files load (a distroless image).
	Scratch = "scratch"
)

// osImage is one row of Spack's table of container.images.os values
// (lib/spack/spack/container/images.json at v1.1.0): Spack's builder image for the OS,
// if it publishes one, and the runtime base image. os is the name Spack gives that
// operating system (linux_distro.py), which `when:` conditions compare with.
type osImage struct {
	build, final, os string
}

// spackImages is that table. Spack publishes its builder images on Docker Hub and on
// ghcr.io under the same names; the ghcr.io copies are used, as for the default.
var spackImages = map[string]osImage{
	"ubuntu:24.04":       {"spack/ubuntu-noble", "ubuntu:24.04", "ubuntu24.04"},
	"ubuntu:22.04":       {"spack/ubuntu-jammy", "ubuntu:22.04", "ubuntu22.04"},
	"ubuntu:20.04":       {"spack/ubuntu-focal", "ubuntu:20.04", "ubuntu20.04"},
	"fedora:40":          {"spack/fedora40", "docker.io/fedora:40", "fedora40"},
	"fedora:39":          {"spack/fedora39", "docker.io/fedora:39", "fedora39"},
	"rockylinux:9":       {"spack/rockylinux9", "docker.io/rockylinux:9", "rocky9"},
	"rockylinux:8":       {"spack/rockylinux8", "docker.io/rockylinux:8", "rocky8"},
	"almalinux:9":        {"spack/almalinux9", "quay.io/almalinuxorg/almalinux:9", "almalinux9"},
	"almalinux:8":        {"spack/almalinux8", "quay.io/almalinuxorg/almalinux:8", "almalinux8"},
	"centos:stream9":     {"spack/centos-stream9", "quay.io/centos/centos:stream9", "centos9"},
	"opensuse/leap:15":   {"spack/leap15", "opensuse/leap:latest", "opensuse_leap15"},
	"alpine:3":           {"", "alpine:3", "alpine3"},
	"amazonlinux:2":      {"", "amazonlinux:2", "amzn2"},
	"nvidia/cuda:11.2.1": {"", "nvidia/cuda:11.2.1-base", "ubuntu20.04"},
}

// ResolvedImages are the images an environment builds with.
type ResolvedImages struct {
	Builder string
	Runtime string
	// BuilderOS is Spack's name of the builder's operating system when the builder
	// is one of Spack's images, else "".
	BuilderOS string
	// SpackVersion is the builder's Spack version when the environment chooses it
	// (container.images.spack), else the pin.
	SpackVersion string
}

// ResolveImages chooses the builder and runtime images: flags first, then
// container.images (build/final, or os/spack through Spack's table), then the
// defaults for spackVersion. An OS outside the table, or one Spack publishes no
// builder for, is an error listing what is supported.
func ResolveImages(im Images, builderFlag, runtimeFlag, spackVersion string) (ResolvedImages, error) {
	r := ResolvedImages{
		Builder:      DefaultBuilderImage + ":" + spackVersion,
		Runtime:      DefaultRuntimeImage,
		SpackVersion: spackVersion,
		BuilderOS:    spackImages[DefaultRuntimeImage].os,
	}
	switch {
	case im.Build != "":
		r.Builder, r.Runtime, r.BuilderOS = im.Build, im.Final, builderOS(im.Build)
	case im.OS != "":
		row, ok := spackImages[im.OS]
		if !ok || row.build == "" {
			return r, fmt.Errorf("container.images.os %q: Spack publishes builder images for %s only (or give build and final images)", im.OS, strings.Join(SupportedOS(), ", "))
		}
		r.Builder = "ghcr.io/" + row.build + ":" + im.Spack
		r.Runtime, r.BuilderOS, r.SpackVersion = row.final, row.os, im.Spack
	}
	if builderFlag != "" {
		r.Builder, r.BuilderOS = builderFlag, builderOS(builderFlag)
	}
	if runtimeFlag != "" {
		r.Runtime = runtimeFlag
	}
	return r, nil
}

// SupportedOS lists the container.images.os values Spack publishes a builder for.
func SupportedOS() []string {
	var out []string
	for k, row := range spackImages {
		if row.build != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// builderOS names the OS of one of Spack's builder images, given by reference
// ("ghcr.io/spack/ubuntu-noble:1.1.0"), or "" for another image.
func builderOS(ref string) string {
	repo := ref
	if i := strings.LastIndex(repo, "@"); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	for _, row := range spackImages {
		if row.build != "" && (repo == row.build || strings.HasSuffix(repo, "/"+row.build)) {
			return row.os
		}
	}
	return ""
}
