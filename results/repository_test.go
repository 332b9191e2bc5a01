package results

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memRepo is a results repository held in memory: the files of one commit.
type memRepo map[string][]byte

func (m memRepo) ReadFile(_ context.Context, name string) ([]byte, error) {
	data, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("reading %s: %w", name, fs.ErrNotExist)
	}
	return data, nil
}

func (m memRepo) Exists(_ context.Context, name string) (bool, error) {
	for p := range m {
		if p == name || strings.HasPrefix(p, name+"/") {
			return true, nil
		}
	}
	return false, nil
}

// TestPlanUpdateMatchesFullRender pushes the fixture runs one at a time, each time
// redrawing from the repository's index and history data, and checks that the result
// is the site drawn from all runs at once.
func TestPlanUpdateMatchesFullRender(t *testing.T) {
	uploads, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	require.Len(t, uploads, 5)
	for _, max := range []int{1, 2, DefaultMaxRuns} {
		t.Run(fmt.Sprintf("max %d", max), func(t *testing.T) {
			repo := memRepo{}
			for _, up := range uploads {
				u, err := PlanUpdate(t.Context(), repo, []Upload{up}, WithMaxRuns(max))
				require.NoError(t, err)
				assert.Equal(t, []string{RunPath(up.Run)}, u.Added)
				for name, data := range u.Files {
					repo[name] = data
				}
			}
			site, err := NewSite(WithMaxRuns(max))
			require.NoError(t, err)
			whole, err := site.Render(loadFixtures(t))
			require.NoError(t, err)
			for name, data := range whole {
				assert.Equal(t, string(data), string(repo["site/"+name]), "site/%s", name)
			}
			idx, err := ParseIndex(IndexFile, repo[IndexFile])
			require.NoError(t, err)
			assert.Equal(t, NewIndex(loadFixtures(t)), idx)
			for _, up := range uploads {
				for name, data := range up.Files {
					assert.Equal(t, data, repo[RunPath(up.Run)+"/"+name])
				}
			}
		})
	}
}

func TestPlanUpdate(t *testing.T) {
	uploads, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	repo := memRepo{}
	u, err := PlanUpdate(t.Context(), repo, uploads[:2])
	require.NoError(t, err)
	assert.Equal(t, []string{"compression/20261101T100000Z-1a2b3c4", "compression/20261108T100000Z-5d6e7f8"}, u.Added)
	assert.Empty(t, u.Present)
	assert.Equal(t, "Add results of 2 runs\n\n"+
		"- compression/20261101T100000Z-1a2b3c4: 3 passed, 1 failed, 1 skipped, 0 without tests\n"+
		"- compression/20261108T100000Z-5d6e7f8: 3 passed, 1 failed, 1 skipped, 0 without tests; 1 regression, 1 fix\n", u.Message)
	for _, name := range []string{"index.json", "index.html", ".nojekyll", "site/index.html", "site/style.css", "site/env/compression.html", "site/data/compression.json"} {
		assert.Contains(t, u.Files, name)
	}
	assert.NotContains(t, u.Files, "site/env/python.html", "only the environments pushed")
	for name, data := range u.Files {
		repo[name] = data
	}

	// The same runs again, and a duplicate in one call: nothing to write.
	u, err = PlanUpdate(t.Context(), repo, append(uploads[:2:2], uploads[0]))
	require.NoError(t, err)
	assert.Empty(t, u.Files)
	assert.Empty(t, u.Added)
	assert.Equal(t, []string{"compression/20261101T100000Z-1a2b3c4", "compression/20261108T100000Z-5d6e7f8"}, u.Present)
}

