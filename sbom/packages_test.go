package sbom

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
)

func TestFromPackage(t *testing.T) {
	const gpl = "class A(Package):\n    homepage = 'https://a.org'\n    url = 'https://a.org/a-1.0.tar.gz'\n" +
		"    license('GPL-2.0-or-later', when='@:4.5')\n    license('LGPL-2.1-or-later', when='@4.6:')\n"
	tests := []struct {
		name, input, version string
		want                 Package
	}{
		{"the license of an old version", gpl, "4.5", Package{License: "GPL-2.0-or-later", Homepage: "https://a.org", SourceURL: "https://a.org/a-1.0.tar.gz"}},
		{"the license of a new version", gpl, "4.6", Package{License: "LGPL-2.1-or-later", Homepage: "https://a.org", SourceURL: "https://a.org/a-1.0.tar.gz"}},
		{"git when no url", "class A(Package):\n    git = 'https://github.com/a/a'\n    license('MIT')\n", "1.0", Package{License: "MIT", SourceURL: "https://github.com/a/a"}},
		{"a license that is not SPDX is skipped", "class A(Package):\n    license('custom')\n    license('MIT')\n", "1.0", Package{License: "MIT"}},
		{"a version Spack cannot read takes the first SPDX license", gpl, "@@", Package{License: "GPL-2.0-or-later", Homepage: "https://a.org", SourceURL: "https://a.org/a-1.0.tar.gz"}},
		{"a condition that cannot be decided is skipped", "class A(Package):\n    license('MIT', when='+gpl')\n", "1.0", Package{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := pkgpy.Parse("package.py", []byte(tt.input))
			require.NoError(t, err)
			assert.Equal(t, tt.want, FromPackage(p, tt.version))
		})
	}
}

func TestReadPackages(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"repo.yaml":             "repo:\n  namespace: builtin\n  api: v2.2\n",
		"packages/a/package.py": "class A(Package):\n    homepage = 'https://a.org'\n    license('MIT')\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	repo, err := spack.OpenRepo(root)
	require.NoError(t, err)
	meta, skipped := ReadPackages(repo, []*spack.ConcreteSpec{{Name: "a", Version: "1.0"}, {Name: "missing", Version: "2"}})
	assert.Equal(t, map[string]Package{"a": {License: "MIT", Homepage: "https://a.org"}}, meta)
	require.Len(t, skipped, 1)
	assert.ErrorContains(t, skipped[0], "missing: ")
}
