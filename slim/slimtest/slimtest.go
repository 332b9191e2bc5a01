// Package slimtest builds real ELF files laid out as Spack installs them, for the
// tests of slim and of the pipeline's runtime stage.
package slimtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Prefixes of InstallTree, as Spack's {name}-{version}-{hash} projection names them.
const (
	App        = "/opt/software/app-1.0-aaaa"
	Lib        = "/opt/software/libfoo-2.0-bbbb"
	GCCRuntime = "/opt/software/gcc-runtime-12-cccc"
)

// InstallTree compiles with the host's gcc (Debian 12, like the test bed's base) a
// program, App/bin/app, that prints "hello 1" and loads libm and Lib/lib/libfoo.so.2
// (found through $ORIGIN), which loads libstdc++ from GCCRuntime/lib through its
// RUNPATH, as Spack's compiler wrapper sets it. GCCRuntime also holds the host's
// libgcc_s and a libgfortran nothing loads; App has a header. Built with -g, so that
// stripping shows. It skips the test without gcc and g++.
func InstallTree(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"gcc", "g++"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s to build ELF files", tool)
		}
	}
	root := t.TempDir()
	app, lib, rt := root+App, root+Lib, root+GCCRuntime+"/lib"
	for _, d := range []string{app + "/bin", app + "/include", lib + "/lib", rt} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	src := filepath.Join(t.TempDir(), "foo.cc")
	require.NoError(t, os.WriteFile(src, []byte("#include <string>\nextern \"C\" int foo() { return std::string(\"x\").size(); }\n"), 0o644))
	main := filepath.Join(t.TempDir(), "main.c")
	require.NoError(t, os.WriteFile(main, []byte("#include <math.h>\n#include <stdio.h>\nint foo(void);\n"+
		"int main(void) { printf(\"hello %d\\n\", foo() + (int)sqrt(0.0)); return 0; }\n"), 0o644))
	run := func(args ...string) {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	run("g++", "-g", "-shared", "-fPIC", "-o", lib+"/lib/libfoo.so.2", "-Wl,-soname,libfoo.so.2",
		"-Wl,--enable-new-dtags,-rpath,"+GCCRuntime+"/lib", src)
	require.NoError(t, os.Symlink("libfoo.so.2", lib+"/lib/libfoo.so"))
	run("gcc", "-g", "-o", app+"/bin/app", main, "-L"+lib+"/lib", "-lfoo", "-lm",
		"-Wl,-rpath,$ORIGIN/../../libfoo-2.0-bbbb/lib")
	require.NoError(t, os.WriteFile(app+"/include/app.h", []byte("int foo(void);\n"), 0o644))

	for _, name := range []string{"libstdc++.so.6", "libgcc_s.so.1"} {
		out, err := exec.Command("gcc", "-print-file-name="+name).Output()
		require.NoError(t, err)
		real, err := filepath.EvalSymlinks(strings.TrimSpace(string(out)))
		require.NoError(t, err)
		data, err := os.ReadFile(real)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(rt, filepath.Base(real)), data, 0o755))
		if filepath.Base(real) != name {
			require.NoError(t, os.Symlink(filepath.Base(real), filepath.Join(rt, name)))
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(rt, "libgfortran.so.5"), []byte("\x7fELF not loaded"), 0o755))
	return root
}