func TestPlanUpdateErrors(t *testing.T) {
	good, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	up := good[0]
	noResults := Upload{Run: up.Run, Files: map[string][]byte{"junit.xml": nil}}
	escaping := Upload{Run: up.Run, Files: map[string][]byte{FileName: up.Files[FileName], "../x": nil}}
	tests := []struct {
		name    string
		repo    memRepo
		uploads []Upload
		wantErr string
	}{
		{name: "no results.json", repo: memRepo{}, uploads: []Upload{noResults}, wantErr: "run compression/20261101T100000Z-1a2b3c4: its files lack results.json"},
		{name: "file leaves the run", repo: memRepo{}, uploads: []Upload{escaping}, wantErr: `file name "../x" leaves the run directory`},
		{name: "broken index", repo: memRepo{"index.json": []byte("{")}, uploads: []Upload{up}, wantErr: "index.json: decoding"},
		{name: "broken history", repo: memRepo{"site/data/compression.json": []byte(`{"schema":1,"environment":"python"}`)}, uploads: []Upload{up}, wantErr: `site/data/compression.json: environment "python" is not "compression"`},
		{name: "failing reader", repo: nil, uploads: []Upload{up}, wantErr: "reading index.json: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var repo RepoReader = tt.repo
			if tt.repo == nil {
				repo = failingRepo{}
			}
			_, err := PlanUpdate(t.Context(), repo, tt.uploads)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

type failingRepo struct{}

func (failingRepo) ReadFile(context.Context, string) ([]byte, error) { return nil, errors.New("boom") }
func (failingRepo) Exists(context.Context, string) (bool, error)     { return false, errors.New("boom") }

func TestParseHistoryDataErrors(t *testing.T) {
	tests := []struct {
		name, input, wantErr string
	}{
		{name: "not json", input: `[`, wantErr: "d.json: decoding"},
		{name: "no schema", input: `{"environment":"e"}`, wantErr: "d.json: schema is missing"},
		{name: "newer", input: `{"schema":9,"environment":"e"}`, wantErr: "schema 9 is newer"},
		{name: "bad env", input: `{"schema":1,"environment":"a/b"}`, wantErr: `environment "a/b" is not a valid environment name`},
		{name: "null run", input: `{"schema":1,"environment":"e","runs":[null]}`, wantErr: "runs[0] is null"},
		{name: "invalid run", input: `{"schema":1,"environment":"e","runs":[{"schema":1}]}`, wantErr: "runs[0]: id is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHistoryData("d.json", []byte(tt.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func FuzzParseHistoryData(f *testing.F) {
	site, err := NewSite()
	if err != nil {
		f.Fatal(err)
	}
	runs, err := LoadTree(fixtureRuns)
	if err != nil {
		f.Fatal(err)
	}
	files, err := site.Render(runs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(files[HistoryDataFile("compression")])
	f.Add([]byte(`{"schema":1,"environment":"e","runs":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseHistoryData("d.json", data)
		if err != nil {
			return
		}
		// Whatever parses must draw a page.
		h := NewHistory(d.Environment, d.Runs, 0)
		if _, err := site.Environment(h, d.Runs); err != nil {
			t.Fatalf("drawing parsed history data: %v", err)
		}
	})
}

func TestLoadUploads(t *testing.T) {
	ups, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	up := ups[0]
	assert.Equal(t, "compression/20261101T100000Z-1a2b3c4", RunPath(up.Run))
	assert.Contains(t, up.Files, "logs/stand-alone/zlib-1.3.1-gcubvwh-test-out.txt")
	assert.Contains(t, up.Files, "junit.xml")
	assert.Len(t, up.Files, 8)

	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(fixtureRuns)))
	run := filepath.Join(dir, "python", "20261108T120000Z-5d6e7f8")
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(run, "passwd")))
	_, err = LoadUploads(dir)
	assert.ErrorContains(t, err, filepath.Join(run, "passwd")+": not a regular file")

	_, err = LoadUploads(run)
	assert.ErrorContains(t, err, "is a run directory")
	_, err = LoadUploads(t.TempDir())
	assert.ErrorContains(t, err, "no runs in")
}
