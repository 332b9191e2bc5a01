package pipeline

import (
	"context"
	"fmt"
	"path"
	"strings"

	"dagger.io/dagger"
)

// Paths inside the builder. The install tree is ours, not Spack's default, so that
// prefixes are short and the same in the builder and the runtime image.
const (
	spackConfigDir = "/opt/spack-ghcr/config"
	packagesDir    = "/opt/spack-ghcr/packages"
	mirrorDir      = "/opt/spack-ghcr/mirror"
	// srcRoot holds the environment and what it includes at their places in the
	// repository, so that relative includes resolve as they do on the host.
	srcRoot        = "/opt/spack-ghcr/src"
	InstallRoot    = "/opt/software"
	sourceCacheDir = "/var/cache/spack-ghcr/source"
	buildCacheDir  = "/var/cache/spack-ghcr/buildcache"
	// miscCacheDir keeps Spack's indexes of the package repository between builds:
	// making them is most of a first concretization.
	miscCacheDir = "/var/cache/spack-ghcr/misc"
	stageDir     = "/tmp/spack-stage"
)

// builderInputs are what the builder stage takes.
type builderInputs struct {
	image        string
	spackVersion string
	packages     *dagger.Directory
	mirror       *dagger.Directory // nil without a source mirror
	osPackages   []string          // container.os_packages.build
	// source is the environment and its includes at their repository paths, envRel
	// the environment's own path in it.
	source *dagger.Directory
	envRel string
	// scope is the pipeline's Spack configuration scope: file name to content.
	scope map[string]string
	// cacheKey, when set, gives the run caches of its own: `bench` measures cold runs
	// with it.
	cacheKey string
	// cacheUser and cacheToken log in to the shared build cache.
	cacheUser  string
	cacheToken *dagger.Secret
}

// Builder is the Spack image ready to build one environment: caches, package
// repository, configuration and the environment in place.
type Builder struct {
	ctr *dagger.Container
	// spack is the spack command as the image holds it.
	spack string
	// envDir is the environment in the builder.
	envDir string
	// view is where the environment's view is in the builder, "" for none.
	view string
}

// newBuilder prepares the builder and finds Spack in it the way Spack's official images
// hold it: `spack` on PATH, else $SPACK_ROOT/bin/spack (their ENTRYPOINT, which execs
// do not run, is what puts spack on PATH).
func newBuilder(ctx context.Context, client *dagger.Client, in builderInputs) (*Builder, error) {
	c := client.Container().From(in.image).
		WithEnvVariable("SPACK_COLOR", "never").
		WithEnvVariable("SPACK_GHCR_CACHE_KEY", in.cacheKey).
		WithDirectory(packagesDir, in.packages).
		WithMountedCache(sourceCacheDir, client.CacheVolume(cacheVolume("spack-ghcr/source-cache", in.cacheKey))).
		// Binaries are only valid for the Spack that built them.
		WithMountedCache(buildCacheDir, client.CacheVolume(cacheVolume("spack-ghcr/buildcache-"+in.spackVersion, in.cacheKey))).
		WithMountedCache(miscCacheDir, client.CacheVolume(cacheVolume("spack-ghcr/misc-cache-"+in.spackVersion, in.cacheKey)))
	if in.mirror != nil {
		c = c.WithMountedDirectory(mirrorDir, in.mirror)
	}
	if in.cacheToken != nil {
		c = c.WithEnvVariable(cacheUserVar, in.cacheUser).WithSecretVariable(cacheTokenVar, in.cacheToken)
	}
	if len(in.osPackages) > 0 {
		c = c.WithExec([]string{"apt-get", "update"}).
			WithExec(append([]string{"apt-get", "install", "-y", "--no-install-recommends"}, in.osPackages...))
	}
	spackBin, err := locateSpack(ctx, c, in.image)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(in.scope) {
		c = c.WithNewFile(path.Join(spackConfigDir, name), in.scope[name])
	}
	envDir := path.Join(srcRoot, in.envRel)
	c = c.WithDirectory(srcRoot, in.source).WithWorkdir(envDir)
	return &Builder{ctr: c, spack: spackBin, envDir: envDir}, nil
}

// cacheVolume names a cache volume: one of its own for a cache key.
func cacheVolume(name, cacheKey string) string {
	if cacheKey == "" {
		return name
	}
	return name + "-" + cacheKey
}

// locateScript prints where spack is; it is fixed text, with no input in it.
const locateScript = `command -v spack || { test -n "$SPACK_ROOT" && test -x "$SPACK_ROOT/bin/spack" && echo "$SPACK_ROOT/bin/spack"; } || exit 3`

// locateSpack finds the spack command in the image.
func locateSpack(ctx context.Context, c *dagger.Container, image string) (string, error) {
	out, err := c.WithExec([]string{"sh", "-c", locateScript}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).Stdout(ctx)
	if err != nil {
		return "", fmt.Errorf("looking for Spack in the builder image %s: %w", image, execDetail(err))
	}
	p := strings.TrimSpace(out)
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("the builder image %s has no Spack: a builder image must have `spack` on PATH or SPACK_ROOT set to a Spack checkout (as Spack's own images, ghcr.io/spack/<os>:<version>, do), with clingo importable or in Spack's bootstrap store, a compiler, and Python 3", image)
	}
	return p, nil
}

// cmd is the spack command with the pipeline's configuration scope in front of every
// command, so that no stage depends on state an earlier one left in ~/.spack. It runs
// through ownLocksScript.
func (b *Builder) cmd(args ...string) []string {
	return append([]string{"sh", "-c", ownLocksScript, "sh", b.spack, "-C", spackConfigDir}, args...)
}

// ownLocksScript gives each of Spack's lock files an inode of its own, then runs the
// command (its arguments). The engine may merge snapshots with hard links, and
// overlayfs copies a hard-linked file of a lower layer up to a new inode when it is
// opened for writing. Spack opens its lock files read-write and keys them by the inode
// it saw before opening, so a lock file an earlier exec made could fail a later one
// with "Attempted to close non-existing inode" (the fault drills hit it after two
// builds at once). Copying such a file over itself first leaves nothing to copy up.
// The paths are fixed: the environment (the working directory), the install tree and
// the bootstrap store.
const ownLocksScript = `for d in .spack-env ` + InstallRoot + `/.spack-db "$HOME/.spack/bootstrap/store/.spack-db"; do
  [ -d "$d" ] || continue
  find "$d" -maxdepth 1 -type f -links +1 | while IFS= read -r f; do cp -p "$f" "$f.own" && mv -f "$f.own" "$f"; done
done
exec "$@"`

// envCmd is cmd inside the environment.
func (b *Builder) envCmd(args ...string) []string {
	return b.cmd(append([]string{"-e", b.envDir}, args...)...)
}

// userPath maps a builder path in Spack's messages back to the user's file: the
// environment's files sit at their repository paths under srcRoot.
func userPath(msg string) string {
	return strings.ReplaceAll(msg, srcRoot+"/", "")
}
