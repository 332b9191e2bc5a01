package spack

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// This file expands specs: and definitions: as Spack 1.1 does
// (spack/environment/list.py, SpecListParser and _expand_matrix_constraints):
// definitions with the same name are joined in order, those whose when: fails are left
// out, "$name" (and "$^name", "$%name") splices a definition in, and a matrix is the
// product of its rows, each combination merged into one spec unless it satisfies an
// exclude.

// listItem is one entry of a spec list once references are spliced in: a spec string
// (with any sigil applied) or a matrix.
type listItem struct {
	text   string
	matrix *matrix
	file   *yamlFile
	node   *yaml.Node
}

type matrix struct {
	rows    [][]listItem
	exclude []listItem
	sigil   string
}

// definitionPart is one entry of definitions: a name, its list and its condition.
type definitionPart struct {
	name string
	list *yaml.Node
	when string
	file *yamlFile
	at   *yaml.Node
}

// expander holds the definitions built so far.
type expander struct {
	host  Host
	defs  map[string][]listItem
	count int // specs a matrix may produce, against MaxSpecs
}

// definitionParts reads a definitions: list of one file.
func definitionParts(f *yamlFile, n *yaml.Node) ([]definitionPart, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, f.errorf(n, "definitions must be a list of mappings, not a %s", kindName(n))
	}
	var parts []definitionPart
	for _, d := range n.Content {
		if d.Kind != yaml.MappingNode {
			return nil, f.errorf(d, "each definition must be a mapping of one name to a list")
		}
		p := definitionPart{file: f, at: d}
		var names []string
		for i := 0; i+1 < len(d.Content); i += 2 {
			k, v := d.Content[i], d.Content[i+1]
			if k.Value == "when" {
				w, err := f.str(v, "definition when")
				if err != nil {
					return nil, err
				}
				p.when = w
				continue
			}
			names = append(names, k.Value)
			p.name, p.list = k.Value, v
		}
		switch {
		case len(names) == 0:
			return nil, f.errorf(d, "definition must have a single attribute, got none")
		case len(names) > 1:
			return nil, f.errorf(d, "definition must have a single attribute, got many: %s", strings.Join(names, ", "))
		}
		if p.list.Kind != yaml.SequenceNode {
			return nil, f.errorf(p.list, "definition %s must be a list of specs, not a %s", p.name, kindName(p.list))
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// build evaluates the definitions in Spack's order: names in order of first use, each
// the join of its parts whose condition holds.
func (x *expander) build(parts []definitionPart) error {
	var order []string
	byName := map[string][]definitionPart{}
	for _, p := range parts {
		if _, ok := byName[p.name]; !ok {
			order = append(order, p.name)
		}
		byName[p.name] = append(byName[p.name], p)
	}
	for _, name := range order {
		var items []listItem
		for _, p := range byName[name] {
			if p.when != "" {
				ok, err := EvalCondition(p.when, x.host)
				if err != nil {
					return p.file.errorf(p.at, "definition %s: %v", name, err)
				}
				if !ok {
					continue
				}
			}
			list, err := x.expandList(p.file, p.list, "definition "+name)
			if err != nil {
				return err
			}
			items = append(items, list...)
		}
		x.defs[name] = items
	}
	return nil
}

// expandList is _expand_yaml_list: references spliced, matrices expanded inside. what
// names the list in messages.
func (x *expander) expandList(f *yamlFile, list *yaml.Node, what string) ([]listItem, error) {
	var out []listItem
	for _, n := range list.Content {
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.HasPrefix(n.Value, "$"):
			items, err := x.reference(f, n)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
			if strings.TrimSpace(n.Value) == "" {
				return nil, f.errorf(n, "spec is an empty string")
			}
			out = append(out, listItem{text: n.Value, file: f, node: n})
		case n.Kind == yaml.MappingNode && mapValue(n, "matrix") == nil && len(n.Content) == 2 &&
			(strings.ContainsAny(n.Content[0].Value, "@ ") || n.Content[1].Kind == yaml.ScalarNode):
			// Often an unquoted range: "- hdf5@1.14: +mpi" is a mapping in YAML.
			return nil, f.errorf(n, "%s entry is a mapping, not a spec or a matrix: quote specs that hold ': '", what)
		case n.Kind == yaml.MappingNode:
			m, err := x.matrix(f, n)
			if err != nil {
				return nil, err
			}
			out = append(out, listItem{matrix: m, file: f, node: n})
		default:
			return nil, f.errorf(n, "%s must be a list of strings; this item is a %s", what, kindName(n))
		}
	}
	return out, nil
}

// reference is _expand_reference: "$name", "$^name" or "$%name".
func (x *expander) reference(f *yamlFile, n *yaml.Node) ([]listItem, error) {
	name, sigil := n.Value[1:], ""
	if strings.HasPrefix(name, "^") || strings.HasPrefix(name, "%") {
		sigil, name = name[:1], name[1:]
	}
	items, ok := x.defs[name]
	if !ok {
		return nil, f.errorf(n, "trying to expand the name %q, which is not defined yet", name)
	}
	if sigil == "" {
		return items, nil
	}
	out := make([]listItem, len(items))
	for i, it := range items {
		out[i] = it
		if it.matrix != nil {
			m := *it.matrix
			m.sigil = sigil
			out[i].matrix = &m
		} else {
			out[i].text = sigil + it.text
		}
	}
	return out, nil
}

// matrix is _expand_yaml_matrix: rows expanded, exclude kept.
func (x *expander) matrix(f *yamlFile, n *yaml.Node) (*matrix, error) {
	m := &matrix{}
	var rows *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "matrix":
			rows = v
		case "exclude":
			if v.Kind != yaml.SequenceNode {
				return nil, f.errorf(v, "exclude must be a list of specs, not a %s", kindName(v))
			}
			for _, e := range v.Content {
				s, err := f.str(e, "exclude entry")
				if err != nil {
					return nil, err
				}
				m.exclude = append(m.exclude, listItem{text: s, file: f, node: e})
			}
		default:
			return nil, f.errorf(k, "extra attributes in spec matrix: %s", k.Value)
		}
	}
	if rows == nil {
		return nil, f.errorf(n, "matrix is missing the 'matrix' attribute")
	}
	if rows.Kind != yaml.SequenceNode {
		return nil, f.errorf(rows, "matrix must be a list of lists, not a %s", kindName(rows))
	}
	for _, row := range rows.Content {
		if row.Kind != yaml.SequenceNode {
			return nil, f.errorf(row, "each matrix row must be a list, not a %s", kindName(row))
		}
		items, err := x.expandList(f, row, "matrix row")
		if err != nil {
			return nil, err
		}
		m.rows = append(m.rows, items)
	}
	return m, nil
}

