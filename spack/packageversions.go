package spack

import (
	"fmt"
	"os"
	"strings"
)

// PackageVersions is what a package.py declares about its versions, read without
// running Python: the version(...) directives of the package class and its homepage.
type PackageVersions struct {
	// Homepage is the class's homepage = "..." attribute; empty when it is not a
	// string literal.
	Homepage string
	// Versions are the version(...) directives whose version is a literal, in file order.
	Versions []PackageVersion
	// Dynamic counts version(...) calls whose version is computed, such as
	// version(ver, sha256=sha) in a loop over a dict; they cannot be read statically.
	Dynamic int
}

// PackageVersion is one version(...) directive.
type PackageVersion struct {
	Version Version
	// Checksum is the algorithm of the archive's checksum: "sha256", "md5", ... from a
	// keyword, or guessed from the length of a positional hash. Empty when there is none.
	Checksum string
	// VCS is the keyword that fetches the version from version control instead of an
	// archive: "commit", "tag", "branch", "git", "svn", "hg", "cvs" or "revision".
	VCS string
	// Deprecated is deprecated=True, also through `with default_args(deprecated=True):`.
	// A deprecated= the parser cannot evaluate counts as deprecated.
	Deprecated bool
	// Preferred is preferred=True.
	Preferred bool
	// Conditional is set for a directive under if/for/while/try in the class body, which
	// may not apply on every platform.
	Conditional bool
	// Line is the directive's line in package.py.
	Line int
}

// Checksummed reports whether the version is an archive with a checksum, the only kind
// of version whose contents are pinned by the package repository itself.
func (v PackageVersion) Checksummed() bool { return v.Checksum != "" && v.VCS == "" }

// Safe reports whether v is a version the update bot may move to: a checksummed
// archive, not deprecated, not conditional, not a develop-like version, and a
// prerelease only when prerelease is true.
func (v PackageVersion) Safe(prerelease bool) bool {
	return v.Checksummed() && !v.Deprecated && !v.Conditional && !v.Version.IsDevelop() &&
		(prerelease || !v.Version.IsPrerelease())
}

// ReadPackageVersions reads the package.py at path.
func ReadPackageVersions(path string) (*PackageVersions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading package versions: %w", err)
	}
	return ParsePackageVersions(path, data)
}

// Lookup returns the directive of version v.
func (p *PackageVersions) Lookup(v Version) (PackageVersion, bool) {
	for _, pv := range p.Versions {
		if pv.Version.Equal(v) {
			return pv, true
		}
	}
	return PackageVersion{}, false
}

// NewestSafe returns the version to update a pin on current to, and false when there is
// none newer. Candidates are Safe versions (prereleases only when current is one) that
// exclude, if not nil, does not reject. When the package marks a safe version
// preferred=True and current is not above it, candidates stop at that version: Spack's
// maintainers prefer it over anything newer, so a pin on it is up to date. A pin above
// the preferred version has opted out of that and gets the newest.
func (p *PackageVersions) NewestSafe(current Version, exclude func(Version) bool) (PackageVersion, bool) {
	return p.newest(current, current.IsPrerelease(), exclude)
}

// Newest returns the version a range should reach: the newest Safe version that is not
// a prerelease and that exclude, if not nil, does not reject, stopping at a
// preferred=True version as NewestSafe does.
func (p *PackageVersions) Newest(exclude func(Version) bool) (PackageVersion, bool) {
	return p.newest(Version{}, false, exclude)
}

func (p *PackageVersions) newest(current Version, pre bool, exclude func(Version) bool) (PackageVersion, bool) {
	ok := func(v PackageVersion) bool { return v.Safe(pre) && (exclude == nil || !exclude(v.Version)) }
	var preferred *PackageVersion
	for i, v := range p.Versions {
		if v.Preferred && ok(v) && (preferred == nil || preferred.Version.Less(v.Version)) {
			preferred = &p.Versions[i]
		}
	}
	capAt := preferred != nil && !preferred.Version.Less(current)
	var best *PackageVersion
	for i, v := range p.Versions {
		if !ok(v) || !current.Less(v.Version) || capAt && preferred.Version.Less(v.Version) {
			continue
		}
		if best == nil || best.Version.Less(v.Version) {
			best = &p.Versions[i]
		}
	}
	if best == nil {
		return PackageVersion{}, false
	}
	return *best, true
}

