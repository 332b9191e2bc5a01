package main

import (
	"fmt"
	"strings"

	"dagger.io/dagger"
)

// Paths inside the builder. The install tree and its projection are ours, not Spack's
// defaults, so that prefixes are short and the same in the builder and the runtime image.
const (
	spackConfigDir = "/opt/spack-ghcr/config"
	packagesDir    = "/opt/spack-ghcr/packages"
	mirrorDir      = "/opt/spack-ghcr/mirror"
	envDir         = "/opt/spack-ghcr/env"
	installRoot    = "/opt/software"
	sourceCacheDir = "/var/cache/spack-ghcr/source"
	buildCacheDir  = "/var/cache/spack-ghcr/buildcache"
	stageDir       = "/tmp/spack-stage"
)

// spackCmd is `spack` with our configuration scope in front of every command, so no
// stage depends on state an earlier one left in ~/.spack.
func spackCmd(args ...string) []string {
	return append([]string{"spack", "-C", spackConfigDir}, args...)
}

// spackEnvCmd is spackCmd inside the environment.
func spackEnvCmd(args ...string) []string {
	return spackCmd(append([]string{"-e", envDir}, args...)...)
}

// packageSource says where the builtin package repository comes from: a local
// directory (offline, tests) or a git commit (the pin in pins.yaml).
type packageSource struct {
	dir    *dagger.Directory
	git    string
	commit string
}

// tree returns the repository checkout as a directory.
func (s packageSource) tree(client *dagger.Client) *dagger.Directory {
	if s.dir != nil {
		return s.dir
	}
	return client.Git(s.git, dagger.GitOpts{KeepGitDir: false}).Commit(s.commit).Tree()
}

// builderSettings are the inputs of the builder stages that do not depend on the
// environment.
type builderSettings struct {
	image        string
	spackVersion string
	packages     packageSource
	mirror       *dagger.Directory // nil without a source mirror
	target       string            // "" leaves the target to Spack
	osPackages   []string          // container.os_packages.build
	// cacheKey, when set, gives the run caches of its own and busts the engine's
	// layer cache: `bench` measures cold runs with it.
	cacheKey string
}

// withSpackConfig writes our configuration scope: where to install, the package
// repository, the mirrors (sources, and the binary cache every install pushes to),
// and the portable target.
func withSpackConfig(s builderSettings, envTarget string) func(*dagger.Container) *dagger.Container {
	return func(c *dagger.Container) *dagger.Container {
		config := fmt.Sprintf(`config:
  install_tree:
    root: %s
    projections:
      all: "{name}-{version}-{hash}"
  source_cache: %s
  build_stage: [%s]
  test_stage: %s
`, installRoot, sourceCacheDir, stageDir, testStageDir)
		repos := fmt.Sprintf("repos:\n  builtin: %s/repos/spack_repo/builtin\n", packagesDir)
		mirrors := fmt.Sprintf(`mirrors:
  spack-ghcr-buildcache:
    url: file://%s
    signed: false
    autopush: true
`, buildCacheDir)
		if s.mirror != nil {
			mirrors += fmt.Sprintf("  spack-ghcr-sources:\n    url: file://%s\n    binary: false\n", mirrorDir)
		}
		// The environment's own target wins; otherwise a portable one, since the build
		// machine's CPU would give binaries that older machines cannot run.
		packages := "packages: {}\n"
		if envTarget == "" && s.target != "" {
			packages = fmt.Sprintf("packages:\n  all:\n    require:\n    - \"target=%s\"\n", s.target)
		}
		bootstrap := "bootstrap:\n  enable: false\n"
		return c.
			WithNewFile(spackConfigDir+"/config.yaml", config).
			WithNewFile(spackConfigDir+"/repos.yaml", repos).
			WithNewFile(spackConfigDir+"/mirrors.yaml", mirrors).
			WithNewFile(spackConfigDir+"/packages.yaml", packages).
			WithNewFile(spackConfigDir+"/bootstrap.yaml", bootstrap)
	}
}

// builderBase is the Spack image with the package repository, the source mirror and the
// cache volumes: everything the environment's build needs but the environment itself.
func builderBase(client *dagger.Client, s builderSettings) *dagger.Container {
	suffix := ""
	if s.cacheKey != "" {
		suffix = "-" + s.cacheKey
	}
	c := client.Container().From(s.image).
		WithEnvVariable("SPACK_COLOR", "never").
		WithEnvVariable("SPACK_GHCR_CACHE_KEY", s.cacheKey).
		WithDirectory(packagesDir, s.packages.tree(client)).
		WithMountedCache(sourceCacheDir, client.CacheVolume("spack-ghcr/source-cache"+suffix)).
		// Binaries are only valid for the Spack that built them.
		WithMountedCache(buildCacheDir, client.CacheVolume("spack-ghcr/buildcache-"+s.spackVersion+suffix))
	if s.mirror != nil {
		c = c.WithMountedDirectory(mirrorDir, s.mirror)
	}
	if len(s.osPackages) > 0 {
		c = c.WithExec([]string{"apt-get", "update"}).
			WithExec(append([]string{"apt-get", "install", "-y", "--no-install-recommends"}, s.osPackages...))
	}
	return c
}

// withEnvironment copies in only spack.yaml (and a committed spack.lock and the
// environment's own package repository), so that other edits in the repository do not
// invalidate the cached concretization and install.
func withEnvironment(spackYAML, spackLock *dagger.File, repo *dagger.Directory) func(*dagger.Container) *dagger.Container {
	return func(c *dagger.Container) *dagger.Container {
		c = c.WithFile(envDir+"/spack.yaml", spackYAML).WithWorkdir(envDir)
		if spackLock != nil {
			c = c.WithFile(envDir+"/spack.lock", spackLock)
		}
		if repo != nil {
			c = c.WithDirectory(envDir+"/repo", repo)
		}
		return c
	}
}

// concretize solves the environment and writes spack.lock.
func concretize(c *dagger.Container) *dagger.Container {
	return c.WithExec(spackEnvCmd("concretize"), dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
}

// install builds the environment; tests is none, root or all. The exit code is read
// by the caller, so that a failed build still yields its logs.
func install(tests string) func(*dagger.Container) *dagger.Container {
	return func(c *dagger.Container) *dagger.Container {
		args := []string{"install", "--fail-fast"}
		if tests != "none" {
			args = append(args, "--test="+tests)
		}
		// CC and friends: Spack's build-time tests and stand-alone tests that compile
		// code look for them.
		return c.WithEnvVariable("CC", "gcc").WithEnvVariable("CXX", "g++").WithEnvVariable("FC", "gfortran").
			WithExec(spackEnvCmd(args...), dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	}
}

// prefixes lists `hash prefix` lines for every installed spec.
func prefixesCmd() []string {
	return spackCmd("find", "--no-groups", "--format", "{hash} {prefix}")
}

// parsePrefixes reads prefixesCmd's output.
func parsePrefixes(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		hash, prefix, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && strings.HasPrefix(prefix, "/") {
			m[hash] = prefix
		}
	}
	return m
}
