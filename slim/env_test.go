package slim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLoaderList(t *testing.T) {
	out := "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibgomp.so.1 => not found\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n"
	assert.Equal(t, []MissingLib{{File: "/opt/x/bin/y", Library: "libgomp.so.1"}}, ParseLoaderList("/opt/x/bin/y", out))
	assert.Empty(t, ParseLoaderList("/opt/x/bin/y", "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n"))
	err := "/opt/x/bin/y: error while loading shared libraries: libfoo.so.2: cannot open shared object file: No such file or directory\n"
	assert.Equal(t, []MissingLib{{File: "/opt/x/bin/y", Library: "libfoo.so.2"}}, ParseLoaderList("/opt/x/bin/y", err))
}

func TestRunEnvironment(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "opt/software/py-x-1-a/lib/python3.11/site-packages"), 0o755))
	final, err := Scan(dir)
	require.NoError(t, err)
	got := RunEnvironment(map[string]string{
		"PATH":                "/opt/software/py-x-1-a/bin:/usr/bin",
		"SPACK_LOADED_HASHES": "a",
		"PYTHONPATH":          "/opt/software/py-x-1-a/lib/python3.11/site-packages",
		"MANPATH":             "/opt/software/py-x-1-a/share/man:/usr/share/man",
		"PKG_CONFIG_PATH":     "/opt/software/py-x-1-a/lib/pkgconfig:/usr/lib/pkgconfig",
		"CMAKE_PREFIX_PATH":   "/opt/software/py-x-1-a:/opt/software/gone-1-b",
		"OMP_NUM_THREADS":     "1",
	}, "/opt/software", final.Exists)
	assert.Equal(t, map[string]string{
		"PYTHONPATH":        "/opt/software/py-x-1-a/lib/python3.11/site-packages",
		"CMAKE_PREFIX_PATH": "/opt/software/py-x-1-a",
		"OMP_NUM_THREADS":   "1",
	}, got)
}
