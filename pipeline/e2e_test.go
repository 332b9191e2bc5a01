package pipeline

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/enginetest"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// TestSpackOwnsItsLocks runs Spack where its environment's lock file has a second hard
// link in a lower layer, as after the engine merged snapshots: plain Spack trips over
// the inode overlayfs gives the file when copying it up; through builder.cmd it works.
func TestSpackOwnsItsLocks(t *testing.T) {
	client, _ := enginetest.Engine(t)
	image := os.Getenv("TESTBED_SPACK_IMAGE")
	if image == "" {
		t.Skip("needs TESTBED_SPACK_IMAGE: a Spack builder image made by hand (see ../shared/testbed/README.md)")
	}
	ctx := context.Background()
	b := &Builder{spack: "spack", envDir: "/tmp/env"}
	ctr := client.Container().From(image).
		WithEnvVariable("TEST_RUN", fmt.Sprint(time.Now().UnixNano())).
		WithNewFile(spackConfigDir+"/config.yaml", "config: {}\n").
		WithNewFile(b.envDir+"/spack.yaml", "spack:\n  specs: []\n").
		WithWorkdir(b.envDir).
		WithExec(b.envCmd("concretize")).
		WithExec([]string{"ln", ".spack-env/transaction_lock", "/tmp/second-link"})

	tests := []struct {
		name    string
		cmd     []string
		wantErr string
	}{
		{"plain spack", []string{"spack", "-C", spackConfigDir, "-e", b.envDir, "concretize"}, "Attempted to close non-existing inode"},
		{"through builder.cmd", b.envCmd("concretize"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ctr.WithExec(tt.cmd, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
			out, code, err := execResult(ctx, c)
			require.NoError(t, err)
			if tt.wantErr != "" {
				assert.NotZero(t, code)
				assert.Contains(t, out, tt.wantErr)
				return
			}
			assert.Zero(t, code, out)
		})
	}
}

// TestReproducibleDigests is the proof of docs/reproducible.md, for libsigsegv on the
// Debian base and lz4 on scratch: run A builds from source on fresh caches; runs B and
// C start from fresh caches too, holding only A's binaries. All three must give one
// digest. It takes about ten minutes, so it runs only with SPACK_GHCR_PROOF=1.
func TestReproducibleDigests(t *testing.T) {
	if os.Getenv("SPACK_GHCR_PROOF") == "" {
		t.Skip("takes ~10 minutes: set SPACK_GHCR_PROOF=1 to run it")
	}
	client, base := enginetest.Engine(t)
	bed := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE")
	ctx := context.Background()
	pins, err := spack.LoadPins(bed.Pins)
	require.NoError(t, err)
	for _, tc := range []struct{ env, runtime string }{{"libsigsegv", base}, {"lz4", spack.Scratch}} {
		t.Run(tc.env, func(t *testing.T) {
			cfg := Config{PackagesDir: bed.Packages, MirrorDir: bed.Mirror, Target: spack.DefaultTarget(),
				Profile: "runtime", Tests: "none", Export: true, Out: t.TempDir(), Force: true}
			envs, err := spack.LoadEnvironments("../environments", []string{tc.env}, spack.WithImages(bed.BuilderImage, tc.runtime),
				spack.WithTarget(cfg.Target), spack.WithSpackVersion(pins.Spack.Version))
			require.NoError(t, err)
			runs := map[string]*Result{}
			for _, run := range []string{"A", "B", "C"} {
				key := fmt.Sprintf("proof-%s-%d", run, time.Now().UnixNano())
				if run != "A" {
					seedBinaryCache(t, client, base, runs["A"], pins.Spack.Version, key)
				}
				start := time.Now()
				res, err := Build(ctx, client, cfg, Shared{Pins: pins, CacheKey: key}, envs[0])
				require.NoError(t, err, run)
				runs[run] = res
				t.Logf("%s run %s: %s in %.0f s, %d built from source, %d from the binary cache",
					tc.env, run, res.Digest, time.Since(start).Seconds(), len(res.BuiltFromSrc), len(res.FromCache))
			}
			assert.NotEmpty(t, runs["A"].BuiltFromSrc, "run A builds from source")
			assert.Empty(t, runs["B"].BuiltFromSrc, "run B installs from A's binaries")
			assert.Equal(t, runs["A"].Digest, runs["B"].Digest, "from source and from the binary cache")
			assert.Equal(t, runs["B"].Digest, runs["C"].Digest, "two runs from the same binary cache")
		})
	}
}

// seedBinaryCache copies the binary cache of a finished run into the binary cache
// volume of a new cache key: fresh engine state with the same binaries.
func seedBinaryCache(t *testing.T, client *dagger.Client, base string, from *Result, spackVersion, key string) {
	t.Helper()
	seed := from.installed.WithExec([]string{"cp", "-a", buildCacheDir + "/.", "/tmp/spack-ghcr-seed"}).Directory("/tmp/spack-ghcr-seed")
	_, err := client.Container().From(base).
		WithMountedCache(buildCacheDir, client.CacheVolume(cacheVolume("spack-ghcr/buildcache-"+spackVersion, key))).
		WithMountedDirectory("/seed", seed).
		WithExec([]string{"cp", "-a", "/seed/.", buildCacheDir + "/"}).
		Sync(context.Background())
	require.NoError(t, err)
}
