package spack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoTree makes a repository (a folder with .git) holding the given files and
// returns its root.
func repoTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

func TestIncludes(t *testing.T) {
	root := repoTree(t, map[string]string{
		"configs/include.yaml": `include:
- path: linux
  when: platform == "linux"
- path: darwin
  when: platform == "darwin"
- path: optional-missing
  optional: true
`,
		"configs/linux/packages.yaml":    "packages:\n  all:\n    require: ['%gcc']\n",
		"configs/linux/definitions.yaml": "definitions:\n- mpis: [mpich]\n",
		"configs/darwin/packages.yaml":   "packages:\n  all:\n    require: ['%apple-clang']\n",
		"shared/compilers.yaml":          "definitions:\n- compilers: ['%gcc@12']\n",
		"environments/demo/spack.yaml": `spack:
  include:
  - ../../configs/
  - ../../shared/compilers.yaml
  specs:
  - matrix:
    - [$mpis]
    - [$compilers]
`,
	})
	env, err := LoadEnvironment(filepath.Join(root, "environments", "demo"))
	require.NoError(t, err)
	assert.Equal(t, "environments/demo", env.RelDir)
	var rels []string
	for _, inc := range env.Includes {
		rels = append(rels, inc.Rel)
	}
	assert.Equal(t, []string{"configs", "configs/linux", "shared/compilers.yaml"}, rels, "darwin's condition fails; the optional folder is missing")
	assert.Equal(t, []string{"mpich %gcc@12"}, env.Specs, "definitions come from the included folder and file")
	assert.Equal(t, []any{"%gcc"}, env.Requirements.All, "requirements come from the included folder")
}

// TestIncludeRules: includes stay in the repository, are local, and exist.
func TestIncludeRules(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	require.NoError(t, os.WriteFile(outside, []byte("packages: {}\n"), 0o644))
	tests := []struct {
		name    string
		include string
		wantErr string
	}{
		{"absolute", "- /etc/shadow", `:3: include "/etc/shadow": absolute paths read the build machine's files`},
		{"leaves the repository", "- ../../../etc/passwd", `:3: include "../../../etc/passwd": it leaves the repository`},
		{"url", "- https://example.org/packages.yaml", `:3: include "https://example.org/packages.yaml": URLs are not supported`},
		{"git", "- git: https://github.com/spack/spack-configs\n    branch: main\n    paths: [x]", ":3: include from git is not supported"},
		{"variable", "- $spack/etc/spack", `:3: include "$spack/etc/spack": variables and ~ in include paths are not supported`},
		{"home", "- ~/packages.yaml", `:3: include "~/packages.yaml": variables and ~`},
		{"missing", "- ../../nothing.yaml", `:3: include "../../nothing.yaml": no such file or folder`},
		{"link out of the repository", "- link.yaml", "link.yaml is a link to " + outside + ", outside the repository"},
		{"condition reads os of an unknown builder", "- path: x\n    when: os == 'rhel8'", "reads os, and the builder image's operating system is not known"},
		{"unknown key", "- paht: x", ":3: unknown key include entry paht (did you mean include entry path?)"},
		{"not a list", "", ":2: include must be a list of paths, not a null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := repoTree(t, map[string]string{
				"environments/demo/spack.yaml": "spack:\n  include:\n  " + tt.include + "\n  specs: [zlib]\n",
			})
			require.NoError(t, os.Symlink(outside, filepath.Join(root, "environments", "demo", "link.yaml")))
			_, err := LoadEnvironment(filepath.Join(root, "environments", "demo"), WithImages("example.org/my-spack:1", ""))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "packages: {}", "an error never quotes a file's contents")
		})
	}
}

// TestIncludeCondition: os in a condition is known for Spack's own builder images, and
// --builder-os names it for others.
func TestIncludeCondition(t *testing.T) {
	root := repoTree(t, map[string]string{
		"ubuntu.yaml": "definitions:\n- extra: [cmake]\n",
		"environments/demo/spack.yaml": `spack:
  include:
  - path: ../../ubuntu.yaml
    when: '"ubuntu" in os and not env.get("CRAYPE_VERSION")'
  definitions:
  - extra: []
  specs: [zlib, $extra]
`,
	})
	dir := filepath.Join(root, "environments", "demo")
	env, err := LoadEnvironment(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib", "cmake"}, env.Specs, "the default builder is Ubuntu 24.04")

	env, err = LoadEnvironment(dir, WithImages("example.org/my-spack:1", ""), WithBuilderOS("debian12"))
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib"}, env.Specs)
}