// expanded is one root spec after expansion, with where it came from.
type expanded struct {
	spec *Node
	item listItem
}

// specs turns a list into root specs (SpecList.specs).
func (x *expander) specs(items []listItem) ([]expanded, error) {
	var out []expanded
	for _, it := range items {
		if it.matrix == nil {
			n, err := parseAt(it)
			if err != nil {
				return nil, err
			}
			if out = append(out, expanded{n, it}); len(out) > MaxSpecs {
				return nil, it.file.errorf(it.node, "more than %d root specs: the bound on an environment", MaxSpecs)
			}
			continue
		}
		combos, err := x.matrixConstraints(it)
		if err != nil {
			return nil, err
		}
		for _, c := range combos {
			spec := c[0].clone()
			for _, other := range c[1:] {
				if err := spec.constrain(other); err != nil {
					return nil, it.file.errorf(it.node, "matrix combination %s: %v", joinSpecs(c), err)
				}
			}
			if out = append(out, expanded{spec, it}); len(out) > MaxSpecs {
				return nil, it.file.errorf(it.node, "more than %d root specs: the bound on an environment", MaxSpecs)
			}
		}
	}
	return out, nil
}

func parseAt(it listItem) (*Node, error) {
	n, err := ParseAbstract(it.text)
	if err != nil {
		return nil, it.file.errorf(it.node, "%v", err)
	}
	return n, nil
}

func joinSpecs(c []*Node) string {
	parts := make([]string, len(c))
	for i, n := range c {
		parts[i] = n.String()
	}
	return strings.Join(parts, " ")
}
