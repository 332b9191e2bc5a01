package spack

import (
	"errors"
	"fmt"
	"regexp"
)

// ErrNoVersion is returned when a spec's version is to be changed but the spec names none.
var ErrNoVersion = errors.New("spec has no version")

// Spec is a named abstract spec as written in a spack.yaml's specs, such as
// "zlib@1.3.1 +shared ^cmake@3.30 %gcc": its parsed form, and its text as written, so
// that the root's version can be rewritten without reformatting the rest.
type Spec struct {
	// Namespace is the repository of a qualified name, "builtin" of "builtin.zlib".
	Namespace string
	// Name is the root package, e.g. "zlib".
	Name string
	// Versions is the root's version constraint; check HasVersion before using it.
	Versions VersionConstraint
	// Node is the whole spec as Spack parses it.
	Node *Node

	text             string
	verStart, verEnd int // the root's version text, after "@" and any spaces; -1 when none
}

// packageName is the name of a Spack package as spack-ghcr accepts it, the same rule
// that keeps names safe in image tags and paths.
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ParseSpec parses a named abstract spec with Spack's grammar (see ParseAbstract) and
// keeps the text as written, so that the root's version can be rewritten without
// reformatting the rest.
func ParseSpec(s string) (Spec, error) {
	n, span, err := parseSpec(s)
	if err != nil {
		return Spec{}, err
	}
	if n.Name == "" {
		return Spec{}, &SpecError{Spec: s, Msg: "want a package name first"}
	}
	return Spec{Namespace: n.Namespace, Name: n.Name, Versions: n.Versions, Node: n, text: s, verStart: span[0], verEnd: span[1]}, nil
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

func isSpace(c byte) bool    { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isWordChar(c byte) bool { return isDigit(c) || isLetter(c) || c == '_' }
