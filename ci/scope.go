package main

import (
	"fmt"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// scopeSettings are the pipeline's own Spack settings for one build.
type scopeSettings struct {
	// packages is the packages: section: the portable target joined to the
	// environment's requirements (spack.Environment.PackagesConfig).
	packages string
	mirror   bool // a source mirror is mounted
	// view is where Spack's default view goes, or "" to leave the environment's view
	// setting alone (false, a path, named views).
	view string
	// buildcache is the shared OCI build cache, "" for none; cacheAuth says whether
	// its credentials are in the builder's environment (cacheUserVar, cacheTokenVar).
	buildcache string
	cacheAuth  bool
}

// The shared build cache's mirror name, and the variables that hold its credentials
// in the builder (the token as a Dagger secret). Spack reads the token from its own
// environment, and a package's build inherits that environment, which Spack writes
// whole to the build stage's spack-build-env.txt and which every configure, make and
// test script sees. Spack's clean build environment drops variables named *_ROOT
// (other than SPACK_ROOT; build_environment.clean_environment), so the token's name
// ends in _ROOT: Spack has it to fetch and push binaries, no build does.
const (
	sharedCacheMirror = "spack-ghcr-shared"
	cacheUserVar      = "SPACK_GHCR_BUILDCACHE_USER"
	cacheTokenVar     = "SPACK_GHCR_BUILDCACHE_TOKEN_ROOT"
)

// spackScope is the pipeline's configuration scope, `spack -C`, which Spack reads above
// the environment's own: where to install, the package repository, the mirrors (sources,
// and the binary cache every install pushes to), the target, the view. It leaves
// bootstrapping as the builder image has it: Spack's official images keep clingo in the
// bootstrap store, which `bootstrap: enable: false` would make unreachable.
func spackScope(s scopeSettings) map[string]string {
	files := map[string]string{
		"config.yaml": fmt.Sprintf(`config:
  install_tree:
    root: %s
    projections:
      all: "{name}-{version}-{hash}"
  source_cache: %s
  misc_cache: %s
  build_stage: [%s]
  test_stage: %s
`, installRoot, sourceCacheDir, miscCacheDir, stageDir, testStageDir),
		"repos.yaml":    fmt.Sprintf("repos:\n  builtin: %s/repos/spack_repo/builtin\n", packagesDir),
		"packages.yaml": s.packages,
	}
	mirrors := fmt.Sprintf(`mirrors:
  spack-ghcr-buildcache:
    url: file://%s
    signed: false
    autopush: true
`, buildCacheDir)
	if s.buildcache != "" {
		mirrors += fmt.Sprintf("  %s:\n    url: %s\n    signed: false\n    source: false\n", sharedCacheMirror, s.buildcache)
		if s.cacheAuth {
			mirrors += fmt.Sprintf("    access_pair:\n      id_variable: %s\n      secret_variable: %s\n", cacheUserVar, cacheTokenVar)
		}
	}
	if s.mirror {
		mirrors += fmt.Sprintf("  spack-ghcr-sources:\n    url: file://%s\n    binary: false\n", mirrorDir)
	}
	files["mirrors.yaml"] = mirrors
	if s.view != "" {
		files["view.yaml"] = fmt.Sprintf("view: %s\n", s.view)
	}
	return files
}

// viewSettings decides where the environment's view is in the builder, and whether
// the pipeline places Spack's default view: a view in Spack's default place
// (.spack-env/view) moves to spack.DefaultViewRoot, so that the image's PATH reads
// /opt/view/bin; a view the environment places stays there.
func viewSettings(v spack.View, envDir string) (root, scopeView string) {
	switch {
	case !v.Enabled:
		return "", ""
	case v.Root == "":
		return spack.DefaultViewRoot, spack.DefaultViewRoot
	case v.Root[0] == '/':
		return v.Root, ""
	}
	return envDir + "/" + v.Root, ""
}
