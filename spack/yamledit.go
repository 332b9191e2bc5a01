package spack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Editing YAML for pull requests must change the version and nothing else: yaml.v3's
// encoder re-indents, re-quotes and drops blank lines, so a decoded and re-encoded
// spack.yaml would make a noisy diff. Instead the file is decoded to find each
// scalar's line and column, and the new value is spliced into the original bytes.

// EnvSpec is one spec string of a spack.yaml and where it is.
type EnvSpec struct {
	// Text is the spec as the YAML value, e.g. "zlib@1.3.1 +shared".
	Text string
	// Line and Column locate the scalar (1-based; columns count characters), as yaml.v3
	// reports them. Edits use them.
	Line, Column int
	// Where is "specs" or "definitions.<name>".
	Where string
}

// EnvSpecs lists the spec strings of a spack.yaml: the string entries of spack.specs
// and of the lists in spack.definitions. References to definitions ("$name") and
// matrices are left out. path is used in messages only.
func EnvSpecs(path string, data []byte) ([]EnvSpec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ParseError{Path: path, Msg: err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, &ParseError{Path: path, Msg: "empty file: want a spack: section"}
	}
	root := doc.Content[0]
	env := mappingValue(root, "spack")
	if env == nil {
		return nil, &ParseError{Path: path, Line: root.Line, Msg: "no spack: section"}
	}
	if env.Kind != yaml.MappingNode {
		return nil, &ParseError{Path: path, Line: env.Line, Msg: "spack must be a mapping"}
	}
	var out []EnvSpec
	add := func(n *yaml.Node, where string) {
		if n.Kind == yaml.ScalarNode && !strings.HasPrefix(n.Value, "$") {
			out = append(out, EnvSpec{Text: n.Value, Line: n.Line, Column: n.Column, Where: where})
		}
	}
	if specs := mappingValue(env, "specs"); specs != nil {
		if specs.Kind != yaml.SequenceNode {
			return nil, &ParseError{Path: path, Line: specs.Line, Msg: "spack.specs must be a list"}
		}
		for _, n := range specs.Content {
			if n.Kind == yaml.MappingNode && mappingValue(n, "matrix") == nil {
				// Often an unquoted range: "- hdf5@1.14: +mpi" is a mapping in YAML.
				return nil, &ParseError{Path: path, Line: n.Line, Msg: "spack.specs entry is a mapping, not a spec or a matrix: quote specs that hold ': '"}
			}
			add(n, "specs")
		}
	}
	if defs := mappingValue(env, "definitions"); defs != nil {
		if defs.Kind != yaml.SequenceNode {
			return nil, &ParseError{Path: path, Line: defs.Line, Msg: "spack.definitions must be a list"}
		}
		for _, def := range defs.Content {
			if def.Kind != yaml.MappingNode {
				return nil, &ParseError{Path: path, Line: def.Line, Msg: "each definition must be a mapping"}
			}
			for i := 0; i+1 < len(def.Content); i += 2 {
				name, list := def.Content[i].Value, def.Content[i+1]
				if name == "when" || list.Kind != yaml.SequenceNode {
					continue
				}
				for _, n := range list.Content {
					add(n, "definitions."+name)
				}
			}
		}
	}
	return out, nil
}

// mappingValue returns the value of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Edit changes the value of one scalar of a YAML document.
type Edit struct {
	// Line and Column locate the scalar as yaml.v3 reports them.
	Line, Column int
	// Old is the scalar's value now and New its value after the edit.
	Old, New string
}

// ErrUnsupportedScalar is returned for a scalar whose text is not its value verbatim:
// block scalars, folded lines, escapes. Such a spec has to be edited by hand.
var ErrUnsupportedScalar = errors.New("scalar is not written verbatim")

