package affected

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/spack-ghcr/spack-ghcr/internal/gittest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// initialTree is the repository every case starts from: three environments,
// one of which (tools) includes a file and a folder outside its own.
var initialTree = map[string]string{
	"environments/lz4/spack.yaml":           "spack:\n  specs: [lz4]\n",
	"environments/zlib/spack.yaml":          "spack:\n  specs: [zlib]\n",
	"environments/tools/spack.yaml":         "spack:\n  include: [../../common/packages.yaml, ../../common/compilers]\n  specs: [cmake]\n",
	"environments/arm/spack.yaml":           "spack:\n  include:\n  - path: ../../common/arm.yaml\n    when: target == \"aarch64\"\n  specs: [zlib]\n",
	"common/arm.yaml":                       "packages: {}\n",
	"environments/README.md":                "environments\n",
	"common/packages.yaml":                  "packages: {}\n",
	"common/compilers/gcc.yaml":             "compilers: []\n",
	"common/unused.yaml":                    "x: 1\n",
	"pins.yaml":                             "spack: 1.1.0\n",
	"go.mod":                                "module example.com/x\n",
	"go.sum":                                "\n",
	"dagger.json":                           "{}\n",
	"ci/build.go":                           "package main\n",
	"ci/build_test.go":                      "package main\n",
	"ci/testdata/environments/x/spack.yaml": "spack: {}\n",
	"docs/ci.md":                            "# CI\n",
}

func TestEnvironments(t *testing.T) {
	tests := []struct {
		name        string
		change      map[string]string
		base        string // "" the initial commit; "none" no base; else as given
		event       string
		environment string
		includes    IncludedPaths // nil: Includes, the environment loader's
		want        []string
		wantErr     string
	}{
		{name: "an environment's spack.yaml", change: map[string]string{"environments/lz4/spack.yaml": "spack:\n  specs: [lz4@1.9.4]\n"}, want: []string{"lz4"}},
		{name: "a new file in an environment's folder", change: map[string]string{"environments/zlib/smoke.sh": "zlib-flate -h\n"}, want: []string{"zlib"}},
		{name: "two environments", change: map[string]string{"environments/lz4/smoke.sh": "lz4 -V\n", "environments/zlib/spack.lock": "{}\n"}, want: []string{"lz4", "zlib"}},
		{name: "a file an environment includes", change: map[string]string{"common/packages.yaml": "packages: {all: {}}\n"}, want: []string{"tools"}},
		{name: "a file in a folder an environment includes", change: map[string]string{"common/compilers/clang.yaml": "compilers: []\n"}, want: []string{"tools"}},
		{name: "a file included on one platform only", change: map[string]string{"common/arm.yaml": "packages: {all: {}}\n"}, want: []string{"arm"}},
		{name: "a file nothing includes", change: map[string]string{"common/unused.yaml": "x: 2\n"}, want: []string{}},
		{name: "pins.yaml: every environment", change: map[string]string{"pins.yaml": "spack: 1.1.1\n"}, want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "go.mod: every environment", change: map[string]string{"go.mod": "module example.com/y\n"}, want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "go.sum: every environment", change: map[string]string{"go.sum": "x\n"}, want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "the engine version: every environment", change: map[string]string{"dagger.json": "{\"engineVersion\":\"v0.19.11\"}\n"}, want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "pipeline code: every environment", change: map[string]string{"ci/build.go": "package main\n\nfunc f() {}\n"}, want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "a new package of pipeline code", change: map[string]string{"registry/push.go": "package registry\n"}, want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "a test only: nothing", change: map[string]string{"ci/build_test.go": "package main\n\n// more\n"}, want: []string{}},
		{name: "test data only: nothing", change: map[string]string{"ci/testdata/environments/x/spack.yaml": "spack: {specs: []}\n"}, want: []string{}},
		{name: "documentation only: nothing", change: map[string]string{"docs/ci.md": "# CI, again\n"}, want: []string{}},
		{name: "a file beside the environments: nothing", change: map[string]string{"environments/README.md": "more\n"}, want: []string{}},
		{name: "a removed environment is not built", change: map[string]string{"environments/lz4/spack.yaml": ""}, want: []string{}},
		{name: "a new environment", change: map[string]string{"environments/hdf5/spack.yaml": "spack:\n  specs: [hdf5]\n"}, want: []string{"hdf5"}},
		{name: "nothing changed", want: []string{}},
		{name: "an environment that no longer loads (an included file removed)", change: map[string]string{"common/packages.yaml": ""}, want: []string{"tools"}},
		{name: "unknown includes: built when anything changed", change: map[string]string{"common/unused.yaml": "x: 3\n"},
			includes: func(envDir string) ([]string, error) { return nil, errors.New("spack.yaml:2: bad include") },
			want:     []string{"arm", "lz4", "tools", "zlib"}},
		{name: "an include outside the repository: built when anything changed", change: map[string]string{"common/unused.yaml": "x: 3\n"},
			includes: func(envDir string) ([]string, error) { return []string{"/etc/spack/packages.yaml"}, nil },
			want:     []string{"arm", "lz4", "tools", "zlib"}},
		{name: "a base not in the history: every environment", change: map[string]string{"environments/lz4/smoke.sh": "x\n"},
			base: "0000000000000000000000000000000000000000", want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "no base: every environment", change: map[string]string{"environments/lz4/smoke.sh": "x\n"}, base: "none", event: "push", want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "schedule: every environment", base: "none", event: "schedule", want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "schedule ignores the change", change: map[string]string{"environments/lz4/smoke.sh": "x\n"}, event: "schedule", want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "manual run of one environment", base: "none", event: "workflow_dispatch", environment: "zlib", want: []string{"zlib"}},
		{name: "manual run of every environment", base: "none", event: "workflow_dispatch", want: []string{"arm", "lz4", "tools", "zlib"}},
		{name: "manual run of an unknown environment", base: "none", event: "workflow_dispatch", environment: "hdf5", wantErr: `"hdf5": no such environment`},
		{name: "a base that looks like a flag", base: "--output=/tmp/x", wantErr: "is not a commit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gittest.New(t)
			first := r.Commit(time.Time{}, initialTree)
			r.Commit(time.Time{}, tt.change)
			q := Query{Base: first, Event: tt.event, Environment: tt.environment,
				Dir: filepath.Join(r.Dir, "environments"), Includes: tt.includes}
			switch tt.base {
			case "":
			case "none":
				q.Base = ""
			default:
				q.Base = tt.base
			}
			got, err := Environments(context.Background(), q)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, append([]string{}, got.Envs...))
			assert.NotEmpty(t, got.Why)
		})
	}
}

