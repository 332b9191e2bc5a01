package spack

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

func readYAMLFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "yamledit", name))
	require.NoError(t, err)
	return data
}

// checkGolden compares got with testdata/yamledit/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "yamledit", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// changedLines returns the lines of a and b that differ; a and b have as many lines.
func changedLines(t *testing.T, a, b []byte) []string {
	t.Helper()
	al, bl := strings.SplitAfter(string(a), "\n"), strings.SplitAfter(string(b), "\n")
	require.Equal(t, len(al), len(bl), "an edit must not add or remove lines")
	var out []string
	for i := range al {
		if al[i] != bl[i] {
			out = append(out, bl[i])
		}
	}
	return out
}

func TestEnvSpecs(t *testing.T) {
	specs, err := EnvSpecs("env.yaml", readYAMLFixture(t, "env.yaml"))
	require.NoError(t, err)
	type row struct {
		text, where  string
		line, column int
	}
	var got []row
	for _, s := range specs {
		got = append(got, row{s.Text, s.Where, s.Line, s.Column})
	}
	assert.Equal(t, []row{
		{"zlib@1.2.13 +shared", "specs", 5, 9},
		{"lz4@=1.9.3", "specs", 6, 9},
		{"hdf5@1.14.3 ~mpi ^zlib@1.2.13", "specs", 7, 9},
		{"cmake@3.30.9", "specs", 8, 11},
		{`py-numpy@2.1.0 cflags="-O2" ^openblas@0.3.28`, "specs", 9, 9},
		{"gcc@13.2.0", "definitions.compilers", 15, 21},
		{"libpng@1.6.39", "definitions.libs", 18, 11},
	}, got)
}

func TestEnvSpecsErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{name: "empty", input: "", wantErr: "x.yaml: empty file"},
		{name: "no spack", input: "env:\n  specs: [zlib]\n", wantErr: "x.yaml:1: no spack: section"},
		{name: "spack not mapping", input: "spack: [zlib]\n", wantErr: "x.yaml:1: spack must be a mapping"},
		{name: "specs not list", input: "spack:\n  specs: zlib\n", wantErr: "x.yaml:2: spack.specs must be a list"},
		{name: "definitions not list", input: "spack:\n  definitions: {a: [zlib]}\n", wantErr: "x.yaml:2: spack.definitions must be a list"},
		{name: "definition not mapping", input: "spack:\n  definitions:\n  - zlib\n", wantErr: "x.yaml:3: each definition must be a mapping"},
		{name: "unquoted range", input: "spack:\n  specs:\n  - hdf5@1.14: +mpi\n", wantErr: "x.yaml:3: spack.specs entry is a mapping"},
		{name: "bad yaml", input: "spack:\n  specs: [zlib\n", wantErr: "x.yaml: yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EnvSpecs("x.yaml", []byte(tt.input))
			assert.ErrorContains(t, err, tt.wantErr)
			var pe *ParseError
			assert.ErrorAs(t, err, &pe)
		})
	}
}

