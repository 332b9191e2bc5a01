package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/enginetest"
	"github.com/spack-ghcr/spack-ghcr/pipeline"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Engine, disk, registry and secret drills of `build` (docs/reliability.md), on an
// engine of their own that they kill and restart, with real Spack. They run in order:
// each leaves the engine and its caches as the next expects.

// drillCanary is the password of every credential the drills pass; no output may
// hold it.
const drillCanary = "CANARY-4e1f9b27-spack-ghcr-drill"

// drillUser is the registry user the drills log in as.
const drillUser = "drill"

// drill holds what the drills share: the engine, the registries the builds push to,
// and every output, for the secrets scan.
type drill struct {
	t      *testing.T
	bin    string
	engine *drillEngine
	// reg takes the images, and only with the canary as password; cache takes Spack's
	// build cache. Spack sends credentials over plain HTTP only when challenged, so its
	// uploads to a registry that asks for them are cut off (a test bed matter: ghcr.io
	// speaks HTTPS, where Spack sends them at once).
	reg, cache *registrytest.Registry
	flags      []string
	work       string

	mu   sync.Mutex
	runs []ciRun
	outs []string
}

// newDrill sets the drills up, or skips.
func newDrill(t *testing.T) *drill {
	if testing.Short() {
		t.Skip("engine drills need minutes; skipped with -short")
	}
	bed := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE").Flags()
	testbed := os.Getenv("TESTBED_REGISTRY")
	if testbed == "" || os.Getenv("TESTBED_BASE_IMAGE") == "" {
		t.Skip("needs TESTBED_REGISTRY and TESTBED_BASE_IMAGE from ../shared/testbed/env")
	}
	// The engine reaches the test bed's registry through a relay on Docker's bridge:
	// 127.0.0.1 inside its container is its own.
	gw := bridgeGateway(t)
	relay := forward(t, gw, testbed)
	d := &drill{t: t, bin: ciBinary(t), engine: startDrillEngine(t, relay), work: t.TempDir()}
	d.reg = registrytest.NewAt(t, gw+":0", true)
	d.reg.RequireAuth(drillUser, drillCanary)
	d.cache = registrytest.NewAt(t, gw+":0", true)
	onRelay := func(ref string) string { return relay + strings.TrimPrefix(ref, testbed) }
	for i := 0; i+1 < len(bed); i += 2 {
		if bed[i] == "--builder-image" {
			bed[i+1] = onRelay(bed[i+1])
		}
	}
	d.flags = append(bed, "--environments", "../environments",
		"--runtime-image", onRelay(os.Getenv("TESTBED_BASE_IMAGE")),
		"--tests", "none", "--stand-alone=false", "--revision", "0123456789abcdef",
		"--buildcache", "oci+http://"+d.cache.Host+"/spack-cache", "--registry-user", drillUser)
	return d
}

// build runs `build libsigsegv` with the drills' flags and extra ones, writing to
// out (a fresh directory when ""), with every token set to the canary.
func (d *drill) build(ctx context.Context, out string, extra ...string) (ciRun, string) {
	if out == "" {
		var err error
		out, err = os.MkdirTemp(d.work, "out-")
		require.NoError(d.t, err)
	}
	args := append([]string{"build", "libsigsegv", "--out", out}, d.flags...)
	r := runCI(ctx, d.bin, []string{
		"_EXPERIMENTAL_DAGGER_RUNNER_HOST=" + d.engine.host(),
		"REGISTRY_TOKEN=" + drillCanary, "GITHUB_TOKEN=" + drillCanary, "BUILDCACHE_TOKEN=" + drillCanary,
	}, append(args, extra...)...)
	d.mu.Lock()
	d.runs, d.outs = append(d.runs, r), append(d.outs, out)
	d.mu.Unlock()
	d.t.Logf("%s: exit %d in %s; last line: %s", strings.Join(append([]string{"build libsigsegv"}, extra...), " "), r.code, r.elapsed.Round(time.Second), r.lastLine())
	return r, filepath.Join(out, "libsigsegv")
}

