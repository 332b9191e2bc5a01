package pipeline

import (
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// scopeSettings are the pipeline's own Spack settings for one build.
type scopeSettings struct {
	// packages is the packages: section: the portable target joined to the
	// environment's requirements (spack.Environment.PackagesConfig).
	packages string
	mirror   bool // a source mirror is mounted
	// view is where Spack's default view goes, or "" to leave the environment's view
	// setting alone (spack.View.Placement).
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

// spackScope is the pipeline's configuration scope, `spack -C`: the builder's paths,
// the package repository, the mirrors (the binary cache every install pushes to, the
// shared one, sources), the target and the view.
func spackScope(s scopeSettings) spack.Scope {
	scope := spack.Scope{
		InstallRoot: InstallRoot, SourceCache: sourceCacheDir, MiscCache: miscCacheDir, BuildStage: stageDir,
		TestStage: testStageDir, Repo: packagesDir + "/repos/spack_repo/builtin", Packages: s.packages, View: s.view,
		Mirrors: []spack.Mirror{{Name: "spack-ghcr-buildcache", URL: "file://" + buildCacheDir, Binary: true, Source: true, Autopush: true}},
	}
	if s.buildcache != "" {
		shared := spack.Mirror{Name: sharedCacheMirror, URL: s.buildcache, Binary: true}
		if s.cacheAuth {
			shared.IDVariable, shared.SecretVariable = cacheUserVar, cacheTokenVar
		}
		scope.Mirrors = append(scope.Mirrors, shared)
	}
	if s.mirror {
		scope.Mirrors = append(scope.Mirrors, spack.Mirror{Name: "spack-ghcr-sources", URL: "file://" + mirrorDir, Source: true})
	}
	return scope
}
