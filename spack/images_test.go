package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolveImages(t *testing.T) {
	tests := []struct {
		name             string
		images           Images
		builder, runtime string // flags
		want             ResolvedImages
		wantErr          string
	}{
		{name: "defaults", want: ResolvedImages{Builder: "ghcr.io/spack/ubuntu-noble:1.1.0", Runtime: "ubuntu:24.04", BuilderOS: "ubuntu24.04", SpackVersion: "1.1.0"}},
		{name: "build and final", images: Images{Build: "example.org/spack:1", Final: "scratch"}, want: ResolvedImages{Builder: "example.org/spack:1", Runtime: "scratch", SpackVersion: "1.1.0"}},
		{name: "os from Spack's table", images: Images{OS: "rockylinux:9", Spack: "1.0.2"}, want: ResolvedImages{Builder: "ghcr.io/spack/rockylinux9:1.0.2", Runtime: "docker.io/rockylinux:9", BuilderOS: "rocky9", SpackVersion: "1.0.2"}},
		{name: "jammy", images: Images{OS: "ubuntu:22.04", Spack: "1.1.0"}, want: ResolvedImages{Builder: "ghcr.io/spack/ubuntu-jammy:1.1.0", Runtime: "ubuntu:22.04", BuilderOS: "ubuntu22.04", SpackVersion: "1.1.0"}},
		{name: "flags win", images: Images{OS: "ubuntu:22.04", Spack: "1.1.0"}, builder: "127.0.0.1:5000/spack-builder:1.1.0", runtime: "127.0.0.1:5000/debian:bookworm",
			want: ResolvedImages{Builder: "127.0.0.1:5000/spack-builder:1.1.0", Runtime: "127.0.0.1:5000/debian:bookworm", SpackVersion: "1.1.0"}},
		{name: "a Spack image by flag keeps its os", builder: "ghcr.io/spack/ubuntu-jammy:1.1.0@sha256:abc", want: ResolvedImages{Builder: "ghcr.io/spack/ubuntu-jammy:1.1.0@sha256:abc", Runtime: "ubuntu:24.04", BuilderOS: "ubuntu22.04", SpackVersion: "1.1.0"}},
		{name: "os outside the table", images: Images{OS: "debian:12", Spack: "1.1.0"}, wantErr: `container.images.os "debian:12": Spack publishes builder images for almalinux:8, almalinux:9, centos:stream9, fedora:39, fedora:40, opensuse/leap:15, rockylinux:8, rockylinux:9, ubuntu:20.04, ubuntu:22.04, ubuntu:24.04 only`},
		{name: "os without a builder", images: Images{OS: "amazonlinux:2", Spack: "1.1.0"}, wantErr: `container.images.os "amazonlinux:2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveImages(tt.images, tt.builder, tt.runtime, "1.1.0")
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
