package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEvalCondition(t *testing.T) {
	h := Host{Platform: "linux", OS: "ubuntu24.04", Target: "x86_64_v3", Env: map[string]string{"SPACK_CI_TARGET": "x86_64_v3", "EMPTY": ""}}
	tests := []struct {
		expr    string
		want    bool
		wantErr string
	}{
		{expr: `platform == "linux"`, want: true},
		{expr: `platform == 'darwin'`, want: false},
		{expr: `platform != "windows"`, want: true},
		{expr: `"ubuntu" in os`, want: true},
		{expr: `"sles" not in os`, want: true},
		{expr: `platform == "linux" and not env.get("CRAYPE_VERSION") and env.get("SPACK_CI_TARGET") == "x86_64_v3"`, want: true},
		{expr: `env.get("CRAYPE_VERSION")`, want: false},
		{expr: `env.get("EMPTY", "x")`, want: false},
		{expr: `env.get("NOPE", "x") == "x"`, want: true},
		{expr: `"SPACK_CI_TARGET" in env`, want: true},
		{expr: `env["SPACK_CI_TARGET"] == "x86_64_v3"`, want: true},
		{expr: `target == "x86_64_v3" or hostname == "x"`, want: true, wantErr: ""},
		{expr: `(platform == "darwin" or target.startswith("x86_64")) and True`, want: true},
		{expr: `re.match("x86_64", target)`, want: true},
		{expr: `re.search("v4$", target)`, want: false},
		{expr: `arch.satisfies("target=x86_64_v3")`, want: true},
		{expr: `arch.satisfies("platform=darwin")`, want: false},
		{expr: `platform == "darwin" and os == "x"`, want: false},
		{expr: `hostname == "login1"`, wantErr: "reads hostname"},
		{expr: `env["NOPE"]`, wantErr: `env["NOPE"]: the builder's environment has no such variable`},
		{expr: `import os`, wantErr: `unknown name "import"`},
		{expr: `__import__("os").system("x")`, wantErr: `unknown name "__import__"`},
		{expr: `platform ==`, wantErr: "unexpected end"},
		{expr: `platform.upper()`, wantErr: "unsupported attribute .upper"},
		{expr: `1 + 1`, wantErr: `unexpected "+"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := EvalCondition(tt.expr, h)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := EvalCondition(`os == "rhel8"`, Host{Platform: "linux"})
	assert.ErrorContains(t, err, "--builder-os", "an unknown os is an error, never a guess")
}

func FuzzEvalCondition(f *testing.F) {
	for _, s := range []string{`platform == "linux" and not env.get("X")`, `"a" in os or re.match("x", target)`, `arch.satisfies("target=x")`, `(((`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_, _ = EvalCondition(expr, Host{Platform: "linux", OS: "ubuntu24.04", Target: "x86_64_v3"})
	})
}
