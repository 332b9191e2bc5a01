package spack

import (
	"fmt"
	"slices"
	"strings"
)

// VersionConstraint is the version part of a spec, after the "@": a single version
// ("1.2", short for the range 1.2:1.2, which holds 1.2.5 too), an exact version
// ("=1.2"), a range ("1.2:1.4", "1.2:", ":1.4", ":"), a git version ("git.v1.2",
// a commit hash, "git.ref=1.2") or a comma-separated list of these.
type VersionConstraint struct {
	text  string
	items []versionItem
}

type itemKind int

const (
	itemSingle itemKind = iota // 1.2
	itemExact                  // =1.2
	itemRange                  // 1.2:1.4
	itemGit                    // git.ref, <sha>, ref=1.2
)

type versionItem struct {
	kind itemKind
	// lo is the version of a single or exact item and the lower bound of a range; hi
	// the upper bound as written. Missing bounds of a range are nil.
	lo, hi *Version
	// end is next(hi): a range holds lo <= v < end.
	end *Version
	// git is a git version as written.
	git string
}

// ParseVersionConstraint parses the text after a spec's "@", as Spack's ver() does.
// Spaces are ignored.
func ParseVersionConstraint(s string) (VersionConstraint, error) {
	text := strings.ReplaceAll(s, " ", "")
	if text == "" {
		return VersionConstraint{}, fmt.Errorf("version constraint is empty")
	}
	c := VersionConstraint{text: text}
	for _, part := range strings.Split(text, ",") {
		item, err := parseVersionItem(part)
		if err != nil {
			return VersionConstraint{}, fmt.Errorf("version constraint %q: %w", s, err)
		}
		c.items = append(c.items, item)
	}
	return c, nil
}

func parseVersionItem(s string) (versionItem, error) {
	switch {
	case s == "":
		return versionItem{}, fmt.Errorf("empty element")
	case strings.Contains(s, ":"):
		lo, hi, _ := strings.Cut(s, ":")
		if strings.Contains(hi, ":") {
			return versionItem{}, fmt.Errorf("%q: a range has one ':'", s)
		}
		item := versionItem{kind: itemRange}
		if lo != "" {
			v, err := ParseVersion(lo)
			if err != nil {
				return versionItem{}, err
			}
			item.lo = &v
		}
		if hi != "" {
			v, err := ParseVersion(hi)
			if err != nil {
				return versionItem{}, err
			}
			end := v.next()
			if item.lo != nil && end.Less(*item.lo) {
				return versionItem{}, fmt.Errorf("%s is an empty range", s)
			}
			item.hi, item.end = &v, &end
		}
		return item, nil
	case strings.HasPrefix(s, "="):
		if isGitVersion(s[1:]) {
			return versionItem{kind: itemGit, git: s[1:]}, nil
		}
		v, err := ParseVersion(s[1:])
		if err != nil {
			return versionItem{}, err
		}
		return versionItem{kind: itemExact, lo: &v}, nil
	case isGitVersion(s):
		return versionItem{kind: itemGit, git: s}, nil
	}
	v, err := ParseVersion(s)
	if err != nil {
		return versionItem{}, err
	}
	end := v.next()
	return versionItem{kind: itemSingle, lo: &v, hi: &v, end: &end}, nil
}

// isGitVersion is Spack's is_git_version: "git.ref", a 40-digit commit hash, or a ref
// given a version with "=".
func isGitVersion(s string) bool {
	if strings.HasPrefix(s, "git.") || len(s) > 1 && strings.Contains(s[1:], "=") {
		return true
	}
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] < 'a' || s[i] > 'f') {
			return false
		}
	}
	return true
}

// String returns the constraint as written, without spaces.
func (c VersionConstraint) String() string { return c.text }

// Pinned returns the version of a constraint that names one version, "1.2" or "=1.2";
// ranges, lists and git versions are not pins.
func (c VersionConstraint) Pinned() (Version, bool) {
	if len(c.items) != 1 || (c.items[0].kind != itemSingle && c.items[0].kind != itemExact) {
		return Version{}, false
	}
	return *c.items[0].lo, true
}

// Exact reports whether the constraint is one exact version, "=1.2".
func (c VersionConstraint) Exact() bool {
	return len(c.items) == 1 && c.items[0].kind == itemExact
}

// Git reports whether the constraint names a git version ("git.ref", a commit).
func (c VersionConstraint) Git() bool {
	return slices.ContainsFunc(c.items, func(it versionItem) bool { return it.kind == itemGit })
}

// Contains reports whether the concrete version v satisfies the constraint, as
// Spack's v.satisfies(constraint): "1.2" and "1.2:1.2" hold 1.2 and 1.2.5 but not
// 1.3; "=1.2" holds 1.2 only; a git version holds no standard version.
func (c VersionConstraint) Contains(v Version) bool {
	for _, it := range c.items {
		switch it.kind {
		case itemExact:
			if v.Equal(*it.lo) {
				return true
			}
		case itemSingle, itemRange:
			if (it.lo == nil || !v.Less(*it.lo)) && (it.end == nil || v.Less(*it.end)) {
				return true
			}
		}
	}
	return false
}

