// Package enginetest gives the tests that need the test bed's Dagger engine and Spack
// what they share: the engine, or a skip saying what is missing (../shared/testbed).
package enginetest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dagger.io/dagger"
	"github.com/stretchr/testify/require"
)

// Engine connects to the test bed's Dagger engine and returns it with the test bed's
// base image, or skips.
func Engine(t *testing.T) (*dagger.Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a Dagger engine; skipped with -short")
	}
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" && os.Getenv("DAGGER_SESSION_PORT") == "" {
		t.Skip("needs a Dagger engine: run ../shared/testbed/up and eval its env")
	}
	base := os.Getenv("TESTBED_BASE_IMAGE")
	if base == "" {
		t.Skip("needs TESTBED_BASE_IMAGE from ../shared/testbed/env")
	}
	client, err := dagger.Connect(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	return client, base
}

// Spack is the test bed's Spack: a builder image made by hand, a spack-packages
// checkout and a source mirror made from Debian's sources. Paths are relative to a
// package directory one level below the repository's root.
type Spack struct {
	BuilderImage string
	Packages     string
	Mirror       string
	Pins         string
}

// SpackBed returns the test bed's Spack with the builder image named by the variable
// imageVar (TESTBED_SPACK_IMAGE, TESTBED_SPACK_OFFICIAL_IMAGE), or skips.
func SpackBed(t *testing.T, imageVar string) Spack {
	t.Helper()
	image := os.Getenv(imageVar)
	if image == "" {
		t.Skipf("needs %s: a Spack builder image made by hand (see ../shared/testbed/README.md)", imageVar)
	}
	packages := os.Getenv("SPACK_PACKAGES")
	if packages == "" {
		t.Skip("needs SPACK_PACKAGES: a spack-packages checkout")
	}
	mirror := filepath.Join(t.TempDir(), "mirror")
	out, err := exec.Command("../../shared/testbed/debian-mirror", mirror, "libsigsegv", "lz4").CombinedOutput()
	if err != nil {
		t.Skipf("needs ../shared/testbed/debian-mirror for sources: %v: %s", err, out)
	}
	return Spack{BuilderImage: image, Packages: packages, Mirror: mirror, Pins: "../pins.yaml"}
}

// Flags are the build command's flags that point it at s.
func (s Spack) Flags() []string {
	return []string{"--builder-image", s.BuilderImage, "--packages", s.Packages, "--mirror", s.Mirror, "--pins", s.Pins}
}

// ReadJSON decodes the JSON file at path into v.
func ReadJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}
