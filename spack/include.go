package spack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Include is a configuration file or folder an environment includes (Spack's include:,
// spack/config.py IncludePath). Its path is relative to the file that names it and must
// stay inside the repository: a spack.yaml from a pull request must not read the build
// machine's files.
type Include struct {
	// Path is the file or folder on this machine; Rel is the same relative to the
	// repository root, with slashes.
	Path, Rel string
	Dir       bool
	// File and Line are where the include is written.
	File string
	Line int
}

// configScope is the configuration an include adds: the sections spack-ghcr reads.
type configScope struct {
	packages    *yaml.Node
	packagesAt  *yamlFile
	definitions []definitionPart
}

// Bounds on what includes may bring in.
const (
	maxIncludeDepth = 8
	maxIncludeBytes = 64 << 20 // all included files together
)

var includeKeys = []string{"path", "when", "optional", "name", "sha256", "prefer_modify", "path_override_env_var", "git", "branch", "commit", "tag", "paths"}

// includes reads an include: list written in f, whose relative paths start at base.
func (r *envReader) includes(f *yamlFile, list *yaml.Node, base string, depth int) error {
	if depth >= maxIncludeDepth {
		return f.errorf(list, "includes nested deeper than %d levels", maxIncludeDepth)
	}
	if list.Kind != yaml.SequenceNode {
		return f.errorf(list, "include must be a list of paths, not a %s", kindName(list))
	}
	for _, item := range list.Content {
		path, when, optional, err := includeEntry(f, item)
		if err != nil {
			return err
		}
		if when != "" {
			ok, err := EvalCondition(when, r.env.Host)
			if err != nil {
				return f.errorf(item, "include %s: %v", path, err)
			}
			if !ok {
				continue
			}
		}
		inc, err := r.resolveInclude(f, item, path, base)
		if err != nil {
			return err
		}
		if inc == nil {
			if optional {
				continue
			}
			return f.errorf(item, "include %q: no such file or folder (Spack stops here too: required path does not exist)", path)
		}
		if slices.ContainsFunc(r.env.Includes, func(i Include) bool { return i.Path == inc.Path }) {
			continue // Spack ignores a scope included twice
		}
		r.env.Includes = append(r.env.Includes, *inc)
		if err := r.readScope(inc, depth); err != nil {
			return err
		}
	}
	return nil
}

// includeEntry reads one entry: a path, or a mapping with path, when and optional.
func includeEntry(f *yamlFile, item *yaml.Node) (path, when string, optional bool, err error) {
	if item.Kind == yaml.ScalarNode {
		path, err = f.str(item, "include entry")
		return path, "", false, err
	}
	if item.Kind != yaml.MappingNode {
		return "", "", false, f.errorf(item, "include entry must be a path or a mapping, not a %s", kindName(item))
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		switch k.Value {
		case "path":
			path, err = f.str(v, "include path")
		case "when":
			when, err = f.str(v, "include when")
		case "optional":
			optional, err = f.boolean(v, "include optional")
		case "name", "prefer_modify", "sha256":
			// sha256 goes with a URL, which the path check refuses.
		case "path_override_env_var":
			err = f.errorf(k, "include path_override_env_var: would read the path from the build machine's environment; write the path")
		case "git", "branch", "commit", "tag", "paths":
			err = f.errorf(k, "include from git is not supported: a spack.yaml must not fetch configuration at build time; copy the files into the repository")
		default:
			err = f.unknownKey(k, "include entry ", includeKeys)
		}
		if err != nil {
			return "", "", false, err
		}
	}
	if path == "" {
		return "", "", false, f.errorf(item, "include entry has no path")
	}
	return path, when, optional, nil
}

// resolveInclude checks an include's path and finds it; nil when it does not exist.
func (r *envReader) resolveInclude(f *yamlFile, item *yaml.Node, path, base string) (*Include, error) {
	bad := func(format string, args ...any) error {
		return f.errorf(item, "include %q: %s", path, fmt.Sprintf(format, args...))
	}
	p := path
	for _, v := range []string{"$env/", "${env}/"} {
		if rest, ok := strings.CutPrefix(p, v); ok {
			p = filepath.Join(r.env.Dir, rest)
		}
	}
	switch {
	case strings.Contains(p, "://"):
		return nil, bad("URLs are not supported: a spack.yaml must not fetch configuration at build time; copy the file into the repository")
	case strings.HasPrefix(p, "~") || strings.Contains(p, "$"):
		return nil, bad("variables and ~ in include paths are not supported: give a path relative to the environment")
	case filepath.IsAbs(path):
		return nil, bad("absolute paths read the build machine's files: give a path relative to the environment, inside the repository")
	}
	abs, err := filepath.Abs(filepath.Join(base, p))
	if err != nil {
		return nil, bad("%v", err)
	}
	rel, ok := within(r.env.Root, abs)
	if !ok {
		return nil, bad("it leaves the repository %s", r.env.Root)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, bad("%v", err)
	}
	if err := r.checkLinks(abs, fi.IsDir()); err != nil {
		return nil, bad("%v", err)
	}
	return &Include{Path: abs, Rel: rel, Dir: fi.IsDir(), File: f.path, Line: item.Line}, nil
}

// within reports whether p is root or below it, and p relative to root.
func within(root, p string) (string, bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// checkLinks refuses symbolic links that lead out of the repository, at the path and,
// for a folder, anywhere below it; it also bounds what a folder brings in.
func (r *envReader) checkLinks(abs string, dir bool) error {
	realRoot, err := filepath.EvalSymlinks(r.env.Root)
	if err != nil {
		return err
	}
	check := func(p string) error {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return err
		}
		if _, ok := within(realRoot, real); !ok {
			return fmt.Errorf("%s is a link to %s, outside the repository", p, real)
		}
		return nil
	}
	if err := check(abs); err != nil || !dir {
		return err
	}
	var total int64
	return filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return check(p)
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			if total += info.Size(); total > maxIncludeBytes {
				return fmt.Errorf("the folder holds more than %d MB", maxIncludeBytes>>20)
			}
		}
		return nil
	})
}