// hashLengths maps the length of a hex digest to its algorithm, as Spack guesses the
// algorithm of a positional checksum.
var hashLengths = map[int]string{32: "md5", 40: "sha1", 56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}

var checksumKeys = []string{"sha256", "sha512", "sha384", "sha224", "sha1", "md5"}

var vcsKeys = []string{"commit", "tag", "branch", "git", "svn", "hg", "cvs", "revision"}

// ParsePackageVersions reads the version(...) directives and the homepage of a
// package.py; path is for messages. It tokenizes Python (strings, comments, brackets, line continuations)
// and follows indentation to know the class body, `with default_args(...)` blocks
// and conditionals; it evaluates literals only.
func ParsePackageVersions(path string, data []byte) (*PackageVersions, error) {
	lines, err := pyLogicalLines(data)
	if err != nil {
		return nil, &ParseError{Path: path, Line: err.line, Msg: err.msg}
	}
	pv := &PackageVersions{}
	type block struct {
		indent   int
		kind     string // "class", "def", "with", "cond", "other"
		defaults map[string]pyValue
	}
	var stack []block
	for _, ln := range lines {
		for len(stack) > 0 && stack[len(stack)-1].indent >= ln.indent {
			stack = stack[:len(stack)-1]
		}
		toks := ln.toks
		// Where are we: in a class body (not in a def), under a condition, with defaults.
		inClass, conditional := false, false
		var defaults []map[string]pyValue
		for i := len(stack) - 1; i >= 0; i-- {
			b := stack[i]
			if b.kind == "class" {
				inClass = true
				break
			}
			if b.kind == "def" {
				break
			}
			if b.kind == "cond" {
				conditional = true
			}
			if b.defaults != nil {
				defaults = append(defaults, b.defaults)
			}
		}

		if last := toks[len(toks)-1]; last.is(tokOp, ":") && toks[0].kind == tokName {
			b := block{indent: ln.indent, kind: "other"}
			switch toks[0].text {
			case "class":
				b.kind = "class"
			case "def", "async":
				b.kind = "def"
			case "if", "elif", "else", "for", "while", "try", "except", "finally", "match", "case":
				b.kind = "cond"
			case "with":
				b.kind = "with"
				b.defaults = defaultArgs(toks[1 : len(toks)-1])
			}
			stack = append(stack, b)
			continue
		}
		if !inClass {
			continue
		}
		switch {
		case toks[0].is(tokName, "version") && len(toks) >= 3 && toks[1].is(tokOp, "(") && toks[len(toks)-1].is(tokOp, ")"):
			args, ok := pyCallArgs(toks[1:])
			if !ok {
				pv.Dynamic++
				continue
			}
			v, ok := versionDirective(args, defaults)
			if !ok {
				pv.Dynamic++
				continue
			}
			v.Conditional = conditional
			v.Line = ln.line
			pv.Versions = append(pv.Versions, v)
		case pv.Homepage == "" && !conditional && len(toks) >= 3 && toks[0].is(tokName, "homepage") && toks[1].is(tokOp, "="):
			if val := pyEval(toks[2:]); val.kind == valString {
				pv.Homepage = val.s
			}
		}
	}
	return pv, nil
}

// versionDirective builds a PackageVersion from version(...)'s arguments and the
// keyword defaults of enclosing `with default_args(...)` blocks, innermost first.
func versionDirective(args pyArgs, defaults []map[string]pyValue) (PackageVersion, bool) {
	if len(args.positional) == 0 || args.splat {
		return PackageVersion{}, false
	}
	first := args.positional[0]
	if first.kind != valString && first.kind != valNumber {
		return PackageVersion{}, false
	}
	if isGitVersion(first.s) {
		return PackageVersion{}, false
	}
	ver, err := ParseVersion(first.s)
	if err != nil {
		return PackageVersion{}, false
	}
	kw := map[string]pyValue{}
	for i := len(defaults) - 1; i >= 0; i-- {
		for k, v := range defaults[i] {
			kw[k] = v
		}
	}
	for k, v := range args.keywords {
		kw[k] = v
	}
	pv := PackageVersion{Version: ver}
	if len(args.positional) > 1 && args.positional[1].kind != valNone {
		pv.Checksum = "checksum"
		if a := hashLengths[len(args.positional[1].s)]; a != "" {
			pv.Checksum = a
		}
	}
	for _, k := range checksumKeys {
		if v, ok := kw[k]; ok && v.kind != valNone && pv.Checksum == "" {
			pv.Checksum = k
		}
	}
	for _, k := range vcsKeys {
		if v, ok := kw[k]; ok && v.kind != valNone && v.kind != valFalse {
			pv.VCS = k
			break
		}
	}
	if v, ok := kw["deprecated"]; ok {
		pv.Deprecated = v.kind != valFalse && v.kind != valNone
	}
	if v, ok := kw["preferred"]; ok {
		pv.Preferred = v.kind == valTrue
	}
	return pv, true
}

