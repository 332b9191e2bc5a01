package pkgpy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// ReadInherited reads the package called name in repo with what its class inherits:
// the declarations of the classes it derives from in package.py files, its own or
// other packages' (class LibsigsegvFork(Libsigsegv)). They merge as Spack's directives
// do, base classes first in Python's method resolution order and each class overriding
// what its bases declared: a version or a license under the same when= replaces the
// base's, a source attribute set replaces the base's. Only the package's hierarchy is
// read, not the whole repository.
//
// Read gives the file as written, which is what the update bot edits; ReadInherited
// gives what Spack sees in the package class, for an SBOM.
func ReadInherited(repo *spack.Repo, name string) (*Package, error) {
	rp, err := repo.Package(name)
	if err != nil {
		return nil, err
	}
	h := hierarchy{repo: repo, files: map[string]*Package{}}
	a := newTestAnalyzer()
	a.load = h.load
	m := a.module(packageKey(rp))
	if h.err != nil {
		return nil, h.err
	}
	cls := a.lookup(m, ClassName(name), 0)
	if cls == nil {
		return nil, fmt.Errorf("%s: no class %s", rp.File, ClassName(name))
	}
	mro := a.mro(cls)
	if h.err != nil {
		return nil, h.err
	}
	out := &Package{}
	for i := len(mro) - 1; i >= 0; i-- {
		if f := h.files[mro[i].module.key]; f != nil && f.classes[mro[i].name] != nil {
			out.override(f.classes[mro[i].name])
		}
	}
	return out, nil
}

// hierarchy loads the modules a package's classes derive from, keeping the
// declarations of package.py files.
type hierarchy struct {
	repo  *spack.Repo
	files map[string]*Package // by module key
	err   error               // the first file that could not be read
}

func (h *hierarchy) load(key string) *srcModule {
	var path string
	switch {
	case strings.HasPrefix(key, "pkg:"):
		path = filepath.Join(h.repo.Root, "packages", strings.TrimPrefix(key, "pkg:"), "package.py")
	case strings.HasPrefix(key, "bs:"):
		path = filepath.Join(h.repo.Root, "build_systems", strings.TrimPrefix(key, "bs:")+".py")
	default:
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && h.err == nil {
			h.err = fmt.Errorf("reading package.py: %w", err)
		}
		return nil
	}
	if strings.HasPrefix(key, "pkg:") {
		p, err := Parse(path, data)
		if err != nil {
			if h.err == nil {
				h.err = err
			}
			return nil
		}
		h.files[key] = p
	}
	return parseSrcModule(key, data)
}

// override adds the declarations of a class derived from what p holds.
func (p *Package) override(derived *Package) {
	for _, v := range derived.Versions {
		if i := p.indexVersion(v.Version); i >= 0 {
			p.Versions[i] = v
		} else {
			p.Versions = append(p.Versions, v)
		}
	}
	p.Dynamic += derived.Dynamic
	for _, l := range derived.Licenses {
		if i := p.indexLicense(l.When); i >= 0 {
			p.Licenses[i] = l
		} else {
			p.Licenses = append(p.Licenses, l)
		}
	}
	s, d := &p.Source, derived.Source
	for _, f := range []struct{ to, from *string }{{&s.Homepage, &d.Homepage}, {&s.URL, &d.URL}, {&s.Git, &d.Git}, {&s.ListURL, &d.ListURL}} {
		if *f.from != "" {
			*f.to = *f.from
		}
	}
	if d.URLs != nil {
		s.URLs = d.URLs
	}
}

func (p *Package) indexVersion(v spack.Version) int {
	for i, pv := range p.Versions {
		if pv.Version.Equal(v) {
			return i
		}
	}
	return -1
}

func (p *Package) indexLicense(when string) int {
	for i, l := range p.Licenses {
		if l.When == when {
			return i
		}
	}
	return -1
}
