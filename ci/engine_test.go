package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/enginetest"
	"github.com/spack-ghcr/spack-ghcr/pipeline"
)

func TestBuildEndToEnd(t *testing.T) {
	_, base := enginetest.Engine(t)
	flags := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE").Flags()
	registry := os.Getenv("TESTBED_REGISTRY")
	out := t.TempDir()
	var stdout bytes.Buffer
	// -force: the test bed's registry outlives the run, and the image of an earlier run
	// of the same code would make this one skip.
	args := append([]string{"build", "-environments", "../environments", "-runtime-image", base, "-force",
		"-registry", registry + "/spack-ghcr-e2e", "-out", out, "-revision", "0123456789abcdef"}, flags...)
	require.NoError(t, run(context.Background(), append(args, "libsigsegv"), &stdout))

	ref := strings.TrimSpace(stdout.String())
	require.Contains(t, ref, registry+"/spack-ghcr-e2e/libsigsegv:latest@sha256:")
	var res pipeline.Result
	enginetest.ReadJSON(t, filepath.Join(out, "libsigsegv", "build.json"), &res)
	assert.Positive(t, res.FloorBytes)
	assert.LessOrEqual(t, res.PayloadBytes, int64(1.25*float64(res.FloorBytes))+100_000)
	assert.Equal(t, "x86_64_v3", res.Target)
	assert.NotContains(t, strings.Join(slices.Sorted(maps.Keys(res.PackageBytes)), " "), "gcc-runtime", "libsigsegv loads nothing from gcc-runtime")

	r, err := name.ParseReference(strings.Replace(ref, ":latest@", "@", 1), name.Insecure)
	require.NoError(t, err)
	img, err := remote.Image(r)
	require.NoError(t, err)
	cfg, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef", cfg.Config.Labels["org.opencontainers.image.revision"])
	assert.Contains(t, cfg.Config.Labels["io.spack-ghcr.roots"], "libsigsegv@2.14/")

	var results struct {
		Specs []struct{ Phase, Name, Status string }
	}
	enginetest.ReadJSON(t, filepath.Join(out, "libsigsegv", res.RunID, "results.json"), &results)
	statuses := map[string]string{}
	for _, s := range results.Specs {
		statuses[s.Phase+" "+s.Name] = s.Status
	}
	assert.Equal(t, "PASSED", statuses["build-time libsigsegv"])
	assert.Equal(t, "PASSED", statuses["stand-alone libsigsegv"])
}

func TestBuildFailingTestsPublishNothing(t *testing.T) {
	_, base := enginetest.Engine(t)
	flags := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE").Flags()
	registry := os.Getenv("TESTBED_REGISTRY")
	out := t.TempDir()
	args := append([]string{"build", "-environments", "testdata/environments", "-runtime-image", base,
		"-registry", registry + "/spack-ghcr-e2e", "-out", out}, flags...)
	err := run(context.Background(), append(args, "failing-test"), &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tests failed: failing-test@1.0 (stand-alone): nothing published")

	runs, _ := filepath.Glob(filepath.Join(out, "failing-test", "*", "results.json"))
	require.Len(t, runs, 1, "the failing run's results are kept")
	for _, f := range []string{"junit.xml", "summary.md"} {
		assert.FileExists(t, filepath.Join(filepath.Dir(runs[0]), f))
	}
	logs, _ := filepath.Glob(filepath.Join(filepath.Dir(runs[0]), "logs", "stand-alone", "failing-test-*-test-out.txt"))
	require.Len(t, logs, 1)
	data, err := os.ReadFile(logs[0])
	require.NoError(t, err)
	assert.Contains(t, string(data), "deliberate failure")

	r, err := name.ParseReference(registry+"/spack-ghcr-e2e/failing-test:latest", name.Insecure)
	require.NoError(t, err)
	_, err = remote.Image(r)
	assert.Error(t, err, "a run with failing tests must publish nothing")
}
