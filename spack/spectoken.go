package spack

import (
	"regexp"
	"strings"
)

// This file is Spack 1.1's spec tokenizer (lib/spack/spack/spec_parser.py, SpecTokens),
// so that a spec string is split exactly where Spack splits it: the token kinds are
// tried in Spack's order at each position and the first that matches wins. Two parts of
// Spack's regular expressions have no RE2 form and are written out by hand: a quoted
// value's escaped quote (a look-behind) and a range's upper bound that must not be
// followed by "=" (a look-ahead).

type tokenKind int

const (
	tokStartEdge          tokenKind = iota // ^[ %[ %%[
	tokEndEdge                             // ] with an optional virtual assignment
	tokDependency                          // ^ % %% with an optional virtual assignment
	tokVersionHashPair                     // @git.ref=1.2
	tokGitVersion                          // @git.ref, @<sha>
	tokVersion                             // @1.2, @1.2:1.4,1.6
	tokPropagatedBool                      // ++x ~~x --x
	tokBool                                // +x ~x -x
	tokPropagatedKeyValue                  // a==b
	tokKeyValue                            // a=b
	tokFilename                            // ./spec.json
	tokQualifiedName                       // builtin.zlib
	tokPackage                             // zlib, *
	tokHash                                // /abcdef
	tokSpace                               //
	tokUnexpected                          // anything else
)

// token is one token with its byte span in the spec string.
type token struct {
	kind       tokenKind
	text       string
	start, end int
	// virtuals and substitute are a dependency's or edge end's virtual assignment:
	// "^c,cxx=gcc" gives [c cxx] and "gcc".
	virtuals   []string
	substitute string
}

const (
	reIdentifier = `[a-zA-Z_0-9][a-zA-Z_0-9\-]*`
	reDotted     = `(?:` + reIdentifier + `(?:\.` + reIdentifier + `)+)`
	reGitHash    = `[A-Fa-f0-9]{40}`
	reGitRef     = `[a-zA-Z_0-9][a-zA-Z_0-9./\-]*`
	reGitVersion = `(?:git\.(?:` + reGitRef + `)|` + reGitHash + `)`
	reVirtuals   = `(` + reIdentifier + `(?:,` + reIdentifier + `)*)=(` + reDotted + `|` + reIdentifier + `)`
	reSpecName   = `[a-zA-Z_0-9][a-zA-Z_0-9\-.]*`
	reValue      = `[a-zA-Z_0-9\-+*.,:=%^~/\\]+`
	// A quoted value: Spack's (?<=\\)' look-behind lets an escaped quote stay inside.
	reQuoted  = `'(?:\\'|[^'])*'|"(?:\\"|[^"])*"`
	reVersion = `=?[a-zA-Z0-9_][a-zA-Z_0-9\-.]*\b`
)

func anchored(re string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + re + `)`) }

var (
	startEdgeRE   = anchored(`(?:\^|%%|%)\[`)
	endEdgeRE     = anchored(`\](?:\s*` + reVirtuals + `)?`)
	dependencyRE  = anchored(`(?:\^|%%|%)(?:\s*` + reVirtuals + `)?`)
	hashPairRE    = anchored(`@` + reGitVersion + `=` + reVersion)
	gitVersionRE  = anchored(`@` + reGitVersion)
	propBoolRE    = anchored(`(?:\+\+|~~|--)\s*` + reSpecName)
	boolRE        = anchored(`[~+\-]\s*` + reSpecName)
	propKVRE      = anchored(reSpecName + `:?==(?:` + reValue + `|` + reQuoted + `)`)
	keyValueRE    = anchored(reSpecName + `:?=(?:` + reValue + `|` + reQuoted + `)`)
	filenameRE    = anchored(`(?:\.|/|[a-zA-Z0-9\-_]*/)[a-zA-Z0-9\-_./]*(?:\.json|\.yaml)`)
	qualifiedRE   = anchored(reDotted)
	packageTokRE  = anchored(reIdentifier + `|\*`)
	hashRE        = anchored(`/[a-zA-Z_0-9]+`)
	spaceRE       = anchored(`\s+`)
	versionWordRE = anchored(reVersion)
)

