package spack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseError is a problem with an input file, located by line so that editors and
// GitHub annotations can point at it.
type ParseError struct {
	Path string
	Line int // 0 when the problem is the file as a whole
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Environment is a Spack environment as spack-ghcr builds it: environments/<Name>/spack.yaml.
type Environment struct {
	// Name is the environment's directory name; it becomes the image name.
	Name string
	// Path is the spack.yaml file.
	Path string
	// Specs are the root specs, as written.
	Specs []string
	// Container is Spack's container: section, the pipeline's defaults for this
	// environment.
	Container Container
	// Target is the microarchitecture the environment asks for in
	// packages:all:require or packages:all:target, or "" when it leaves it to us.
	Target string
	// Raw is the file as read, for copying into the builder unchanged.
	Raw []byte
}

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
	OS    string // e.g. "ubuntu:24.04"; the runtime base when Final is empty
	Spack string // a Spack version or ref for the builder, used with OS
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

// nameRE is what a name must look like to become part of an image reference, a tag or
// a path: Spack package names and our environment names both fit it.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidName reports whether s may be used as an environment or package name.
func ValidName(s string) bool { return nameRE.MatchString(s) && len(s) <= 128 }

// LoadEnvironment reads and validates the spack.yaml of environments/<name>, given the
// file's path or its directory.
func LoadEnvironment(path string) (*Environment, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "spack.yaml")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("environment %s: no such file (create environments/<name>/spack.yaml)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading environment: %w", err)
	}
	name := filepath.Base(filepath.Dir(path))
	if abs, err := filepath.Abs(path); err == nil {
		name = filepath.Base(filepath.Dir(abs))
	}
	return ParseEnvironment(name, path, data)
}

// ParseEnvironment validates the spack.yaml bytes data of environment name; path is used
// in errors only.
func ParseEnvironment(name, path string, data []byte) (*Environment, error) {
	if !ValidName(name) {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("environment name %q must match %s (it names the image)", name, nameRE)}
	}
	p := &envParser{path: path}
	env, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	env.Name, env.Path, env.Raw = name, path, data
	return env, nil
}

type envParser struct{ path string }

func (p *envParser) errorf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ParseError{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// yamlLineRE and typeErrLineRE find the line number in yaml.v3's error texts
// ("yaml: line 3: ..." and "line 3: ...").
var (
	yamlLineRE    = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	typeErrLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
)

func (p *envParser) parse(data []byte) (*Environment, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, p.errorf(nil, "file is empty: want a top-level spack: mapping")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			// yaml.v3 reports parser errors (as opposed to scanner errors) at the
			// 0-based line of their context, one line above the one to look at.
			if strings.HasPrefix(m[2], "did not find expected") {
				line++
			}
			return nil, &ParseError{Path: p.path, Line: line, Msg: "invalid YAML: " + m[2]}
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			msg = te.Errors[0]
			if m := typeErrLineRE.FindStringSubmatch(msg); m != nil {
				line, _ := strconv.Atoi(m[1])
				return nil, &ParseError{Path: p.path, Line: line, Msg: "invalid YAML: " + m[2]}
			}
		}
		return nil, &ParseError{Path: p.path, Msg: "invalid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, p.errorf(nil, "file is empty: want a top-level spack: mapping")
	}
	top := doc.Content[0]
	if err := p.duplicateKeys(top); err != nil {
		return nil, err
	}
	if top.Kind != yaml.MappingNode {
		return nil, p.errorf(top, "top level must be a mapping with a single key spack:, not a %s", kindName(top))
	}
	var spackNode *yaml.Node
	for i := 0; i < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "spack":
			spackNode = v
		case "env":
			return nil, p.errorf(k, "top-level key env: is Spack's old name; rename it to spack:")
		default:
			return nil, p.errorf(k, "unknown top-level key %q: a spack.yaml holds only spack:", k.Value)
		}
	}
	if spackNode == nil {
		return nil, p.errorf(top, "missing top-level key spack:")
	}
	if spackNode.Kind != yaml.MappingNode {
		return nil, p.errorf(spackNode, "spack: must be a mapping, not a %s", kindName(spackNode))
	}
	env := &Environment{Container: Container{Strip: true}}
	var specsNode *yaml.Node
	for i := 0; i < len(spackNode.Content); i += 2 {
		k, v := spackNode.Content[i], spackNode.Content[i+1]
		switch k.Value {
		case "specs":
			specsNode = v
		case "container":
			c, err := p.container(v)
			if err != nil {
				return nil, err
			}
			env.Container = c
		case "packages":
			t, err := p.target(v)
			if err != nil {
				return nil, err
			}
			env.Target = t
		}
	}
	if specsNode == nil {
		return nil, p.errorf(spackNode, "spack: has no specs: list; add at least one spec, e.g. specs: [zlib@1.3.1]")
	}
	specs, err := p.specs(specsNode)
	if err != nil {
		return nil, err
	}
	env.Specs = specs
	return env, nil
}

