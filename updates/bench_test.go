package updates

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

func TestBench(t *testing.T) {
	repo, err := spack.OpenRepo(filepath.Join("testdata", "spack-packages"))
	require.NoError(t, err)
	fig, err := Bench(context.Background(), repo)
	require.NoError(t, err)
	assert.Equal(t, 5, fig.Survey.Packages)
	assert.Equal(t, 19, fig.Survey.Versions)
	assert.Equal(t, 50, fig.Environments)
	assert.Equal(t, 200, fig.Specs)
	assert.Equal(t, 5, fig.PackagesRead, "each package.py read once")
	assert.Equal(t, 160, fig.Updates)
	assert.True(t, fig.WithinTarget(), "%s", fig.ScanTime)

	// A repository whose one package has one version leaves nothing to find.
	dir := t.TempDir()
	pkg := filepath.Join(dir, "repos", "spack_repo", "builtin", "packages", "zlib")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "repos", "spack_repo", "builtin", "repo.yaml"), []byte("repo:\n  namespace: builtin\n  api: v2.2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "package.py"), []byte("class Zlib(Package):\n    version(\"1.3.1\", sha256=\"00\")\n"), 0o644))
	one, err := spack.OpenRepo(dir)
	require.NoError(t, err)
	fig, err = Bench(context.Background(), one)
	assert.ErrorContains(t, err, "has two safe versions")
	require.NotNil(t, fig, "the survey's figures come with the error")
	assert.Equal(t, 1, fig.Survey.Packages)
	assert.Empty(t, fig.Survey.Behind)
}
