package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/slim"
)

func TestParseInstallSources(t *testing.T) {
	// Lines as Spack 1.1.0 prints them (see out/<env>/install.log).
	out := `==> Fetching file:///var/cache/spack-ghcr/buildcache/blobs/sha256/e7/e794
==> Extracting compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim from binary cache
==> compiler-wrapper: Successfully installed compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim
==> Installing compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim [1/6]
==> No binary for lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu found: installing from source
==> Installing lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu [6/6]
`
	built, cached := parseInstallSources(out)
	assert.Equal(t, []string{"lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu"}, built)
	assert.Equal(t, []string{"compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim"}, cached)
}

func TestParsePrefixes(t *testing.T) {
	got := parsePrefixes("abc /opt/software/a-1-abc\n\nnot a line\ndef /opt/software/b-2-def\n")
	assert.Equal(t, map[string]string{"abc": "/opt/software/a-1-abc", "def": "/opt/software/b-2-def"}, got)
}

func TestParseLoaderList(t *testing.T) {
	out := "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibgomp.so.1 => not found\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n"
	assert.Equal(t, []missingLib{{File: "/opt/x/bin/y", Library: "libgomp.so.1"}}, parseLoaderList("/opt/x/bin/y", out))
	assert.Empty(t, parseLoaderList("/opt/x/bin/y", "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n"))
	err := "/opt/x/bin/y: error while loading shared libraries: libfoo.so.2: cannot open shared object file: No such file or directory\n"
	assert.Equal(t, []missingLib{{File: "/opt/x/bin/y", Library: "libfoo.so.2"}}, parseLoaderList("/opt/x/bin/y", err))
}

func TestBuildConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     buildConfig
		wantErr string
	}{
		{"no environment", buildConfig{profile: "runtime", tests: "root"}, "name at least one environment"},
		{"bad name", buildConfig{envs: []string{"../etc"}, profile: "runtime", tests: "root"}, `environment name "../etc"`},
		{"bad profile", buildConfig{envs: []string{"lz4"}, profile: "fat", tests: "root"}, `-profile "fat"`},
		{"bad tests", buildConfig{envs: []string{"lz4"}, profile: "runtime", tests: "some"}, `-tests "some"`},
		{"missing packages dir", buildConfig{envs: []string{"lz4"}, profile: "runtime", tests: "root", packagesDir: "/nonexistent"}, "-packages /nonexistent: not a directory"},
		{"ok", buildConfig{envs: []string{"lz4"}, profile: "devel", tests: "none"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
			assert.ErrorIs(t, err, errUsage)
		})
	}
}

func TestSpackErrors(t *testing.T) {
	// The concretizer's answer to an unsatisfiable spec (Spack 1.1.0, out/<env>/concretize.log).
	log := `==> Compilers have been configured automatically from PATH inspection
==> Error: failed to concretize ` + "`lz4@99.0`" + ` for the following reasons:
     1. Cannot satisfy 'lz4@99.0' 1(1.10.0)
     2. Cannot satisfy 'lz4@99.0' 4(1.10.0)
        required because lz4@99.0 requested explicitly
`
	got := firstLines(spackErrors(log), 4)
	assert.Equal(t, "==> Error: failed to concretize `lz4@99.0` for the following reasons: | 1. Cannot satisfy 'lz4@99.0' 1(1.10.0) | 2. Cannot satisfy 'lz4@99.0' 4(1.10.0) | required because lz4@99.0 requested explicitly", got)
	assert.Equal(t, "no error here", spackErrors("no error here"))
}

func TestRunEnvironment(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "opt/software/py-x-1-a/lib/python3.11/site-packages"), 0o755))
	final, err := slim.Scan(dir)
	require.NoError(t, err)
	got := runEnvironment(map[string]string{
		"PATH":                "/opt/software/py-x-1-a/bin:/usr/bin",
		"SPACK_LOADED_HASHES": "a",
		"PYTHONPATH":          "/opt/software/py-x-1-a/lib/python3.11/site-packages",
		"MANPATH":             "/opt/software/py-x-1-a/share/man:/usr/share/man",
		"PKG_CONFIG_PATH":     "/opt/software/py-x-1-a/lib/pkgconfig:/usr/lib/pkgconfig",
		"CMAKE_PREFIX_PATH":   "/opt/software/py-x-1-a:/opt/software/gone-1-b",
		"OMP_NUM_THREADS":     "1",
	}, final)
	assert.Equal(t, map[string]string{
		"PYTHONPATH":        "/opt/software/py-x-1-a/lib/python3.11/site-packages",
		"CMAKE_PREFIX_PATH": "/opt/software/py-x-1-a",
		"OMP_NUM_THREADS":   "1",
	}, got)
}
