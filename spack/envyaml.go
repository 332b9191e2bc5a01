package spack

import (
	"bytes"
	"errors"
	"fmt"
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

// yamlFile is one YAML file being read: its path for messages and its decoded tree.
type yamlFile struct {
	path string
	root *yaml.Node // the document's top node; nil for an empty document
}

func (f *yamlFile) errorf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ParseError{Path: f.path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// yamlLineRE and typeErrLineRE find the line number in yaml.v3's error texts
// ("yaml: line 3: ..." and "line 3: ...").
var (
	yamlLineRE    = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	typeErrLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// decodeYAML decodes data into a node tree, refusing what Spack refuses (duplicate
// keys) and turning yaml.v3's errors into path:line errors.
func decodeYAML(path string, data []byte) (*yamlFile, error) {
	f := &yamlFile{path: path}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, err)
	}
	if len(doc.Content) == 0 {
		return f, nil
	}
	f.root = doc.Content[0]
	return f, f.checkKeys(f.root, 0)
}

func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		// yaml.v3 reports parser errors (as opposed to scanner errors) at the
		// 0-based line of their context, one line above the one to look at.
		if strings.HasPrefix(m[2], "did not find expected") {
			line++
		}
		return &ParseError{Path: path, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if m := typeErrLineRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &ParseError{Path: path, Line: line, Msg: "invalid YAML: " + m[2]}
		}
	}
	return &ParseError{Path: path, Msg: "invalid YAML: " + msg}
}

// maxYAMLDepth bounds nesting, so that a hostile file cannot make the walks below
// recurse without end (aliases are refused for the same reason).
const maxYAMLDepth = 64

// checkKeys rejects a mapping that names a key twice, which yaml.v3 accepts when
// decoding into a Node but Spack refuses, and aliases, which Spack's files do not use
// and which could make a small file expand without bound.
func (f *yamlFile) checkKeys(n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return f.errorf(n, "invalid YAML: nested deeper than %d levels", maxYAMLDepth)
	}
	if n.Kind == yaml.AliasNode {
		return f.errorf(n, "YAML aliases (*%s) are not supported: write the value out", n.Value)
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] {
				return f.errorf(k, "invalid YAML: mapping key %q already defined", k.Value)
			}
			seen[k.Value] = true
		}
	}
	for _, c := range n.Content {
		if err := f.checkKeys(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// configKey strips Spack's merge markers from a configuration key: "packages:" (from
// "packages::", override), "packages+" and "packages-" (prepend, append).
func configKey(k string) string {
	return strings.TrimRight(k, ":+-")
}

// mapValue returns the value of key in mapping m, matching keys with Spack's merge
// markers too, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if configKey(m.Content[i].Value) == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func (f *yamlFile) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", f.errorf(n, "%s must be a string, not a %s", what, kindName(n))
	}
	if strings.TrimSpace(n.Value) == "" {
		return "", f.errorf(n, "%s is empty", what)
	}
	return n.Value, nil
}

func (f *yamlFile) boolean(n *yaml.Node, what string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, f.errorf(n, "%s must be true or false, not %q", what, n.Value)
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
}

func (f *yamlFile) mapping(n *yaml.Node, what string) error {
	if n.Kind != yaml.MappingNode {
		return f.errorf(n, "%s must be a mapping, not a %s", what, kindName(n))
	}
	return nil
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

// unknownKey is the error for a key a schema does not have, with the closest known
// key as a suggestion when one is close enough to be a typo.
func (f *yamlFile) unknownKey(k *yaml.Node, where string, known []string) error {
	msg := fmt.Sprintf("unknown key %s%s", where, k.Value)
	if s := closest(configKey(k.Value), known); s != "" {
		msg += fmt.Sprintf(" (did you mean %s%s?)", where, s)
	}
	return f.errorf(k, "%s", msg)
}

// closest returns the word of known within edit distance 2 of w (a third of w for
// long words), or "".
func closest(w string, known []string) string {
	best, bestD := "", max(2, len(w)/3)+1
	for _, k := range known {
		if d := editDistance(w, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (with adjacent transpositions),
// which counts "contianer" one typo from "container".
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
