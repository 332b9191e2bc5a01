package results

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// layout1Repo is a results repository in layout 1 holding the fixture runs, as pushes
// of the previous spack-ghcr left it: runs in <env>/<run-id>/, index.json, the site.
const layout1Repo = "testdata/layout1"

// readTree returns the files below dir, by slash-separated path.
func readTree(t *testing.T, dir string) memRepo {
	t.Helper()
	files := memRepo{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	}))
	return files
}

// TestMigrate converts a layout 1 checkout: the result is the repository that pushing
// its runs to a new one gives, and draws the same site.
func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(layout1Repo)))
	m, err := Migrate(t.Context(), dir)
	require.NoError(t, err)
	assert.Equal(t, 5, m.Runs)
	assert.Contains(t, m.Removed, "index.json")
	assert.Contains(t, m.Removed, "site")
	assert.Contains(t, m.Removed, "compression/20261101T100000Z-1a2b3c4")

	uploads, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	pushed := memRepo{Readme: []byte(ReadmeText)}
	for _, up := range uploads {
		push(t, pushed, up)
	}
	assert.Equal(t, pushed, readTree(t, dir))
	assert.Equal(t, buildSite(t, fixtureRuns), buildSite(t, dir))

	_, err = Migrate(t.Context(), dir)
	assert.ErrorContains(t, err, "it is in layout 2 already")
	_, err = Migrate(t.Context(), t.TempDir())
	assert.ErrorContains(t, err, "is not a results repository in layout 1")
}
