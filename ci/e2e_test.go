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

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/enginetest"
	"github.com/spack-ghcr/spack-ghcr/pipeline"
	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/sbom"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// TestBuildOfficialLayout builds with a builder in the layout of Spack's official
// images: Spack in /opt/spack and not on PATH, the upstream ENTRYPOINT and SHELL, which
// execs do not run. The image and its SBOM are published and read back.
func TestBuildOfficialLayout(t *testing.T) {
	_, base := enginetest.Engine(t)
	flags := enginetest.SpackBed(t, "TESTBED_SPACK_OFFICIAL_IMAGE").Flags()
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
	client, base := enginetest.Engine(t)
	flags := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE").Flags()
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
	first, err := pipeline.Build(context.Background(), client, cfg.Config, pipeline.Shared{Pins: pins, CacheKey: fmt.Sprintf("cache-a-%d", stamp)}, envs[0])
	require.NoError(t, err)
	assert.NotEmpty(t, first.BuiltFromSrc, "fresh state builds from source")
	assert.Equal(t, "pushed", first.CachePush)

	second, err := pipeline.Build(context.Background(), client, cfg.Config, pipeline.Shared{Pins: pins, CacheKey: fmt.Sprintf("cache-b-%d", stamp)}, envs[0])
	require.NoError(t, err)
	assert.Empty(t, second.BuiltFromSrc, "other fresh state builds nothing from source")
	assert.ElementsMatch(t, first.BuiltFromSrc, second.FromCache, "what the first built, the second takes from the registry")
	t.Logf("first: %d built from source in %.0fs; second: %d from the registry in %.0fs",
		len(first.BuiltFromSrc), first.TotalSeconds, len(second.FromCache), second.TotalSeconds)
}
