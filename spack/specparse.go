package spack

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
)

// SpecError is a spec string Spack would refuse, with the column (1-based, in bytes)
// of the token at fault.
type SpecError struct {
	Spec   string
	Column int // 0 when the spec as a whole is at fault
	Msg    string
}

func (e *SpecError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("spec %q: %s at column %d", e.Spec, e.Msg, e.Column)
	}
	return fmt.Sprintf("spec %q: %s", e.Spec, e.Msg)
}

// ParseAbstract parses one abstract spec the way Spack 1.1's SpecParser does
// (spack/spec_parser.py): named ("hdf5@1.14 +mpi ^zlib") or anonymous ("+mpi",
// "%gcc@13", "target=x86_64_v3", "^openmpi"), as matrix rows and requirements hold
// them.
func ParseAbstract(s string) (*Node, error) {
	n, _, err := parseSpec(s)
	return n, err
}

// specParser walks the tokens of one spec string.
type specParser struct {
	s    string
	toks []token
	i    int
	// rootVersion is the span of the root's version text, -1 when it has none.
	rootVersion [2]int
}

func (p *specParser) errorf(t *token, format string, args ...any) error {
	col := 0
	if t != nil {
		col = t.start + 1
	}
	return &SpecError{Spec: p.s, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *specParser) next() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *specParser) accept(kinds ...tokenKind) *token {
	t := p.next()
	if t == nil {
		return nil
	}
	for _, k := range kinds {
		if t.kind == k {
			p.i++
			return t
		}
	}
	return nil
}

// pushName puts a virtual assignment's substitute ("gcc" of "%c,cxx=gcc") back on the
// stream as a package name, as Spack's parse_virtual_assignment does.
func (p *specParser) pushName(t *token) {
	if t.substitute == "" {
		return
	}
	kind := tokPackage
	if strings.Contains(t.substitute, ".") {
		kind = tokQualifiedName
	}
	start := t.start + strings.LastIndex(t.text, t.substitute)
	sub := token{kind: kind, text: t.substitute, start: start, end: start + len(t.substitute)}
	p.toks = append(p.toks[:p.i], append([]token{sub}, p.toks[p.i:]...)...)
}

// parseSpec parses s and also returns the span of the root's version text.
func parseSpec(s string) (*Node, [2]int, error) {
	p := &specParser{s: s, toks: tokenizeSpec(s), rootVersion: [2]int{-1, -1}}
	if len(p.toks) == 0 {
		return nil, p.rootVersion, &SpecError{Spec: s, Msg: "is empty"}
	}
	for i := range p.toks {
		if p.toks[i].kind == tokUnexpected {
			return nil, p.rootVersion, p.unexpected(i)
		}
	}
	root, err := p.node(true)
	if err != nil {
		return nil, p.rootVersion, err
	}
	current := root
	for {
		var edge *Edge
		switch t := p.accept(tokStartEdge, tokDependency); {
		case t == nil:
			if t := p.next(); t != nil {
				return nil, p.rootVersion, p.errorf(t, "unexpected %q after the spec: one spec per entry", t.text)
			}
			return root, p.rootVersion, nil
		case t.kind == tokStartEdge:
			if edge, err = p.edgeAttributes(); err != nil {
				return nil, p.rootVersion, err
			}
			edge.Direct, edge.Preference = t.text[0] == '%', strings.HasPrefix(t.text, "%%")
		default:
			edge = &Edge{Direct: t.text[0] == '%', Preference: strings.HasPrefix(t.text, "%%"), Virtuals: t.virtuals}
			p.pushName(t)
		}
		sigil := p.toks[p.i-1]
		if edge.Spec, err = p.node(false); err != nil {
			return nil, p.rootVersion, err
		}
		if edge.Spec.empty() {
			return nil, p.rootVersion, p.errorf(&sigil, "%q must be followed by a package name or a node attribute", strings.TrimSpace(sigil.text))
		}
		target := root
		if edge.Direct {
			target = current
			if b, ok := legacyCompilers[edge.Spec.Name]; ok {
				edge.Spec.Name = b
			}
		} else {
			current = edge.Spec
		}
		if err := target.addEdge(edge); err != nil {
			return nil, p.rootVersion, p.errorf(&sigil, "%v", err)
		}
	}
}

func (n *Node) empty() bool {
	return n.Name == "" && n.VersionsText == "" && len(n.Variants) == 0 && len(n.Flags) == 0 &&
		n.Platform == "" && n.OS == "" && n.Target == "" && n.Hash == ""
}

