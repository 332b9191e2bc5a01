// Package pipeline runs a Spack environment through the Dagger engine: builder,
// concretize, install, tests, runtime image, smoke test, measure, publish. Each stage
// is a function from container to container that returns what it found (a lockfile,
// what was built, the run's results, an image and its sizes, a reference); Build runs
// them in order. The ci command gives them their flags.
package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path"
	"path/filepath"
	"time"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/github/actions"
	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Build runs the pipeline for one environment: builder, concretize,
// install, tests, runtime image, smoke test, measure, publish. Results are saved on
// every path out once tests have run, so no result is lost when a later stage fails.
func Build(ctx context.Context, client *dagger.Client, cfg Config, sh Shared, env *spack.Environment) (*Result, error) {
	out := filepath.Join(cfg.Out, env.Name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	res := NewResult(env, cfg.Target)
	p := newProgress(env.Name, res)

	p.stage("resolving inputs")
	env, err := pinInputs(ctx, client, cfg, sh, env, res)
	if err != nil {
		return nil, err
	}
	if done, err := upToDate(ctx, cfg, sh, env, res); done || err != nil {
		return res, err
	}
	p.stage("preparing the builder")
	b, err := PrepareBuilder(ctx, client, cfg, sh, env)
	if err != nil {
		return nil, err
	}
	p.stage("concretizing")
	concretized, lf, err := Concretize(ctx, b, out)
	if err != nil {
		return nil, err
	}
	res.addLockfile(lf)
	capture := NewCapture(cfg, sh, env.Name, lf, p.start)

	p.stage("installing")
	inst, err := InstallAndInspect(ctx, b, concretized, lf, capture, cfg, out, res)
	if err != nil {
		return nil, err
	}
	p.stage("testing")
	work, err := os.MkdirTemp("", "spack-ghcr-"+env.Name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := runTests(ctx, capture, testInputs{builder: b, installed: inst, lockfile: lf, tests: cfg.Tests, standAlone: cfg.StandAlone, timeout: cfg.TestTimeout, work: work}); err != nil {
		return nil, err
	}
	if capture.Run.Failed() {
		return nil, errors.Join(fmt.Errorf("tests failed: %s: nothing published", capture.Run.FailedSpecs()), saveResults(capture, cfg))
	}
	if err := ship(ctx, client, cfg, sh, env, tested{b, inst, lf, work}, p, res); err != nil {
		return nil, errors.Join(err, saveResults(capture, cfg))
	}
	capture.Run.Image = results.ImageInfo{Ref: res.Ref, Digest: res.Digest}
	res.RunID = capture.Run.ID
	res.builder, res.installed = b, inst.ctr
	if err := saveResults(capture, cfg); err != nil {
		return nil, err
	}
	return res, p.done(filepath.Join(out, "build.json"))
}

// tested is what the stages after the tests take from the build.
type tested struct {
	b        *Builder
	inst     *installed
	lockfile *spack.Lockfile
	work     string // a scratch directory on the local disk
}

// ship runs the stages after the tests: runtime image, smoke test, measure, publish.
func ship(ctx context.Context, client *dagger.Client, cfg Config, sh Shared, env *spack.Environment, t tested, p *progress, res *Result) error {
	p.stage("assembling runtime image")
	ctr, err := runtimeStage(ctx, client, cfg, env, t.lockfile, t.b, t.inst, t.work, res)
	if err != nil {
		return err
	}
	p.stage("smoke testing")
	if err := smokeStage(ctx, client, ctr, env, res); err != nil {
		return err
	}
	p.stage("measuring")
	if err := measureStage(ctx, client, ctr, t.inst.ctr, cfg, env, filepath.Join(cfg.Out, env.Name), t.work, res); err != nil {
		return err
	}
	if cfg.Registry == "" {
		return nil
	}
	p.stage("publishing")
	return publishStage(ctx, cfg, sh, env, t.lockfile, res)
}

// PrepareBuilder is the builder stage: image, Spack, package repository, caches, the
// pipeline's configuration and the environment with what it includes.
func PrepareBuilder(ctx context.Context, client *dagger.Client, cfg Config, sh Shared, env *spack.Environment) (*Builder, error) {
	packagesYAML, outcome, err := env.PackagesConfig(cfg.Target)
	if err != nil {
		return nil, err
	}
	log.Printf("%s: target %s", env.Name, outcome)
	envDir := path.Join(srcRoot, env.RelDir)
	viewRoot, scopeView := env.View.Placement(envDir)
	cacheURL, bindCache := cfg.BuildCache, func(c *dagger.Container) *dagger.Container { return c }
	if cacheURL != "" {
		if cacheURL, bindCache, err = cacheEndpoint(client, cacheURL); err != nil {
			return nil, err
		}
	}
	in := builderInputs{
		image:        env.Images.Builder,
		spackVersion: env.Images.SpackVersion,
		packages:     packageTree(client, cfg.PackagesDir, sh.Pins),
		osPackages:   env.Container.OSPackages.Build,
		source:       environmentSource(client, env),
		envRel:       env.RelDir,
		scope: spackScope(scopeSettings{packages: packagesYAML, mirror: cfg.MirrorDir != "", view: scopeView,
			buildcache: cacheURL, cacheAuth: sh.CacheAuth != nil}).Files(),
		cacheKey:   sh.CacheKey,
		cacheUser:  cfg.RegistryUser,
		cacheToken: sh.CacheAuth,
	}
	if cfg.MirrorDir != "" {
		in.mirror = client.Host().Directory(cfg.MirrorDir)
	}
	b, err := newBuilder(ctx, client, in)
	if err != nil {
		return nil, err
	}
	b.ctr = b.ctr.With(bindCache)
	b.view = viewRoot
	return b, nil
}

// packageTree is the spack-packages checkout: the local one given, else the pin.
func packageTree(client *dagger.Client, dir string, pins *spack.Pins) *dagger.Directory {
	if dir != "" {
		return client.Host().Directory(dir, dagger.HostDirectoryOpts{Exclude: []string{".git"}})
	}
	return client.Git(pins.Packages.Git, dagger.GitOpts{KeepGitDir: false}).Commit(pins.Packages.Commit).Tree()
}

// environmentSource is the environment's files (spack.yaml as read and checked, a
// committed spack.lock, smoke.sh, a package repository of its own in repo/) and what it
// includes, at their repository paths. Only these enter the builder, so that other
// edits in the repository do not invalidate the cached concretization and install.
func environmentSource(client *dagger.Client, env *spack.Environment) *dagger.Directory {
	src := client.Directory().WithDirectory(env.RelDir, client.Host().Directory(env.Dir, dagger.HostDirectoryOpts{
		Include: provenance.EnvironmentFiles,
	})).WithNewFile(path.Join(env.RelDir, "spack.yaml"), string(env.Raw))
	for _, inc := range env.Includes {
		if inc.Dir {
			src = src.WithDirectory(inc.Rel, client.Host().Directory(inc.Path))
		} else {
			src = src.WithFile(inc.Rel, client.Host().File(inc.Path))
		}
	}
	return src
}

// InstallAndInspect installs; when that fails, it keeps Spack's build logs and what
// the build-time tests said before returning the error.
func InstallAndInspect(ctx context.Context, b *Builder, concretized *dagger.Container, lf *spack.Lockfile, capture *results.Capture, cfg Config, out string, res *Result) (*installed, error) {
	c, ilog, err := Install(ctx, b, concretized, cfg.Tests, out)
	res.BuiltFromSrc, res.FromCache = ilog.Built, ilog.Cached
	if err != nil {
		if dir, xerr := keepBuildLogs(ctx, c, out); xerr == nil {
			err = fmt.Errorf("%w (build logs in %s)", err, dir)
		}
		work, werr := os.MkdirTemp("", "spack-ghcr-failed-")
		if werr == nil {
			defer os.RemoveAll(work)
			if cerr := captureBuildTime(ctx, capture, c, lf.TestedSpecs(cfg.Tests), nil, false, work); cerr != nil {
				log.Printf("%s: capturing build-time tests: %v", capture.Run.Environment, cerr)
			}
		}
		return nil, errors.Join(err, saveResults(capture, cfg))
	}
	log.Printf("%s: %d built from source, %d from the binary cache", capture.Run.Environment, len(ilog.Built), len(ilog.Cached))
	if cfg.BuildCache != "" && cfg.PushCache {
		res.CachePush = pushBuildCache(ctx, b, c, capture.Run.Environment)
	}
	return inspect(ctx, b, c, lf)
}

// NewCapture starts the test results of this run.
func NewCapture(cfg Config, sh Shared, env string, lf *spack.Lockfile, started time.Time) *results.Capture {
	c := results.NewCapture(results.NewRunID(time.Now(), cmp.Or(cfg.Revision, os.Getenv("GITHUB_SHA"))), env, started)
	c.Run.Spack = results.SpackInfo{Version: lf.SpackVersion}
	c.Run.Tests = cfg.Tests
	c.Run.Packages = results.RepoInfo{Namespace: "builtin", Commit: provenance.PackagesCommit(cfg.PackagesDir, sh.Pins)}
	return c
}

// saveResults writes what the tests said, and appends it to the job summary.
func saveResults(c *results.Capture, cfg Config) error {
	c.Run.Finished = time.Now().UTC()
	dir, err := c.Write(cfg.Out)
	if err != nil {
		return err
	}
	log.Printf("%s: test results in %s", c.Run.Environment, dir)
	if cfg.Summary == "" {
		return nil
	}
	md, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		return err
	}
	return actions.AppendSummary(cfg.Summary, md)
}
