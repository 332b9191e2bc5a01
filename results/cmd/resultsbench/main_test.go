package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchSmall runs the benchmarks small, so that the command keeps working; the
// figures themselves are docs/results.md's.
func TestBenchSmall(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"push", "-envs", "2", "-nights", "3"}, &out))
	assert.Contains(t, out.String(), "push 3 against push 2: requests")
	assert.Contains(t, out.String(), "repository: 6 runs in 4 commits")

	dir := t.TempDir()
	require.NoError(t, writeRepo(t.Context(), filepath.Join(dir, "repo"), 2, 40))
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"render", "-dir", filepath.Join(dir, "repo"), "-out", filepath.Join(dir, "site"), "-keep-months", "1"}, &out))
	assert.Contains(t, out.String(), "site, -keep-months 1: 80 runs of 2 environments")

	for _, args := range [][]string{nil, {"nope"}, {"push", "-envs", "-1"}, {"render"}} {
		assert.ErrorAs(t, run(t.Context(), args, &out), new(usageError), "%v", args)
	}
}
