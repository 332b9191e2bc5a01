package spack

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// spackKeys are the keys Spack 1.1's environment schema allows under spack:
// (spack/schema/env.py and merged.py).
var spackKeys = []string{
	"bootstrap", "cdash", "ci", "compilers", "concretizer", "config", "container",
	"definitions", "develop", "env_vars", "include", "include_concrete", "mirrors",
	"modules", "packages", "repos", "specs", "toolchains", "upstreams", "view",
}

// envReader reads one spack.yaml and what it includes.
type envReader struct {
	env  *Environment
	file *yamlFile
	opts options
	// scopes are the included configuration scopes, highest precedence first.
	scopes []*configScope
}

func (r *envReader) read(spackNode *yaml.Node) error {
	f, env := r.file, r.env
	var specs, defs, include, packages, view *yaml.Node
	env.Container = Container{Strip: true}
	for i := 0; i < len(spackNode.Content); i += 2 {
		k, v := spackNode.Content[i], spackNode.Content[i+1]
		switch configKey(k.Value) {
		case "specs":
			specs = v
		case "definitions":
			defs = v
		case "include":
			include = v
		case "packages":
			packages = v
		case "view":
			view = v
		case "container":
			c, err := parseContainer(f, v)
			if err != nil {
				return err
			}
			env.Container = c
		case "develop":
			return f.errorf(k, "develop: is not supported: a container image is built from released sources; remove it or build the package from a version")
		case "include_concrete":
			return f.errorf(k, "include_concrete: is not supported: it reads other environments' lockfiles from the build machine; include their specs instead")
		default:
			if !slices.Contains(spackKeys, configKey(k.Value)) {
				return f.unknownKey(k, "spack.", spackKeys)
			}
		}
	}
	var err error
	if env.Images, err = ResolveImages(env.Container.Images, r.opts.builderImage, r.opts.runtime, r.opts.spackVersion); err != nil {
		return f.errorf(mapValue(mapValue(spackNode, "container"), "images"), "%v", err)
	}
	env.Host = r.opts.host
	env.Host.Target = cmp.Or(env.Host.Target, r.opts.portableTarget)
	env.Host.OS = cmp.Or(r.opts.builderOS, env.Images.BuilderOS)
	if include != nil {
		if err := r.includes(f, include, env.Dir, 0); err != nil {
			return err
		}
	}
	if specs == nil {
		return f.errorf(spackNode, "spack: has no specs: list; add at least one spec, e.g. specs: [zlib@1.3.1]")
	}
	if err := r.specs(specs, defs); err != nil {
		return err
	}
	if env.Requirements, err = r.requirements(packages); err != nil {
		return err
	}
	if env.View, err = parseView(f, view); err != nil {
		return err
	}
	return nil
}

// setRoot finds the repository root: the option, else the nearest directory above the
// environment holding .git, else the environment's directory.
func (env *Environment) setRoot(root string) error {
	dir, err := filepath.Abs(env.Dir)
	if err != nil {
		return fmt.Errorf("environment %s: %w", env.Path, err)
	}
	if root == "" {
		root = dir
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
				root = d
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if env.Root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("environment %s: %w", env.Path, err)
	}
	rel, ok := within(env.Root, dir)
	if !ok {
		return &ParseError{Path: env.Path, Msg: fmt.Sprintf("the environment is outside the repository %s", env.Root)}
	}
	env.RelDir = rel
	return nil
}

// specs expands specs: with the definitions of the environment and its includes, and
// records the spec strings as written.
func (r *envReader) specs(specs, defs *yaml.Node) error {
	f, env := r.file, r.env
	if specs.Kind != yaml.SequenceNode {
		return f.errorf(specs, "specs must be a list of strings, not a %s", kindName(specs))
	}
	if len(specs.Content) == 0 {
		return f.errorf(specs, "specs is empty; add at least one spec")
	}
	var parts []definitionPart
	if defs != nil {
		p, err := definitionParts(f, defs)
		if err != nil {
			return err
		}
		parts = p
	}
	for _, s := range r.scopes {
		parts = append(parts, s.definitions...)
	}
	x := &expander{host: env.Host, defs: map[string][]listItem{}}
	if err := x.build(parts); err != nil {
		return err
	}
	items, err := x.expandList(f, specs, "specs")
	if err != nil {
		return err
	}
	roots, err := x.specs(items)
	if err != nil {
		return err
	}
	for _, root := range roots {
		if root.spec.Name == "" {
			return root.item.file.errorf(root.item.node, "spec %q must start with a package name", root.spec.String())
		}
		env.Specs = append(env.Specs, root.spec.String())
		env.Roots = append(env.Roots, root.spec)
	}
	env.Literals = literals(specs, parts, f)
	return nil
}

// literals are the spec strings written in the environment's own specs and
// definitions lists (not those of includes, nor matrix rows), where updates edit
// versions.
func literals(specs *yaml.Node, parts []definitionPart, f *yamlFile) []EnvSpec {
	var out []EnvSpec
	add := func(list *yaml.Node, where string) {
		for _, n := range list.Content {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && !strings.HasPrefix(n.Value, "$") {
				out = append(out, EnvSpec{Text: n.Value, Line: n.Line, Column: n.Column, Where: where})
			}
		}
	}
	add(specs, "specs")
	for _, p := range parts {
		if p.file == f {
			add(p.list, "definitions."+p.name)
		}
	}
	return out
}
