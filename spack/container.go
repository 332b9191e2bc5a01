package spack

import (
	"regexp"

	"gopkg.in/yaml.v3"
)

// Container is the part of Spack's container: schema that spack-ghcr honours
// (see Spack's lib/spack/spack/schema/container.py).
type Container struct {
	// Images holds either OS+Spack or Build+Final, as in Spack's schema.
	Images Images
	// Strip removes symbols from binaries; Spack's default is true.
	Strip bool
	// OSPackages are Debian packages for the runtime image (os_packages.final) and
	// the builder (os_packages.build).
	OSPackages OSPackages
	// Labels become OCI labels on the runtime image.
	Labels map[string]string
}

// Images is container.images.
type Images struct {
	OS    string // e.g. "ubuntu:24.04": Spack's table gives the builder and the runtime base
	Spack string // the Spack version of the builder image, used with OS
	Build string // a full builder image reference
	Final string // a full runtime base image reference ("scratch" for distroless)
}

// OSPackages is container.os_packages.
type OSPackages struct {
	Command string
	Update  bool
	Build   []string
	Final   []string
}

var containerKeys = []string{"format", "images", "strip", "os_packages", "labels", "template", "depfile", "singularity", "docker"}

func parseContainer(f *yamlFile, n *yaml.Node) (Container, error) {
	c := Container{Strip: true}
	if err := f.mapping(n, "container:"); err != nil {
		return c, err
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "format":
			var fm string
			if fm, err = f.str(v, "container.format"); err == nil && fm != "docker" {
				err = f.errorf(v, "container.format %q is not supported: spack-ghcr builds OCI images (docker)", fm)
			}
		case "images":
			c.Images, err = parseImages(f, v)
		case "strip":
			c.Strip, err = f.boolean(v, "container.strip")
		case "os_packages":
			c.OSPackages, err = parseOSPackages(f, v)
		case "labels":
			c.Labels, err = parseLabels(f, v)
		case "template", "depfile", "singularity", "docker":
			// Settings of spack containerize's own Dockerfile; the pipeline replaces it.
		default:
			err = f.unknownKey(k, "container.", containerKeys)
		}
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

var imagesKeys = []string{"os", "spack", "build", "final"}

func parseImages(f *yamlFile, n *yaml.Node) (Images, error) {
	var im Images
	if err := f.mapping(n, "container.images"); err != nil {
		return im, err
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "os":
			im.OS, err = f.str(v, "container.images.os")
		case "spack":
			im.Spack, err = imagesSpack(f, v)
		case "build":
			im.Build, err = f.str(v, "container.images.build")
		case "final":
			im.Final, err = f.str(v, "container.images.final")
		default:
			err = f.unknownKey(k, "container.images.", imagesKeys)
		}
		if err != nil {
			return im, err
		}
	}
	if (im.OS != "" || im.Spack != "") && (im.Build != "" || im.Final != "") {
		return im, f.errorf(n, "container.images takes either os and spack, or build and final, not both")
	}
	if (im.Build == "") != (im.Final == "") {
		return im, f.errorf(n, "container.images needs both build and final")
	}
	if (im.OS == "") != (im.Spack == "") {
		return im, f.errorf(n, "container.images needs both os and spack")
	}
	return im, nil
}

// imagesSpack reads container.images.spack: a version of Spack's published builder
// images. Spack's other form, {url, ref, resolve_sha, verify}, builds Spack from a
// git checkout in a bootstrap stage, which the pipeline does not do.
func imagesSpack(f *yamlFile, v *yaml.Node) (string, error) {
	if v.Kind == yaml.MappingNode {
		return "", f.errorf(v, "container.images.spack as a mapping (url, ref) builds Spack from git, which spack-ghcr does not do: give a version of Spack's builder images (e.g. spack: 1.1.0), or build and final images")
	}
	return f.str(v, "container.images.spack")
}

var osPackagesKeys = []string{"command", "update", "build", "final"}

func parseOSPackages(f *yamlFile, n *yaml.Node) (OSPackages, error) {
	var o OSPackages
	if err := f.mapping(n, "container.os_packages"); err != nil {
		return o, err
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "command":
			if o.Command, err = f.str(v, "container.os_packages.command"); err == nil && o.Command != "apt" {
				err = f.errorf(v, "container.os_packages.command %q is not supported: runtime images are Debian-based (apt)", o.Command)
			}
		case "update":
			o.Update, err = f.boolean(v, "container.os_packages.update")
		case "build":
			o.Build, err = packageList(f, v, "container.os_packages.build")
		case "final":
			o.Final, err = packageList(f, v, "container.os_packages.final")
		default:
			err = f.unknownKey(k, "container.os_packages.", osPackagesKeys)
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

// debPackageRE is Debian's rule for package names, which also keeps them safe as
// arguments to apt-get.
var debPackageRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

func packageList(f *yamlFile, n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, f.errorf(n, "%s must be a list of package names, not a %s", what, kindName(n))
	}
	var out []string
	for _, item := range n.Content {
		s, err := f.str(item, what)
		if err != nil {
			return nil, err
		}
		if !debPackageRE.MatchString(s) {
			return nil, f.errorf(item, "%s: %q is not a Debian package name", what, s)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseLabels(f *yamlFile, n *yaml.Node) (map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, f.errorf(n, "container.labels must be a mapping of strings, not a %s", kindName(n))
	}
	out := map[string]string{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return nil, f.errorf(v, "container.labels.%s must be a string, not a %s", k.Value, kindName(v))
		}
		out[k.Value] = v.Value
	}
	return out, nil
}
