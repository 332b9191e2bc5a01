package spack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListEnvironments(t *testing.T) {
	dir := t.TempDir()
	for path, data := range map[string]string{
		"zlib/spack.yaml":       "spack: {}\n",
		"lz4/spack.yaml":        "spack: {}\n",
		"lz4/smoke.sh":          "lz4 -V\n",
		"Bad Name/spack.yaml":   "spack: {}\n",
		"empty/README.md":       "nothing\n",
		"folder/spack.yaml/x":   "a folder named spack.yaml: listed, unreadable\n",
		"README.md":             "environments\n",
		"spack.yaml":            "spack: {}\n",
		"common/packages.yaml":  "packages: {}\n",
		"hdf5.1/spack.yaml":     "spack: {}\n",
		"_private/spack.yaml":   "spack: {}\n",
		"cmake-tools/spack.yml": "spack: {}\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(path))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	got, err := ListEnvironments(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"folder", "hdf5.1", "lz4", "zlib"}, got)

	_, err = ListEnvironments(filepath.Join(dir, "missing"))
	assert.ErrorContains(t, err, "listing environments: ")
}
