package spack

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// This file prints abstract specs the way Spack 1.1's str(Spec) does
// (Spec.format with DEFAULT_FORMAT, and _format_dependencies), so that what `plan`
// shows is what `spack spec` and the lockfile call the roots.

// noQuotesNeeded is spack_parser.NO_QUOTES_NEEDED.
var noQuotesNeeded = regexp.MustCompile(`^[a-zA-Z0-9,/_.\-\[\]]+$`)

// quoteIfNeeded is spec_parser.quote_if_needed.
func quoteIfNeeded(v string) string {
	if noQuotesNeeded.MatchString(v) {
		return v
	}
	if strings.Contains(v, "'") {
		b, _ := json.Marshal(v)
		return string(b)
	}
	return "'" + v + "'"
}

// String prints the spec as Spack does: the root node, then its direct dependencies
// ("%gcc@13") and its transitive ones ("^zlib"), each group sorted by name. A nil
// node prints as "".
func (n *Node) String() string {
	if n == nil {
		return ""
	}
	if len(n.Edges) == 0 {
		return n.format()
	}
	return strings.TrimSpace(n.format() + " " + n.formatDependencies())
}

// format is Spec.format(DEFAULT_FORMAT): the node alone.
func (n *Node) format() string {
	var b strings.Builder
	b.WriteString(n.Name)
	if v := n.Versions.Canonical(); v != "" {
		b.WriteString("@" + v)
	}
	b.WriteString(n.formatFlags())
	b.WriteString(n.formatVariants())
	if n.Name == "" && n.Namespace != "" {
		b.WriteString(" namespace=" + n.Namespace)
	}
	for _, a := range []struct{ key, value string }{{"platform", n.Platform}, {"os", n.OS}, {"target", n.Target}} {
		if a.value != "" {
			b.WriteString(" " + a.key + "=" + a.value)
		}
	}
	if n.Hash != "" {
		b.WriteString("/" + n.Hash)
	}
	return strings.TrimSpace(b.String())
}

// formatFlags is FlagMap.__str__, with its leading and trailing space.
func (n *Node) formatFlags() string {
	var b strings.Builder
	for _, name := range sortedNames(n.Flags) {
		var plain, propagated []string
		for _, f := range n.Flags[name] {
			if f.Propagate {
				propagated = append(propagated, f.Value)
			} else {
				plain = append(plain, f.Value)
			}
		}
		if len(plain) > 0 {
			b.WriteString(" " + name + "=" + quoteIfNeeded(strings.Join(plain, " ")))
		}
		if len(propagated) > 0 {
			b.WriteString(" " + name + "==" + quoteIfNeeded(strings.Join(propagated, " ")))
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	return b.String()
}

// formatVariants is VariantMap.__str__: boolean variants first, glued, then
// " name=value" pairs, each group sorted by name.
func (n *Node) formatVariants() string {
	var bools, pairs strings.Builder
	for _, name := range sortedNames(n.Variants) {
		v := n.Variants[name]
		if v.Bool {
			sigil := "~"
			if v.On {
				sigil = "+"
			}
			if v.Propagate {
				sigil += sigil
			}
			bools.WriteString(sigil + name)
			continue
		}
		sep := "="
		if v.Propagate {
			sep = "=="
		}
		if v.Concrete {
			sep = ":" + sep
		}
		value := "*"
		if len(v.Values) > 0 {
			value = strings.Join(v.Values, ",")
		}
		pairs.WriteString(" " + name + sep + quoteIfNeeded(value))
	}
	return bools.String() + pairs.String()
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// formatDependencies is Spec._format_dependencies for an abstract spec: direct edges
// sorted by name, then transitive edges sorted by name, each followed by its own
// dependencies.
func (n *Node) formatDependencies() string {
	var direct, transitive []*Edge
	for _, e := range n.Edges {
		if e.Direct {
			direct = append(direct, e)
		} else {
			transitive = append(transitive, e)
		}
	}
	byName := func(a, b *Edge) int { return cmp.Compare(a.Spec.Name, b.Spec.Name) }
	slices.SortStableFunc(direct, byName)
	slices.SortStableFunc(transitive, byName)
	var parts []string
	for _, e := range direct {
		sigil := "%"
		if e.Preference {
			sigil = "%%"
		}
		parts = append(parts, e.format(sigil))
	}
	for _, e := range transitive {
		parts = append(parts, e.format("^"))
		if len(e.Spec.Edges) > 0 {
			parts = append(parts, e.Spec.formatDependencies())
		}
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// format prints one edge: sigil, attributes, virtual assignment and the node, with a
// compiler package under its legacy name ("%clang" for llvm).
func (e *Edge) format(sigil string) string {
	dep := *e.Spec
	if e.Direct {
		dep.Name = builtinToLegacy(dep.Name)
	}
	node := dep.format()
	var attrs []string
	if e.When != nil {
		attrs = append(attrs, "when='"+e.When.String()+"'")
	}
	if len(e.DepTypes) > 0 {
		attrs = append(attrs, "deptypes="+strings.Join(e.DepTypes, ","))
	}
	out := sigil
	if len(attrs) > 0 {
		out += "[" + strings.Join(attrs, " ") + "] "
	}
	if dep.Name == "" && e.needsStar(node) {
		out += "*"
	}
	if len(e.Virtuals) > 0 {
		out += strings.Join(e.Virtuals, ",") + "="
	}
	return out + node
}

// needsStar is Spack's _anonymous_star: an anonymous dependency that would read as a
// virtual assignment or nothing gets a "*".
func (e *Edge) needsStar(node string) bool {
	switch {
	case len(e.Virtuals) > 0:
		return true
	case strings.HasPrefix(node, "@"):
		return false
	case len(e.Spec.Flags) > 0:
		return true
	}
	for _, v := range e.Spec.Variants {
		if v.Bool {
			return false
		}
	}
	return true
}
