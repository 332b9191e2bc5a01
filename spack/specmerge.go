package spack

import (
	"fmt"
	"slices"
)

// This file combines abstract specs as a spack.yaml matrix does: constrain (the rows of
// a matrix are merged into one spec, Spec._constrain_symbolically) and satisfies (a
// combination is left out when it satisfies an exclude entry). Like Spack without a
// package repository, virtual packages are compared by name only.

// constrain adds other's constraints to n, or says why the two cannot hold together.
func (n *Node) constrain(other *Node) error {
	if other.Hash != "" {
		switch {
		case n.Hash == "" || hasPrefix(other.Hash, n.Hash):
			n.Hash = other.Hash
		case !hasPrefix(n.Hash, other.Hash):
			return fmt.Errorf("hashes /%s and /%s differ", n.Hash, other.Hash)
		}
	}
	if n.Name != "" && other.Name != "" && n.Name != other.Name {
		return fmt.Errorf("%s and %s are different packages", n.Name, other.Name)
	}
	if n.Namespace != "" && other.Namespace != "" && n.Namespace != other.Namespace {
		return fmt.Errorf("namespaces %s and %s differ", n.Namespace, other.Namespace)
	}
	versions, err := n.Versions.intersect(other.Versions)
	if err != nil {
		return err
	}
	for name, ov := range other.Variants {
		if sv, ok := n.Variants[name]; ok && !sv.intersects(ov) {
			return fmt.Errorf("variant %s cannot be both %s and %s", name, sv, ov)
		}
	}
	for _, a := range [][2]string{{n.Platform, other.Platform}, {n.OS, other.OS}, {n.Target, other.Target}} {
		if a[0] != "" && a[1] != "" && a[0] != a[1] {
			return fmt.Errorf("architecture %s cannot also be %s", a[0], a[1])
		}
	}
	if n.Name == "" {
		n.Name = other.Name
	}
	if n.Namespace == "" {
		n.Namespace = other.Namespace
	}
	if versions.text != "" {
		n.Versions, n.VersionsText = versions, versions.text
	}
	for _, name := range sortedNames(other.Variants) {
		ov := other.Variants[name]
		if sv, ok := n.Variants[name]; ok {
			sv.constrain(ov)
			continue
		}
		c := *ov
		c.Values = slices.Clone(ov.Values)
		if err := n.setVariant(&c); err != nil {
			return err
		}
	}
	n.constrainFlags(other)
	n.Platform = firstOf(n.Platform, other.Platform)
	n.OS = firstOf(n.OS, other.OS)
	n.Target = firstOf(n.Target, other.Target)
	return n.constrainDependencies(other)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// constrainFlags is FlagMap.constrain: flags other has and n lacks are appended.
func (n *Node) constrainFlags(other *Node) {
	for _, name := range sortedNames(other.Flags) {
		if n.Flags == nil {
			n.Flags = map[string][]Flag{}
		}
		for _, f := range other.Flags[name] {
			if !slices.ContainsFunc(n.Flags[name], func(g Flag) bool { return g.Value == f.Value }) {
				n.Flags[name] = append(n.Flags[name], f)
			}
		}
	}
}

// constrainDependencies is Spec._constrain_dependencies: an edge to a package n already
// depends on (under the same condition) constrains that dependency; others are added.
func (n *Node) constrainDependencies(other *Node) error {
	for _, e := range other.Edges {
		if e.Spec.Name == "" {
			return fmt.Errorf("cannot constrain with an anonymous dependency %q", e.format("^"))
		}
		i := slices.IndexFunc(n.Edges, func(x *Edge) bool {
			return x.Spec.Name == e.Spec.Name && x.When.String() == e.When.String()
		})
		if i < 0 {
			n.Edges = append(n.Edges, e.clone())
			continue
		}
		old := n.Edges[i]
		if err := old.Spec.constrain(e.Spec); err != nil {
			return fmt.Errorf("dependency %s: %w", e.Spec.Name, err)
		}
		old.DepTypes = mergeSorted(old.DepTypes, e.DepTypes)
		sortDepTypes(old.DepTypes)
		old.Virtuals = mergeSorted(old.Virtuals, e.Virtuals)
		old.Direct = old.Direct || e.Direct
	}
	return nil
}

func (e *Edge) clone() *Edge {
	holder := &Node{Edges: []*Edge{e}}
	return holder.clone().Edges[0]
}

func (v *Variant) String() string {
	n := &Node{Variants: map[string]*Variant{v.Name: v}}
	return n.formatVariants()
}

// intersects is VariantValue.intersects.
func (v *Variant) intersects(o *Variant) bool {
	if v.Bool || o.Bool {
		return v.Bool == o.Bool && v.On == o.On
	}
	switch {
	case v.Concrete && o.Concrete:
		return slices.Equal(v.Values, o.Values)
	case v.Concrete:
		return containsAll(v.Values, o.Values)
	case o.Concrete:
		return containsAll(o.Values, v.Values)
	}
	return true
}

// constrain is VariantValue.constrain for variants that intersect: values are united.
func (v *Variant) constrain(o *Variant) {
	if !v.Bool {
		v.Values = mergeSorted(v.Values, o.Values)
	}
	v.Propagate = v.Propagate && o.Propagate
	v.Concrete = v.Concrete || o.Concrete
}

// satisfies is VariantValue.satisfies: every concretization of v is one of o.
func (v *Variant) satisfies(o *Variant) bool {
	if v.Bool || o.Bool {
		return v.Bool == o.Bool && v.On == o.On
	}
	if !o.Concrete {
		return containsAll(v.Values, o.Values)
	}
	return v.Concrete && slices.Equal(v.Values, o.Values)
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// satisfies reports whether every spec n allows is one other allows: Spack's
// Spec.satisfies on abstract specs, as a matrix's exclude uses it.
func (n *Node) satisfies(other *Node) bool {
	if other.Name != "" && n.Name != other.Name {
		return false
	}
	if other.Namespace != "" && n.Namespace != other.Namespace {
		return false
	}
	if other.Hash != "" && !hasPrefix(n.Hash, other.Hash) {
		return false
	}
	if !n.Versions.subset(other.Versions) {
		return false
	}
	for name, ov := range other.Variants {
		sv, ok := n.Variants[name]
		if !ok || !sv.satisfies(ov) {
			return false
		}
	}
	for name, flags := range other.Flags {
		for _, f := range flags {
			if !slices.ContainsFunc(n.Flags[name], func(g Flag) bool { return g.Value == f.Value }) {
				return false
			}
		}
	}
	for _, a := range [][2]string{{n.Platform, other.Platform}, {n.OS, other.OS}, {n.Target, other.Target}} {
		if a[1] != "" && a[0] != a[1] {
			return false
		}
	}
	for _, oe := range other.Edges {
		if !slices.ContainsFunc(n.allEdges(), func(se *Edge) bool {
			return (oe.Spec.Name == "" || se.Spec.Name == oe.Spec.Name || slices.Contains(se.Virtuals, oe.Spec.Name)) &&
				(!oe.Direct || se.Direct) && se.Spec.satisfies(withoutName(oe.Spec, se))
		}) {
			return false
		}
	}
	return true
}

// withoutName lets "^mpi" match an edge that provides mpi under another name.
func withoutName(want *Node, have *Edge) *Node {
	if want.Name != "" && want.Name != have.Spec.Name {
		c := *want
		c.Name = ""
		return &c
	}
	return want
}

// allEdges is every edge below n: Spack matches "^dep" anywhere in the DAG.
func (n *Node) allEdges() []*Edge {
	var out []*Edge
	for _, e := range n.Edges {
		out = append(out, e)
		out = append(out, e.Spec.allEdges()...)
	}
	return out
}
