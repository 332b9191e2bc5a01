package pkgpy

import "github.com/spack-ghcr/spack-ghcr/spack"

// Version is one version(...) directive.
type Version struct {
	Version spack.Version
	// Checksum is the algorithm of the archive's checksum: "sha256", "md5", ... from a
	// keyword, or guessed from the length of a positional hash. Empty when there is none.
	Checksum string
	// VCS is the keyword that fetches the version from version control instead of an
	// archive: "commit", "tag", "branch", "git", "svn", "hg", "cvs" or "revision".
	VCS string
	// URL is the url= keyword: this version's archive, when it is not where the
	// package's url leads.
	URL string
	// Deprecated is deprecated=True, also through `with default_args(deprecated=True):`.
	// A deprecated= the reader cannot evaluate counts as deprecated.
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
func (v Version) Checksummed() bool { return v.Checksum != "" && v.VCS == "" }

// Safe reports whether v is a version the update bot may move to: a checksummed
// archive, not deprecated, not conditional, not a develop-like version, and a
// prerelease only when prerelease is true.
func (v Version) Safe(prerelease bool) bool {
	return v.Checksummed() && !v.Deprecated && !v.Conditional && !v.Version.IsDevelop() &&
		(prerelease || !v.Version.IsPrerelease())
}

// Lookup returns the directive of version v.
func (p *Package) Lookup(v spack.Version) (Version, bool) {
	if i := p.indexVersion(v); i >= 0 {
		return p.Versions[i], true
	}
	return Version{}, false
}

// NewestSafe returns the version to update a pin on current to, and false when there is
// none newer. Candidates are Safe versions (prereleases only when current is one) that
// exclude, if not nil, does not reject. When the package marks a safe version
// preferred=True and current is not above it, candidates stop at that version: Spack's
// maintainers prefer it over anything newer, so a pin on it is up to date. A pin above
// the preferred version has opted out of that and gets the newest.
func (p *Package) NewestSafe(current spack.Version, exclude func(spack.Version) bool) (Version, bool) {
	return p.newest(current, current.IsPrerelease(), exclude)
}

// Newest returns the version a range should reach: the newest Safe version that is not
// a prerelease and that exclude, if not nil, does not reject, stopping at a
// preferred=True version as NewestSafe does.
func (p *Package) Newest(exclude func(spack.Version) bool) (Version, bool) {
	return p.newest(spack.Version{}, false, exclude)
}

func (p *Package) newest(current spack.Version, pre bool, exclude func(spack.Version) bool) (Version, bool) {
	ok := func(v Version) bool { return v.Safe(pre) && (exclude == nil || !exclude(v.Version)) }
	var preferred *Version
	for i, v := range p.Versions {
		if v.Preferred && ok(v) && (preferred == nil || preferred.Version.Less(v.Version)) {
			preferred = &p.Versions[i]
		}
	}
	capAt := preferred != nil && !preferred.Version.Less(current)
	var best *Version
	for i, v := range p.Versions {
		if !ok(v) || !current.Less(v.Version) || capAt && preferred.Version.Less(v.Version) {
			continue
		}
		if best == nil || best.Version.Less(v.Version) {
			best = &p.Versions[i]
		}
	}
	if best == nil {
		return Version{}, false
	}
	return *best, true
}

// hashLengths maps the length of a hex digest to its algorithm, as Spack guesses the
// algorithm of a positional checksum.
var hashLengths = map[int]string{32: "md5", 40: "sha1", 56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}

var checksumKeys = []string{"sha256", "sha512", "sha384", "sha224", "sha1", "md5"}

var vcsKeys = []string{"commit", "tag", "branch", "git", "svn", "hg", "cvs", "revision"}

// versionDirective builds a Version from version(...)'s arguments and the keyword
// defaults of enclosing `with default_args(...)` blocks, innermost first. It reports
// false when the version is not a literal standard version.
func versionDirective(a args, defaults []map[string]value) (Version, bool) {
	if len(a.positional) == 0 || a.splat {
		return Version{}, false
	}
	first := a.positional[0]
	if first.kind != valString && first.kind != valNumber || isGitVersion(first.s) {
		return Version{}, false
	}
	ver, err := spack.ParseVersion(first.s)
	if err != nil {
		return Version{}, false
	}
	kw := map[string]value{}
	for i := len(defaults) - 1; i >= 0; i-- {
		for k, v := range defaults[i] {
			kw[k] = v
		}
	}
	for k, v := range a.keywords {
		kw[k] = v
	}
	pv := Version{Version: ver}
	if len(a.positional) > 1 && a.positional[1].kind != valNone {
		pv.Checksum = "checksum"
		if alg := hashLengths[len(a.positional[1].s)]; alg != "" {
			pv.Checksum = alg
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
	pv.URL, _ = kw["url"].str()
	return pv, true
}

// isGitVersion reports whether s is what Spack reads as a git version ("git.ref", a
// commit hash): not a release the package pins by checksum.
func isGitVersion(s string) bool {
	c, err := spack.ParseVersionConstraint(s)
	return err == nil && c.Git()
}
