package spack

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrNoVersion is returned when a spec's version is to be changed but the spec names none.
var ErrNoVersion = errors.New("spec has no version")

// Spec is an abstract spec as written in a spack.yaml's specs, such as
// "zlib@1.3.1 +shared ^cmake@3.30 %gcc". Only the root package's name and version
// are read; the rest is kept as written, so that a spec can be rewritten without
// reformatting it.
type Spec struct {
	// Namespace is the repository of a qualified name, "builtin" of "builtin.zlib".
	Namespace string
	// Name is the root package, e.g. "zlib".
	Name string
	// Versions is the root's version constraint; check HasVersion before using it.
	Versions VersionConstraint

	text             string
	verStart, verEnd int // the root's version text, after "@" and any spaces; -1 when none
}

// packageName is the name of a Spack package as spack-ghcr accepts it, the same rule
// that keeps names safe in image tags and paths.
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ParseSpec parses the root of an abstract spec. It reads the root's name, version and
// options up to the first dependency ("^dep" or "%compiler"), whose text it keeps
// verbatim but does not interpret.
func ParseSpec(s string) (Spec, error) {
	p := specScanner{s: s}
	sp := Spec{text: s, verStart: -1, verEnd: -1}
	p.skipSpace()
	name := p.take(isNameChar)
	if name == "" {
		if p.eof() {
			return Spec{}, fmt.Errorf("spec %q is empty", s)
		}
		return Spec{}, fmt.Errorf("spec %q: want a package name first", s)
	}
	if p.peek() == '=' || p.peek() == ':' && p.peekAt(1) == '=' {
		return Spec{}, fmt.Errorf("spec %q: want a package name first, not %q", s, name+"=")
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		sp.Namespace, name = name[:i], name[i+1:]
		for _, ns := range strings.Split(sp.Namespace, ".") {
			if ns == "" || !packageName.MatchString(ns) {
				return Spec{}, fmt.Errorf("spec %q: bad namespace %q", s, sp.Namespace)
			}
		}
	}
	if !packageName.MatchString(name) {
		return Spec{}, fmt.Errorf("spec %q: package name %q: want lowercase letters, digits, '-' and '_', starting with a letter or digit", s, name)
	}
	sp.Name = name

	// The root's options, up to the first dependency.
	for {
		p.skipSpace()
		if p.eof() {
			return sp, nil
		}
		switch c := p.peek(); {
		case c == '^' || c == '%':
			return sp, p.checkRest()
		case c == '@':
			if sp.verStart >= 0 {
				return Spec{}, fmt.Errorf("spec %q: the root has two versions", s)
			}
			p.pos++
			p.skipSpace()
			start, end := p.versionList()
			if start == end {
				return Spec{}, fmt.Errorf("spec %q: '@' without a version", s)
			}
			vc, err := ParseVersionConstraint(s[start:end])
			if err != nil {
				return Spec{}, fmt.Errorf("spec %q: %w", s, err)
			}
			sp.Versions, sp.verStart, sp.verEnd = vc, start, end
		case c == '+' || c == '~' || c == '-':
			p.pos++
			if p.peek() == c {
				p.pos++
			}
			p.skipSpace()
			if p.take(isNameChar) == "" {
				return Spec{}, fmt.Errorf("spec %q: %q without a variant name", s, string(c))
			}
		case c == '/':
			p.pos++
			if p.take(isWordChar) == "" {
				return Spec{}, fmt.Errorf("spec %q: '/' without a hash", s)
			}
		case isNameChar(c):
			key := p.take(isNameChar)
			if p.peek() == ':' {
				p.pos++
			}
			if p.peek() != '=' {
				return Spec{}, fmt.Errorf("spec %q: unexpected %q after the package name: one spec per entry", s, key)
			}
			p.pos++
			if p.peek() == '=' {
				p.pos++
			}
			if err := p.value(); err != nil {
				return Spec{}, fmt.Errorf("spec %q: %s=: %w", s, key, err)
			}
		default:
			return Spec{}, fmt.Errorf("spec %q: unexpected character %q", s, string(c))
		}
	}
}

// String returns the spec as written.
func (s Spec) String() string { return s.text }

