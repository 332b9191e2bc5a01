package main

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// flagValue is the value after name in a flag list.
func flagValue(flags []string, name string) string {
	for i, f := range flags {
		if f == name && i+1 < len(flags) {
			return flags[i+1]
		}
	}
	return ""
}

// TestVerify publishes libsigsegv, verifies it ("identical"), then plants a changed
// library in a copy of the image and verifies that (the file is named).
func TestVerify(t *testing.T) {
	_, base := engine(t)
	flags := spackBed(t)
	registry := os.Getenv("TESTBED_REGISTRY")
	ctx := context.Background()
	var stdout bytes.Buffer
	args := append([]string{"build", "-environments", "../environments", "-runtime-image", base,
		"-registry", registry + "/spack-ghcr-verify", "-force", "-out", t.TempDir()}, flags...)
	require.NoError(t, run(ctx, append(args, "libsigsegv"), &stdout))
	published, _, _ := strings.Cut(strings.TrimSpace(stdout.String()), "@")

	verify := []string{"verify", "-environments", "../environments", "-packages", flagValue(flags, "--packages"),
		"-mirror", flagValue(flags, "--mirror"), "-pins", "../pins.yaml"}
	stdout.Reset()
	require.NoError(t, run(ctx, append(verify, published), &stdout))
	assert.Contains(t, stdout.String(), "identical sha256:")

	// A library changed after the fact, as a tampered or badly rebuilt image would have.
	r, err := name.ParseReference(published)
	require.NoError(t, err)
	img, err := remote.Image(r)
	require.NoError(t, err)
	lib := libraryIn(t, img, "libsigsegv.so.")
	layer, err := crane.Layer(map[string][]byte{strings.TrimPrefix(lib, "/"): []byte("planted\n")})
	require.NoError(t, err)
	planted, err := mutate.AppendLayers(img, layer)
	require.NoError(t, err)
	plantedRef := registry + "/spack-ghcr-verify/libsigsegv:planted"
	tag, err := name.NewTag(plantedRef)
	require.NoError(t, err)
	require.NoError(t, remote.Write(tag, planted))

	stdout.Reset()
	err = run(ctx, append(verify, plantedRef), &stdout)
	require.Error(t, err)
	assert.Contains(t, stdout.String(), "differs: ")
	assert.Contains(t, stdout.String(), "  "+lib+": published 8 bytes, sha256 ", "the planted file, its size and hash")
}

// libraryIn names the first regular file of the image's top layer whose name starts
// with prefix.
func libraryIn(t *testing.T, img v1.Image, prefix string) string {
	t.Helper()
	layers, err := img.Layers()
	require.NoError(t, err)
	rc, err := layers[len(layers)-1].Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		require.NoError(t, err, "no %s* in the image", prefix)
		if hdr.Typeflag == tar.TypeReg && strings.HasPrefix(filepath.Base(hdr.Name), prefix) {
			return "/" + hdr.Name
		}
	}
}

