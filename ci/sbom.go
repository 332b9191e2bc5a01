package main

import (
	"log"
	"time"

	"github.com/spack-ghcr/spack-ghcr/sbom"
	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
)

// sbomPath is where the runtime image holds its SBOM.
const sbomPath = "/opt/spack-ghcr/sbom.spdx.json"

// imageSBOM is the SPDX document of what the image ships, with what each package.py
// declares (license, homepage, source) when a spack-packages checkout is at hand;
// without one those are NOASSERTION.
func imageSBOM(env string, lf *spack.Lockfile, shipped []*spack.ConcreteSpec, packagesDir string, created time.Time) ([]byte, error) {
	meta := map[string]sbom.Package{}
	if packagesDir != "" {
		repo, err := spack.OpenRepo(packagesDir)
		if err != nil {
			return nil, err
		}
		for _, s := range shipped {
			p, err := pkgpy.ReadInherited(repo, s.Name)
			if err != nil {
				log.Printf("%s: SBOM: %s: %v", env, s.Name, err)
				continue
			}
			meta[s.Name] = packageFacts(p, s.Version)
		}
	}
	return sbom.Document(sbom.Input{Name: env, Lockfile: lf, Shipped: shipped, Packages: meta, Created: created})
}

// packageFacts picks the license that holds for version v, as SPDX.
func packageFacts(p *pkgpy.Package, v string) sbom.Package {
	out := sbom.Package{Homepage: p.Source.Homepage, SourceURL: p.Source.URL}
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
