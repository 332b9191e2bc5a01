package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSpackScopeLeavesBootstrapping: Spack's official images keep clingo in the
// bootstrap store, which `bootstrap: enable: false` makes unreachable, so the pipeline's
// scope never says anything about bootstrapping, whatever the settings.
func TestSpackScopeLeavesBootstrapping(t *testing.T) {
	for _, s := range []scopeSettings{{}, {packages: "packages: {}\n", mirror: true, view: "/opt/view"}} {
		files := spackScope(s).Files()
		assert.NotContains(t, files, "bootstrap.yaml")
		for name, content := range files {
			assert.NotContains(t, content, "bootstrap", name)
		}
		assert.Contains(t, files["config.yaml"], "root: /opt/software")
		assert.Equal(t, s.mirror, strings.Contains(files["mirrors.yaml"], "spack-ghcr-sources"))
	}
}

func TestSpackScopeSharedCache(t *testing.T) {
	files := spackScope(scopeSettings{buildcache: "oci://ghcr.io/o/buildcache", cacheAuth: true}).Files()
	assert.Contains(t, files["mirrors.yaml"], "  spack-ghcr-shared:\n    url: oci://ghcr.io/o/buildcache\n    signed: false\n    source: false\n    access_pair:\n      id_variable: SPACK_GHCR_BUILDCACHE_USER\n      secret_variable: SPACK_GHCR_BUILDCACHE_TOKEN_ROOT\n")
	assert.NotContains(t, spackScope(scopeSettings{buildcache: "oci+http://127.0.0.1:5000/c"}).Files()["mirrors.yaml"], "access_pair")
}
