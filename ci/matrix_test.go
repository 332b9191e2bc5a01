package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMatrixCommand runs the command line on environments without a base commit, so
// that every one is built (package affected tests which a change selects): what the
// command adds is the flags, the jobs and the publish verdict.
func TestMatrixCommand(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"arm", "lz4", "tools", "zlib"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "spack.yaml"), []byte("spack:\n  specs: ["+name+"]\n"), 0o644))
	}
	inGitHub := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/1/merge"}
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		want      string
		wantErr   string
		wantUsage bool
	}{
		{name: "one environment per job", args: []string{"-event", "push"}, want: `{"env":["arm","lz4","tools","zlib"],"publish":true}`},
		{name: "several environments per job", args: []string{"-per-job", "3"}, want: `{"env":["arm lz4 tools","zlib"],"publish":true}`},
		{name: "manual run of one environment", args: []string{"-event", "workflow_dispatch", "-environment", "zlib"}, want: `{"env":["zlib"],"publish":true}`},
		{name: "a pull request never publishes", env: inGitHub, want: `{"env":["arm","lz4","tools","zlib"],"publish":false}`},
		{name: "manual run of an unknown environment", args: []string{"-event", "workflow_dispatch", "-environment", "hdf5"},
			wantErr: `-environment "hdf5": no such environment`, wantUsage: true},
		{name: "a base that looks like a flag", args: []string{"-base=--output=/tmp/x"}, wantErr: "is not a commit", wantUsage: true},
		{name: "a bad -per-job", args: []string{"-per-job", "-1"}, wantErr: "-per-job must be at least 1", wantUsage: true},
		{name: "stray argument", args: []string{"stray"}, wantErr: `unexpected argument "stray"`, wantUsage: true},
		{name: "no environments", args: []string{"-environments", filepath.Join(dir, "none")}, wantErr: "matrix: listing environments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noGitHub(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout bytes.Buffer
			err := run(context.Background(), append([]string{"matrix", "-environments", dir}, tt.args...), &stdout)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, tt.wantUsage, isUsage(err))
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, stdout.String())
			var got matrixOutput
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), "one JSON line")
		})
	}
}
