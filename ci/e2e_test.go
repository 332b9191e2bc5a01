package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/sbom"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// TestBuildOfficialLayout builds with a builder in the layout of Spack's official
// images: Spack in /opt/spack and not on PATH, the upstream ENTRYPOINT and SHELL, which
// execs do not run. The image and its SBOM are published and read back.
func TestBuildOfficialLayout(t *testing.T) {
	_, base := engine(t)
	flags := spackBedWith(t, "TESTBED_SPACK_OFFICIAL_IMAGE")
	reg := os.Getenv("TESTBED_REGISTRY")
	out := t.TempDir()
	var stdout bytes.Buffer
	args := append([]string{"build", "libsigsegv", "--environments", "../environments", "--runtime-image", base,
		"--registry", reg + "/spack-ghcr-official", "--out", out}, flags...)
	require.NoError(t, run(context.Background(), args, &stdout), "flags after the environment's name")

	ref := strings.TrimSpace(stdout.String())
	require.Contains(t, ref, reg+"/spack-ghcr-official/libsigsegv:latest@sha256:")
	assert.FileExists(t, filepath.Join(out, "libsigsegv", "sbom.spdx.json"))
	_, digest, _ := strings.Cut(ref, "@")
	subject := reg + "/spack-ghcr-official/libsigsegv@" + digest
	refs, err := registry.Referrers(context.Background(), subject, sbom.MediaType)
	require.NoError(t, err)
	require.Len(t, refs, 1, "the SBOM is attached to the image")
	doc, err := registry.FetchArtifact(context.Background(), reg+"/spack-ghcr-official/libsigsegv@"+refs[0].Digest.String())
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"name": "libsigsegv"`)
	assert.Contains(t, string(doc), "GPL-2.0-or-later", "the license comes from package.py")
}

// TestSharedBuildCache is issue 9's proof: a build on fresh engine state pushes its
// binaries to the registry's OCI build cache, and a build on other fresh engine state
// (new cache volumes, no engine cache) installs everything from there.
func TestSharedBuildCache(t *testing.T) {
	client, base := engine(t)
	flags := spackBedWith(t, "TESTBED_SPACK_IMAGE")
	reg := os.Getenv("TESTBED_REGISTRY")
	var cfg buildConfig
	fs := pflag.NewFlagSet("build", pflag.ContinueOnError)
	cfg.register(fs)
	require.NoError(t, fs.Parse(append(flags, "--environments", "../environments", "--runtime-image", base,
		"--out", t.TempDir(), "--tests", "none", "--stand-alone=false", "--export=false", "--force",
		"--buildcache", fmt.Sprintf("oci+http://%s/spack-ghcr-cache-%d", reg, time.Now().UnixNano()))))
	pins, err := spack.LoadPins(cfg.pins)
	require.NoError(t, err)
	envs, err := spack.LoadEnvironments(cfg.environments, []string{"libsigsegv"}, cfg.loadOptions(pins)...)
	require.NoError(t, err)

	stamp := time.Now().UnixNano()
	first, err := buildEnvironment(context.Background(), client, cfg, shared{pins: pins, cacheKey: fmt.Sprintf("cache-a-%d", stamp)}, envs[0])
	require.NoError(t, err)
	assert.NotEmpty(t, first.BuiltFromSrc, "fresh state builds from source")
	assert.Equal(t, "pushed", first.CachePush)

	second, err := buildEnvironment(context.Background(), client, cfg, shared{pins: pins, cacheKey: fmt.Sprintf("cache-b-%d", stamp)}, envs[0])
	require.NoError(t, err)
	assert.Empty(t, second.BuiltFromSrc, "other fresh state builds nothing from source")
	assert.ElementsMatch(t, first.BuiltFromSrc, second.FromCache, "what the first built, the second takes from the registry")
	t.Logf("first: %d built from source in %.0fs; second: %d from the registry in %.0fs",
		len(first.BuiltFromSrc), first.TotalSeconds, len(second.FromCache), second.TotalSeconds)
}

// TestSpackOwnsItsLocks runs Spack where its environment's lock file has a second hard
// link in a lower layer, as after the engine merged snapshots: plain Spack trips over
// the inode overlayfs gives the file when copying it up; through builder.cmd it works.
func TestSpackOwnsItsLocks(t *testing.T) {
	client, _ := engine(t)
	image := os.Getenv("TESTBED_SPACK_IMAGE")
	if image == "" {
		t.Skip("needs TESTBED_SPACK_IMAGE: a Spack builder image made by hand (see ../shared/testbed/README.md)")
	}
	ctx := context.Background()
	b := &builder{spack: "spack", envDir: "/tmp/env"}
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
