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

func TestLoadEnvironments(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"zlib": "spack:\n  specs: [zlib]\n", "lz4": "spack:\n  specs: [lz4]\n", "bad": "spack:\n  specs: 3\n"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "spack.yaml"), []byte(body), 0o644))
	}
	tests := []struct {
		name    string
		names   []string
		want    []string
		wantErr string
	}{
		{name: "in the order named", names: []string{"zlib", "lz4"}, want: []string{"zlib", "lz4"}},
		{name: "none", names: nil, want: nil},
		{name: "one does not read", names: []string{"zlib", "bad"}, wantErr: filepath.Join(dir, "bad", "spack.yaml") + ":"},
		{name: "one is missing", names: []string{"none"}, wantErr: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			envs, err := LoadEnvironments(dir, tt.names, WithSpackVersion("1.1.0"))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, e := range envs {
				got = append(got, e.Name)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
