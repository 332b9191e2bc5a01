package spack

import (
	"fmt"
	"slices"
	"strings"
)

// Node is one node of an abstract spec as Spack's parser builds it: a name (empty for
// an anonymous spec such as "+mpi" or "%gcc@13"), a version constraint, variants,
// compiler flags, an architecture, an abstract hash, and edges to dependencies.
type Node struct {
	Namespace, Name string
	// Versions is the version constraint; VersionsText its text as written, or "".
	Versions     VersionConstraint
	VersionsText string
	Variants     map[string]*Variant
	Flags        map[string][]Flag // cflags, cxxflags, ... in the order given
	Platform     string
	OS           string
	Target       string
	Hash         string // an abstract hash, "/abcdef"
	Edges        []*Edge
}

// Variant is a variant value: +shared, ~mpi, ++debug, threads=openmp, cuda_arch:=80.
type Variant struct {
	Name string
	// Bool is set for a boolean variant, whose value is On.
	Bool bool
	On   bool
	// Values of a key=value variant, in Spack's order (sorted once combined); empty
	// for "name=*".
	Values    []string
	Propagate bool
	Concrete  bool // name:=value
}

// Flag is one compiler flag of cflags, cxxflags, ...: a token and the values after it
// ("-I /x").
type Flag struct {
	Value     string
	Propagate bool
}

// Edge is a dependency: direct ("%", a compiler or other direct dependency) or
// transitive ("^"), with its edge attributes.
type Edge struct {
	Direct bool
	// Preference is "%%": a direct dependency propagated as a preference.
	Preference bool
	Virtuals   []string
	DepTypes   []string
	When       *Node // nil when unconditional
	Spec       *Node
}

// compilerFlags are the key=value names Spack takes as compiler flags, not variants
// (spack.spec.FlagMap.valid_compiler_flags).
var compilerFlags = map[string]bool{
	"cflags": true, "cppflags": true, "cxxflags": true, "fflags": true, "ldflags": true, "ldlibs": true,
}

// legacyCompilers maps compiler names to the packages that provide them in Spack 1.x
// (spack/aliases.py): "%clang" is an edge to llvm, printed as "%clang" again.
var legacyCompilers = map[string]string{
	"clang": "llvm", "oneapi": "intel-oneapi-compilers", "rocmcc": "llvm-amdgpu",
	"intel": "intel-oneapi-compilers-classic", "arm": "acfl",
}

func builtinToLegacy(name string) string {
	for legacy, builtin := range legacyCompilers {
		if builtin == name {
			return legacy
		}
	}
	return name
}

// addFlag is Spack's Spec._add_flag: a key=value is an architecture part, a compiler
// flag or a variant.
func (n *Node) addFlag(name, value string, isBool, propagate, concrete bool) error {
	if isBool {
		return n.setVariant(&Variant{Name: name, Bool: true, On: value == "true", Propagate: propagate})
	}
	switch name {
	case "arch", "architecture":
		parts := strings.Split(value, "-")
		if len(parts) == 3 {
			return n.setArch(parts[0], parts[1], parts[2])
		}
		return n.setArch("", "", value)
	case "platform":
		return n.setArch(value, "", "")
	case "os", "operating_system":
		return n.setArch("", value, "")
	case "target":
		return n.setArch("", "", value)
	case "namespace":
		n.Namespace = value
		return nil
	}
	if compilerFlags[name] {
		if n.Flags == nil {
			n.Flags = map[string][]Flag{}
		}
		for _, f := range tokenizeFlags(value) {
			n.Flags[name] = append(n.Flags[name], Flag{Value: f, Propagate: propagate})
		}
		return nil
	}
	if up := strings.ToUpper(value); up == "TRUE" || up == "FALSE" {
		return n.setVariant(&Variant{Name: name, Bool: true, On: up == "TRUE", Propagate: propagate})
	}
	v := &Variant{Name: name, Propagate: propagate, Concrete: concrete}
	if value != "*" {
		v.Values = strings.Split(value, ",")
	}
	return n.setVariant(v)
}

// tokenizeFlags is spack.compilers.flags.tokenize_flags: a token not starting with "-"
// belongs to the flag before it.
func tokenizeFlags(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if len(out) > 0 && !strings.HasPrefix(f, "-") {
			out[len(out)-1] += " " + f
			continue
		}
		out = append(out, f)
	}
	return out
}

func (n *Node) setVariant(v *Variant) error {
	if n.Variants == nil {
		n.Variants = map[string]*Variant{}
	}
	if _, dup := n.Variants[v.Name]; dup {
		return fmt.Errorf("cannot specify variant %q twice", v.Name)
	}
	n.Variants[v.Name] = v
	return nil
}

func (n *Node) setArch(platform, os, target string) error {
	for _, f := range []struct {
		what  string
		dst   *string
		value string
	}{{"platform", &n.Platform, platform}, {"os", &n.OS, os}, {"target", &n.Target, target}} {
		if f.value == "" {
			continue
		}
		if *f.dst != "" {
			return fmt.Errorf("cannot specify %q twice", f.what)
		}
		*f.dst = f.value
	}
	return nil
}

// addEdge is Spack's Spec._add_dependency for an abstract spec: a second edge to the
// same package with the same dependency types and condition is merged into the first.
func (n *Node) addEdge(e *Edge) error {
	for _, old := range n.Edges {
		if e.Spec.Name == "" || old.Spec.Name != e.Spec.Name ||
			!slices.Equal(old.DepTypes, e.DepTypes) || old.When.String() != e.When.String() {
			continue
		}
		if err := old.Spec.constrain(e.Spec); err != nil {
			return fmt.Errorf("cannot depend on incompatible specs %q and %q: %w", old.Spec, e.Spec, err)
		}
		old.Virtuals = mergeSorted(old.Virtuals, e.Virtuals)
		return nil
	}
	n.Edges = append(n.Edges, e)
	return nil
}

func mergeSorted(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// clone copies the node and everything below it.
func (n *Node) clone() *Node {
	c := *n
	if n.Variants != nil {
		c.Variants = map[string]*Variant{}
		for k, v := range n.Variants {
			vv := *v
			vv.Values = slices.Clone(v.Values)
			c.Variants[k] = &vv
		}
	}
	if n.Flags != nil {
		c.Flags = map[string][]Flag{}
		for k, v := range n.Flags {
			c.Flags[k] = slices.Clone(v)
		}
	}
	c.Edges = nil
	for _, e := range n.Edges {
		ec := *e
		ec.Virtuals, ec.DepTypes = slices.Clone(e.Virtuals), slices.Clone(e.DepTypes)
		ec.Spec = e.Spec.clone()
		if e.When != nil {
			ec.When = e.When.clone()
		}
		c.Edges = append(c.Edges, &ec)
	}
	return &c
}