// buildFaulted runs a build and, once Spack builds libsigsegv from source, does fault
// to the engine. It returns the run and when the fault began.
func (d *drill) buildFaulted(fault func() error) (ciRun, string, time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	done := make(chan time.Time, 1)
	go func() {
		// configure's --prefix, or anything run in libsigsegv's build stage.
		if err := d.engine.waitForProcess(ctx, "/opt/software/libsigsegv-", "spack-stage-libsigsegv"); err != nil {
			done <- time.Time{}
			return
		}
		at := time.Now()
		if err := fault(); err != nil {
			d.t.Errorf("injecting the fault: %v", err)
		}
		done <- at
	}()
	r, out := d.build(ctx, "")
	cancel()
	at := <-done
	require.False(d.t, at.IsZero(), "the build ended before libsigsegv's build started: %s", r.lastLine())
	return r, out, at
}

// engineLostLine is what the user reads when the engine goes away while installing.
var engineLostLine = regexp.MustCompile(`^spack-ghcr: libsigsegv: installing: the Dagger engine went away \([^{}\n]+\); rerun: the caches are kept$`)

func TestDrillEngineFaults(t *testing.T) {
	d := newDrill(t)
	t.Run("engine killed while installing", func(t *testing.T) {
		r, out, killed := d.buildFaulted(d.engine.kill)
		assert.Equal(t, 1, r.code)
		assert.Regexp(t, engineLostLine, r.lastLine())
		assert.Less(t, r.ended.Sub(killed), pipeline.SessionCloseBound+15*time.Second, "the error comes at once, not after Dagger's 5-minute session timeout")
		t.Logf("killed; exit %s later; stderr:\n%s", r.ended.Sub(killed).Round(100*time.Millisecond), r.stderr)
		assertKept(t, out)
		d.engine.start(t)
	})
	t.Run("engine restarted while installing", func(t *testing.T) {
		r, out, restarted := d.buildFaulted(d.engine.restart)
		assert.Equal(t, 1, r.code)
		assert.Regexp(t, engineLostLine, r.lastLine())
		t.Logf("restart began; exit %s later; stderr:\n%s", r.ended.Sub(restarted).Round(100*time.Millisecond), r.stderr)
		assertKept(t, out)
	})
	t.Run("a failed build keeps its logs", func(t *testing.T) { d.failedBuild(t) })
	t.Run("two builds at once resume from the caches", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		runs, outs := make([]ciRun, 2), make([]string, 2)
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i], outs[i] = d.build(ctx, "", "--registry", d.reg.Host+"/drill")
			}()
		}
		wg.Wait()
		for i, r := range runs {
			assert.Equal(t, 0, r.code, "build %d: %s", i, r.lastLine())
			assert.Contains(t, r.stdout, d.reg.Host+"/drill/libsigsegv:latest@sha256:")
			var res pipeline.Result
			enginetest.ReadJSON(t, filepath.Join(outs[i], "build.json"), &res)
			assert.Equal(t, []string{"libsigsegv"}, specNames(res.BuiltFromSrc), "what the faults cut short is built")
			assert.ElementsMatch(t, []string{"compiler-wrapper", "gcc-runtime"}, specNames(res.FromCache), "what they finished comes from the cache volume")
			assert.Equal(t, "pushed", res.CachePush)
		}
	})
	t.Run("the caches stay usable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		// Build-time tests make it a new install: Spack reads its caches again.
		r, out := d.build(ctx, "", "--tests", "root")
		require.Equal(t, 0, r.code, r.lastLine())
		var res pipeline.Result
		enginetest.ReadJSON(t, filepath.Join(out, "build.json"), &res)
		assert.Empty(t, res.BuiltFromSrc)
		assert.Len(t, res.FromCache, 3)
	})
	t.Run("disk full while installing", func(t *testing.T) { d.diskFull(t) })
	t.Run("registry faults while publishing", func(t *testing.T) { d.publishFaults(t) })
	t.Run("no output holds a secret", func(t *testing.T) { d.scanSecrets(t) })
}

// assertKept checks what a build cut short while installing keeps: the lockfile, the
// concretizer's log, and the run's results.
func assertKept(t *testing.T, out string) {
	t.Helper()
	assert.FileExists(t, filepath.Join(out, "spack.lock"))
	assert.FileExists(t, filepath.Join(out, "concretize.log"))
	runs, _ := filepath.Glob(filepath.Join(out, "*", "results.json"))
	assert.Len(t, runs, 1, "the run's results are kept")
}

