package plan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// environment writes files under a repository in a temporary directory and reads
// environments/NAME/spack.yaml from it.
func environment(t *testing.T, name string, files map[string]string) *spack.Environment {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		p = filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	env, err := spack.LoadEnvironment(filepath.Join(dir, "environments", name, "spack.yaml"),
		spack.WithRoot(dir), spack.WithSpackVersion("1.1.0"), spack.WithTarget("x86_64_v3"))
	require.NoError(t, err)
	return env
}

func TestOf(t *testing.T) {
	const added = "x86_64_v3, added to every package's requirements"
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  Plan
	}{
		{name: "one pinned root, published", files: map[string]string{"environments/lz4/spack.yaml": "spack:\n  specs: [lz4@1.9.4]\n"},
			opts: Options{Target: "x86_64_v3", Registry: "GHCR.io/Owner/", Revision: "0123456789abcdef"},
			want: Plan{Name: "lz4", Dir: "environments/lz4", Specs: []string{"lz4@1.9.4"}, Target: added, View: "/opt/view",
				Includes: []string{}, Image: "ghcr.io/owner/lz4", Tags: []string{"latest", "1.9.4", "0123456"}}},
		{name: "a root of no pinned version, no view, includes", files: map[string]string{
			"environments/zlib/spack.yaml": "spack:\n  include: [../../config/packages.yaml, ../../conf.d]\n  view: false\n  specs: [zlib]\n",
			"config/packages.yaml":         "packages: {}\n", "conf.d/config.yaml": "config: {}\n"},
			opts: Options{Target: "x86_64_v3"},
			want: Plan{Name: "zlib", Dir: "environments/zlib", Specs: []string{"zlib"}, Target: added, View: "none",
				Includes: []string{"config/packages.yaml", "conf.d/"}, Tags: []string{"latest", "<root version>"}}},
		{name: "several roots", files: map[string]string{"environments/two/spack.yaml": "spack:\n  specs: [lz4, zlib]\n"},
			opts: Options{Target: "x86_64_v3", Revision: "abcdef0"},
			want: Plan{Name: "two", Dir: "environments/two", Specs: []string{"lz4", "zlib"}, Target: added, View: "/opt/view",
				Includes: []string{}, Tags: []string{"latest", "abcdef0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := environment(t, tt.want.Name, tt.files)
			got, err := Of(env, tt.opts)
			require.NoError(t, err)
			tt.want.Builder, tt.want.Runtime = "ghcr.io/spack/ubuntu-noble:1.1.0", "ubuntu:24.04"
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWrite(t *testing.T) {
	plans := []Plan{
		{Name: "lz4", Dir: "environments/lz4", Specs: []string{"lz4@1.9.4"}, Builder: "b", Runtime: "r", Target: "x86_64_v3",
			View: "/opt/view", Includes: []string{}, Image: "ghcr.io/o/lz4", Tags: []string{"latest", "1.9.4"}},
		{Name: "two", Dir: "environments/two", Specs: []string{"lz4", "zlib"}, Builder: "b", Runtime: "r", Target: "zen2",
			View: "none", Includes: []string{"config/packages.yaml"}, Tags: []string{"latest"}},
	}
	var text bytes.Buffer
	require.NoError(t, WriteText(&text, plans))
	assert.Equal(t, `lz4         environments/lz4
  specs     lz4@1.9.4
  builder   b
  runtime   r
  target    x86_64_v3
  view      /opt/view
  includes  none
  image     ghcr.io/o/lz4
  tags      latest, 1.9.4

two         environments/two
  specs     lz4
            zlib
  builder   b
  runtime   r
  target    zen2
  view      none
  includes  config/packages.yaml
  image     (not published: no --registry)
  tags      latest
`, text.String())

	var js bytes.Buffer
	require.NoError(t, WriteJSON(&js, plans))
	var back []Plan
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, plans, back)
	assert.Contains(t, js.String(), `"builder_image": "b"`)
}
