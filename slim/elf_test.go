package slim

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildTrees compiles a real program and library with the host's gcc into a shipped
// tree, and copies the host's libstdc++ and libgcc_s into a compiler-runtime tree, laid
// out as Spack installs them.
func buildTrees(t *testing.T) (shipped, runtimes *Tree) {
	t.Helper()
	for _, tool := range []string{"gcc", "g++"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s to build ELF files", tool)
		}
	}
	ship, rt := t.TempDir(), t.TempDir()
	app := filepath.Join(ship, "opt/software/app-1.0-aaaa")
	lib := filepath.Join(ship, "opt/software/libfoo-2.0-bbbb")
	gccrt := filepath.Join(rt, "opt/software/gcc-runtime-12-cccc/lib")
	for _, d := range []string{app + "/bin", lib + "/lib", gccrt} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	src := filepath.Join(t.TempDir(), "foo.cc")
	require.NoError(t, os.WriteFile(src, []byte("#include <string>\nextern \"C\" int foo() { return std::string(\"x\").size(); }\n"), 0o644))
	main := filepath.Join(t.TempDir(), "main.c")
	require.NoError(t, os.WriteFile(main, []byte("#include <math.h>\nint foo(void);\nint main(void) { return foo() + (int)sqrt(0.0); }\n"), 0o644))

	run := func(args ...string) {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	// The library finds libstdc++ through its RUNPATH, as Spack's compiler wrapper sets it.
	run("g++", "-shared", "-fPIC", "-o", lib+"/lib/libfoo.so.2", "-Wl,-soname,libfoo.so.2",
		"-Wl,--enable-new-dtags,-rpath,/opt/software/gcc-runtime-12-cccc/lib", src)
	require.NoError(t, os.Symlink("libfoo.so.2", lib+"/lib/libfoo.so"))
	run("gcc", "-o", app+"/bin/app", main, "-L"+lib+"/lib", "-lfoo", "-lm",
		"-Wl,-rpath,$ORIGIN/../../libfoo-2.0-bbbb/lib")

	for _, name := range []string{"libstdc++.so.6", "libgcc_s.so.1"} {
		out, err := exec.Command("gcc", "-print-file-name="+name).Output()
		require.NoError(t, err)
		real, err := filepath.EvalSymlinks(string(out[:len(out)-1]))
		require.NoError(t, err)
		data, err := os.ReadFile(real)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(gccrt, filepath.Base(real)), data, 0o755))
		if filepath.Base(real) != name {
			require.NoError(t, os.Symlink(filepath.Base(real), filepath.Join(gccrt, name)))
		}
	}
	// A library nothing loads must stay out.
	require.NoError(t, os.WriteFile(filepath.Join(gccrt, "libgfortran.so.5"), []byte("\x7fELF junk"), 0o755))

	shipped, err := Scan(ship)
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