// defaultArgs returns the keywords of a default_args(...) item of a with statement.
func defaultArgs(toks []pyToken) map[string]pyValue {
	var out map[string]pyValue
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].is(tokName, "default_args") || !toks[i+1].is(tokOp, "(") {
			continue
		}
		args, ok := pyCallArgs(toks[i+1:])
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]pyValue{}
		}
		for k, v := range args.keywords {
			out[k] = v
		}
	}
	return out
}

// The rest of this file is a small Python tokenizer, enough for directives.

type tokKind int

const (
	tokName tokKind = iota
	tokString
	tokOtherString // f-strings and bytes: not a literal str
	tokNumber
	tokOp
)

type pyToken struct {
	kind tokKind
	text string // a string's contents without prefix and quotes, unescaped
}

func (t pyToken) is(kind tokKind, text string) bool { return t.kind == kind && t.text == text }

// pyLine is one logical line: its tokens, the indentation and line number of its start.
type pyLine struct {
	toks   []pyToken
	indent int
	line   int
}

var pyOps2 = map[string]bool{
	"==": true, "!=": true, "<=": true, ">=": true, "**": true, "//": true, "->": true, ":=": true,
	"+=": true, "-=": true, "*=": true, "/=": true, "%=": true, "&=": true, "|=": true, "^=": true,
	"<<": true, ">>": true, "@=": true,
}

// pyLogicalLines splits Python source into logical lines of tokens. Newlines inside
// brackets and after a backslash continue the line; comments and blank lines vanish.
func pyLogicalLines(src []byte) ([]pyLine, *pySyntaxError) {
	s := string(src)
	var lines []pyLine
	var cur pyLine
	depth, line := 0, 1
	atLineStart := true
	i := 0
	for i < len(s) {
		if atLineStart {
			// Measure indentation; a tab counts as one column, fine for one file.
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\f') {
				j++
			}
			cur = pyLine{indent: j - i, line: line}
			i = j
			atLineStart = false
			continue
		}
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
			if depth == 0 {
				if len(cur.toks) > 0 {
					lines = append(lines, cur)
				}
				cur.toks = nil
				atLineStart = true
			}
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '\\' && i+1 < len(s) && (s[i+1] == '\n' || s[i+1] == '\r'):
			i++
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			i++
			line++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\\':
			i++
		case c == '"' || c == '\'' || stringPrefix(s[i:]) > 0:
			n := stringPrefix(s[i:])
			prefix := strings.ToLower(s[i : i+n])
			tok, end, nl, err := pyString(s, i+n, strings.Contains(prefix, "r"))
			if err != nil {
				return nil, &pySyntaxError{line: line, msg: err.Error()}
			}
			if strings.ContainsAny(prefix, "fb") {
				tok.kind = tokOtherString
			}
			// Adjacent literals concatenate: "abc" "def".
			if k := len(cur.toks) - 1; k >= 0 && tok.kind == tokString && cur.toks[k].kind == tokString {
				cur.toks[k].text += tok.text
			} else {
				cur.toks = append(cur.toks, tok)
			}
			line += nl
			i = end
		case isWordChar(c) && !isDigit(c) || c >= 0x80:
			j := i
			for j < len(s) && (isWordChar(s[j]) || s[j] >= 0x80) {
				j++
			}
			cur.toks = append(cur.toks, pyToken{kind: tokName, text: s[i:j]})
			i = j
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			j := i
			for j < len(s) && (isWordChar(s[j]) || s[j] == '.') {
				j++
			}
			cur.toks = append(cur.toks, pyToken{kind: tokNumber, text: s[i:j]})
			i = j
		default:
			op := s[i : i+1]
			if i+1 < len(s) && pyOps2[s[i:i+2]] {
				op = s[i : i+2]
			}
			switch op {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth = max(depth-1, 0)
			}
			cur.toks = append(cur.toks, pyToken{kind: tokOp, text: op})
			i += len(op)
		}
	}
	if len(cur.toks) > 0 {
		lines = append(lines, cur)
	}
	return lines, nil
}

