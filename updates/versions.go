package updates

import (
	"context"
	"fmt"
	"slices"

	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
)

// This file is the one that reads package.py versions (pkgpy.Package and
// friends), so that moving that reader to another package changes one import.

// versionCache reads each package's versions once.
type versionCache struct {
	pkgs map[string]*pkgpy.Package
	errs map[string]error
}

func newVersionCache() versionCache {
	return versionCache{pkgs: map[string]*pkgpy.Package{}, errs: map[string]error{}}
}

func (c versionCache) read() int { return len(c.pkgs) }

func (c versionCache) get(repo *spack.Repo, name string) (*pkgpy.Package, error) {
	if pv, ok := c.pkgs[name]; ok {
		return pv, nil
	}
	if err, ok := c.errs[name]; ok {
		return nil, err
	}
	p, err := repo.Package(name)
	if err != nil {
		err = fmt.Errorf("%w: %v", errNotInRepo, err)
	} else {
		var pv *pkgpy.Package
		if pv, err = pkgpy.Read(p.File); err == nil {
			c.pkgs[name] = pv
			return pv, nil
		}
	}
	c.errs[name] = err
	return nil, err
}

// decide sets row's Action, Newest and, for an update, Update, for spec sp of a
// spack.yaml (path, data) found at es.
func (s *Scanner) decide(row *Row, path string, data []byte, es spack.EnvSpec, sp spack.Spec) {
	if s.ignore.IgnoresPackage(sp.Name) {
		row.Action = "ignored"
		return
	}
	pv, err := s.versions.get(s.repo, sp.Name)
	if err != nil {
		row.Action, row.Err = "skip: "+shortReason(err), fmt.Errorf("%s:%d: %w", path, es.Line, err)
		return
	}
	exclude := s.ignore.Excludes(sp.Name)
	current, pinned := sp.Versions.Pinned()
	if pinned && !sp.Versions.Exact() {
		// "@3.11" when the package has 3.11.9 but no 3.11 is a series, which Spack
		// reads as the range 3.11:3.11: report it like a range.
		if _, ok := pv.Lookup(current); !ok {
			pinned = false
		}
	}
	switch {
	case !pinned && sp.Versions.Git():
		row.Action = "skip: git version"
		return
	case !pinned:
		newest, ok := pv.Newest(exclude)
		switch {
		case !ok:
			row.Action = "range: no safe version"
		case sp.Versions.Contains(newest.Version):
			row.Newest, row.Action = newest.Version.String(), "range: holds newest"
		default:
			row.Newest, row.Action = newest.Version.String(), "range: excludes newest"
		}
		return
	case current.IsDevelop():
		row.Action = "skip: develop-like version"
		return
	}
	newest, ok := pv.NewestSafe(current, exclude)
	if !ok {
		row.Newest, row.Action = current.String(), "up to date"
		return
	}
	row.Newest = newest.Version.String()
	content, edit, err := spack.SetSpecVersion(data, es, newest.Version)
	if err != nil {
		row.Action, row.Err = "skip: "+shortReason(err), fmt.Errorf("%s:%d: %w", path, es.Line, err)
		return
	}
	row.Action = "update"
	row.Update = &Update{File: path, Content: content, Edit: edit, Homepage: pv.Homepage, OldSpec: es.Text, NewSpec: edit.New}
}

// Survey is what reading every package.py of a repository found, as a scan of every
// package would.
type Survey struct {
	// Packages, Failed and Versions count the package.py files, those that did not
	// read, and the versions read; Dynamic the version() calls computed in loops.
	Packages, Failed, Versions, Dynamic int
	// Errs are the failures.
	Errs []error
	// Behind pins each package that has two safe versions to the older of its two
	// newest: a spec with an update to find, e.g. "zlib@1.3".
	Behind []string
}

// SurveyRepo reads every package.py of repo.
func SurveyRepo(ctx context.Context, repo *spack.Repo) (*Survey, error) {
	pkgs, err := repo.Packages()
	if err != nil {
		return nil, err
	}
	sv := &Survey{Packages: len(pkgs)}
	for _, p := range pkgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pv, err := pkgpy.Read(p.File)
		if err != nil {
			sv.Failed++
			sv.Errs = append(sv.Errs, err)
			continue
		}
		sv.Versions += len(pv.Versions)
		sv.Dynamic += pv.Dynamic
		var safe []spack.Version
		for _, v := range pv.Versions {
			if v.Safe(false) {
				safe = append(safe, v.Version)
			}
		}
		if len(safe) >= 2 {
			slices.SortFunc(safe, spack.Version.Compare)
			sv.Behind = append(sv.Behind, p.Name+"@"+safe[len(safe)-2].String())
		}
	}
	return sv, nil
}