// TestSetSpecVersionRoundTrip edits one spec of files with comments, odd indentation,
// flow and block lists, quoted and plain strings, and CRLF line endings: the output
// must equal the input but for the version.
func TestSetSpecVersionRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		spec    string // the EnvSpec's text
		version string
		golden  string
		want    string // the one changed line
	}{
		{name: "plain with comment", file: "env.yaml", spec: "zlib@1.2.13 +shared", version: "1.3.1", golden: "env-zlib.golden", want: "      - zlib@1.3.1 +shared   # keep the comment\n"},
		{name: "double quoted exact", file: "env.yaml", spec: "lz4@=1.9.3", version: "1.9.4", golden: "env-lz4.golden", want: "      - \"lz4@=1.9.4\"\n"},
		{name: "single quoted root only", file: "env.yaml", spec: "hdf5@1.14.3 ~mpi ^zlib@1.2.13", version: "1.14.6", golden: "env-hdf5.golden", want: "      - 'hdf5@1.14.6 ~mpi ^zlib@1.2.13'\n"},
		{name: "odd indentation", file: "env.yaml", spec: "cmake@3.30.9", version: "3.31.9", golden: "env-cmake.golden", want: "      -   cmake@3.31.9\n"},
		{name: "definition flow list", file: "env.yaml", spec: "gcc@13.2.0", version: "13.3.0", golden: "env-gcc.golden", want: "      - compilers: [gcc@13.3.0]\n"},
		{name: "flow", file: "flow.yaml", spec: "lz4@1.9.3", version: "1.10.0", golden: "flow-lz4.golden", want: "spack: {specs: [zlib@1.2.13,  \"lz4@1.10.0\", 'xz@5.4.6'], view: false}  # one line\n"},
		{name: "crlf and non-ASCII before", file: "crlf.yaml", spec: "lz4@1.9.3", version: "1.10.0", golden: "crlf-lz4.golden", want: "  - [\"é\", lz4@1.10.0]\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readYAMLFixture(t, tt.file)
			specs, err := EnvSpecs(tt.file, data)
			require.NoError(t, err)
			i := slices.IndexFunc(specs, func(s EnvSpec) bool { return s.Text == tt.spec })
			if tt.file == "crlf.yaml" {
				// The flow list in crlf.yaml is nested, so it is no spec of specs:
				// edit it by position as pins.yaml edits are.
				require.Equal(t, -1, i)
				out, err := ApplyEdits(data, []Edit{{Line: 4, Column: 11, Old: "lz4@1.9.3", New: "lz4@" + tt.version}})
				require.NoError(t, err)
				checkGolden(t, tt.golden, out)
				assert.Equal(t, []string{tt.want}, changedLines(t, data, out))
				return
			}
			require.GreaterOrEqual(t, i, 0, "spec %q not found", tt.spec)
			out, edit, err := SetSpecVersion(data, specs[i], mustVersion(t, tt.version))
			require.NoError(t, err)
			assert.Equal(t, specs[i].Text, edit.Old)
			checkGolden(t, tt.golden, out)
			assert.Equal(t, []string{tt.want}, changedLines(t, data, out))
			assert.Equal(t, len(data)+len(tt.version)-len(strings.TrimPrefix(strings.SplitN(strings.SplitN(tt.spec, "@", 2)[1], " ", 2)[0], "=")), len(out))
		})
	}
}

func TestApplyEditsSeveralOnOneLine(t *testing.T) {
	data := readYAMLFixture(t, "flow.yaml")
	specs, err := EnvSpecs("flow.yaml", data)
	require.NoError(t, err)
	require.Len(t, specs, 3)
	var edits []Edit
	for _, s := range specs {
		sp, err := ParseSpec(s.Text)
		require.NoError(t, err)
		nsp, err := sp.WithVersion(mustVersion(t, "9.9"))
		require.NoError(t, err)
		edits = append(edits, Edit{Line: s.Line, Column: s.Column, Old: s.Text, New: nsp.String()})
	}
	out, err := ApplyEdits(data, edits)
	require.NoError(t, err)
	assert.Equal(t, "spack: {specs: [zlib@9.9,  \"lz4@9.9\", 'xz@9.9'], view: false}  # one line\n", string(out))
}

func TestApplyEditsErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		edit    Edit
		wantErr string
	}{
		{name: "wrong old value", input: "a: b\n", edit: Edit{Line: 1, Column: 4, Old: "c", New: "d"}, wantErr: "not written verbatim"},
		{name: "past the line", input: "a: b\n", edit: Edit{Line: 1, Column: 9, Old: "b", New: "d"}, wantErr: "not in the document"},
		{name: "no such line", input: "a: b\n", edit: Edit{Line: 7, Column: 1, Old: "b", New: "d"}, wantErr: "not in the document"},
		{name: "empty old", input: "a: \n", edit: Edit{Line: 1, Column: 4, Old: "", New: "d"}, wantErr: "empty value"},
		{name: "escape in double quotes", input: "a: \"x\\ty\"\n", edit: Edit{Line: 1, Column: 4, Old: "x\ty", New: "z"}, wantErr: "not written verbatim"},
		{name: "block scalar", input: "a: |\n  b\n", edit: Edit{Line: 1, Column: 4, Old: "b\n", New: "c"}, wantErr: "not written verbatim"},
		{name: "folded plain", input: "a: b\n  c\n", edit: Edit{Line: 1, Column: 4, Old: "b c", New: "d"}, wantErr: "not written verbatim"},
		{name: "quote in new value", input: "a: \"b\"\n", edit: Edit{Line: 1, Column: 4, Old: "b", New: "c\"d"}, wantErr: "needs escaping"},
		{name: "new value breaks yaml", input: "a: b\n", edit: Edit{Line: 1, Column: 4, Old: "b", New: "c: d"}, wantErr: "edit"},
		{name: "not at a scalar start", input: "a: bc\n", edit: Edit{Line: 1, Column: 5, Old: "c", New: "d"}, wantErr: "after the edit"},
		{name: "newline", input: "a: b\n", edit: Edit{Line: 1, Column: 4, Old: "b", New: "c\nd"}, wantErr: "spans lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ApplyEdits([]byte(tt.input), []Edit{tt.edit})
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}
