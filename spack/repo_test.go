package spack

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenRepo(t *testing.T) {
	r, err := OpenRepo(filepath.Join("testdata", "repo"))
	require.NoError(t, err)
	assert.Equal(t, "builtin", r.Namespace)
	assert.Equal(t, "v2.2", r.API)

	pkgs, err := r.Packages()
	require.NoError(t, err)
	var names []string
	for _, p := range pkgs {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"3proxy", "py-numpy", "zlib"}, names)

	p, err := r.Package("py-numpy")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(r.Root, "packages", "py_numpy", "package.py"), p.File)
	_, err = r.Package("3proxy")
	assert.NoError(t, err)
	_, err = r.Package("nope")
	assert.ErrorContains(t, err, `"nope"`)
}

func TestOpenRepoMissing(t *testing.T) {
	_, err := OpenRepo(t.TempDir())
	assert.ErrorContains(t, err, "no repo.yaml")
}