// HasVersion reports whether the root has a version constraint.
func (s Spec) HasVersion() bool { return s.verStart >= 0 }

// WithVersion returns the spec with the root's version replaced by v and nothing else
// changed: "zlib@1.2.13 +shared ^cmake@3.30" becomes "zlib@1.3.1 +shared ^cmake@3.30".
// An exact pin stays exact ("@=1.2.13" becomes "@=1.3.1").
func (s Spec) WithVersion(v Version) (Spec, error) {
	if !s.HasVersion() {
		return Spec{}, fmt.Errorf("spec %q: %w", s.text, ErrNoVersion)
	}
	if v.String() == "" {
		return Spec{}, fmt.Errorf("spec %q: new version is empty", s.text)
	}
	nv := v.String()
	if s.Versions.Exact() {
		nv = "=" + nv
	}
	out, err := ParseSpec(s.text[:s.verStart] + nv + s.text[s.verEnd:])
	if err != nil {
		return Spec{}, fmt.Errorf("rewriting version of %q: %w", s.text, err)
	}
	return out, nil
}

// VersionSpan returns the byte offsets of the root's version text in String(), or
// -1, -1 when it has none. "zlib@=1.3" gives the span of "=1.3".
func (s Spec) VersionSpan() (start, end int) { return s.verStart, s.verEnd }

// specScanner walks a spec string.
type specScanner struct {
	s   string
	pos int
}

func (p *specScanner) eof() bool { return p.pos >= len(p.s) }

func (p *specScanner) peek() byte { return p.peekAt(0) }

func (p *specScanner) peekAt(i int) byte {
	if p.pos+i < len(p.s) {
		return p.s[p.pos+i]
	}
	return 0
}

func (p *specScanner) skipSpace() {
	for !p.eof() && isSpace(p.peek()) {
		p.pos++
	}
}

func (p *specScanner) take(ok func(byte) bool) string {
	start := p.pos
	for !p.eof() && ok(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// versionList scans a version list ("1.2", "=1.2", "1.2:1.4", "1.2, 1.4",
// "git.feature/x=1.2") and returns its span, without trailing spaces.
func (p *specScanner) versionList() (start, end int) {
	start = p.pos
	for {
		run := p.pos
		p.take(func(c byte) bool {
			return isVersionChar(c) || c == '=' || c == ':' || c == ',' ||
				c == '/' && strings.HasPrefix(strings.TrimPrefix(p.s[run:], "="), "git.")
		})
		end = p.pos
		if end > start && p.s[end-1] == ',' {
			p.skipSpace()
			if p.pos > end {
				continue
			}
		}
		save := p.pos
		p.skipSpace()
		if p.peek() == ',' && end > start {
			p.pos++
			p.skipSpace()
			continue
		}
		p.pos = save
		return start, end
	}
}

// value scans the value of key=value: a quoted string or a run of value characters
// (which may hold '^' and '%', as in cflags=-O2).
func (p *specScanner) value() error {
	if q := p.peek(); q == '"' || q == '\'' {
		return p.quoted()
	}
	if p.take(isValueChar) == "" {
		return errors.New("missing value")
	}
	return nil
}

// quoted scans a quoted string, where a backslash escapes the quote.
func (p *specScanner) quoted() error {
	q := p.peek()
	for i := p.pos + 1; i < len(p.s); i++ {
		switch p.s[i] {
		case '\\':
			i++
		case q:
			p.pos = i + 1
			return nil
		}
	}
	return fmt.Errorf("unterminated quote %s", string(q))
}

// checkRest checks that the dependencies' text has balanced quotes; it is kept verbatim.
func (p *specScanner) checkRest() error {
	for !p.eof() {
		if q := p.peek(); q == '"' || q == '\'' {
			if err := p.quoted(); err != nil {
				return fmt.Errorf("spec %q: %w", p.s, err)
			}
			continue
		}
		p.pos++
	}
	return nil
}

func isSpace(c byte) bool    { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isWordChar(c byte) bool { return isDigit(c) || isLetter(c) || c == '_' }
func isNameChar(c byte) bool { return isWordChar(c) || c == '-' || c == '.' }
func isValueChar(c byte) bool {
	return isNameChar(c) || strings.IndexByte("+*,:=%^~/\\", c) >= 0
}