// tokenizeSpec splits a spec string into tokens, spaces left out. It never fails:
// characters no token takes become tokUnexpected, for the parser to report.
func tokenizeSpec(s string) []token {
	var toks []token
	for pos := 0; pos < len(s); {
		t := nextToken(s, pos)
		if t.kind != tokSpace {
			toks = append(toks, t)
		}
		pos = t.end
	}
	return toks
}

func nextToken(s string, pos int) token {
	rest := s[pos:]
	mk := func(kind tokenKind, n int) token {
		return token{kind: kind, text: rest[:n], start: pos, end: pos + n}
	}
	withVirtuals := func(kind tokenKind, re *regexp.Regexp) (token, bool) {
		m := re.FindStringSubmatch(rest)
		if m == nil {
			return token{}, false
		}
		t := mk(kind, len(m[0]))
		if m[1] != "" {
			t.virtuals, t.substitute = strings.Split(m[1], ","), m[2]
		}
		return t, true
	}
	if m := startEdgeRE.FindString(rest); m != "" {
		return mk(tokStartEdge, len(m))
	}
	if t, ok := withVirtuals(tokEndEdge, endEdgeRE); ok {
		return t
	}
	if t, ok := withVirtuals(tokDependency, dependencyRE); ok {
		return t
	}
	for _, c := range []struct {
		kind tokenKind
		re   *regexp.Regexp
	}{{tokVersionHashPair, hashPairRE}, {tokGitVersion, gitVersionRE}} {
		if m := c.re.FindString(rest); m != "" {
			return mk(c.kind, len(m))
		}
	}
	if n := versionToken(rest); n > 0 {
		return mk(tokVersion, n)
	}
	for _, c := range []struct {
		kind tokenKind
		re   *regexp.Regexp
	}{
		{tokPropagatedBool, propBoolRE}, {tokBool, boolRE},
		{tokPropagatedKeyValue, propKVRE}, {tokKeyValue, keyValueRE},
		{tokFilename, filenameRE}, {tokQualifiedName, qualifiedRE}, {tokPackage, packageTokRE},
		{tokHash, hashRE}, {tokSpace, spaceRE},
	} {
		if m := c.re.FindString(rest); m != "" {
			return mk(c.kind, len(m))
		}
	}
	// Spack's UNEXPECTED is one character and the spaces after it.
	n := 1
	for n < len(rest) && isSpace(rest[n]) {
		n++
	}
	return mk(tokUnexpected, n)
}

// versionToken matches Spack's VERSION token, "@" and a version list, and returns its
// length, or 0.
func versionToken(s string) int {
	if !strings.HasPrefix(s, "@") {
		return 0
	}
	i := 1
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	n := versionListAt(s, i)
	if n == 0 {
		return 0
	}
	return i + n
}

// versionListAt matches VERSION_LIST at s[i:]: items separated by commas with optional
// spaces around them.
func versionListAt(s string, i int) int {
	n := versionItemAt(s, i)
	if n == 0 {
		return 0
	}
	end := i + n
	for {
		j := end
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != ',' {
			return end - i
		}
		j++
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		m := versionItemAt(s, j)
		if m == 0 {
			return end - i
		}
		end = j + m
	}
}

// versionItemAt matches VERSION_RANGE or VERSION at s[i:], in that order.
func versionItemAt(s string, i int) int {
	lo := versionWordRE.FindString(s[i:])
	j := i + len(lo)
	if j < len(s) && s[j] == ':' {
		j++
		// The upper bound is optional and must not be followed by "=" (a key=value
		// pair such as "@1.2: target=x"): try it longest first, as backtracking does.
		if hi := versionWordRE.FindString(s[j:]); hi != "" {
			for k := len(hi); k > 0; k-- {
				if hi[k-1] != '=' && wordBoundary(s, j+k) && !followedByEquals(s, j+k) {
					return j + k - i
				}
			}
		}
		return j - i
	}
	return len(lo)
}

// wordBoundary is regexp's \b at s[i]: a word character on one side only.
func wordBoundary(s string, i int) bool {
	before := i > 0 && isWordChar(s[i-1])
	after := i < len(s) && isWordChar(s[i])
	return before != after
}

func followedByEquals(s string, i int) bool {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i < len(s) && s[i] == '='
}
