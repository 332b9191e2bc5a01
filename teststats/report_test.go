package teststats

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statsFixture lays out two environments: "compilers" with a spack.lock next to its
// spack.yaml, "mixed" with root specs only.
func statsFixture(t *testing.T) (envDir string) {
	t.Helper()
	envDir = filepath.Join(t.TempDir(), "environments")
	lock, err := os.ReadFile("testdata/spack.lock")
	require.NoError(t, err)
	for name, files := range map[string]map[string]string{
		"compilers": {"spack.yaml": "spack:\n  specs:\n  - lz4@1.9.4\n", "spack.lock": string(lock)},
		"mixed":     {"spack.yaml": "spack:\n  specs:\n  - zlib@1.3.1\n  - py-six +foo\n  - openmpi\n"},
	} {
		require.NoError(t, os.MkdirAll(filepath.Join(envDir, name), 0o755))
		for file, data := range files {
			require.NoError(t, os.WriteFile(filepath.Join(envDir, name, file), []byte(data), 0o644))
		}
	}
	return envDir
}

// report is the report of the fixture repository and environments, as JSON gives it.
func report(t *testing.T) (*Report, string) {
	t.Helper()
	envDir := statsFixture(t)
	r, err := New(context.Background(), "../spack/pkgpy/testdata/teststats")
	require.NoError(t, err)
	require.NoError(t, r.AddEnvironments(envDir, t.TempDir()))
	data, err := json.Marshal(r)
	require.NoError(t, err)
	var got Report
	require.NoError(t, json.Unmarshal(data, &got))
	return &got, envDir
}

func TestReport(t *testing.T) {
	got, envDir := report(t)

	assert.Equal(t, "builtin", got.Repository.Namespace)
	assert.Equal(t, []string{"c", "mpi"}, got.Repository.Virtuals)
	assert.Equal(t, 12, got.Repository.Stats.Packages)
	assert.Equal(t, 5, got.Repository.Stats.StandAlone.Spack)

	require.Len(t, got.Environments, 2)
	compilers, mixed := got.Environments[0], got.Environments[1]
	assert.Equal(t, "compilers", compilers.Name)
	assert.Equal(t, filepath.Join(envDir, "compilers", "spack.lock"), compilers.Source)
	assert.Equal(t, 1, compilers.Stats.Packages, "only gcc of the lockfile is in the fixture repository")
	assert.Equal(t, []string{"compiler-wrapper", "gcc-runtime", "glibc", "gmake", "lz4"}, compilers.Stats.Missing)
	assert.Equal(t, 1, compilers.Stats.StandAlone.Virtual, "gcc's tests come from the c virtual")

	assert.Equal(t, "mixed", mixed.Name)
	assert.True(t, strings.HasSuffix(mixed.Source, "(root specs only: no spack.lock)"), mixed.Source)
	assert.Equal(t, 3, mixed.Stats.Packages)
	var names []string
	for _, p := range mixed.Packages {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"openmpi", "py-six", "zlib"}, names)
	assert.Equal(t, 3, mixed.Stats.BuildTime.Any)
	assert.Equal(t, 2, mixed.Stats.Both)
}

func TestWriteMarkdown(t *testing.T) {
	r, _ := report(t)
	var out bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&out))
	md := out.String()
	assert.Contains(t, md, "| | Packages | Stand-alone: any |")
	assert.Contains(t, md, "| all of `builtin` | 12 | 7 (58.3%) | 2 (16.7%) | 3 (25.0%) | 2 (16.7%) | 5 (41.7%) |")
	assert.Contains(t, md, "| environment `mixed` | 3 |")
	assert.Contains(t, md, "| openmpi | virtual: mpi.test_mpi_hello | package: build:check@package, install:installcheck@autotools |")
	assert.Contains(t, md, "| zlib | none | package: reads run_tests |")
}

func TestAddEnvironments(t *testing.T) {
	var decoded Report
	assert.ErrorContains(t, decoded.AddEnvironments(t.TempDir(), t.TempDir()), "no package catalog")

	r, err := New(context.Background(), "../spack/pkgpy/testdata/teststats")
	require.NoError(t, err)
	require.NoError(t, r.AddEnvironments(filepath.Join(t.TempDir(), "none"), t.TempDir()), "no environments directory, no environments")
	assert.Empty(t, r.Environments)

	envDir := statsFixture(t)
	out := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(out, "mixed"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "mixed", "spack.lock"), []byte("{"), 0o644))
	assert.ErrorContains(t, r.AddEnvironments(envDir, out), filepath.Join(out, "mixed", "spack.lock"), "a build's spack.lock that does not parse")

	_, err = New(context.Background(), t.TempDir())
	assert.ErrorContains(t, err, "no repo.yaml")
}

func TestGitHead(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{name: "a branch", files: map[string]string{"HEAD": "ref: refs/heads/main\n", "refs/heads/main": sha + "\n"}, want: sha},
		{name: "a packed branch", files: map[string]string{"HEAD": "ref: refs/heads/main\n", "packed-refs": "# pack-refs with: peeled\n" + sha + " refs/heads/main\n"}, want: sha},
		{name: "detached", files: map[string]string{"HEAD": sha + "\n"}, want: sha},
		{name: "a branch nowhere", files: map[string]string{"HEAD": "ref: refs/heads/main\n"}, want: ""},
		{name: "not a checkout", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				p := filepath.Join(dir, ".git", filepath.FromSlash(name))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
			}
			assert.Equal(t, tt.want, gitHead(dir))
		})
	}
}
