package spack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseInstallLog(t *testing.T) {
	// Lines as Spack 1.1.0 prints them (see out/<env>/install.log).
	out := `==> Fetching file:///var/cache/spack-ghcr/buildcache/blobs/sha256/e7/e794
==> Extracting compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim from binary cache
==> compiler-wrapper: Successfully installed compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim
==> Installing compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim [1/6]
==> No binary for lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu found: installing from source
==> Installing lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu [6/6]
`
	l := ParseInstallLog(out)
	assert.Equal(t, []string{"lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu"}, l.Built)
	assert.Equal(t, []string{"compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim"}, l.Cached)
}

func TestParsePrefixes(t *testing.T) {
	got := ParsePrefixes("abc /opt/software/a-1-abc\n\nnot a line\ndef /opt/software/b-2-def\n")
	assert.Equal(t, map[string]string{"abc": "/opt/software/a-1-abc", "def": "/opt/software/b-2-def"}, got)
}

func TestErrorLines(t *testing.T) {
	// The concretizer's answer to an unsatisfiable spec (Spack 1.1.0, out/<env>/concretize.log).
	log := `==> Compilers have been configured automatically from PATH inspection
==> Error: failed to concretize ` + "`lz4@99.0`" + ` for the following reasons:
     1. Cannot satisfy 'lz4@99.0' 1(1.10.0)
     2. Cannot satisfy 'lz4@99.0' 4(1.10.0)
        required because lz4@99.0 requested explicitly
`
	got := FirstLines(ErrorLines(log), 4)
	assert.Equal(t, "==> Error: failed to concretize `lz4@99.0` for the following reasons: | 1. Cannot satisfy 'lz4@99.0' 1(1.10.0) | 2. Cannot satisfy 'lz4@99.0' 4(1.10.0) | required because lz4@99.0 requested explicitly", got)
	assert.Equal(t, "no error here", ErrorLines("no error here"))
}

func TestParseInstallEvent(t *testing.T) {
	tests := []struct {
		line string
		want InstallEvent
		ok   bool
	}{
		{"==> Installing lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu [6/6]", InstallEvent{Spec: "lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu", Kind: "installing", Index: 6, Total: 6}, true},
		{"==> No binary for lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu found: installing from source", InstallEvent{Spec: "lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu", Kind: "source"}, true},
		{"==> Extracting compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim from binary cache", InstallEvent{Spec: "compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim", Kind: "cached"}, true},
		{"==> lz4: Successfully installed lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu", InstallEvent{}, false},
		{"==> Installing lz4 [x/y]", InstallEvent{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseInstallEvent(tt.line)
		assert.Equal(t, tt.ok, ok, tt.line)
		assert.Equal(t, tt.want, got, tt.line)
	}
	assert.Equal(t, "compiler-wrapper@1.0", SpecLabel("compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim"))
	assert.Equal(t, "lz4@1.9.4", SpecLabel("lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu"))
}

func TestNoSpaceLine(t *testing.T) {
	long := "==> Error: [Errno 28] No space left on device: '/opt/software/" + strings.Repeat("x", 300) + "'"
	tests := []struct {
		name    string
		input   string
		want    string
		wantErr bool // found no full disk
	}{
		{"spack", "==> Installing gcc-runtime\n==> Error: [Errno 28] No space left on device: '/opt/software/gcc-runtime-12.2.0-iwxnaxb'\n",
			"[Errno 28] No space left on device: '/opt/software/gcc-runtime-12.2.0-iwxnaxb'", false},
		{"tar", "tar: lib/libstdc++.so.6: Cannot write: No space left on device\ntar: Exiting with failure status", "tar: lib/libstdc++.so.6: Cannot write: No space left on device", false},
		{"go", "copy: write /var/lib/dagger/x: no space left on device", "copy: write /var/lib/dagger/x: no space left on device", false},
		{"bounded", long, long[len("==> Error: "):len("==> Error: ")+maxDetail] + "…", false},
		{"another failure", "==> Error: FetchError: All fetchers failed", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NoSpaceLine(tt.input)
			if tt.wantErr {
				assert.False(t, ok)
				return
			}
			assert.True(t, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