// readScope reads the sections spack-ghcr needs from an included file or folder, and
// follows its own includes: a folder is a scope of <section>.yaml files, a file holds
// sections as top-level keys.
func (r *envReader) readScope(inc *Include, depth int) error {
	scope := &configScope{}
	r.scopes = append(r.scopes, scope)
	sections := map[string]*yamlFile{}
	if inc.Dir {
		for _, s := range []string{"include", "definitions", "packages"} {
			f, err := readConfigFile(filepath.Join(inc.Path, s+".yaml"))
			if err != nil || f == nil {
				if err != nil {
					return err
				}
				continue
			}
			sections[s] = f
		}
	} else {
		f, err := readConfigFile(inc.Path)
		if err != nil {
			return err
		}
		for _, s := range []string{"include", "definitions", "packages"} {
			if f != nil {
				sections[s] = f
			}
		}
	}
	base := inc.Path
	if !inc.Dir {
		base = filepath.Dir(inc.Path)
	}
	if f := sections["definitions"]; f != nil {
		if n := mapValue(f.root, "definitions"); n != nil {
			parts, err := definitionParts(f, n)
			if err != nil {
				return err
			}
			scope.definitions = parts
		}
	}
	if f := sections["packages"]; f != nil {
		scope.packages, scope.packagesAt = mapValue(f.root, "packages"), f
	}
	if f := sections["include"]; f != nil {
		if n := mapValue(f.root, "include"); n != nil {
			return r.includes(f, n, base, depth+1)
		}
	}
	return nil
}

// readConfigFile reads a configuration file, nil when it does not exist.
func readConfigFile(path string) (*yamlFile, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	f, err := decodeYAML(path, data)
	if err != nil {
		return nil, err
	}
	if f.root != nil && f.root.Kind != yaml.MappingNode {
		return nil, f.errorf(f.root, "a configuration file must be a mapping of sections, not a %s", kindName(f.root))
	}
	return f, nil
}
