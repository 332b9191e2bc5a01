package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestViewPlacement(t *testing.T) {
	tests := []struct {
		view            View
		root, scopeView string
	}{
		{View{}, "", ""},
		{View{Enabled: true}, "/opt/view", "/opt/view"},
		{View{Enabled: true, Root: "/opt/myview"}, "/opt/myview", ""},
		{View{Enabled: true, Root: "views/default", Name: "default"}, "/env/views/default", ""},
	}
	for _, tt := range tests {
		root, scope := tt.view.Placement("/env")
		assert.Equal(t, tt.root, root)
		assert.Equal(t, tt.scopeView, scope)
	}
}

func TestScopeFiles(t *testing.T) {
	tests := []struct {
		name    string
		input   Scope
		want    map[string]string
		wantNot []string
	}{
		{"paths and no mirror", Scope{InstallRoot: "/opt/software", SourceCache: "/c/src", MiscCache: "/c/misc", BuildStage: "/tmp/stage", TestStage: "/t", Repo: "/p/builtin", Packages: "packages: {}\n"},
			map[string]string{
				"config.yaml":   "config:\n  install_tree:\n    root: /opt/software\n    projections:\n      all: \"{name}-{version}-{hash}\"\n  source_cache: /c/src\n  misc_cache: /c/misc\n  build_stage: [/tmp/stage]\n  test_stage: /t\n",
				"repos.yaml":    "repos:\n  builtin: /p/builtin\n",
				"packages.yaml": "packages: {}\n",
				"mirrors.yaml":  "mirrors:\n",
			}, []string{"view.yaml"}},
		{"every kind of mirror, and a view", Scope{View: "/opt/view", Mirrors: []Mirror{
			{Name: "local", URL: "file:///cache", Binary: true, Source: true, Autopush: true},
			{Name: "shared", URL: "oci://ghcr.io/o/c", Binary: true, IDVariable: "U", SecretVariable: "T_ROOT"},
			{Name: "sources", URL: "file:///mirror", Source: true},
		}}, map[string]string{
			"mirrors.yaml": "mirrors:\n  local:\n    url: file:///cache\n    signed: false\n    autopush: true\n" +
				"  shared:\n    url: oci://ghcr.io/o/c\n    signed: false\n    source: false\n    access_pair:\n      id_variable: U\n      secret_variable: T_ROOT\n" +
				"  sources:\n    url: file:///mirror\n    binary: false\n",
			"view.yaml": "view: /opt/view\n",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := tt.input.Files()
			for name, want := range tt.want {
				assert.Equal(t, want, files[name], name)
			}
			for _, name := range tt.wantNot {
				assert.NotContains(t, files, name)
			}
			for name, content := range files {
				assert.NotContains(t, content, "bootstrap", name)
			}
		})
	}
}
