package spack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Lockfile is a concretized environment, spack.lock, as Spack 0.21 to 1.x write it
// (lockfile-version 4 to 6).
type Lockfile struct {
	Version      int
	SpackVersion string
	// SHA256 is the file's hash in hex, as images and build.json record it.
	SHA256 string
	Roots  []Root
	// Specs maps a DAG hash to its concrete spec.
	Specs map[string]*ConcreteSpec
}

// Root is one root spec of the environment: what the user asked for and the hash it
// concretized to.
type Root struct {
	Hash string
	Spec string
}

// ConcreteSpec is one node of the lockfile's DAG.
type ConcreteSpec struct {
	Name      string
	Version   string
	Hash      string
	Namespace string
	Platform  string
	OS        string
	Target    string
	// External is the prefix of a spec Spack did not build (packages:*:externals), or "".
	External     string
	Dependencies []Dependency
}

// Dependency is an edge of the DAG with its dependency types (build, link, run, test).
type Dependency struct {
	Name  string
	Hash  string
	Types []string
}

// DAGHash7 is the short hash Spack prints beside names ("lz4-1.9.4-4mhag46").
func (s *ConcreteSpec) DAGHash7() string {
	if len(s.Hash) < 7 {
		return s.Hash
	}
	return s.Hash[:7]
}

// String is name@version/hash7, the way Spack lists a concrete spec.
func (s *ConcreteSpec) String() string {
	return fmt.Sprintf("%s@%s/%s", s.Name, s.Version, s.DAGHash7())
}

// lockJSON mirrors the file; it is kept apart from Lockfile so the public type does not
// change with Spack's format.
type lockJSON struct {
	Meta struct {
		FileType        string `json:"file-type"`
		LockfileVersion int    `json:"lockfile-version"`
	} `json:"_meta"`
	Spack struct {
		Version string `json:"version"`
	} `json:"spack"`
	Roots []struct {
		Hash string `json:"hash"`
		Spec string `json:"spec"`
	} `json:"roots"`
	ConcreteSpecs map[string]struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Namespace string `json:"namespace"`
		Hash      string `json:"hash"`
		Arch      struct {
			Platform string          `json:"platform"`
			OS       string          `json:"platform_os"`
			Target   json.RawMessage `json:"target"`
		} `json:"arch"`
		External *struct {
			Path string `json:"path"`
		} `json:"external"`
		Dependencies []struct {
			Name       string   `json:"name"`
			Hash       string   `json:"hash"`
			Type       []string `json:"type"` // lockfile-version 4
			Parameters struct {
				Deptypes []string `json:"deptypes"`
			} `json:"parameters"`
		} `json:"dependencies"`
	} `json:"concrete_specs"`
}

// ParseLockfile reads spack.lock; path is used in errors only.
func ParseLockfile(path string, data []byte) (*Lockfile, error) {
	var raw lockJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ParseError{Path: path, Msg: "not a spack.lock: " + err.Error()}
	}
	if raw.Meta.FileType != "spack-lockfile" {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("not a spack.lock: _meta.file-type is %q", raw.Meta.FileType)}
	}
	if v := raw.Meta.LockfileVersion; v < 4 || v > 6 {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("lockfile-version %d is not supported (want 4 to 6, Spack 0.21 to 1.x)", v)}
	}
	if len(raw.Roots) == 0 {
		return nil, &ParseError{Path: path, Msg: "no roots: the environment concretized to nothing"}
	}
	sum := sha256.Sum256(data)
	lf := &Lockfile{Version: raw.Meta.LockfileVersion, SpackVersion: raw.Spack.Version, SHA256: hex.EncodeToString(sum[:]), Specs: map[string]*ConcreteSpec{}}
	for hash, cs := range raw.ConcreteSpecs {
		s := &ConcreteSpec{
			Name: cs.Name, Version: cs.Version, Hash: hash, Namespace: cs.Namespace,
			Platform: cs.Arch.Platform, OS: cs.Arch.OS, Target: targetName(cs.Arch.Target),
		}
		if cs.Name == "" {
			return nil, &ParseError{Path: path, Msg: fmt.Sprintf("concrete spec %s has no name", hash)}
		}
		if cs.External != nil {
			s.External = cs.External.Path
		}
		for _, d := range cs.Dependencies {
			types := d.Parameters.Deptypes
			if len(types) == 0 {
				types = d.Type
			}
			s.Dependencies = append(s.Dependencies, Dependency{Name: d.Name, Hash: d.Hash, Types: types})
		}
		lf.Specs[hash] = s
	}
	for _, r := range raw.Roots {
		if lf.Specs[r.Hash] == nil {
			return nil, &ParseError{Path: path, Msg: fmt.Sprintf("root %q has hash %s, which is not among concrete_specs", r.Spec, r.Hash)}
		}
		lf.Roots = append(lf.Roots, Root{Hash: r.Hash, Spec: r.Spec})
	}
	for _, s := range lf.Specs {
		for _, d := range s.Dependencies {
			if lf.Specs[d.Hash] == nil {
				return nil, &ParseError{Path: path, Msg: fmt.Sprintf("%s depends on %s/%s, which is not among concrete_specs", s, d.Name, d.Hash)}
			}
		}
	}
	return lf, nil
}

