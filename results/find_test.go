package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeRuns writes each run's results.json to out/<env>/<id>/.
func writeRuns(t *testing.T, out string, runs ...*Run) {
	t.Helper()
	for _, r := range runs {
		dir := filepath.Join(out, r.Environment, r.ID)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		data, err := json.Marshal(r)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), data, 0o644))
	}
}

func TestFindRuns(t *testing.T) {
	from := t.TempDir()
	writeRuns(t, from, mkRun("zlib", "r1", 1, "zlib=PASSED"), mkRun("zlib", "r2", 2, "zlib=FAILED"), mkRun("python", "r2", 2, "python=PASSED"))
	tests := []struct {
		name    string
		from    string
		ids     []string
		want    []string
		wantErr string
	}{
		{name: "bare and qualified ids", from: from, ids: []string{"r1", "zlib/r2"}, want: []string{"zlib/r1", "zlib/r2"}},
		{name: "the same run twice", from: from, ids: []string{"python/r2", "python/r2"}, want: []string{"python/r2", "python/r2"}},
		{name: "unknown id", from: from, ids: []string{"r1", "r9"}, wantErr: fmt.Sprintf(`no run "r9" in %s; it holds, newest first: python/r2, zlib/r2, zlib/r1`, from)},
		{name: "ambiguous id", from: from, ids: []string{"r2"}, wantErr: `run id "r2" is in several environments (python/r2, zlib/r2): name one as ENV/RUN-ID`},
		{name: "no runs at all", from: t.TempDir(), ids: []string{"r1"}, wantErr: "it holds no runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := FindRuns(t.Context(), tt.from, tt.ids)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, r := range runs {
				got = append(got, RunPath(r))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFindRunsShowsTheNewestFive(t *testing.T) {
	from := t.TempDir()
	for day := 1; day <= 7; day++ {
		writeRuns(t, from, mkRun("zlib", fmt.Sprintf("r%d", day), day, "zlib=PASSED"))
	}
	_, err := FindRuns(t.Context(), from, []string{"r9"})
	assert.ErrorContains(t, err, "newest first: zlib/r7, zlib/r6, zlib/r5, zlib/r4, zlib/r3, ...")
}

func TestFailedSpecs(t *testing.T) {
	tests := []struct {
		name string
		run  *Run
		want string
	}{
		{"none failed", mkRun("zlib", "r1", 1, "zlib=PASSED", "build:xz=NO_TESTS"), ""},
		{"each failure with its phase", mkRun("zlib", "r1", 1, "zlib@1.3=FAILED", "xz=PASSED", "build:bzip2=FAILED"), "zlib@1.3 (stand-alone), bzip2@1.0 (build-time)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.run.FailedSpecs())
		})
	}
}