// TestPullRequest measures a pull request against its merge base: what the default
// branch did meanwhile is not the pull request's change.
func TestPullRequest(t *testing.T) {
	r := gittest.New(t)
	r.Commit(time.Time{}, initialTree)
	r.Git("checkout", "-q", "-b", "topic")
	r.Commit(time.Time{}, map[string]string{"environments/lz4/smoke.sh": "lz4 -V\n"})
	r.Git("checkout", "-q", "main")
	r.Commit(time.Time{}, map[string]string{"environments/zlib/spack.yaml": "spack:\n  specs: [zlib@1.3]\n"})
	mainHead := r.Git("rev-parse", "HEAD")
	r.Git("checkout", "-q", "topic")

	got, err := Environments(context.Background(), Query{Base: mainHead, Event: "pull_request", Dir: filepath.Join(r.Dir, "environments")})
	require.NoError(t, err)
	assert.Equal(t, []string{"lz4"}, got.Envs)
}

// TestFromRepositoryRoot reads a relative Dir from the repository's root, as the
// workflow runs the matrix command.
func TestFromRepositoryRoot(t *testing.T) {
	r := gittest.New(t)
	first := r.Commit(time.Time{}, initialTree)
	r.Commit(time.Time{}, map[string]string{"environments/zlib/smoke.sh": "x\n"})
	t.Chdir(r.Dir)
	got, err := Environments(context.Background(), Query{Base: first, Dir: "environments"})
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib"}, got.Envs)
	assert.Equal(t, []string{"arm", "lz4", "tools", "zlib"}, got.All)
	assert.Equal(t, "zlib (environments/zlib/smoke.sh)", got.Why)
}