// specNames are the package names of name-version-hash specs.
func specNames(specs []string) []string {
	var names []string
	for _, s := range specs {
		if i := strings.LastIndexByte(s, '-'); i > 0 {
			if j := strings.LastIndexByte(s[:i], '-'); j > 0 {
				names = append(names, s[:j])
			}
		}
	}
	return names
}

// drillStages are the pipeline's first stages run in this process, on the drill
// engine, as `build` runs them, for drills that change the builder before a stage.
type drillStages struct {
	cfg         buildConfig
	sh          pipeline.Shared
	env         *spack.Environment
	b           *pipeline.Builder
	concretized *dagger.Container
	lf          *spack.Lockfile
	out         string
}

func (d *drill) stages(ctx context.Context, t *testing.T) *drillStages {
	t.Helper()
	client, err := dagger.Connect(ctx, dagger.WithRunnerHost(d.engine.host()))
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	st := &drillStages{}
	flags := pflag.NewFlagSet("build", pflag.ContinueOnError)
	st.cfg.register(flags)
	require.NoError(t, flags.Parse(d.flags))
	pins, err := spack.LoadPins(st.cfg.pins)
	require.NoError(t, err)
	envs, err := spack.LoadEnvironments(st.cfg.environments, []string{"libsigsegv"}, st.cfg.loadOptions(pins)...)
	require.NoError(t, err)
	st.env = envs[0]
	st.sh = pipeline.Shared{Pins: pins, CacheAuth: client.SetSecret("buildcache-token", drillCanary)}
	st.cfg.Out, err = os.MkdirTemp(d.work, "out-")
	require.NoError(t, err)
	st.out = filepath.Join(st.cfg.Out, st.env.Name)
	require.NoError(t, os.MkdirAll(st.out, 0o755))
	d.mu.Lock()
	d.outs = append(d.outs, st.cfg.Out)
	d.mu.Unlock()
	st.b, err = pipeline.PrepareBuilder(ctx, client, st.cfg.Config, st.sh, st.env)
	require.NoError(t, err)
	st.concretized, st.lf, err = pipeline.Concretize(ctx, st.b, st.out)
	require.NoError(t, err)
	return st
}

// failedBuild makes libsigsegv's build fail: its configure script re-executes itself
// with $CONFIG_SHELL, which Spack's build environment passes through.
func (d *drill) failedBuild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st := d.stages(ctx, t)
	broken := st.concretized.WithEnvVariable("CONFIG_SHELL", "/bin/false")
	capture := pipeline.NewCapture(st.cfg.Config, st.sh, st.env.Name, st.lf, time.Now())
	_, err := pipeline.InstallAndInspect(ctx, st.b, broken, st.lf, capture, st.cfg.Config, st.out, pipeline.NewResult(st.env, st.cfg.Target))
	require.Error(t, err)
	assert.Regexp(t, `^installing: spack exited \d+: .*libsigsegv.* \(full log: .*install.log\) \(build logs in .*build-logs\)$`, err.Error())
	var logs []string
	require.NoError(t, filepath.WalkDir(filepath.Join(st.out, "build-logs"), func(path string, _ fs.DirEntry, err error) error {
		logs = append(logs, filepath.Base(path))
		return err
	}))
	assert.Subset(t, logs, []string{"spack-build-out.txt", "spack-build-env-mods.txt"}, "libsigsegv's build logs are kept")
	assert.Empty(t, canaryHitsInTree(t, st.out, drillCanary), "the kept logs hold the canary token")
	t.Logf("failed build: %v", err)
}

// diskFull runs the install stage with the install tree on a 256 KiB tmpfs: Spack's
// writes there fail as on a full disk.
func (d *drill) diskFull(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st := d.stages(ctx, t)
	full := st.concretized.WithMountedTemp(pipeline.InstallRoot, dagger.ContainerWithMountedTempOpts{Size: 256 << 10})
	_, _, err := pipeline.Install(ctx, st.b, full, "none", st.out)
	require.Error(t, err)
	var dfe *pipeline.DiskFullError
	assert.ErrorAs(t, err, &dfe)
	assert.Regexp(t, `^installing: spack exited \d+: out of disk space \(.*No space left on device.*\): free space on the Dagger engine's disk, then rerun \(full log: .*install.log\)$`, err.Error())
	assert.NotContains(t, err.Error(), "\n")
	t.Logf("disk full: %v", err)
}