// Canonical prints the constraint as Spack's VersionList does: items sorted and
// merged, "1.2:1.2" as "1.2", an exact version as "=1.2", and nothing for ":" (any
// version).
func (c VersionConstraint) Canonical() string {
	items := c.merged()
	var parts []string
	for _, it := range items {
		parts = append(parts, it.String())
	}
	if len(parts) == 1 && parts[0] == ":" {
		return ""
	}
	return strings.Join(parts, ",")
}

func (it versionItem) String() string {
	switch it.kind {
	case itemGit:
		return it.git
	case itemExact:
		return "=" + it.lo.String()
	}
	if it.lo != nil && it.hi != nil && it.lo.Equal(*it.hi) {
		return it.lo.String()
	}
	var lo, hi string
	if it.lo != nil {
		lo = it.lo.String()
	}
	if it.hi != nil {
		hi = it.hi.String()
	}
	return lo + ":" + hi
}

// merged sorts the items and unites the ranges that overlap, as VersionList.add does;
// an exact version inside a range is left out.
func (c VersionConstraint) merged() []versionItem {
	items := slices.Clone(c.items)
	slices.SortStableFunc(items, func(a, b versionItem) int {
		if a.kind == itemGit || b.kind == itemGit {
			return 0
		}
		return compareLower(a.lo, b.lo)
	})
	var out []versionItem
	for _, it := range items {
		if len(out) == 0 || it.kind == itemGit || out[len(out)-1].kind == itemGit {
			out = append(out, it)
			continue
		}
		last := &out[len(out)-1]
		switch {
		case it.kind == itemExact && last.kind != itemExact && last.holds(*it.lo):
			continue
		case last.kind == itemExact && it.kind != itemExact && it.holds(*last.lo):
			*last = it
		case last.kind != itemExact && it.kind != itemExact && overlaps(*last, it):
			if compareUpper(it.end, last.end) > 0 {
				last.hi, last.end = it.hi, it.end
			}
			last.kind = itemRange
		case last.kind == itemExact && it.kind == itemExact && last.lo.Equal(*it.lo):
			continue
		default:
			out = append(out, it)
		}
	}
	return out
}

// holds reports whether a single version or range holds v.
func (it versionItem) holds(v Version) bool {
	return (it.lo == nil || !v.Less(*it.lo)) && (it.end == nil || v.Less(*it.end))
}

// overlaps reports whether two ranges share a version or touch.
func overlaps(a, b versionItem) bool {
	return compareUpper(a.end, b.lo) >= 0 && compareUpper(b.end, a.lo) >= 0
}

// compareLower orders lower bounds, nil being the lowest.
func compareLower(a, b *Version) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// compareUpper orders upper bounds, nil being the highest.
func compareUpper(a, b *Version) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

// intersect is VersionList.intersect for the constraints matrices combine: one side
// empty, or both the same, or single versions and ranges whose overlap is one range.
func (c VersionConstraint) intersect(o VersionConstraint) (VersionConstraint, error) {
	switch {
	case len(o.items) == 0 || c.Canonical() == o.Canonical():
		return c, nil
	case len(c.items) == 0:
		return o, nil
	}
	if len(c.items) == 1 && len(o.items) == 1 {
		a, b := c.items[0], o.items[0]
		switch {
		case a.kind == itemExact && b.kind != itemGit && b.holds(*a.lo):
			return c, nil
		case b.kind == itemExact && a.kind != itemGit && a.holds(*b.lo):
			return o, nil
		case a.kind != itemExact && b.kind != itemExact && a.kind != itemGit && b.kind != itemGit && overlaps(a, b):
			it := a
			if compareLower(b.lo, a.lo) > 0 {
				it.lo = b.lo
			}
			if compareUpper(b.end, a.end) < 0 {
				it.hi, it.end = b.hi, b.end
			}
			it.kind = itemRange
			return VersionConstraint{text: it.String(), items: []versionItem{it}}, nil
		}
	}
	return VersionConstraint{}, fmt.Errorf("versions @%s and @%s do not overlap, or combine in a way spack-ghcr does not compute", c.Canonical(), o.Canonical())
}

// subset reports whether every version c allows is one o allows.
func (c VersionConstraint) subset(o VersionConstraint) bool {
	if len(o.items) == 0 {
		return true
	}
	if len(c.items) == 0 {
		return false
	}
	for _, a := range c.items {
		if !slices.ContainsFunc(o.items, func(b versionItem) bool { return itemWithin(a, b) }) {
			return false
		}
	}
	return true
}

func itemWithin(a, b versionItem) bool {
	switch {
	case a.kind == itemGit || b.kind == itemGit:
		return a.kind == b.kind && a.git == b.git
	case b.kind == itemExact:
		return a.kind == itemExact && a.lo.Equal(*b.lo)
	case a.kind == itemExact:
		return b.holds(*a.lo)
	}
	return compareLower(a.lo, b.lo) >= 0 && compareUpper(a.end, b.end) <= 0
}
