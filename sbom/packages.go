package sbom

import (
	"fmt"

	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
)

// ReadPackages reads what each shipped spec's package.py in repo declares. A
// package.py that cannot be read is left out (its package gets NOASSERTION), with its
// error among skipped.
func ReadPackages(repo *spack.Repo, shipped []*spack.ConcreteSpec) (meta map[string]Package, skipped []error) {
	meta = map[string]Package{}
	for _, s := range shipped {
		p, err := pkgpy.ReadInherited(repo, s.Name)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("%s: %w", s.Name, err))
			continue
		}
		meta[s.Name] = FromPackage(p, s.Version)
	}
	return meta, skipped
}

// FromPackage is what package.py p declares of version v: homepage, source, and the
// first license that holds for v, as SPDX.
func FromPackage(p *pkgpy.Package, v string) Package {
	out := Package{Homepage: p.Source.Homepage, SourceURL: p.Source.URL}
	if out.SourceURL == "" {
		out.SourceURL = p.Source.Git
	}
	ver, err := spack.ParseVersion(v)
	for _, l := range p.Licenses {
		if err == nil {
			if applies, known := l.AppliesTo(ver); !applies || !known {
				continue
			}
		}
		if expr, err := l.SPDX(); err == nil {
			out.License = expr
			break
		}
	}
	return out
}
