package main

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

// buildEnvironment runs the pipeline for one environment: builder, concretize,
// install, tests, runtime image, smoke test, measure, publish. Results are saved on
// every path out once tests have run, so no result is lost when a later stage fails.
func buildEnvironment(ctx context.Context, client *dagger.Client, cfg buildConfig, sh shared, env *spack.Environment) (*buildResult, error) {
	out := filepath.Join(cfg.out, env.Name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	res := newBuildResult(env, cfg.target)
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
	b, err := prepareBuilder(ctx, client, cfg, sh, env)
	if err != nil {
		return nil, err
	}
	p.stage("concretizing")
	concretized, lf, err := concretize(ctx, b, out)
	if err != nil {
		return nil, err
	}
	res.addLockfile(lf)
	capture := newCapture(cfg, sh, env.Name, lf, p.start)

	p.stage("installing")
	inst, err := installAndInspect(ctx, b, concretized, lf, capture, cfg, out, res)
	if err != nil {
		return nil, err
	}
	p.stage("testing")
	work, err := os.MkdirTemp("", "spack-ghcr-"+env.Name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := runTests(ctx, capture, testInputs{builder: b, installed: inst, lockfile: lf, tests: cfg.tests, standAlone: cfg.standAlone, timeout: cfg.testTimeout, work: work}); err != nil {
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
	b        *builder
	inst     *installed
	lockfile *spack.Lockfile
	work     string // a scratch directory on the local disk
}

// ship runs the stages after the tests: runtime image, smoke test, measure, publish.
func ship(ctx context.Context, client *dagger.Client, cfg buildConfig, sh shared, env *spack.Environment, t tested, p *progress, res *buildResult) error {
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
	if err := measureStage(ctx, client, ctr, t.inst.ctr, cfg, env, filepath.Join(cfg.out, env.Name), t.work, res); err != nil {
		return err
	}
	if cfg.registry == "" {
		return nil
	}
	p.stage("publishing")
	return publishStage(ctx, cfg, sh, env, t.lockfile, res)
}

// prepareBuilder is the builder stage: image, Spack, package repository, caches, the
// pipeline's configuration and the environment with what it includes.
func prepareBuilder(ctx context.Context, client *dagger.Client, cfg buildConfig, sh shared, env *spack.Environment) (*builder, error) {
	packagesYAML, outcome, err := env.PackagesConfig(cfg.target)
	if err != nil {
		return nil, err
	}
	log.Printf("%s: target %s", env.Name, outcome)
	envDir := path.Join(srcRoot, env.RelDir)
	viewRoot, scopeView := env.View.Placement(envDir)
	cacheURL, bindCache := cfg.buildcache, func(c *dagger.Container) *dagger.Container { return c }
	if cacheURL != "" {
		if cacheURL, bindCache, err = cacheEndpoint(client, cacheURL); err != nil {
			return nil, err
		}
	}
	in := builderInputs{
		image:        env.Images.Builder,
		spackVersion: env.Images.SpackVersion,
		packages:     packageTree(client, cfg.packagesDir, sh.pins),
		osPackages:   env.Container.OSPackages.Build,
		source:       environmentSource(client, env),
		envRel:       env.RelDir,
		scope: spackScope(scopeSettings{packages: packagesYAML, mirror: cfg.mirrorDir != "", view: scopeView,
			buildcache: cacheURL, cacheAuth: sh.cacheAuth != nil}).Files(),
		cacheKey:   sh.cacheKey,
		cacheUser:  cfg.registryUser,
		cacheToken: sh.cacheAuth,
	}
	if cfg.mirrorDir != "" {
		in.mirror = client.Host().Directory(cfg.mirrorDir)
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

// installAndInspect installs; when that fails, it keeps Spack's build logs and what
// the build-time tests said before returning the error.
func installAndInspect(ctx context.Context, b *builder, concretized *dagger.Container, lf *spack.Lockfile, capture *results.Capture, cfg buildConfig, out string, res *buildResult) (*installed, error) {
	c, ilog, err := install(ctx, b, concretized, cfg.tests, out)
	res.BuiltFromSrc, res.FromCache = ilog.Built, ilog.Cached
	if err != nil {
		if dir, xerr := keepBuildLogs(ctx, c, out); xerr == nil {
			err = fmt.Errorf("%w (build logs in %s)", err, dir)
		}
		work, werr := os.MkdirTemp("", "spack-ghcr-failed-")
		if werr == nil {
			defer os.RemoveAll(work)
			if cerr := captureBuildTime(ctx, capture, c, lf.TestedSpecs(cfg.tests), nil, false, work); cerr != nil {
				log.Printf("%s: capturing build-time tests: %v", capture.Run.Environment, cerr)
			}
		}
		return nil, errors.Join(err, saveResults(capture, cfg))
	}
	log.Printf("%s: %d built from source, %d from the binary cache", capture.Run.Environment, len(ilog.Built), len(ilog.Cached))
	if cfg.buildcache != "" && cfg.pushCache {
		res.CachePush = pushBuildCache(ctx, b, c, capture.Run.Environment)
	}
	return inspect(ctx, b, c, lf)
}

// newCapture starts the test results of this run.
func newCapture(cfg buildConfig, sh shared, env string, lf *spack.Lockfile, started time.Time) *results.Capture {
	c := results.NewCapture(results.NewRunID(time.Now(), cmp.Or(cfg.revision, os.Getenv("GITHUB_SHA"))), env, started)
	c.Run.Spack = results.SpackInfo{Version: lf.SpackVersion}
	c.Run.Tests = cfg.tests
	c.Run.Packages = results.RepoInfo{Namespace: "builtin", Commit: provenance.PackagesCommit(cfg.packagesDir, sh.pins)}
	return c
}

// saveResults writes what the tests said, and appends it to the job summary.
func saveResults(c *results.Capture, cfg buildConfig) error {
	c.Run.Finished = time.Now().UTC()
	dir, err := c.Write(cfg.out)
	if err != nil {
		return err
	}
	log.Printf("%s: test results in %s", c.Run.Environment, dir)
	if cfg.summary == "" {
		return nil
	}
	md, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		return err
	}
	return actions.AppendSummary(cfg.summary, md)
}
