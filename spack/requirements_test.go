package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestPackagesConfig: the pipeline's target joins the environment's requirements, or
// yields to the environment's own target; it never replaces them.
func TestPackagesConfig(t *testing.T) {
	tests := []struct {
		name        string
		packages    string // the environment's packages: section, indented
		wantRequire []any  // packages:all:require of the pipeline's scope; nil for none
		wantOutcome string
	}{
		{name: "none", wantRequire: []any{"target=x86_64_v3"}, wantOutcome: "x86_64_v3, added to every package's requirements"},
		{
			name:        "a list joins",
			packages:    "    all:\n      require: ['%gcc']\n",
			wantRequire: []any{"target=x86_64_v3"},
			wantOutcome: "x86_64_v3, added to the environment's 1 requirement(s)",
		},
		{
			// A list in a higher scope would replace a string: carry it.
			name:        "a string is carried",
			packages:    "    all:\n      require: '%gcc'\n",
			wantRequire: []any{"%gcc", "target=x86_64_v3"},
			wantOutcome: `x86_64_v3, added to the environment's requirement "%gcc"`,
		},
		{
			name:        "the environment's target wins",
			packages:    "    all:\n      require:\n      - '%gcc'\n      - target=zen4\n",
			wantOutcome: "zen4, the environment's own (the portable target yields)",
		},
		{
			name:        "a target in one_of",
			packages:    "    all:\n      require:\n      - one_of: [target=zen3, target=zen4]\n",
			wantOutcome: "zen3, the environment's own (the portable target yields)",
		},
		{
			name:        "a target preference",
			packages:    "    all:\n      target: [neoverse_v2]\n",
			wantOutcome: "neoverse_v2, the environment's own (the portable target yields)",
		},
		{
			name:        "package requirements shadow all",
			packages:    "    hdf5:\n      require: '@1.14'\n    zlib::\n      require: ['+pic']\n",
			wantRequire: []any{"target=x86_64_v3"},
			wantOutcome: "x86_64_v3, added to every package's requirements; not to hdf5, zlib, whose own require: Spack applies instead (name a target there)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := "spack:\n  specs: [zlib]\n"
			if tt.packages != "" {
				data += "  packages:\n" + tt.packages
			}
			env, err := ParseEnvironment("demo", "spack.yaml", []byte(data))
			require.NoError(t, err)
			cfg, outcome, err := env.PackagesConfig("x86_64_v3")
			require.NoError(t, err)
			assert.Equal(t, tt.wantOutcome, outcome)
			var got struct {
				Packages map[string]struct {
					Require []any `yaml:"require"`
				} `yaml:"packages"`
			}
			require.NoError(t, yaml.Unmarshal([]byte(cfg), &got))
			assert.Equal(t, tt.wantRequire, got.Packages["all"].Require)
		})
	}
}

// TestRequirementsMergeScopes: an include's string requirement under the
// environment's list joins it as Spack's merge does (higher scope first).
func TestRequirementsMergeScopes(t *testing.T) {
	root := repoTree(t, map[string]string{
		"site/packages.yaml": "packages:\n  all:\n    require: ['%gcc', '+pic']\n",
		"environments/demo/spack.yaml": `spack:
  include: [../../site]
  packages:
    all:
      require: ['+shared', '%gcc']
  specs: [zlib]
`,
	})
	env, err := LoadEnvironment(root + "/environments/demo")
	require.NoError(t, err)
	assert.Equal(t, []any{"+shared", "%gcc", "+pic"}, env.Requirements.All)
}
