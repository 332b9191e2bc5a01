package updates

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

func TestParseIgnoreList(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		ignored []string // packages ignored whole
		exclude map[string][]string
		keep    map[string][]string
		wantErr string
	}{
		{name: "empty", input: ""},
		{
			name:    "the documented example",
			input:   "openmpi                 # never update openmpi\ncmake@4:\nhdf5@=1.14.4\nspack-packages@2026.01\n",
			ignored: []string{"openmpi"},
			exclude: map[string][]string{"cmake": {"4.0.0", "4.1"}, "hdf5": {"1.14.4"}, "spack-packages": {"2026.01.0", "2026.01.3"}},
			keep:    map[string][]string{"cmake": {"3.31.9"}, "hdf5": {"1.14.5", "1.14.4.1"}, "spack-packages": {"2026.02.0"}},
		},
		{name: "comments and blanks", input: "# all\n\n  zlib  # but zlib\n", ignored: []string{"zlib"}},
		{name: "variant", input: "zlib\nzlib +shared\n", wantErr: `x:2: "zlib +shared": want NAME or NAME@VERSIONS`},
		{name: "dependency", input: "hdf5 ^zlib\n", wantErr: "x:1:"},
		{name: "namespace", input: "builtin.zlib\n", wantErr: "x:1:"},
		{name: "empty range", input: "zlib@2:1.0\n", wantErr: "x:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseIgnoreList("x", []byte(tt.input))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				var pe *spack.ParseError
				assert.ErrorAs(t, err, &pe)
				return
			}
			require.NoError(t, err)
			for _, p := range tt.ignored {
				assert.True(t, l.IgnoresPackage(p), p)
			}
			assert.False(t, l.IgnoresPackage("other"))
			assert.Nil(t, l.Excludes("other"))
			check := func(m map[string][]string, want bool) {
				for pkg, versions := range m {
					ex := l.Excludes(pkg)
					require.NotNil(t, ex, pkg)
					for _, v := range versions {
						ver, err := spack.ParseVersion(v)
						require.NoError(t, err)
						assert.Equal(t, want, ex(ver), "%s@%s", pkg, v)
					}
				}
			}
			check(tt.exclude, true)
			check(tt.keep, false)
		})
	}

	var zero IgnoreList
	assert.False(t, zero.IgnoresPackage("zlib"), "the zero list ignores nothing")
	_, err := LoadIgnoreList("testdata/nowhere", false)
	assert.NoError(t, err, "a missing default file is an empty list")
	_, err = LoadIgnoreList("testdata/nowhere", true)
	assert.ErrorContains(t, err, "reading ignore list")
}

func FuzzParseIgnoreList(f *testing.F) {
	f.Add([]byte("openmpi\ncmake@4:\nhdf5@=1.14.4 # x\n"))
	f.Add([]byte("zlib@1.2:1.4,2\n\n#\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseIgnoreList("x", data)
		if err != nil {
			var pe *spack.ParseError
			if !assert.ErrorAs(t, err, &pe) {
				t.FailNow()
			}
			return
		}
		v, _ := spack.ParseVersion("1.0")
		for name := range l.versions {
			_ = l.Excludes(name)(v)
		}
	})
}
