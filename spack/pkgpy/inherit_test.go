package pkgpy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// tempRepo writes a package repository with package API v2 holding files, paths
// relative to its root.
func tempRepo(t *testing.T, files map[string]string) *spack.Repo {
	t.Helper()
	root := t.TempDir()
	files["repo.yaml"] = "repo:\n  namespace: builtin\n  api: v2.2\n"
	for name, data := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	}
	repo, err := spack.OpenRepo(root)
	require.NoError(t, err)
	return repo
}

func TestReadInherited(t *testing.T) {
	fixture, err := spack.OpenRepo("testdata/teststats")
	require.NoError(t, err)
	repo := tempRepo(t, map[string]string{
		"packages/base/package.py": "from spack.package import *\n\nclass BaseCommon(Package):\n    homepage = 'https://base'\n    license('MIT')\n" +
			"    license('GPL-2.0-only', when='@:1')\n    version('1.0', sha256='a')\n\nclass Base(BaseCommon):\n    git = 'https://base.git'\n",
		"packages/child/package.py": "from spack_repo.builtin.packages.base.package import BaseCommon\nfrom ..base.package import Base\n\n" +
			"class Child(Base):\n    license('Apache-2.0')\n    version('1.0', sha256='b', deprecated=True)\n    version('2.0', sha256='c')\n",
		"packages/sibling/package.py":     "from spack_repo.builtin.packages.base.package import BaseCommon\n\nclass Sibling(BaseCommon):\n    pass\n",
		"packages/orphan/package.py":      "class NotOrphan(Package):\n    pass\n",
		"packages/broken_base/package.py": "class BrokenBase(Package):\n    homepage = 'x\n",
		"packages/heir/package.py":        "from ..broken_base.package import BrokenBase\n\nclass Heir(BrokenBase):\n    pass\n",
	})
	tests := []struct {
		name     string
		repo     *spack.Repo
		pkg      string
		homepage string
		url      string
		git      string
		licenses []string // expression@when
		versions []string // version, with "!" when deprecated
		wantErr  string
	}{
		{
			name: "fixture fork", repo: fixture, pkg: "libsigsegv-fork",
			homepage: "https://example.org/libsigsegv-fork", url: "https://example.org/libsigsegv-fork-2.15.tar.gz",
			licenses: []string{"GPL-2.0-or-later@"}, versions: []string{"2.14", "2.15"},
		},
		{
			name: "fixture base", repo: fixture, pkg: "libsigsegv", homepage: "https://www.gnu.org/software/libsigsegv/",
			licenses: []string{"GPL-2.0-or-later@"}, versions: []string{"2.14"},
		},
		{
			name: "overrides along the hierarchy", repo: repo, pkg: "child", homepage: "https://base", git: "https://base.git",
			licenses: []string{"Apache-2.0@", "GPL-2.0-only@@:1"}, versions: []string{"1.0!", "2.0"},
		},
		{
			name: "another class of the same file", repo: repo, pkg: "sibling", homepage: "https://base",
			licenses: []string{"MIT@", "GPL-2.0-only@@:1"}, versions: []string{"1.0"},
		},
		{name: "no such package", repo: repo, pkg: "nonesuch", wantErr: `package "nonesuch" not in repository builtin`},
		{name: "no package class", repo: repo, pkg: "orphan", wantErr: "no class Orphan"},
		{name: "a base that does not parse", repo: repo, pkg: "heir", wantErr: "package.py:2: unterminated string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadInherited(tt.repo, tt.pkg)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.homepage, p.Homepage)
			assert.Equal(t, tt.url, p.URL)
			assert.Equal(t, tt.git, p.Git)
			var licenses, versions []string
			for _, l := range p.Licenses {
				licenses = append(licenses, l.Expression+"@"+l.When)
			}
			for _, v := range p.Versions {
				s := v.Version.String()
				if v.Deprecated {
					s += "!"
				}
				versions = append(versions, s)
			}
			assert.Equal(t, tt.licenses, licenses)
			assert.Equal(t, tt.versions, versions)
		})
	}
}
