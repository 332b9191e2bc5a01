package pipeline

import (
	"log"
	"time"

	"github.com/spack-ghcr/spack-ghcr/sbom"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// sbomPath is where the runtime image holds its SBOM.
const sbomPath = "/opt/spack-ghcr/sbom.spdx.json"

// imageSBOM is the SPDX document of what the image ships, with what each package.py
// declares (license, homepage, source) when a spack-packages checkout is at hand;
// without one those are NOASSERTION.
func imageSBOM(env string, lf *spack.Lockfile, shipped []*spack.ConcreteSpec, packagesDir string, created time.Time) ([]byte, error) {
	var meta map[string]sbom.Package
	if packagesDir != "" {
		repo, err := spack.OpenRepo(packagesDir)
		if err != nil {
			return nil, err
		}
		var skipped []error
		meta, skipped = sbom.ReadPackages(repo, shipped)
		for _, err := range skipped {
			log.Printf("%s: SBOM: %v", env, err)
		}
	}
	return sbom.Document(sbom.Input{Name: env, Lockfile: lf, Shipped: shipped, Packages: meta, Created: created})
}
