package pkgpy

import (
	"fmt"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// License is one license(...) directive: the license a package, or some of its
// versions, is distributed under.
type License struct {
	// Expression is the license as written. Spack asks for an SPDX license expression
	// ("MIT", "GPL-2.0-or-later OR Artistic-1.0-Perl"); see SPDX for whether it is one.
	Expression string
	// When is the when= spec the license holds under ("@:4.5", "+gpl"); empty when it
	// holds for every version.
	When string
	// CheckedBy are the GitHub users who checked the license (checked_by=).
	CheckedBy []string
	// Line is the directive's line in package.py.
	Line int
}

// SPDX returns the expression in the spelling of the SPDX license list ("APACHE-2.0"
// becomes "Apache-2.0"), or an error when it is not a valid SPDX license expression:
// an identifier the list lacks ("GPLv2", "custom") or a malformed expression. An
// identifier the list has deprecated ("GPL-2.0") is valid.
func (l License) SPDX() (string, error) {
	norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions([]string{l.Expression}, spdxexp.ValidateLicensesOptions{})
	if len(invalid) > 0 || len(norm) != 1 {
		return "", fmt.Errorf("license %q is not an SPDX license expression", l.Expression)
	}
	return norm[0], nil
}

// DeprecatedSPDX reports whether the expression is valid SPDX only because the list
// still knows identifiers it has deprecated, such as "GPL-2.0" for "GPL-2.0-only".
func (l License) DeprecatedSPDX() bool {
	if _, err := l.SPDX(); err != nil {
		return false
	}
	ok, _ := spdxexp.ValidateLicensesWithOptions([]string{l.Expression}, spdxexp.ValidateLicensesOptions{FailDeprecatedLicenses: true})
	return !ok
}

// AppliesTo reports whether the license holds for version v of the package: it has no
// when=, or when= is a version constraint ("@:4.5") that holds v. known is false when
// when= says more than a version (a variant such as "+gpl"): only the concrete spec
// can tell then.
func (l License) AppliesTo(v spack.Version) (applies, known bool) {
	when := strings.TrimSpace(l.When)
	if when == "" {
		return true, true
	}
	rest, ok := strings.CutPrefix(when, "@")
	if !ok || strings.ContainsAny(rest, "+~^% ") {
		return false, false
	}
	c, err := spack.ParseVersionConstraint(rest)
	if err != nil {
		return false, false
	}
	return c.Contains(v), true
}

// licenseDirective builds a License from license(...)'s arguments, as Spack's
// license(license_identifier, checked_by=None, when=None) takes them. It reports
// false when the expression or the condition is not a literal.
func licenseDirective(a args) (License, bool) {
	id, ok := a.keywords["license_identifier"]
	if len(a.positional) > 0 {
		id, ok = a.positional[0], true
	}
	expr, isStr := id.str()
	if !ok || !isStr || a.splat {
		return License{}, false
	}
	l := License{Expression: expr}
	if when, ok := a.keywords["when"]; ok && when.kind != valTrue && when.kind != valNone {
		if l.When, ok = when.str(); !ok {
			return License{}, false
		}
	}
	switch by := a.keywords["checked_by"]; by.kind {
	case valString:
		l.CheckedBy = []string{by.s}
	case valStrings:
		l.CheckedBy = by.list
	}
	return l, true
}