// Change describes the first way other's concretization differs from lf's: a root
// asked for or solved otherwise, or a spec in one and not the other. It is "" when
// both hold the same roots and the same specs (by DAG hash), whatever their format.
func (lf *Lockfile) Change(other *Lockfile) string {
	roots := func(l *Lockfile) map[string]string {
		m := map[string]string{}
		for _, r := range l.Roots {
			m[r.Spec] = r.Hash
		}
		return m
	}
	ra, rb := roots(lf), roots(other)
	for _, spec := range slices.Sorted(maps.Keys(ra)) {
		if h, ok := rb[spec]; !ok {
			return fmt.Sprintf("root %s is gone", spec)
		} else if h != ra[spec] {
			return fmt.Sprintf("root %s concretizes to /%s, not /%s", spec, other.Specs[h].DAGHash7(), lf.Specs[ra[spec]].DAGHash7())
		}
	}
	for _, spec := range slices.Sorted(maps.Keys(rb)) {
		if _, ok := ra[spec]; !ok {
			return fmt.Sprintf("root %s is new", spec)
		}
	}
	for _, h := range slices.Sorted(maps.Keys(lf.Specs)) {
		if other.Specs[h] == nil {
			return fmt.Sprintf("%s is gone", lf.Specs[h])
		}
	}
	for _, h := range slices.Sorted(maps.Keys(other.Specs)) {
		if lf.Specs[h] == nil {
			return fmt.Sprintf("%s is new", other.Specs[h])
		}
	}
	return ""
}

// targetName reads arch.target, which is a name for generic targets and an object with
// a name for microarchitectures in older lockfiles.
func targetName(raw json.RawMessage) string {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return name
	}
	var obj struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.Name
}

// Closure is the part of an environment that its programs need at run time.
type Closure struct {
	// Specs are the roots and every spec reachable from them over link and run edges,
	// sorted by name, without externals.
	Specs []*ConcreteSpec
	// Externals are reachable specs Spack did not build (e.g. glibc, or a gmake from
	// /usr): they are not shipped, so the runtime image's OS must provide them.
	Externals []*ConcreteSpec
}

// RuntimeClosure walks the DAG from the roots over link and run edges only, so build-
// and test-only dependencies stay out of the runtime image.
func (lf *Lockfile) RuntimeClosure() Closure {
	seen := map[string]bool{}
	var c Closure
	var visit func(hash string)
	visit = func(hash string) {
		if seen[hash] {
			return
		}
		seen[hash] = true
		s := lf.Specs[hash]
		if s.External != "" {
			c.Externals = append(c.Externals, s)
			// An external's own dependencies are the OS's business too.
			return
		}
		c.Specs = append(c.Specs, s)
		for _, d := range s.Dependencies {
			if hasType(d.Types, "link") || hasType(d.Types, "run") {
				visit(d.Hash)
			}
		}
	}
	for _, r := range lf.Roots {
		visit(r.Hash)
	}
	sortSpecs(c.Specs)
	sortSpecs(c.Externals)
	return c
}

// RootSpecs returns the concrete root specs in the lockfile's order.
func (lf *Lockfile) RootSpecs() []*ConcreteSpec {
	out := make([]*ConcreteSpec, 0, len(lf.Roots))
	for _, r := range lf.Roots {
		out = append(out, lf.Specs[r.Hash])
	}
	return out
}

// TestedSpecs are the specs whose build-time tests `spack install --test=tests` runs:
// the roots for "root", every spec Spack builds (in hash order) for "all", none for
// "none".
func (lf *Lockfile) TestedSpecs(tests string) []*ConcreteSpec {
	switch tests {
	case "root":
		return lf.RootSpecs()
	case "all":
		var out []*ConcreteSpec
		for _, h := range slices.Sorted(maps.Keys(lf.Specs)) {
			if s := lf.Specs[h]; s.External == "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasType(types []string, t string) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

func sortSpecs(s []*ConcreteSpec) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Name != s[j].Name {
			return s[i].Name < s[j].Name
		}
		return s[i].Hash < s[j].Hash
	})
}
