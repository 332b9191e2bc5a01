package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSpec(t *testing.T) {
	type want struct {
		namespace, name, version string // version "" when none
		pinned                   bool
	}
	tests := []struct {
		name    string
		input   string
		want    want
		wantErr string
	}{
		{name: "name only", input: "zlib", want: want{name: "zlib"}},
		{name: "pinned", input: "lz4@1.9.4", want: want{name: "lz4", version: "1.9.4", pinned: true}},
		{name: "exact", input: "lz4@=1.9.4", want: want{name: "lz4", version: "=1.9.4", pinned: true}},
		{name: "range", input: "lz4@1.9:", want: want{name: "lz4", version: "1.9:"}},
		{name: "upper bound", input: "cmake@:3.30", want: want{name: "cmake", version: ":3.30"}},
		{name: "list", input: "hdf5@1.12,1.14 +mpi", want: want{name: "hdf5", version: "1.12,1.14"}},
		{name: "list with spaces", input: "hdf5@1.12 , 1.14 +mpi", want: want{name: "hdf5", version: "1.12 , 1.14"}},
		{name: "space after @", input: "zlib@ 1.3.1", want: want{name: "zlib", version: "1.3.1", pinned: true}},
		{name: "variants", input: "zlib@1.2.13 +shared ~pic", want: want{name: "zlib", version: "1.2.13", pinned: true}},
		{name: "variant glued", input: "zlib@1.2.13+shared~pic", want: want{name: "zlib", version: "1.2.13", pinned: true}},
		{name: "variant before version", input: "zlib+shared@1.2.13", want: want{name: "zlib", version: "1.2.13", pinned: true}},
		{name: "propagated", input: "hdf5@1.14.5 ++shared ~~fortran --debug", want: want{name: "hdf5", version: "1.14.5", pinned: true}},
		{name: "flags", input: `zlib@1.3.1 cflags="-O2 -g ^x@1" ldflags=-Wl,-z,now`, want: want{name: "zlib", version: "1.3.1", pinned: true}},
		{name: "value with caret", input: "zlib cflags=-O2^x @1.3", want: want{name: "zlib", version: "1.3", pinned: true}},
		{name: "dependencies", input: "py-numpy@2.1.0 ^openblas@0.3.28 threads=openmp %gcc@13", want: want{name: "py-numpy", version: "2.1.0", pinned: true}},
		{name: "version only on dependency", input: "hdf5 ^zlib@1.3", want: want{name: "hdf5"}},
		// Spack 1.x reads a version after "%gcc@13" as gcc's second version.
		{name: "compiler first", input: "hdf5 %gcc@13 @1.14", wantErr: "gcc has two versions"},
		{name: "edge properties", input: "hdf5@1.14.5 %[virtuals=c] gcc", want: want{name: "hdf5", version: "1.14.5", pinned: true}},
		{name: "namespace", input: "builtin.zlib@1.3.1", want: want{namespace: "builtin", name: "zlib", version: "1.3.1", pinned: true}},
		{name: "digit first", input: "3proxy@0.9.4", want: want{name: "3proxy", version: "0.9.4", pinned: true}},
		{name: "git version", input: "zlib@git.v1.3.1=1.3.1", want: want{name: "zlib", version: "git.v1.3.1=1.3.1"}},
		{name: "git branch with slash", input: "zlib@git.feature/x +shared", want: want{name: "zlib", version: "git.feature/x"}},
		{name: "dag hash", input: "zlib@1.3.1/abcdef", want: want{name: "zlib", version: "1.3.1", pinned: true}},
		{name: "key value", input: "zlib@1.3.1 target=x86_64 build_system=makefile", want: want{name: "zlib", version: "1.3.1", pinned: true}},
		{name: "leading space", input: "  zlib@1.3.1  ", want: want{name: "zlib", version: "1.3.1", pinned: true}},

		{name: "empty", input: "  ", wantErr: "is empty"},
		{name: "anonymous", input: "@1.2 +shared", wantErr: "want a package name first"},
		{name: "anonymous key value", input: "cflags=-O2", wantErr: "want a package name first"},
		{name: "uppercase", input: "Zlib@1.2", wantErr: `package name "Zlib"`},
		{name: "bad namespace", input: ".zlib", wantErr: "bad namespace"},
		{name: "two names", input: "zlib lz4", wantErr: "one spec per entry"},
		{name: "two versions", input: "zlib@1.2 @1.3", wantErr: "two versions"},
		{name: "at without version", input: "zlib@ +shared", wantErr: "'@' without a version"},
		{name: "bad version", input: "zlib@1.2!", wantErr: "unexpected character"},
		{name: "empty range", input: "zlib@2:1.0", wantErr: "empty range"},
		{name: "unterminated quote", input: `zlib cflags="-O2`, wantErr: "unterminated quote"},
		{name: "unterminated quote in dependency", input: `zlib ^lz4 cflags='-O2`, wantErr: "unterminated quote"},
		{name: "variant without name", input: "zlib + ", wantErr: "without a variant name"},
		{name: "hash without hash", input: "zlib/", wantErr: "without a hash"},
		{name: "missing value", input: "zlib cflags=", wantErr: "missing value"},
		{name: "shell", input: "zlib; rm -rf /", wantErr: "unexpected character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSpec(tt.input)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want.namespace, s.Namespace)
			assert.Equal(t, tt.want.name, s.Name)
			assert.Equal(t, tt.want.version != "", s.HasVersion())
			if s.HasVersion() {
				start, end := s.VersionSpan()
				assert.Equal(t, tt.want.version, tt.input[start:end])
			}
			_, pinned := s.Versions.Pinned()
			assert.Equal(t, tt.want.pinned, pinned)
			assert.Equal(t, tt.input, s.String())
		})
	}
}

func TestSpecWithVersion(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		version string
		want    string
		wantErr error
	}{
		{name: "plain", input: "zlib@1.2.13", version: "1.3.1", want: "zlib@1.3.1"},
		{name: "variants kept", input: "zlib@1.2.13 +shared", version: "1.3.1", want: "zlib@1.3.1 +shared"},
		{name: "glued variants kept", input: "zlib@1.2.13+shared~pic", version: "1.3.1", want: "zlib@1.3.1+shared~pic"},
		{name: "exact stays exact", input: "lz4@=1.9.3 ^cmake@3.30", version: "1.9.4", want: "lz4@=1.9.4 ^cmake@3.30"},
		{name: "dependency untouched", input: "py-numpy@1.26.4 ^py-setuptools@1.26.4", version: "2.1.0", want: "py-numpy@2.1.0 ^py-setuptools@1.26.4"},
		{name: "version after variants", input: "zlib +shared @1.2.13  %gcc@13", version: "1.3.1", want: "zlib +shared @1.3.1  %gcc@13"},
		{name: "spacing kept", input: "  zlib@ 1.2.13\tcflags='-O2 @1.2.13'", version: "1.3.1", want: "  zlib@ 1.3.1\tcflags='-O2 @1.2.13'"},
		{name: "no version", input: "zlib +shared", version: "1.3.1", wantErr: ErrNoVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSpec(tt.input)
			require.NoError(t, err)
			got, err := s.WithVersion(mustVersion(t, tt.version))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
			v, ok := got.Versions.Pinned()
			require.True(t, ok)
			assert.Equal(t, tt.version, v.String())
			assert.Equal(t, s.Name, got.Name)
		})
	}
}
