package pipeline

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// spackRun runs one Spack command on base whose failure is data: its output goes to
// logPath whatever happens, and a non-zero exit becomes an error with Spack's own error
// lines, its paths mapped back to the user's files. The container is returned either
// way: a failed install's stage holds the build logs.
func spackRun(ctx context.Context, base *dagger.Container, args []string, logPath, what string) (*dagger.Container, string, error) {
	c, out, code, err := runFailable(ctx, base, args)
	if err != nil {
		return c, "", fmt.Errorf("%s: %w", what, err)
	}
	if err := os.WriteFile(logPath, []byte(out), 0o644); err != nil {
		return c, "", fmt.Errorf("%s: writing the log: %w", what, err)
	}
	if full, ok := diskFull(out); code != 0 && ok {
		return c, out, fmt.Errorf("%s: spack exited %d: %w (full log: %s)", what, code, full, logPath)
	}
	if code != 0 {
		return c, out, fmt.Errorf("%s: spack exited %d: %s (full log: %s)", what, code, userPath(spack.FirstLines(spack.ErrorLines(out), 4)), logPath)
	}
	return c, out, nil
}

// Concretize solves the environment, writes OUT/ENV/spack.lock and returns it. A
// spack.lock committed with the environment is honoured as is: Spack keeps what it
// holds, and a run whose concretization changes it fails (committedLock).
func Concretize(ctx context.Context, b *Builder, out string) (*dagger.Container, *spack.Lockfile, error) {
	committed, err := committedLockfile(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	c, _, err := spackRun(ctx, b.ctr, b.envCmd("concretize"), filepath.Join(out, "concretize.log"), "concretizing")
	if err != nil {
		return nil, nil, err
	}
	data, err := c.File(b.envDir + "/spack.lock").Contents(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading spack.lock: %w", execDetail(err))
	}
	lockPath := filepath.Join(out, "spack.lock")
	if err := os.WriteFile(lockPath, []byte(data), 0o644); err != nil {
		return nil, nil, fmt.Errorf("writing spack.lock: %w", err)
	}
	lf, err := spack.ParseLockfile(lockPath, []byte(data))
	if err != nil {
		return nil, nil, err
	}
	if committed != nil {
		if change := committed.Change(lf); change != "" {
			return nil, nil, fmt.Errorf("%s is committed, but concretizing changed it (%s): spack.yaml asks for something else now; run `spack -e %s concretize --force` and commit the result, or delete it",
				userPath(b.envDir+"/spack.lock"), change, userPath(b.envDir))
		}
	}
	return c, lf, nil
}

// committedLockfile reads the spack.lock that came with the environment, nil for none.
func committedLockfile(ctx context.Context, b *Builder) (*spack.Lockfile, error) {
	entries, err := b.ctr.Directory(b.envDir).Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the environment: %w", execDetail(err))
	}
	if !slices.Contains(entries, "spack.lock") {
		return nil, nil
	}
	data, err := b.ctr.File(b.envDir + "/spack.lock").Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the committed spack.lock: %w", execDetail(err))
	}
	return spack.ParseLockfile(userPath(b.envDir+"/spack.lock"), []byte(data))
}

// Install builds the environment; tests is none, root or all. The exit code is read
// here, so that a failed build still yields its logs (installFailure).
func Install(ctx context.Context, b *Builder, concretized *dagger.Container, tests, out string) (*dagger.Container, spack.InstallLog, error) {
	args := []string{"install", "--fail-fast"}
	if tests != "none" {
		args = append(args, "--test="+tests)
	}
	// CC and friends: Spack's build-time tests and stand-alone tests that compile
	// code look for them.
	c, log, err := spackRun(ctx, concretized.WithEnvVariable("CC", "gcc").WithEnvVariable("CXX", "g++").WithEnvVariable("FC", "gfortran"),
		b.envCmd(args...), filepath.Join(out, "install.log"), "installing")
	return c, spack.ParseInstallLog(log), err
}

// keepBuildLogs exports Spack's build logs of a failed install to OUT/ENV/build-logs.
// Of the build environment it keeps what Spack changed (spack-build-env-mods.txt), not
// the stage's spack-build-env.txt: that is the whole environment, secrets and all.
func keepBuildLogs(ctx context.Context, installed *dagger.Container, out string) (string, error) {
	dir := filepath.Join(out, "build-logs")
	logs := installed.Directory(stageDir).Filter(dagger.DirectoryFilterOpts{Include: []string{
		"**/spack-build-out.txt", "**/spack-build-env-mods.txt", "**/config.log", "**/install-time-test-log.txt",
	}})
	if _, err := logs.Export(ctx, dir); err != nil {
		return "", err
	}
	return dir, nil
}

// installed is the builder after a successful install, with what later stages read
// of it.
type installed struct {
	ctr *dagger.Container
	// prefixes maps a DAG hash to its install prefix.
	prefixes map[string]string
	// runEnv is the roots' run environment as `spack load` sets it (PYTHONPATH …).
	runEnv map[string]string
}

// inspect reads the install prefixes and the roots' run environment.
func inspect(ctx context.Context, b *Builder, c *dagger.Container, lf *spack.Lockfile) (*installed, error) {
	found, err := c.WithExec(b.cmd("find", "--no-groups", "--format", "{hash} {prefix}")).Stdout(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing install prefixes: %w", execDetail(err))
	}
	load := []string{"load", "--sh"}
	for _, r := range lf.RootSpecs() {
		load = append(load, "/"+r.Hash)
	}
	loadOut, err := c.WithExec(b.envCmd(load...)).Stdout(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the run environment: %w", execDetail(err))
	}
	runEnv, err := spack.ParseShellExports(loadOut)
	if err != nil {
		return nil, err
	}
	return &installed{ctr: c, prefixes: spack.ParsePrefixes(found), runEnv: runEnv}, nil
}

// pushBuildCache pushes the environment's binaries to the shared build cache and
// updates its index. A failure costs the next runner time, not this build: it is
// reported, not fatal. The exec runs every time (the registry, not the engine's cache,
// knows what is there; Spack skips what it holds).
func pushBuildCache(ctx context.Context, b *Builder, installed *dagger.Container, env string) string {
	c := installed.WithEnvVariable("SPACK_GHCR_PUSHED_AT", time.Now().UTC().Format(time.RFC3339Nano)).
		WithExec(b.envCmd("buildcache", "push", "--unsigned", "--update-index", sharedCacheMirror),
			dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	out, code, err := execResult(ctx, c)
	switch {
	case err != nil:
		log.Printf("%s: pushing to the build cache: %v", env, err)
		return "failed: " + err.Error()
	case code != 0:
		msg := spack.FirstLines(spack.ErrorLines(out), 2)
		log.Printf("%s: pushing to the build cache: spack exited %d: %s", env, code, msg)
		return fmt.Sprintf("failed: spack exited %d: %s", code, msg)
	}
	log.Printf("%s: binaries pushed to the build cache", env)
	return "pushed"
}
