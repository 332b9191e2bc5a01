package updates

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "environments"))))
	sc := newTestScanner(t)
	rows, err := sc.ScanDir(dir, "")
	require.NoError(t, err)

	// tools' file becomes a directory: its update fails, zlib's three are written.
	tools := filepath.Join(dir, "tools", "spack.yaml")
	require.NoError(t, os.Remove(tools))
	require.NoError(t, os.Mkdir(tools, 0o755))
	written := Write(rows)
	assert.Equal(t, []Written{{File: filepath.Join(dir, "zlib", "spack.yaml"), Updates: 3}}, written)
	assert.Equal(t, `ENV    PACKAGE   CURRENT  NEWEST  ACTION
tools  cmake     4.1.2    4.1.2   up to date
tools  hdf5      1.12.3   1.14.6  failed: file not written
zlib   zlib      1.2.13   1.3.1   edited
zlib   lz4       =1.9.3   1.9.4   edited
zlib   cmake     3.30.9   3.31.9  edited
zlib   hdf5      1.14:    1.14.6  range: holds newest
zlib   python    3.11     -       skip: not in spack-packages
zlib   py-numpy  1.26.4   -       ignored
`, table(t, rows))
	assert.ErrorContains(t, rows[1].Err, "updating "+tools)

	data, err := os.ReadFile(filepath.Join(dir, "zlib", "spack.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "- zlib@1.3.1 +shared   # the compression library\n")
	assert.Contains(t, string(data), "- \"lz4@=1.9.4\"\n")
	assert.Contains(t, string(data), "- cmake@3.31.9\n")
}

func TestRowPullRequest(t *testing.T) {
	r := Row{Env: "zlib", Package: "zlib", Current: "1.2.13", Newest: "1.3.1",
		Update: &Update{OldSpec: "zlib@1.2.13 +shared", NewSpec: "zlib@1.3.1 +shared"}}
	assert.Equal(t, "update/zlib/zlib-1.3.1", r.Branch())
	assert.Equal(t, "zlib: update zlib to 1.3.1", r.Title())
	assert.Contains(t, r.Body(), "| spec | `zlib@1.2.13 +shared` → `zlib@1.3.1 +shared` |\n| homepage | (none given in package.py) |")
	assert.Contains(t, r.Body(), "the bot will not propose zlib 1.3.1 again")
}