// specNameRE takes the package name at the start of a spec string.
var specNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*`)

func (p *envParser) specs(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "specs must be a list of strings, not a %s", kindName(n))
	}
	if len(n.Content) == 0 {
		return nil, p.errorf(n, "specs is empty; add at least one spec")
	}
	var specs []string
	for _, item := range n.Content {
		if item.Kind == yaml.MappingNode && len(item.Content) > 0 && item.Content[0].Value == "matrix" {
			return nil, p.errorf(item, "spec matrices are not supported; list each spec as a string")
		}
		if item.Kind != yaml.ScalarNode || item.Tag != "!!str" {
			return nil, p.errorf(item, "specs must be a list of strings; this item is a %s", kindName(item))
		}
		s := strings.TrimSpace(item.Value)
		if s == "" {
			return nil, p.errorf(item, "spec is an empty string")
		}
		if strings.HasPrefix(s, "$") {
			return nil, p.errorf(item, "spec %q refers to a definition; definitions are not supported", s)
		}
		name := specNameRE.FindString(s)
		if name == "" {
			return nil, p.errorf(item, "spec %q must start with a package name", s)
		}
		if !ValidName(name) {
			return nil, p.errorf(item, "spec %q: package name %q must match %s", s, name, nameRE)
		}
		specs = append(specs, s)
	}
	return specs, nil
}

func (p *envParser) container(n *yaml.Node) (Container, error) {
	c := Container{Strip: true}
	if n.Kind != yaml.MappingNode {
		return c, p.errorf(n, "container: must be a mapping, not a %s", kindName(n))
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "format":
			var f string
			if f, err = p.str(v, "container.format"); err == nil && f != "docker" {
				err = p.errorf(v, "container.format %q is not supported: spack-ghcr builds OCI images (docker)", f)
			}
		case "images":
			c.Images, err = p.images(v)
		case "strip":
			c.Strip, err = p.boolean(v, "container.strip")
		case "os_packages":
			c.OSPackages, err = p.osPackages(v)
		case "labels":
			c.Labels, err = p.labels(v)
		case "template", "depfile", "singularity", "docker":
			// Settings of spack containerize's own Dockerfile; the pipeline replaces it.
		default:
			err = p.errorf(k, "unknown key container.%s", k.Value)
		}
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

func (p *envParser) images(n *yaml.Node) (Images, error) {
	var im Images
	if n.Kind != yaml.MappingNode {
		return im, p.errorf(n, "container.images must be a mapping, not a %s", kindName(n))
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "os":
			im.OS, err = p.str(v, "container.images.os")
		case "spack":
			// Spack's schema also allows a mapping {url, ref, resolve_sha}; take the ref.
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					if v.Content[j].Value == "ref" {
						im.Spack, err = p.str(v.Content[j+1], "container.images.spack.ref")
					}
				}
			} else {
				im.Spack, err = p.str(v, "container.images.spack")
			}
		case "build":
			im.Build, err = p.str(v, "container.images.build")
		case "final":
			im.Final, err = p.str(v, "container.images.final")
		default:
			err = p.errorf(k, "unknown key container.images.%s (want os+spack or build+final)", k.Value)
		}
		if err != nil {
			return im, err
		}
	}
	if (im.OS != "" || im.Spack != "") && (im.Build != "" || im.Final != "") {
		return im, p.errorf(n, "container.images takes either os and spack, or build and final, not both")
	}
	if (im.Build == "") != (im.Final == "") {
		return im, p.errorf(n, "container.images needs both build and final")
	}
	return im, nil
}

func (p *envParser) osPackages(n *yaml.Node) (OSPackages, error) {
	var o OSPackages
	if n.Kind != yaml.MappingNode {
		return o, p.errorf(n, "container.os_packages must be a mapping, not a %s", kindName(n))
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "command":
			if o.Command, err = p.str(v, "container.os_packages.command"); err == nil && o.Command != "apt" {
				err = p.errorf(v, "container.os_packages.command %q is not supported: runtime images are Debian-based (apt)", o.Command)
			}
		case "update":
			o.Update, err = p.boolean(v, "container.os_packages.update")
		case "build":
			o.Build, err = p.packageList(v, "container.os_packages.build")
		case "final":
			o.Final, err = p.packageList(v, "container.os_packages.final")
		default:
			err = p.errorf(k, "unknown key container.os_packages.%s", k.Value)
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

func (p *envParser) packageList(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "%s must be a list of package names, not a %s", what, kindName(n))
	}
	var out []string
	for _, item := range n.Content {
		s, err := p.str(item, what)
		if err != nil {
			return nil, err
		}
		if !debPackageRE.MatchString(s) {
			return nil, p.errorf(item, "%s: %q is not a Debian package name", what, s)
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *envParser) labels(n *yaml.Node) (map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "container.labels must be a mapping of strings, not a %s", kindName(n))
	}
	out := map[string]string{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return nil, p.errorf(v, "container.labels.%s must be a string, not a %s", k.Value, kindName(v))
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

// target finds a microarchitecture the environment itself asks for, in
// packages:all:target or in a packages:all:require entry "target=...".
func (p *envParser) target(n *yaml.Node) (string, error) {
	if n.Kind != yaml.MappingNode {
		return "", p.errorf(n, "packages: must be a mapping, not a %s", kindName(n))
	}
	all := mapValue(n, "all")
	if all == nil || all.Kind != yaml.MappingNode {
		return "", nil
	}
	if t := mapValue(all, "target"); t != nil {
		if t.Kind == yaml.SequenceNode && len(t.Content) > 0 {
			return t.Content[0].Value, nil
		}
		return t.Value, nil
	}
	var found string
	var walk func(*yaml.Node)
	walk = func(r *yaml.Node) {
		if r.Kind == yaml.ScalarNode {
			for _, f := range strings.Fields(r.Value) {
				if t, ok := strings.CutPrefix(f, "target="); ok && found == "" {
					found = t
				}
			}
		}
		for _, c := range r.Content {
			walk(c)
		}
	}
	if r := mapValue(all, "require"); r != nil {
		walk(r)
	}
	return found, nil
}

// AddSpec returns spack.yaml data with one more root spec, as `spack add` would. The
// result is re-encoded: comments survive, but not necessarily the indentation.
func AddSpec(data []byte, spec string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("adding %s: %w", spec, err)
	}
	var specs *yaml.Node
	if len(doc.Content) > 0 {
		if env := mapValue(doc.Content[0], "spack"); env != nil {
			specs = mapValue(env, "specs")
		}
	}
	if specs == nil || specs.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("adding %s: no spack.specs list", spec)
	}
	specs.Content = append(specs.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: spec})
	return yaml.Marshal(&doc)
}

// duplicateKeys rejects a mapping that names a key twice, which yaml.v3 accepts when
// decoding into a Node but Spack refuses.
func (p *envParser) duplicateKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] {
				return p.errorf(k, "invalid YAML: mapping key %q already defined", k.Value)
			}
			seen[k.Value] = true
		}
	}
	for _, c := range n.Content {
		if err := p.duplicateKeys(c); err != nil {
			return err
		}
	}
	return nil
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (p *envParser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errorf(n, "%s must be a string, not a %s", what, kindName(n))
	}
	if strings.TrimSpace(n.Value) == "" {
		return "", p.errorf(n, "%s is empty", what)
	}
	return n.Value, nil
}

func (p *envParser) boolean(n *yaml.Node, what string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, p.errorf(n, "%s must be true or false, not %q", what, n.Value)
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "number"
		case "!!bool":
			return "boolean"
		}
		return "string"
	}
	return "document"
}
