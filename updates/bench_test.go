package updates

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

func TestBenchFiguresWriteText(t *testing.T) {
	survey := &Survey{Packages: 8000, Failed: 2, Versions: 60000, Dynamic: 40, Behind: []string{"zlib@1.3", "lz4@1.9"}}
	tests := []struct {
		name  string
		input BenchFigures
		want  string
	}{
		{"survey only", BenchFigures{Survey: survey, SurveyTime: 1234567 * time.Microsecond},
			"bench: 8000 package.py read, 2 failed, 60000 versions (40 version() calls computed in loops, not read), 2 packages with an update to find: 1.235s\n"},
		{"scan within the target", BenchFigures{Survey: survey, SurveyTime: time.Second, Environments: 50, Specs: 200, PackagesRead: 180, Updates: 150, ScanTime: 900 * time.Millisecond},
			"bench: 8000 package.py read, 2 failed, 60000 versions (40 version() calls computed in loops, not read), 2 packages with an update to find: 1s\n" +
				"bench: 50 environments, 200 specs, 180 package.py read, 150 updates found: 900ms (within the 2s target)\n"},
		{"scan over the target", BenchFigures{Survey: survey, Environments: 50, ScanTime: 3 * time.Second},
			"bench: 8000 package.py read, 2 failed, 60000 versions (40 version() calls computed in loops, not read), 2 packages with an update to find: 0s\n" +
				"bench: 50 environments, 0 specs, 0 package.py read, 0 updates found: 3s (OVER the 2s target)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			require.NoError(t, tt.input.WriteText(&out))
			assert.Equal(t, tt.want, out.String())
		})
	}
}
