package slim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/slim/slimtest"
)

// buildTrees splits slimtest's install tree into the shipped prefixes and the
// compiler runtime, as the runtime stage copies them out of the builder.
func buildTrees(t *testing.T) (shipped, runtimes *Tree) {
	root := slimtest.InstallTree(t)
	rt := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(rt, "opt/software"), 0o755))
	require.NoError(t, os.Rename(root+slimtest.GCCRuntime, rt+slimtest.GCCRuntime))
	shipped, err := Scan(root)
	require.NoError(t, err)
	runtimes, err = Scan(rt)
	require.NoError(t, err)
	return shipped, runtimes
}

func TestPlanLibraries(t *testing.T) {
	shipped, runtimes := buildTrees(t)

	elfs, err := shipped.ELFs()
	require.NoError(t, err)
	require.Len(t, elfs, 2)
	appELF := elfs[0]
	assert.Equal(t, "/opt/software/app-1.0-aaaa/bin/app", appELF.Path)
	assert.Equal(t, []string{"/opt/software/libfoo-2.0-bbbb/lib"}, appELF.SearchPath)
	assert.Contains(t, appELF.Needed, "libfoo.so.2")
	assert.NotEmpty(t, appELF.Interp)

	plan, err := PlanLibraries(shipped, runtimes, nil)
	require.NoError(t, err)
	var names []string
	for _, f := range plan.RuntimeFiles {
		names = append(names, filepath.Base(f))
	}
	assert.Contains(t, names, "libstdc++.so.6")
	assert.Contains(t, names, "libgcc_s.so.1")
	assert.NotContains(t, names, "libgfortran.so.5")
	assert.Contains(t, plan.OS, "libc.so.6")
	assert.Contains(t, plan.OS, "libm.so.6")
	assert.NotContains(t, plan.OS, "libfoo.so.2")
	assert.NotContains(t, plan.OS, "libstdc++.so.6")
	assert.Equal(t, []string{appELF.Interp}, plan.Interpreters)

	// Without the compiler runtime, libstdc++ is the OS's problem: this is what an image
	// that dropped gcc-runtime wholesale would need.
	plan, err = PlanLibraries(shipped, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"/opt/software/libfoo-2.0-bbbb/lib/libfoo.so.2"}, plan.OS["libstdc++.so.6"])
}

func TestTreeSizeAndSymlinks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "p/lib"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p/lib/a.so.1.0"), make([]byte, 100), 0o644))
	require.NoError(t, os.Symlink("a.so.1.0", filepath.Join(dir, "p/lib/a.so.1")))
	require.NoError(t, os.Symlink("lib", filepath.Join(dir, "p/lib64")))
	require.NoError(t, os.Symlink("/nowhere", filepath.Join(dir, "p/dangling")))
	tr, err := Scan(dir)
	require.NoError(t, err)
	assert.Equal(t, int64(100), tr.Size("/"))
	assert.Equal(t, int64(100), tr.Size("/p"))
	assert.Equal(t, int64(0), tr.Size("/q"))
	assert.True(t, tr.Has("/p/lib/a.so.1"))
	assert.True(t, tr.Has("/p/lib64/a.so.1"))
	assert.False(t, tr.Has("/p/dangling"))
	assert.True(t, tr.Exists("/p/lib64"))
	assert.True(t, tr.Exists("/p"))
	assert.False(t, tr.Exists("/p/include"))
	assert.Equal(t, []string{"/p/dangling", "/p/lib/a.so.1", "/p/lib/a.so.1.0", "/p/lib64"}, tr.Paths())
}

func TestExcludes(t *testing.T) {
	assert.Contains(t, Excludes(Runtime), "include")
	assert.Contains(t, Excludes(Runtime), ".spack")
	assert.NotContains(t, Excludes(Devel), "include")
	assert.Contains(t, Excludes(Devel), "share/man")
	_, ok := ParseProfile("fat")
	assert.False(t, ok)
}