// pySyntaxError is Python source the tokenizer cannot read.
type pySyntaxError struct {
	line int
	msg  string
}

// stringPrefix returns the length of a string prefix (r, b, u, f, rb, ...) directly
// followed by a quote at the start of s, or 0.
func stringPrefix(s string) int {
	for n := 1; n <= 2 && n < len(s); n++ {
		if !strings.ContainsRune("rRbBuUfF", rune(s[n-1])) {
			return 0
		}
		if s[n] == '"' || s[n] == '\'' {
			return n
		}
	}
	return 0
}

// pyString scans the string literal whose opening quote is at s[i] and returns it, the
// index after it and how many newlines it spans.
func pyString(s string, i int, raw bool) (pyToken, int, int, error) {
	q := s[i : i+1]
	if strings.HasPrefix(s[i:], q+q+q) {
		q = q + q + q
	}
	var b strings.Builder
	nl := 0
	for j := i + len(q); j < len(s); j++ {
		switch c := s[j]; {
		case strings.HasPrefix(s[j:], q):
			return pyToken{kind: tokString, text: b.String()}, j + len(q), nl, nil
		case c == '\\' && j+1 < len(s):
			j++
			if s[j] == '\n' {
				nl++
			}
			if raw {
				b.WriteByte('\\')
				b.WriteByte(s[j])
				continue
			}
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\n':
			default:
				if !strings.ContainsRune(`\'"`, rune(s[j])) {
					b.WriteByte('\\')
				}
				b.WriteByte(s[j])
			}
		case c == '\n':
			if len(q) == 1 {
				return pyToken{}, 0, 0, fmt.Errorf("unterminated string")
			}
			nl++
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return pyToken{}, 0, 0, fmt.Errorf("unterminated string")
}

type valKind int

const (
	valExpr valKind = iota // anything the parser does not evaluate
	valString
	valNumber
	valTrue
	valFalse
	valNone
)

type pyValue struct {
	kind valKind
	s    string
}

// pyEval evaluates a literal: a string, a number, True, False or None, in optional
// parentheses.
func pyEval(toks []pyToken) pyValue {
	for len(toks) >= 3 && toks[0].is(tokOp, "(") && toks[len(toks)-1].is(tokOp, ")") {
		toks = toks[1 : len(toks)-1]
	}
	if len(toks) != 1 {
		return pyValue{}
	}
	switch t := toks[0]; {
	case t.kind == tokString:
		return pyValue{kind: valString, s: t.text}
	case t.kind == tokNumber:
		return pyValue{kind: valNumber, s: t.text}
	case t.is(tokName, "True"):
		return pyValue{kind: valTrue}
	case t.is(tokName, "False"):
		return pyValue{kind: valFalse}
	case t.is(tokName, "None"):
		return pyValue{kind: valNone}
	}
	return pyValue{}
}

type pyArgs struct {
	positional []pyValue
	keywords   map[string]pyValue
	splat      bool // *args or **kwargs: the arguments are not all known
}

// pyCallArgs reads the arguments of a call from toks, which start at its "(". It
// reports false when the parentheses do not balance.
func pyCallArgs(toks []pyToken) (pyArgs, bool) {
	args := pyArgs{keywords: map[string]pyValue{}}
	depth, start := 0, 1
	for i, t := range toks {
		if t.kind != tokOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				args.add(toks[start:i])
				return args, true
			}
		case ",":
			if depth == 1 {
				args.add(toks[start:i])
				start = i + 1
			}
		}
	}
	return pyArgs{}, false
}

func (a *pyArgs) add(arg []pyToken) {
	switch {
	case len(arg) == 0:
	case arg[0].is(tokOp, "*") || arg[0].is(tokOp, "**"):
		a.splat = true
	case len(arg) >= 2 && arg[0].kind == tokName && arg[1].is(tokOp, "="):
		a.keywords[arg[0].text] = pyEval(arg[2:])
	default:
		a.positional = append(a.positional, pyEval(arg))
	}
}
