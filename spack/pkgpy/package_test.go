package pkgpy

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

func readFixture(t *testing.T, name string) *Package {
	t.Helper()
	pv, err := Read(filepath.Join("testdata", "packages", name))
	require.NoError(t, err)
	return pv
}

func TestParse(t *testing.T) {
	pv := readFixture(t, "demo.py")
	assert.Equal(t, "https://demo.example.org/project", pv.Homepage)
	assert.Equal(t, 2, pv.Dynamic, "the loop and str(0.8)")

	type row struct {
		version, checksum, vcs string
		deprecated, preferred  bool
		conditional            bool
	}
	want := []row{
		{version: "develop", vcs: "branch"},
		{version: "main", vcs: "branch"},
		{version: "2.0.0rc1", checksum: "sha256"},
		{version: "1.10.0", checksum: "sha256"},
		{version: "1.9.2", checksum: "sha256"},
		{version: "1.9.1", checksum: "sha512"},
		{version: "1.9.0", checksum: "md5"},
		{version: "1.8.0", checksum: "md5"},
		{version: "1.7.0", vcs: "commit"},
		{version: "1.6.0", vcs: "commit"},
		{version: "1.5.0", checksum: "sha256"},
		{version: "1.4.0", checksum: "sha256"},
		{version: "1.3.0"},
		{version: "1.2.1", checksum: "sha256", deprecated: true},
		{version: "1.2.0", checksum: "sha256", deprecated: true},
		{version: "1.1.0", checksum: "sha256"},
		{version: "1.0.1", checksum: "sha256"},
		{version: "1.0.0", checksum: "sha256", deprecated: true},
		{version: "3.0.0", checksum: "sha256", conditional: true},
	}
	var got []row
	for _, v := range pv.Versions {
		got = append(got, row{v.Version.String(), v.Checksum, v.VCS, v.Deprecated, v.Preferred, v.Conditional})
	}
	assert.Equal(t, want, got)

	v, ok := pv.Lookup(mustVersion(t, "1.9.2"))
	require.True(t, ok)
	assert.Equal(t, 36, v.Line, "the line of version(, not of the version string")
	assert.True(t, v.Checksummed())
	_, ok = pv.Lookup(mustVersion(t, "9.9.9"))
	assert.False(t, ok, "version() inside a def is not a directive")
}

func TestParseErrors(t *testing.T) {
	_, err := Read(filepath.Join("testdata", "packages", "broken.py"))
	assert.ErrorContains(t, err, "broken.py:6: unterminated string")
	var pe *spack.ParseError
	assert.ErrorAs(t, err, &pe)
	_, err = Read(filepath.Join("testdata", "packages", "missing.py"))
	assert.ErrorContains(t, err, "missing.py")
}

