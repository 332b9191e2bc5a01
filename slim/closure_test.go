package slim

import (
	"path"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/slim/slimtest"
)

func TestAnalyseClosure(t *testing.T) {
	all, err := Scan(slimtest.InstallTree(t))
	require.NoError(t, err)
	app := Prefix{Name: "app", Path: slimtest.App}
	lib := Prefix{Name: "libfoo", Path: slimtest.Lib}
	rt := Prefix{Name: "gcc-runtime", Path: slimtest.GCCRuntime}
	c, err := AnalyseClosure(all, []Prefix{app, lib, rt})
	require.NoError(t, err)

	assert.True(t, c.Shipped.Exists(slimtest.App+"/bin/app"))
	assert.False(t, c.Shipped.Exists(slimtest.GCCRuntime+"/lib/libgcc_s.so.1"), "a compiler runtime does not ship whole")
	var runtimeFiles []string
	for _, f := range c.RuntimeIncludes() {
		assert.False(t, path.IsAbs(f), "include patterns are relative: %s", f)
		runtimeFiles = append(runtimeFiles, filepath.Base(f))
	}
	assert.Contains(t, runtimeFiles, "libstdc++.so.6")
	assert.NotContains(t, runtimeFiles, "libgfortran.so.5", "nothing loads it")
	assert.True(t, c.Exists(slimtest.GCCRuntime+"/lib/libstdc++.so.6"))
	assert.False(t, c.Exists(slimtest.GCCRuntime+"/lib/libgfortran.so.5"))

	var elfs []string
	for _, e := range c.ELFs {
		elfs = append(elfs, path.Base(e.Path))
	}
	assert.Subset(t, elfs, []string{"app", "libfoo.so.2", "libstdc++.so.6"}, "the shipped ELF files, the runtime's included")
	assert.Equal(t, []string{slimtest.Lib + "/lib", slimtest.GCCRuntime + "/lib"}, c.LibPath)
	assert.Equal(t, []string{slimtest.App + "/bin"}, c.BinDirs())

	assert.True(t, c.Ships(app))
	assert.True(t, c.Ships(rt), "the runtime ships libstdc++")
	unused := Prefix{Name: "gcc-runtime", Path: "/opt/software/gcc-runtime-13-dddd"}
	assert.False(t, c.Ships(unused), "a compiler runtime none of whose files ship")
}
