package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/teststats"
)

// TestCmdStats runs the command line; package teststats tests the report itself.
func TestCmdStats(t *testing.T) {
	envDir := filepath.Join(t.TempDir(), "environments")
	require.NoError(t, os.MkdirAll(filepath.Join(envDir, "mixed"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(envDir, "mixed", "spack.yaml"), []byte("spack:\n  specs:\n  - zlib@1.3.1\n  - openmpi\n"), 0o644))
	args := []string{"stats", "--packages", "../spack/pkgpy/testdata/teststats", "--environments", envDir, "--out", t.TempDir()}

	jsonFile := filepath.Join(t.TempDir(), "stats.json")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), append(args, "--format", "json", "--json", jsonFile), &out))
	var got teststats.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	fromFile, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	assert.Equal(t, out.String(), string(fromFile), "--json writes what stdout gets")
	assert.Equal(t, "builtin", got.Repository.Namespace)
	require.Len(t, got.Environments, 1)
	assert.Equal(t, 2, got.Environments[0].Stats.Packages)

	out.Reset()
	require.NoError(t, run(context.Background(), args, &out))
	assert.Contains(t, out.String(), "| | Packages | Stand-alone: any |", "Markdown by default")
	assert.Contains(t, out.String(), "| environment `mixed` | 2 |")
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