func TestParseSmall(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		versions []string
		homepage string
	}{
		{name: "empty", input: ""},
		{name: "no class", input: `version("1.0", sha256="x")`},
		{name: "crlf", input: "class A(Package):\r\n    homepage = 'https://a'\r\n    version('1.0', sha256='x')\r\n", versions: []string{"1.0"}, homepage: "https://a"},
		{name: "tabs", input: "class A(Package):\n\tversion(\"1.0\", md5=\"x\")\n\tdef f(self):\n\t\tversion(\"2.0\", md5=\"x\")\n", versions: []string{"1.0"}},
		{name: "numeric version", input: "class A(Package):\n    version(2, sha256='x')\n", versions: []string{"2"}},
		{name: "git version string", input: "class A(Package):\n    version('git.main', branch='main')\n"},
		{name: "f-string", input: "class A(Package):\n    version(f'{x}', sha256='x')\n"},
		{name: "splat", input: "class A(Package):\n    version('1.0', **kw)\n"},
		{name: "after dedent", input: "class A(Package):\n    def f(self):\n        pass\n    version('1.0', sha256='x')\n", versions: []string{"1.0"}},
		{name: "top level again", input: "class A(Package):\n    pass\nversion('1.0', sha256='x')\n"},
		{name: "escaped quote", input: "class A(Package):\n    homepage = \"https://a/\\\"q\\\"\"\n", homepage: `https://a/"q"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pv, err := Parse("package.py", []byte(tt.input))
			require.NoError(t, err)
			var got []string
			for _, v := range pv.Versions {
				got = append(got, v.Version.String())
			}
			assert.Equal(t, tt.versions, got)
			assert.Equal(t, tt.homepage, pv.Homepage)
		})
	}
}

func TestNewest(t *testing.T) {
	demo := readFixture(t, "demo.py")
	got, ok := demo.Newest(nil)
	require.True(t, ok)
	assert.Equal(t, "1.10.0", got.Version.String(), "no prerelease, no conditional version")
	preferred := readFixture(t, "preferred.py")
	got, ok = preferred.Newest(nil)
	require.True(t, ok)
	assert.Equal(t, "3.31.9", got.Version.String())
	_, ok = demo.Newest(func(spack.Version) bool { return true })
	assert.False(t, ok)
}

func TestNewestSafe(t *testing.T) {
	demo := readFixture(t, "demo.py")
	preferred := readFixture(t, "preferred.py")
	tests := []struct {
		name    string
		pkg     *Package
		current string
		exclude string // a version constraint, "" for none
		want    string // "" when there is no update
	}{
		{name: "newest checksummed", pkg: demo, current: "1.9.0", want: "1.10.0"},
		{name: "from old", pkg: demo, current: "1.0.0", want: "1.10.0"},
		{name: "numbers not text", pkg: demo, current: "1.9.2", want: "1.10.0"},
		{name: "up to date", pkg: demo, current: "1.10.0"},
		{name: "prerelease only from prerelease", pkg: demo, current: "2.0.0rc0", want: "2.0.0rc1"},
		{name: "excluded", pkg: demo, current: "1.9.0", exclude: "1.10:", want: "1.9.2"},
		{name: "exclude all", pkg: demo, current: "1.9.0", exclude: ":"},
		{name: "not deprecated, git or unchecksummed", pkg: demo, current: "1.0.0", exclude: "1.4.1:", want: "1.4.0"},
		{name: "skips deprecated", pkg: demo, current: "1.1.0", exclude: "1.3:", want: ""},
		{name: "unknown current", pkg: demo, current: "0.1", want: "1.10.0"},
		{name: "capped at preferred", pkg: preferred, current: "3.30.9", want: "3.31.9"},
		{name: "on preferred", pkg: preferred, current: "3.31.9"},
		{name: "above preferred", pkg: preferred, current: "4.0.4", want: "4.1.2"},
		{name: "develop stays", pkg: preferred, current: "master"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var exclude func(spack.Version) bool
			if tt.exclude != "" {
				c, err := spack.ParseVersionConstraint(tt.exclude)
				require.NoError(t, err)
				exclude = c.Contains
			}
			got, ok := tt.pkg.NewestSafe(mustVersion(t, tt.current), exclude)
			assert.Equal(t, tt.want != "", ok)
			if ok {
				assert.Equal(t, tt.want, got.Version.String())
				assert.True(t, got.Safe(strings.Contains(tt.current, "rc")))
			}
		})
	}
}

func mustVersion(t testing.TB, s string) spack.Version {
	t.Helper()
	v, err := spack.ParseVersion(s)
	require.NoError(t, err, s)
	return v
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  Source
	}{
		{name: "none", input: "class A(Package):\n    pass\n"},
		{
			name: "all",
			input: "class A(Package):\n    homepage = 'https://a.org'\n    url = \"https://a.org/a-1.0.tar.gz\"\n" +
				"    urls = [\"https://m1/a-1.0.tgz\", 'https://m2/a-1.0.tgz',]\n    git = 'https://github.com/a/a.git'\n" +
				"    list_url = 'https://a.org/releases'\n",
			want: Source{Homepage: "https://a.org", URL: "https://a.org/a-1.0.tar.gz", URLs: []string{"https://m1/a-1.0.tgz", "https://m2/a-1.0.tgz"},
				Git: "https://github.com/a/a.git", ListURL: "https://a.org/releases"},
		},
		{name: "urls tuple", input: "class A(Package):\n    urls = ('https://m1/x', 'https://m2/x')\n", want: Source{URLs: []string{"https://m1/x", "https://m2/x"}}},
		{name: "url in parentheses over lines", input: "class A(Package):\n    url = (\n        'https://a.org/'\n        'a-1.0.tgz'\n    )\n", want: Source{URL: "https://a.org/a-1.0.tgz"}},
		{name: "first literal wins", input: "class A(Package):\n    git = 'https://one'\n    git = 'https://two'\n", want: Source{Git: "https://one"}},
		{name: "computed values are not read", input: "class A(Package):\n    url = base + '/a.tgz'\n    urls = [u for u in x]\n    git = f'https://{h}'\n"},
		{name: "conditional is not read", input: "class A(Package):\n    if sys.platform == 'darwin':\n        url = 'https://mac'\n"},
		{name: "in a def is not read", input: "class A(Package):\n    def url_for_version(self, v):\n        url = 'https://x'\n"},
		{name: "annotated or compared is not an assignment", input: "class A(Package):\n    url == 'https://x'\n    homepage += 'x'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("package.py", []byte(tt.input))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Source)
		})
	}
}

func TestVersionURL(t *testing.T) {
	p, err := Parse("package.py", []byte("class A(Package):\n    version('1.0', sha256='x', url='https://a.org/old/a-1.0.tgz')\n    version('2.0', sha256='y')\n"))
	require.NoError(t, err)
	require.Len(t, p.Versions, 2)
	assert.Equal(t, "https://a.org/old/a-1.0.tgz", p.Versions[0].URL)
	assert.Empty(t, p.Versions[1].URL)
}
