package spack

import (
	"fmt"

	"strings"
)

// This file ports Spack 1.x's version order (lib/spack/spack/version/version_types.py
// and common.py at v1.1.0) so that "newer" means what Spack means by it: 17 > 3,
// 1.2 < 1.2.1, 6.0rc2 < 6.0, 1.2a > 1.2, 9.0 < develop.

// Prerelease kinds in Spack's order (common.py ALPHA, BETA, RC, FINAL). preAlpha is
// zero so that the zero Version is Spack's typemin, below every other version.
const (
	preAlpha = iota
	preBeta
	preRC
	preFinal
)

var prereleaseKinds = map[string]int{"alpha": preAlpha, "beta": preBeta, "rc": preRC, "final": preFinal}

// infinityVersions are the words that sort above every number, in increasing order.
var infinityVersions = []string{"stable", "nightly", "trunk", "head", "master", "main", "develop"}

// Kinds of version components, in their order: Spack puts ordinary words below numbers
// and numbers below the infinity words.
const (
	compString = iota
	compNumber
	compInfinity
)

// component is one segment of a version's release part.
type component struct {
	kind int
	// text is the word of a string component, or a number's decimal digits without
	// leading zeros. Digits, not an int, so that numbers of any length (dates, long
	// build numbers) compare exactly as Python's int does.
	text string
	// inf is the index in infinityVersions of an infinity component; it may run past
	// the list for the bounds of open ranges.
	inf int
}

func (c component) compare(d component) int {
	if c.kind != d.kind {
		return cmpInt(c.kind, d.kind)
	}
	switch c.kind {
	case compNumber:
		return compareDigits(c.text, d.text)
	case compInfinity:
		return cmpInt(c.inf, d.inf)
	}
	return strings.Compare(c.text, d.text)
}

// prerelease is Spack's prerelease tuple: (FINAL,) for most versions, (RC, 1) for
// "rc1", (ALPHA,) for a bare "alpha".
type prerelease struct {
	kind   int
	hasNum bool
	num    string // digits without leading zeros
}

func (p prerelease) compare(q prerelease) int {
	if c := cmpInt(p.kind, q.kind); c != 0 {
		return c
	}
	// Tuple order: (RC,) < (RC, 0).
	if p.hasNum != q.hasNum {
		if p.hasNum {
			return 1
		}
		return -1
	}
	return compareDigits(p.num, q.num)
}

// Version is one concrete Spack version, a StandardVersion. Separators do not matter
// to the order ("2.0" equals "2_0" and "2-0"), but String keeps the spelling.
//
// The zero Version sorts below every other version (Spack's typemin).
type Version struct {
	s       string
	release []component
	pre     prerelease
}

// ParseVersion parses a version such as "1.2.13", "6.0rc1", "R2016a" or "develop".
// Git versions ("git.ref", a commit hash, "ref=1.2") are not versions here; see
// ParseVersionConstraint.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Version{}, fmt.Errorf("version is empty")
	}
	for i := 0; i < len(s); i++ {
		if !isVersionChar(s[i]) {
			return Version{}, fmt.Errorf("version %q: bad character %q: want letters, digits, '.', '-' or '_'", s, s[i])
		}
	}
	v := Version{s: s, pre: prerelease{kind: preFinal}}

	// Segments are runs of digits or of letters; separators between them are dropped
	// (Spack's SEGMENT_REGEX, applied with findall).
	var segs []segment
	for i := 0; i < len(s); {
		j := i
		switch {
		case isDigit(s[i]):
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			segs = append(segs, segment{num: true, text: s[i:j]})
		case isLetter(s[i]):
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			segs = append(segs, segment{text: s[i:j]})
		default:
			j++
		}
		i = j
	}

	// <version>(alpha|beta|rc)<number> or <version>(alpha|beta|rc), as in
	// parse_string_components; "final" counts as a prerelease word there too.
	if n := len(segs); n >= 3 && segs[n-2].isWord(prereleaseKinds) && segs[n-1].num {
		v.pre = prerelease{kind: prereleaseKinds[segs[n-2].text], hasNum: true, num: trimZeros(segs[n-1].text)}
		segs = segs[:n-2]
	} else if n >= 2 && segs[n-1].isWord(prereleaseKinds) {
		v.pre = prerelease{kind: prereleaseKinds[segs[n-1].text]}
		segs = segs[:n-1]
	}

	v.release = make([]component, len(segs))
	for i, seg := range segs {
		switch {
		case seg.num:
			v.release[i] = component{kind: compNumber, text: trimZeros(seg.text)}
		case infinityIndex(seg.text) >= 0:
			v.release[i] = component{kind: compInfinity, text: seg.text, inf: infinityIndex(seg.text)}
		default:
			v.release[i] = component{kind: compString, text: seg.text}
		}
	}
	return v, nil
}