// node parses one node: an optional name, then versions, variants, key=value pairs and
// a hash, in any order.
func (p *specParser) node(root bool) (*Node, error) {
	n := &Node{}
	if t := p.accept(tokPackage); t != nil {
		if t.text != "*" {
			n.Name = t.text
		}
	} else if t := p.accept(tokQualifiedName); t != nil {
		i := strings.LastIndexByte(t.text, '.')
		n.Namespace, n.Name = t.text[:i], t.text[i+1:]
	} else if t := p.accept(tokFilename); t != nil {
		return nil, p.errorf(t, "spec files (%s) cannot be used here: write the spec", t.text)
	}
	if n.Name != "" && !packageName.MatchString(n.Name) {
		return nil, p.errorf(&p.toks[p.i-1], "package name %q: want lowercase letters, digits, '-' and '_', starting with a letter or digit", n.Name)
	}
	for {
		t := p.accept(tokVersionHashPair, tokGitVersion, tokVersion, tokBool, tokPropagatedBool, tokKeyValue, tokPropagatedKeyValue, tokHash)
		if t == nil {
			return n, nil
		}
		var err error
		switch t.kind {
		case tokVersionHashPair, tokGitVersion, tokVersion:
			err = p.version(n, t, root)
		case tokBool:
			err = n.addFlag(strings.TrimSpace(t.text[1:]), boolText(t.text[0] == '+'), true, false, true)
		case tokPropagatedBool:
			err = n.addFlag(strings.TrimSpace(t.text[2:]), boolText(t.text[:2] == "++"), true, true, true)
		case tokKeyValue, tokPropagatedKeyValue:
			sep := "="
			if t.kind == tokPropagatedKeyValue {
				sep = "=="
			}
			name, value, _ := strings.Cut(t.text, sep)
			name, concrete := strings.CutSuffix(name, ":")
			err = n.addFlag(name, unquote(value), false, t.kind == tokPropagatedKeyValue, concrete)
		case tokHash:
			if n.Hash != "" {
				p.i--
				return n, nil
			}
			n.Hash = t.text[1:]
		}
		if err != nil {
			return nil, p.errorf(t, "%v", err)
		}
	}
}

func boolText(on bool) string {
	if on {
		return "true"
	}
	return "false"
}

func (p *specParser) version(n *Node, t *token, root bool) error {
	if n.VersionsText != "" {
		return p.errorf(t, "%s has two versions", cmp.Or(n.Name, "the spec"))
	}
	start := t.start + 1
	for start < t.end && isSpace(p.s[start]) {
		start++
	}
	text := p.s[start:t.end]
	vc, err := ParseVersionConstraint(text)
	if err != nil {
		return p.errorf(t, "%v", err)
	}
	n.Versions, n.VersionsText = vc, text
	if root && p.rootVersion[0] < 0 {
		p.rootVersion = [2]int{start, t.end}
	}
	return nil
}

// unquote is Spack's strip_quotes_and_unescape.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		q := string(s[0])
		return strings.ReplaceAll(s[1:len(s)-1], `\`+q, q)
	}
	return s
}

var depTypes = map[string]int{"build": 0, "link": 1, "run": 2, "test": 3}

// edgeAttributes parses "[virtuals=mpi deptypes=build when='+x']" up to its "]".
func (p *specParser) edgeAttributes() (*Edge, error) {
	e := &Edge{}
	for {
		if t := p.accept(tokKeyValue); t != nil {
			name, value, _ := strings.Cut(t.text, "=")
			name = strings.TrimSuffix(name, ":")
			values := strings.Split(strings.Trim(value, `'" `), ",")
			switch name {
			case "deptypes":
				for _, d := range values {
					if _, ok := depTypes[d]; !ok {
						return nil, p.errorf(t, "unknown dependency type %q: want build, link, run or test", d)
					}
				}
				e.DepTypes = mergeSorted(nil, values)
				sortDepTypes(e.DepTypes)
			case "virtuals":
				e.Virtuals = mergeSorted(e.Virtuals, values)
			case "when":
				w, err := ParseAbstract(values[0])
				if err != nil {
					return nil, p.errorf(t, "when=: %v", err)
				}
				e.When = w
			default:
				return nil, p.errorf(t, `edge attribute %q: the only edge attributes accepted are "deptypes", "virtuals" and "when"`, name)
			}
			continue
		}
		if t := p.accept(tokEndEdge); t != nil {
			e.Virtuals = mergeSorted(e.Virtuals, t.virtuals)
			p.pushName(t)
			return e, nil
		}
		return nil, p.errorf(p.next(), "unexpected token in edge attributes")
	}
}

func sortDepTypes(d []string) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && depTypes[d[j]] < depTypes[d[j-1]]; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

var namespaceStart = regexp.MustCompile(`^\.[a-zA-Z0-9_]`)

// unexpected explains the unexpected token toks[i] the way a user can act on.
func (p *specParser) unexpected(i int) error {
	t := &p.toks[i]
	rest := p.s[t.start:]
	switch c := rest[0]; {
	case c == '@':
		return p.errorf(t, "'@' without a version")
	case c == '+' || c == '~' || c == '-':
		return p.errorf(t, "%q without a variant name", string(c))
	case c == '/':
		return p.errorf(t, "'/' without a hash")
	case c == '"' || c == '\'':
		return p.errorf(t, "unterminated quote %s", string(c))
	case c == '=':
		if q := strings.IndexAny(rest, `"'`); q >= 0 {
			return p.errorf(t, "unterminated quote %s", string(rest[q]))
		}
		return p.errorf(t, "missing value")
	case c == '.' && namespaceStart.MatchString(rest):
		return p.errorf(t, "bad namespace in %q", strings.Fields(rest)[0])
	}
	return p.errorf(t, "unexpected character %q", rest[:1])
}
