package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/enginetest"
	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/slim/slimtest"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// fakeBuilder is the base image with binutils (for strip) and the install tree: a
// stand-in for Spack's builder after install, holding real ELF files.
func fakeBuilder(t *testing.T, client *dagger.Client, base, root string) *dagger.Container {
	return client.Container().From(base).
		WithExec([]string{"apt-get", "update", "-qq"}).
		WithExec([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends", "binutils"}).
		WithDirectory("/", client.Host().Directory(root))
}

func testClosure() (spack.Closure, map[string]string) {
	specs := []*spack.ConcreteSpec{
		{Name: "app", Version: "1.0", Hash: "aaaa"},
		{Name: "gcc-runtime", Version: "12", Hash: "cccc"},
		{Name: "libfoo", Version: "2.0", Hash: "bbbb"},
	}
	prefixes := map[string]string{
		"aaaa": "/opt/software/app-1.0-aaaa",
		"bbbb": "/opt/software/libfoo-2.0-bbbb",
		"cccc": "/opt/software/gcc-runtime-12-cccc",
	}
	return spack.Closure{Specs: specs}, prefixes
}

func TestRuntimeAssemblyDistroless(t *testing.T) {
	client, base := enginetest.Engine(t)
	ctx := context.Background()
	root := slimtest.InstallTree(t)
	closure, prefixes := testClosure()

	img, err := buildRuntime(ctx, client, runtimeInputs{
		builder: fakeBuilder(t, client, base, root), closure: closure, prefixes: prefixes,
		profile: slim.Runtime, strip: true, base: spack.Scratch, work: t.TempDir(),
	})
	require.NoError(t, err)

	// The scratch image runs the program with nothing but what was planned.
	out, err := img.ctr.WithExec([]string{"app"}).Stdout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "hello 1\n", out)
	require.NoError(t, smokeTest(ctx, img.ctr, img.elfs))

	entries, err := img.ctr.Directory("/opt/software/gcc-runtime-12-cccc/lib").Entries(ctx)
	require.NoError(t, err)
	assert.Contains(t, entries, "libstdc++.so.6")
	assert.Contains(t, entries, "libgcc_s.so.1")
	assert.NotContains(t, entries, "libgfortran.so.5")
	_, err = img.ctr.Directory("/opt/software/app-1.0-aaaa/include").Entries(ctx)
	assert.Error(t, err, "headers must not be shipped")
	assert.Contains(t, img.osLibs, "/lib/x86_64-linux-gnu/libc.so.6")
	assert.Contains(t, img.osLibs, "/lib64/ld-linux-x86-64.so.2")

	// Stripping: the shipped program is smaller than the one built with -g.
	orig, err := os.Stat(filepath.Join(root, "opt/software/app-1.0-aaaa/bin/app"))
	require.NoError(t, err)
	assert.Less(t, img.sizes["app@1.0/aaaa"], orig.Size())
	assert.Positive(t, img.sizes["gcc-runtime@12/cccc"], "libstdc++ and libgcc_s ship from the compiler runtime")
}

func TestSmokeTestCatchesMissingLibrary(t *testing.T) {
	client, base := enginetest.Engine(t)
	ctx := context.Background()
	root := slimtest.InstallTree(t)
	tree, err := slim.Scan(root)
	require.NoError(t, err)
	elfs, err := tree.ELFs()
	require.NoError(t, err)

	ctr := client.Container().From(base).WithDirectory("/", client.Host().Directory(root))
	require.NoError(t, smokeTest(ctx, ctr, elfs))

	// As Autamus shipped gromacs without libgomp: the library is gone from the image.
	broken := ctr.WithoutFile("/opt/software/libfoo-2.0-bbbb/lib/libfoo.so.2")
	err = smokeTest(ctx, broken, elfs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/opt/software/app-1.0-aaaa/bin/app needs libfoo.so.2")
}

func TestPublishAndPullBack(t *testing.T) {
	client, base := enginetest.Engine(t)
	registry := os.Getenv("TESTBED_REGISTRY")
	if registry == "" {
		t.Skip("needs TESTBED_REGISTRY from ../shared/testbed/env")
	}
	ctx := context.Background()
	ctr := client.Container().From(base).
		WithNewFile("/opt/hello.txt", "hello from spack-ghcr\n").
		With(withLabels(map[string]string{"io.spack-ghcr.environment": "publish-test", "org.opencontainers.image.version": "1.0"}))
	img, err := exportImage(ctx, ctr, filepath.Join(t.TempDir(), "image.tar"))
	require.NoError(t, err)
	ref, err := publish(ctx, publishInputs{image: img, namespace: registry + "/spack-ghcr-test", name: "publish-test", tags: []string{"latest", "1.0"}})
	require.NoError(t, err)
	require.Contains(t, ref, registry+"/spack-ghcr-test/publish-test:latest@sha256:")
	_, digest, _ := strings.Cut(ref, "@")

	for _, tag := range []string{"latest", "1.0"} {
		r, err := name.ParseReference(registry+"/spack-ghcr-test/publish-test:"+tag, name.Insecure)
		require.NoError(t, err)
		img, err := remote.Image(r, remote.WithContext(ctx))
		require.NoError(t, err)
		got, err := img.Digest()
		require.NoError(t, err)
		assert.Equal(t, digest, got.String(), tag)
		cfg, err := img.ConfigFile()
		require.NoError(t, err)
		assert.Equal(t, "publish-test", cfg.Config.Labels["io.spack-ghcr.environment"])
	}
}

func TestSmokeScript(t *testing.T) {
	client, base := enginetest.Engine(t)
	ctx := context.Background()
	ctr := client.Container().From(base).WithNewFile("/opt/hello", "hello\n")
	tests := []struct {
		name, script, wantErr string
	}{
		{"passes", "grep -q hello /opt/hello\n", ""},
		{"fails with its stderr", "echo 'no greeting' >&2\nexit 3\n", "smoke.sh exited 3: no greeting"},
		{"unset variable", "echo $UNSET_VARIABLE\n", "smoke.sh exited 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runSmokeScript(ctx, ctr, client.Directory().WithNewFile("smoke.sh", tt.script).File("smoke.sh"))
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// TestReproducibleRuntimeImage builds the same install tree twice on fresh engine
// state (every step after the upload runs again, so the engine's own image carries
// other dates) and gets the same digest, on scratch and on a base image.
func TestReproducibleRuntimeImage(t *testing.T) {
	client, base := enginetest.Engine(t)
	ctx := context.Background()
	root := slimtest.InstallTree(t)
	closure, prefixes := testClosure()
	for _, runtimeBase := range []string{spack.Scratch, base} {
		t.Run(runtimeBase, func(t *testing.T) {
			env := &spack.Environment{Name: "app", Images: spack.ResolvedImages{Runtime: runtimeBase}}
			in := &provenance.Inputs{Key: "sha256:k", SourceDateEpoch: 1_700_000_000}
			var engineDigests, digests []string
			for range 2 {
				builder := fakeBuilder(t, client, base, root).WithEnvVariable("SPACK_GHCR_CACHE_KEY", fmt.Sprint(time.Now().UnixNano()))
				img, err := buildRuntime(ctx, client, runtimeInputs{
					builder: builder, closure: closure, prefixes: prefixes,
					profile: slim.Runtime, strip: true, base: runtimeBase, work: t.TempDir(),
				})
				require.NoError(t, err)
				work := t.TempDir()
				raw, err := exportImage(ctx, img.ctr, filepath.Join(work, "raw.tar"))
				require.NoError(t, err)
				d, err := raw.Digest()
				require.NoError(t, err)
				engineDigests = append(engineDigests, d.String())
				normal, _, err := reproducibleImage(ctx, client, img.ctr, env, in, work)
				require.NoError(t, err)
				d, err = normal.Digest()
				require.NoError(t, err)
				digests = append(digests, d.String())
			}
			assert.NotEqual(t, engineDigests[0], engineDigests[1], "the engine's export differs by its dates")
			assert.Equal(t, digests[0], digests[1], "the normalised image does not")
		})
	}
}

// TestRunFailableReruns shows what the engine's cache keeps of an exec whose failure is
// data: a success is reused by the next run, a failure is not (a transient one, such as
// a full disk, would otherwise come back on every rerun).
func TestRunFailableReruns(t *testing.T) {
	client, base := enginetest.Engine(t)
	ctx := context.Background()
	// A fresh base per test run, so that nothing from an earlier one is in the cache.
	ctr := client.Container().From(base).WithEnvVariable("TEST_RUN", fmt.Sprint(time.Now().UnixNano()))
	tests := []struct {
		name   string
		script string
		code   int
		reused bool
	}{
		{"a success is reused", "date +%s%N", 0, true},
		{"a failure runs again", "date +%s%N; exit 3", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"sh", "-c", tt.script}
			_, first, code, err := runFailable(ctx, ctr, args)
			require.NoError(t, err)
			require.Equal(t, tt.code, code)
			assert.NotContains(t, first, startedMarker, "the marker is not part of the output")
			// The marker has a second's resolution.
			time.Sleep(2 * time.Second)
			_, second, code, err := runFailable(ctx, ctr, args)
			require.NoError(t, err)
			require.Equal(t, tt.code, code)
			assert.Equal(t, tt.reused, first == second, "first %q, second %q", first, second)
		})
	}
}