// segment is a run of digits or of letters in a version string.
type segment struct {
	num  bool
	text string
}

// isWord reports whether the segment is a word that words has.
func (s segment) isWord(words map[string]int) bool {
	_, ok := words[s.text]
	return !s.num && ok
}

// String returns the version as it was written.
func (v Version) String() string { return v.s }

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w in Spack's order.
func (v Version) Compare(w Version) int {
	for i := 0; i < len(v.release) && i < len(w.release); i++ {
		if c := v.release[i].compare(w.release[i]); c != 0 {
			return c
		}
	}
	if c := cmpInt(len(v.release), len(w.release)); c != 0 {
		return c
	}
	return v.pre.compare(w.pre)
}

// Less reports whether v sorts before w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// Equal reports whether v and w are the same version; "2.0" equals "2_0".
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// IsPrerelease reports whether v is an alpha, beta or rc version such as "6.0rc1".
func (v Version) IsPrerelease() bool { return v.pre.kind != preFinal }

// IsDevelop reports whether v has an infinity word ("develop", "main", "master", ...)
// in it, which makes it sort above all numeric versions (Spack's isdevelop).
func (v Version) IsDevelop() bool {
	for _, c := range v.release {
		if c.kind == compInfinity {
			return true
		}
	}
	return false
}

// next returns the smallest version above v in Spack's order, as _next_version does.
// A range lo:hi holds the versions from lo up to, not including, next(hi): that is why
// 1.2:1.4 holds 1.4.2 but not 1.5.
func (v Version) next() Version {
	w := Version{release: append([]component(nil), v.release...), pre: v.pre}
	switch {
	case v.pre.kind != preFinal:
		if v.pre.hasNum {
			w.pre.num = incDigits(v.pre.num)
		} else {
			w.pre = prerelease{kind: v.pre.kind, hasNum: true, num: "0"}
		}
	case len(v.release) == 0:
		w.release = []component{{kind: compString, text: "A"}}
	default:
		last := &w.release[len(w.release)-1]
		switch last.kind {
		case compNumber:
			last.text = incDigits(last.text)
		case compInfinity:
			last.inf++
		default:
			s := last.text
			for {
				s = nextWord(s)
				if infinityIndex(s) < 0 {
					break
				}
			}
			last.text = s
		}
	}
	return w
}

// nextWord is Spack's _next_str: the next string of A-Z and a-z letters.
func nextWord(s string) string {
	if s == "" || s[len(s)-1] == 'z' {
		return s + "A"
	}
	c := s[len(s)-1] + 1
	if s[len(s)-1] == 'Z' {
		c = 'a'
	}
	return s[:len(s)-1] + string(c)
}

func infinityIndex(s string) int {
	for i, w := range infinityVersions {
		if s == w {
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isVersionChar(c byte) bool {
	return isDigit(c) || isLetter(c) || c == '.' || c == '-' || c == '_'
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// trimZeros normalises a run of digits: "0007" -> "7", "000" -> "0".
func trimZeros(d string) string {
	d = strings.TrimLeft(d, "0")
	if d == "" {
		return "0"
	}
	return d
}

// compareDigits compares two normalised runs of digits as numbers.
func compareDigits(a, b string) int {
	if c := cmpInt(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// incDigits adds one to a normalised run of digits.
func incDigits(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}