// ApplyEdits returns data with each edit spliced in and every other byte as it was:
// comments, order, indentation, quoting and line endings survive. Each scalar must be
// plain, single- or double-quoted on one line, with its value written verbatim. The
// result is decoded again to check that exactly the edited values changed.
func ApplyEdits(data []byte, edits []Edit) ([]byte, error) {
	type splice struct {
		start, end int // of Old in data
		edit       Edit
	}
	lineStarts := []int{0}
	for i, c := range data {
		if c == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	var splices []splice
	for _, e := range edits {
		if e.Old == "" {
			return nil, fmt.Errorf("line %d: an empty value cannot be located", e.Line)
		}
		if e.Line < 1 || e.Line > len(lineStarts) || e.Column < 1 {
			return nil, fmt.Errorf("line %d column %d: not in the document", e.Line, e.Column)
		}
		off := lineStarts[e.Line-1]
		for col := 1; col < e.Column; col++ {
			if off >= len(data) || data[off] == '\n' {
				return nil, fmt.Errorf("line %d column %d: not in the document", e.Line, e.Column)
			}
			_, size := utf8.DecodeRune(data[off:])
			off += size
		}
		start := off
		var quote byte
		if off < len(data) && (data[off] == '"' || data[off] == '\'') {
			quote = data[off]
			start++
		}
		end := start + len(e.Old)
		if end > len(data) || string(data[start:end]) != e.Old || quote != 0 && (end >= len(data) || data[end] != quote) {
			return nil, fmt.Errorf("line %d: %q: %w", e.Line, e.Old, ErrUnsupportedScalar)
		}
		if quote == '"' && strings.ContainsAny(e.New, "\"\\") || quote == '\'' && strings.Contains(e.New, "'") {
			return nil, fmt.Errorf("line %d: new value %q needs escaping in its quotes", e.Line, e.New)
		}
		if strings.ContainsAny(e.New, "\n\r") {
			return nil, fmt.Errorf("line %d: new value %q spans lines", e.Line, e.New)
		}
		splices = append(splices, splice{start, end, e})
	}
	// Splice from the end so that earlier offsets stay valid.
	slices.SortFunc(splices, func(a, b splice) int { return b.start - a.start })
	out := slices.Clone(data)
	for i, s := range splices {
		if i > 0 && s.end > splices[i-1].start {
			return nil, fmt.Errorf("line %d: edits overlap", s.edit.Line)
		}
		out = slices.Concat(out[:s.start], []byte(s.edit.New), out[s.end:])
	}
	if err := checkEdits(data, out, edits); err != nil {
		return nil, err
	}
	return out, nil
}

// checkEdits decodes the document before and after and checks that the trees match,
// but for the edited scalars, which now hold their new values.
func checkEdits(before, after []byte, edits []Edit) error {
	var a, b yaml.Node
	if err := yaml.Unmarshal(before, &a); err != nil {
		return fmt.Errorf("decoding document: %w", err)
	}
	if err := yaml.Unmarshal(after, &b); err != nil {
		return fmt.Errorf("edited document does not decode: %w", err)
	}
	want := map[[2]int]string{}
	for _, e := range edits {
		want[[2]int{e.Line, e.Column}] = e.New
	}
	seen := 0
	var walk func(x, y *yaml.Node) error
	walk = func(x, y *yaml.Node) error {
		if x.Kind != y.Kind || len(x.Content) != len(y.Content) || x.Style != y.Style {
			return fmt.Errorf("line %d: edit changed the document's structure", x.Line)
		}
		if x.Kind == yaml.ScalarNode || x.Kind == yaml.AliasNode {
			v, edited := want[[2]int{x.Line, x.Column}]
			if !edited {
				v = x.Value
			} else {
				seen++
			}
			if y.Value != v {
				return fmt.Errorf("line %d: value is %q after the edit, want %q", x.Line, y.Value, v)
			}
		}
		for i := range x.Content {
			if err := walk(x.Content[i], y.Content[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(&a, &b); err != nil {
		return err
	}
	if seen != len(want) {
		return fmt.Errorf("%d of %d edits are not at a scalar", len(want)-seen, len(want))
	}
	return nil
}

// SetSpecVersion returns data, a spack.yaml, with the root version of spec s changed
// to v and every other byte unchanged, and the edit it made, so that several edits of
// one file can be applied together (ApplyEdits).
func SetSpecVersion(data []byte, s EnvSpec, v Version) ([]byte, Edit, error) {
	sp, err := ParseSpec(s.Text)
	if err != nil {
		return nil, Edit{}, err
	}
	nsp, err := sp.WithVersion(v)
	if err != nil {
		return nil, Edit{}, err
	}
	e := Edit{Line: s.Line, Column: s.Column, Old: s.Text, New: nsp.String()}
	out, err := ApplyEdits(data, []Edit{e})
	if err != nil {
		return nil, Edit{}, err
	}
	return out, e, nil
}