// TestCommittedLockfile builds libsigsegv with the spack.lock of a first build
// committed beside its spack.yaml: Spack installs it as is. Then spack.yaml asks for
// another root, and the run stops before installing.
func TestCommittedLockfile(t *testing.T) {
	_, base := engine(t)
	flags := spackBed(t)
	ctx := context.Background()
	build := func(envs, out string) error {
		// Tests do not touch the lockfile; without them Spack installs from the binary cache.
		args := append([]string{"build", "-environments", envs, "-runtime-image", base, "-out", out, "-export=false",
			"-tests", "none", "-stand-alone=false"}, flags...)
		return run(ctx, append(args, "libsigsegv"), &bytes.Buffer{})
	}
	first := t.TempDir()
	require.NoError(t, build("../environments", first))
	lock := mustRead(t, filepath.Join(first, "libsigsegv", "spack.lock"))

	envs := filepath.Join(t.TempDir(), "environments")
	yaml := mustRead(t, "../environments/libsigsegv/spack.yaml")
	write(t, envs, "libsigsegv/spack.yaml", string(yaml))
	write(t, envs, "libsigsegv/spack.lock", string(lock))
	second := t.TempDir()
	require.NoError(t, build(envs, second))
	assert.Equal(t, string(lock), string(mustRead(t, filepath.Join(second, "libsigsegv", "spack.lock"))), "concretize keeps the committed lockfile as is")
	var res buildResult
	readJSON(t, filepath.Join(second, "libsigsegv", "build.json"), &res)
	lf, err := spack.ParseLockfile("spack.lock", lock)
	require.NoError(t, err)
	assert.Equal(t, lf.SHA256, res.Inputs.Lockfile)

	write(t, envs, "libsigsegv/spack.yaml", strings.Replace(string(yaml), "  - libsigsegv@2.14\n", "  - libsigsegv@2.14\n  - lz4@1.9.4\n", 1))
	err = build(envs, t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spack.lock is committed, but concretizing changed it (root lz4@1.9.4 is new)")
}

// TestReproducibleDigests is the proof of docs/reproducible.md, for libsigsegv on the
// Debian base and lz4 on scratch: run A builds from source on fresh caches; runs B and
// C start from fresh caches too, holding only A's binaries. All three must give one
// digest. It takes about ten minutes, so it runs only with SPACK_GHCR_PROOF=1.
func TestReproducibleDigests(t *testing.T) {
	if os.Getenv("SPACK_GHCR_PROOF") == "" {
		t.Skip("takes ~10 minutes: set SPACK_GHCR_PROOF=1 to run it")
	}
	client, base := engine(t)
	flags := spackBed(t)
	ctx := context.Background()
	for _, tc := range []struct{ env, runtime string }{{"libsigsegv", base}, {"lz4", spack.Scratch}} {
		t.Run(tc.env, func(t *testing.T) {
			var cfg buildConfig
			fs := pflag.NewFlagSet("build", pflag.ContinueOnError)
			cfg.register(fs)
			require.NoError(t, fs.Parse(append([]string{"--environments", "../environments", "--runtime-image", tc.runtime,
				"--tests", "none", "--stand-alone=false", "--force", "--out", t.TempDir()}, oneDash(flags)...)))
			pins, err := spack.LoadPins(cfg.pins)
			require.NoError(t, err)
			envs, err := spack.LoadEnvironments(cfg.environments, []string{tc.env}, cfg.loadOptions(pins)...)
			require.NoError(t, err)
			runs := map[string]*buildResult{}
			for _, run := range []string{"A", "B", "C"} {
				key := "proof-" + run + "-" + randomHex(4)
				if run != "A" {
					seedBinaryCache(t, client, base, runs["A"], pins.Spack.Version, key)
				}
				start := time.Now()
				res, err := buildEnvironment(ctx, client, cfg, shared{pins: pins, cacheKey: key}, envs[0])
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

// oneDash turns the test bed's "-flag" list into pflag's "--flag".
func oneDash(flags []string) []string {
	out := make([]string, len(flags))
	for i, f := range flags {
		if strings.HasPrefix(f, "-") && !strings.HasPrefix(f, "--") {
			f = "-" + f
		}
		out[i] = f
	}
	return out
}

// seedBinaryCache copies the binary cache of a finished run into the binary cache
// volume of a new cache key: fresh engine state with the same binaries.
func seedBinaryCache(t *testing.T, client *dagger.Client, base string, from *buildResult, spackVersion, key string) {
	t.Helper()
	seed := from.installed.WithExec([]string{"cp", "-a", buildCacheDir + "/.", "/tmp/spack-ghcr-seed"}).Directory("/tmp/spack-ghcr-seed")
	_, err := client.Container().From(base).
		WithMountedCache(buildCacheDir, client.CacheVolume(cacheVolume("spack-ghcr/buildcache-"+spackVersion, key))).
		WithMountedDirectory("/seed", seed).
		WithExec([]string{"cp", "-a", "/seed/.", buildCacheDir + "/"}).
		Sync(context.Background())
	require.NoError(t, err)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
}
