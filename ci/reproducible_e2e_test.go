package main

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/enginetest"
	"github.com/spack-ghcr/spack-ghcr/pipeline"
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
	_, base := enginetest.Engine(t)
	flags := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE").Flags()
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
	_, base := enginetest.Engine(t)
	flags := enginetest.SpackBed(t, "TESTBED_SPACK_IMAGE").Flags()
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
	var res pipeline.Result
	enginetest.ReadJSON(t, filepath.Join(second, "libsigsegv", "build.json"), &res)
	lf, err := spack.ParseLockfile("spack.lock", lock)
	require.NoError(t, err)
	assert.Equal(t, lf.SHA256, res.Inputs.Lockfile)

	write(t, envs, "libsigsegv/spack.yaml", strings.Replace(string(yaml), "  - libsigsegv@2.14\n", "  - libsigsegv@2.14\n  - lz4@1.9.4\n", 1))
	err = build(envs, t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spack.lock is committed, but concretizing changed it (root lz4@1.9.4 is new)")
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
