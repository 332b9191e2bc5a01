package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	lock, err := os.ReadFile("testdata/stats/spack.lock")
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

func TestCmdStatsJSON(t *testing.T) {
	envDir := statsFixture(t)
	jsonFile := filepath.Join(t.TempDir(), "stats.json")
	var out bytes.Buffer
	err := run(context.Background(), []string{"stats",
		"--packages", "../spack/pkgpy/testdata/teststats", "--environments", envDir,
		"--out", t.TempDir(), "--format", "json", "--json", jsonFile,
	}, &out)
	require.NoError(t, err)

	var got statsReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	fromFile, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	assert.Equal(t, out.String(), string(fromFile), "--json writes what stdout gets")

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

func TestCmdStatsMarkdown(t *testing.T) {
	envDir := statsFixture(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"stats",
		"--packages", "../spack/pkgpy/testdata/teststats", "--environments", envDir, "--out", t.TempDir(),
	}, &out))
	md := out.String()
	assert.Contains(t, md, "| | Packages | Stand-alone: any |")
	assert.Contains(t, md, "| all of `builtin` | 12 | 7 (58.3%) | 2 (16.7%) | 3 (25.0%) | 2 (16.7%) | 5 (41.7%) |")
	assert.Contains(t, md, "| environment `mixed` | 3 |")
	assert.Contains(t, md, "| openmpi | virtual: mpi.test_mpi_hello | package: build:check@package, install:installcheck@autotools |")
	assert.Contains(t, md, "| zlib | none | package: reads run_tests |")
}

func TestCmdStatsUsage(t *testing.T) {
	t.Setenv("SPACK_PACKAGES", "")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "no packages", args: nil, wantErr: "--packages (or $SPACK_PACKAGES) must name a spack-packages checkout"},
		{name: "bad format", args: []string{"--packages", "x", "--format", "yaml"}, wantErr: `--format must be json or markdown, not "yaml"`},
		{name: "stray argument", args: []string{"--packages", "x", "extra"}, wantErr: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"stats"}, tt.args...), &bytes.Buffer{})
			require.Error(t, err)
			assert.True(t, errors.Is(err, errUsage), "a usage error: %v", err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}

	err := run(context.Background(), []string{"stats", "--packages", t.TempDir()}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "no repo.yaml")
}
