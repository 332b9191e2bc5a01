package updates

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateRows are n update rows, with a row that has nothing to update first.
func updateRows(n int) []Row {
	rows := []Row{{Env: "zlib", Package: "cmake", Current: "4.1.2", Newest: "4.1.2", Action: "up to date"}}
	for i := range n {
		rows = append(rows, Row{Env: "zlib", Package: fmt.Sprintf("p%d", i), Current: "1.0", Newest: "2.0", Action: "update",
			Update: &Update{File: "environments/zlib/spack.yaml", Content: []byte("x")}})
	}
	return rows
}

func TestOpenAll(t *testing.T) {
	tests := []struct {
		name       string
		results    []PullResult // what Open answers, row by row; a zero one is an error
		max        int
		cancel     bool
		want       []string
		wantLog    []string
		wantFailed int
	}{
		{name: "opened", results: []PullResult{{Number: 1, URL: "u/1"}, {Number: 2, URL: "u/2"}}, max: 10,
			want: []string{"opened #1", "opened #2"}, wantLog: []string{"zlib: p0 2.0: opened u/1", "zlib: p1 2.0: opened u/2"}},
		{name: "held past the maximum", results: []PullResult{{Number: 1}, {Number: 2}, {Number: 3}}, max: 2,
			want: []string{"opened #1", "opened #2", "held: -max-prs 2 reached"}, wantLog: []string{"zlib: p0 2.0: opened ", "zlib: p1 2.0: opened "}},
		{name: "existing and skipped ones do not count", results: []PullResult{{Skipped: "open pull request #7 has this title", Existing: 7}, {Skipped: "closed pull request #4 for this version was not merged"}, {Number: 9}}, max: 1,
			want:    []string{"exists #7", "skipped: closed pull request #4 for this version was not merged", "opened #9"},
			wantLog: []string{"zlib: p1 2.0: closed pull request #4 for this version was not merged", "zlib: p2 2.0: opened "}},
		{name: "a failure does not stop the others", results: []PullResult{{}, {Number: 2}}, max: 10,
			want: []string{"failed: short", "opened #2"}, wantLog: []string{"zlib: p0 2.0: GitHub is down", "zlib: p1 2.0: opened "}, wantFailed: 1},
		{name: "interrupted", results: []PullResult{{Number: 1}, {Number: 2}}, max: 10, cancel: true,
			want: []string{"failed: interrupted", "failed: interrupted"}, wantFailed: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			rows := updateRows(len(tt.results))
			var logged []string
			calls := 0
			PullRequests{
				Open: func(_ context.Context, r *Row) (PullResult, error) {
					res := tt.results[calls]
					calls++
					if res == (PullResult{}) {
						return res, errors.New("GitHub is down")
					}
					return res, nil
				},
				Reason: func(error) string { return "short" },
				Max:    tt.max,
				Logf:   func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) },
			}.OpenAll(ctx, rows)

			assert.Equal(t, "up to date", rows[0].Action, "a row without an update is left alone")
			var got []string
			failed := 0
			for _, r := range rows[1:] {
				got = append(got, r.Action)
				if r.Failed() {
					failed++
				}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantFailed, failed)
			require.Len(t, logged, len(tt.wantLog))
			for i, want := range tt.wantLog {
				assert.Contains(t, logged[i], want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	failed := updateRows(3)
	failed[1].Fail("GitHub answered 502", errors.New("502"))
	tests := []struct {
		name       string
		rows       []Row
		unreadable int
		wantErr    []string
	}{
		{name: "all went well", rows: updateRows(3)},
		{name: "one failed", rows: failed, wantErr: []string{"updates: 1 of 3 updates failed; a rerun finishes them"}},
		{name: "unreadable environments", rows: updateRows(1), unreadable: 2, wantErr: []string{"updates: 2 environment(s) could not be read; see the log"}},
		{name: "both", rows: failed, unreadable: 1, wantErr: []string{"1 of 3 updates failed", "1 environment(s) could not be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Outcome(tt.rows, tt.unreadable)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			for _, want := range tt.wantErr {
				assert.ErrorContains(t, err, want)
			}
		})
	}
}

func TestRemoteTags(t *testing.T) {
	_, err := RemoteTags(context.Background(), "--upload-pack=x")
	assert.ErrorContains(t, err, "not a git remote")
	_, err = RemoteTags(context.Background(), filepath.Join(t.TempDir(), "nothing"))
	assert.ErrorContains(t, err, "listing tags of ")
}
