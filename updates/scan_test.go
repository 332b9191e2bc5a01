package updates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// newTestScanner scans testdata's environments against its small spack-packages, with
// its ignore list.
func newTestScanner(t *testing.T) *Scanner {
	t.Helper()
	repo, err := spack.OpenRepo(filepath.Join("testdata", "spack-packages"))
	require.NoError(t, err)
	ignore, err := LoadIgnoreList(filepath.Join("testdata", ".github", "updates-ignore"), true)
	require.NoError(t, err)
	return NewScanner(repo, ignore)
}

func table(t *testing.T, rows []Row) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, rows))
	return b.String()
}

func TestScanDir(t *testing.T) {
	sc := newTestScanner(t)
	rows, err := sc.ScanDir(filepath.Join("testdata", "environments"), "")
	require.NoError(t, err)
	assert.Equal(t, `ENV    PACKAGE   CURRENT  NEWEST  ACTION
tools  cmake     4.1.2    4.1.2   up to date
tools  hdf5      1.12.3   1.14.6  update
zlib   zlib      1.2.13   1.3.1   update
zlib   lz4       =1.9.3   1.9.4   update
zlib   cmake     3.30.9   3.31.9  update
zlib   hdf5      1.14:    1.14.6  range: holds newest
zlib   python    3.11     -       skip: not in spack-packages
zlib   py-numpy  1.26.4   -       ignored
`, table(t, rows))
	assert.Equal(t, 9, sc.Specs(), "every spec is looked at, versioned or not")
	assert.Equal(t, 4, sc.PackagesRead(), "each package.py once; python is missing, py-numpy ignored")
	assert.Zero(t, sc.Unreadable())

	zlib := rows[2]
	path := filepath.Join("testdata", "environments", "zlib", "spack.yaml")
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotNil(t, zlib.Update)
	assert.Equal(t, path, zlib.Update.File)
	assert.Equal(t, strings.Replace(string(before), "zlib@1.2.13", "zlib@1.3.1", 1), string(zlib.Update.Content))
	assert.Equal(t, spack.Edit{Line: 4, Column: 5, Old: "zlib@1.2.13 +shared", New: "zlib@1.3.1 +shared"}, zlib.Update.Edit)
	assert.Equal(t, "https://zlib.net", zlib.Update.Homepage)
	assert.Equal(t, "zlib@1.3.1 +shared", zlib.Update.NewSpec)
	assert.ErrorContains(t, rows[6].Err, path+":8: not in spack-packages")
	assert.Nil(t, rows[0].Update)

	rows, err = sc.ScanDir(filepath.Join("testdata", "environments"), "tools")
	require.NoError(t, err)
	assert.Len(t, rows, 2)
	_, err = sc.ScanDir(filepath.Join("testdata", "environments"), "nope")
	assert.ErrorContains(t, err, "reading environment nope")
	_, err = sc.ScanDir(filepath.Join("testdata", "nowhere"), "")
	assert.ErrorContains(t, err, "listing environments")
}

// TestScanDirKeepsGoing: an environment that does not parse, or cannot be read, is a
// row of its own and the others are scanned.
func TestScanDirKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "spack.yaml"), []byte(content), 0o644))
	}
	write("a-good", "spack:\n  specs: [zlib@1.2.13]\n")
	write("b-broken", "spack:\n  specs: zlib\n")
	write("c-spec", "spack:\n  specs: ['zlib@@1']\n")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "d-dir", "spack.yaml"), 0o755)) // a directory: unreadable

	sc := newTestScanner(t)
	rows, err := sc.ScanDir(dir, "")
	require.NoError(t, err)
	assert.Equal(t, `ENV       PACKAGE  CURRENT  NEWEST  ACTION
a-good    zlib     1.2.13   1.3.1   update
b-broken  -        -        -       skip: spack.yaml does not parse
c-spec    -        -        -       skip: spack.yaml does not parse
d-dir     -        -        -       failed: spack.yaml unreadable
`, table(t, rows))
	// A spec build refuses makes the environment unreadable to the bot too: one reader.
	assert.Equal(t, 3, sc.Unreadable())
	assert.ErrorContains(t, rows[1].Err, "specs must be a list")
	assert.ErrorContains(t, rows[2].Err, filepath.Join(dir, "c-spec", "spack.yaml")+":2:")
	assert.True(t, rows[3].Failed())
	assert.False(t, rows[1].Failed(), "a skip is policy, not a failure")
}

// TestScanDirRefusesLinks: a spack.yaml that is a link is read by neither build nor
// the bot, which would otherwise propose edits to whatever it points at.
func TestScanDirRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "spack.yaml")
	require.NoError(t, os.WriteFile(outside, []byte("spack:\n  specs: [zlib@1.2.13]\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "linked"), 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "linked", "spack.yaml")))

	sc := newTestScanner(t)
	rows, err := sc.ScanDir(dir, "")
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.True(t, rows[0].Failed())
	assert.ErrorContains(t, rows[0].Err, "spack.yaml is a symbolic link")
	assert.Equal(t, 1, sc.Unreadable())
}

func TestScanEnvironmentDecisions(t *testing.T) {
	tests := []struct {
		name   string
		spec   string
		want   string // the row's NEWEST and ACTION
		update bool
	}{
		{name: "pin", spec: "zlib@1.2.13", want: "1.3.1 update", update: true},
		{name: "exact pin stays exact", spec: "lz4@=1.9.3", want: "1.9.4 update", update: true},
		{name: "newest", spec: "zlib@1.3.1", want: "1.3.1 up to date"},
		{name: "range holds newest", spec: "hdf5@1.14:", want: "1.14.6 range: holds newest"},
		{name: "range excludes newest", spec: "hdf5@:1.12", want: "1.14.6 range: excludes newest"},
		{name: "series", spec: "hdf5@1.12", want: "1.14.6 range: excludes newest"},
		{name: "git", spec: "zlib@git.v1.3", want: "- skip: git version"},
		{name: "develop", spec: "zlib@develop", want: "- skip: develop-like version"},
		{name: "ignored", spec: "py-numpy@1.26.4", want: "- ignored"},
		{name: "not in repo", spec: "python@3.11", want: "- skip: not in spack-packages"},
		{name: "preferred caps", spec: "cmake@3.30.9", want: "3.31.9 update", update: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newTestScanner(t)
			rows, err := sc.ScanEnvironment("e", "e.yaml", []byte("spack:\n  specs:\n  - '"+tt.spec+"'\n"))
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, tt.want, rows[0].Newest+" "+rows[0].Action)
			assert.Equal(t, tt.update, rows[0].Update != nil)
		})
	}
}
