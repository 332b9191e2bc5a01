package spack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseShellExports(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    map[string]string
		wantErr string
	}{
		{
			name:  "bare and quoted values",
			input: "export CMAKE_PREFIX_PATH=/opt/software/lz4-1.9.4-x;\nexport PYTHONPATH='/opt/a b:/opt/c';\nunset FOO;\n",
			want:  map[string]string{"CMAKE_PREFIX_PATH": "/opt/software/lz4-1.9.4-x", "PYTHONPATH": "/opt/a b:/opt/c"},
		},
		{
			name:  "embedded single quote as shlex writes it",
			input: `export GREETING='it'"'"'s';`,
			want:  map[string]string{"GREETING": "it's"},
		},
		{name: "empty", input: "", want: map[string]string{}},
		{name: "not an export", input: "echo hi\n", wantErr: `line 1: not an export: "echo hi"`},
		{name: "unterminated", input: "export A='x;\n", wantErr: "unterminated quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseShellExports(tt.input)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzParseShellExports quotes a value the way Python's shlex.quote does and checks
// that the parser gives it back.
func FuzzParseShellExports(f *testing.F) {
	f.Add("it's")
	f.Add("/opt/a b:/opt/c")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		if strings.ContainsAny(v, "\n\r") {
			t.Skip("values are one line")
		}
		quoted := "'" + strings.ReplaceAll(v, "'", `'"'"'`) + "'"
		got, err := ParseShellExports("export A=" + quoted + ";\n")
		require.NoError(t, err)
		assert.Equal(t, v, got["A"])
	})
}
