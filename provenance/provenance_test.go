package provenance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/internal/gittest"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

const includingEnv = "spack:\n  include: [../../config/packages.yaml]\n  specs: [lz4@1.9.4]\n"

func loadEnv(t *testing.T, dir string) *spack.Environment {
	t.Helper()
	env, err := spack.LoadEnvironment(filepath.Join(dir, "environments", "lz4", "spack.yaml"), spack.WithRoot(dir))
	require.NoError(t, err)
	return env
}

// sourceDate is SourceDate with the process's environment.
func sourceDate(env *spack.Environment, revision string, recorded *int64) (int64, string) {
	epoch, rev, _ := SourceDate(env, revision, recorded, os.Getenv)
	return epoch, rev
}

func TestSourceDate(t *testing.T) {
	r := gittest.New(t)
	envCommit := r.Commit(time.Unix(1_700_000_000, 0), map[string]string{
		"environments/lz4/spack.yaml": includingEnv, "config/packages.yaml": "packages: {}\n",
	})
	r.Commit(time.Unix(1_700_000_100, 0), map[string]string{"README.md": "unrelated\n"})
	env := loadEnv(t, r.Dir)

	epoch, rev := sourceDate(env, "", nil)
	assert.Equal(t, int64(1_700_000_000), epoch, "a commit elsewhere does not date the image")
	assert.Equal(t, envCommit, rev)

	incCommit := r.Commit(time.Unix(1_700_000_200, 0), map[string]string{"config/packages.yaml": "packages: {all: {}}\n"})
	epoch, rev = sourceDate(loadEnv(t, r.Dir), "", nil)
	assert.Equal(t, int64(1_700_000_200), epoch, "an include's change dates the image")
	assert.Equal(t, incCommit, rev)

	_, rev = sourceDate(env, "0123456789abcdef", nil)
	assert.Equal(t, "0123456789abcdef", rev, "-revision wins")
	recorded := int64(42)
	epoch, _ = sourceDate(env, "", &recorded)
	assert.Equal(t, int64(42), epoch, "verify's recorded date wins")
	t.Setenv("SOURCE_DATE_EPOCH", "1234")
	epoch, _ = sourceDate(env, "", nil)
	assert.Equal(t, int64(1234), epoch, "SOURCE_DATE_EPOCH wins over git")
}

func TestSourceDateOutsideGit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "environments", "lz4", "spack.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("spack:\n  specs: [lz4]\n"), 0o644))
	env, err := spack.LoadEnvironment(p, spack.WithRoot(dir))
	require.NoError(t, err)
	epoch, rev, err := SourceDate(env, "", nil, os.Getenv)
	assert.Zero(t, epoch)
	assert.Empty(t, rev)
	assert.ErrorContains(t, err, "git log in "+dir)
}

// TestSourceDateShallowClone: in a clone cut after the environment's last change, the
// commit git finds is the cut, not the change; the image is not dated by it.
func TestSourceDateShallowClone(t *testing.T) {
	r := gittest.New(t)
	r.Commit(time.Unix(1_700_000_000, 0), map[string]string{"environments/lz4/spack.yaml": includingEnv, "config/packages.yaml": "packages: {}\n"})
	head := r.Commit(time.Unix(1_700_000_100, 0), map[string]string{"README.md": "unrelated\n"})
	clone := filepath.Join(t.TempDir(), "clone")
	r.Git("clone", "-q", "--depth", "1", "file://"+r.Dir, clone)

	epoch, rev, err := SourceDate(loadEnv(t, clone), "", nil, func(string) string { return "" })
	assert.ErrorContains(t, err, "the clone is shallow and its history ends at "+head[:12]+", so the last change to environments/lz4 may be older: fetch the whole history (actions/checkout with fetch-depth: 0)")
	assert.Zero(t, epoch, "not the cut's date")
	assert.Equal(t, head, rev, "the revision is still the commit checked out")

	_, _, err = SourceDate(loadEnv(t, r.Dir), "", nil, func(string) string { return "" })
	assert.NoError(t, err, "the whole history")
}

func TestEnvironmentDigest(t *testing.T) {
	r := gittest.New(t)
	r.Write(map[string]string{"environments/lz4/spack.yaml": includingEnv, "config/packages.yaml": "packages: {}\n"})
	before, err := EnvironmentDigest(loadEnv(t, r.Dir))
	require.NoError(t, err)
	tests := []struct {
		name    string
		change  func(dir string)
		changes bool
	}{
		{"a README beside spack.yaml", func(d string) { write(t, d, "environments/lz4/README.md", "x") }, false},
		{"a file elsewhere", func(d string) { write(t, d, "ci/main.go", "x") }, false},
		{"smoke.sh", func(d string) { write(t, d, "environments/lz4/smoke.sh", "lz4 -V\n") }, true},
		{"a committed spack.lock", func(d string) { write(t, d, "environments/lz4/spack.lock", "{}") }, true},
		{"a package in repo/", func(d string) { write(t, d, "environments/lz4/repo/spack_repo/x/packages/a/package.py", "x") }, true},
		{"an include", func(d string) { write(t, d, "config/packages.yaml", "packages: {all: {}}\n") }, true},
		{"spack.yaml", func(d string) { write(t, d, "environments/lz4/spack.yaml", includingEnv+"  view: false\n") }, true},
		{"smoke.sh made executable", func(d string) { require.NoError(t, os.Chmod(filepath.Join(d, "environments/lz4/smoke.sh"), 0o755)) }, true},
	}
	// Each change comes on top of the ones before.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change(r.Dir)
			after, err := EnvironmentDigest(loadEnv(t, r.Dir))
			require.NoError(t, err)
			assert.Equal(t, tt.changes, after != before)
			before = after
		})
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
}

func TestPackagesIdentity(t *testing.T) {
	pins := &spack.Pins{}
	pins.Packages.Commit = "119680aeee8ea802c6111b7167583bddef97e82f"
	assert.Equal(t, pins.Packages.Commit, PackagesIdentity("", pins), "no checkout: the pin")
	assert.Empty(t, PackagesIdentity(t.TempDir(), pins), "a directory outside git has no known content")

	r := gittest.New(t)
	head := r.Commit(time.Unix(1_700_000_000, 0), map[string]string{"repos/spack_repo/builtin/packages/lz4/package.py": "v1\n"})
	assert.Equal(t, head, PackagesIdentity(r.Dir, pins))

	r.Write(map[string]string{"repos/spack_repo/builtin/packages/lz4/package.py": "v2\n"})
	modified := PackagesIdentity(r.Dir, pins)
	assert.True(t, strings.HasPrefix(modified, head+"+dirty."), modified)

	r.Write(map[string]string{"repos/spack_repo/builtin/packages/zstd/package.py": "new\n"})
	untracked := PackagesIdentity(r.Dir, pins)
	assert.NotEqual(t, modified, untracked, "a new package counts")
	r.Write(map[string]string{"repos/spack_repo/builtin/packages/zstd/package.py": "newer\n"})
	assert.NotEqual(t, untracked, PackagesIdentity(r.Dir, pins), "and so does its content")
}

func sampleInputs() *Inputs {
	in := &Inputs{
		Environment: "lz4", EnvironmentSHA256: "sha256:e", Builder: "reg/spack:1.1.0@sha256:b",
		Base: "reg/debian:bookworm@sha256:d", SpackVersion: "1.1.0", Packages: "119680ae",
		Settings:        Settings{Profile: "runtime", Tests: "root", StandAlone: true, TestTimeout: 600, Target: "x86_64_v3"}.String(),
		SourceDateEpoch: 1_700_000_000, Revision: "abcdef0123", Source: "https://github.com/o/r",
		Pipeline: "sha256:p", Lockfile: "0123",
	}
	in.Key = in.Sum()
	return in
}

func TestInputsKey(t *testing.T) {
	base := sampleInputs()
	tests := []struct {
		name    string
		change  func(in *Inputs)
		changes bool
	}{
		{"nothing", func(*Inputs) {}, false},
		{"the lockfile's hash follows from the rest", func(in *Inputs) { in.Lockfile = "4567" }, false},
		{"environment", func(in *Inputs) { in.EnvironmentSHA256 = "sha256:f" }, true},
		{"builder digest", func(in *Inputs) { in.Builder = "reg/spack:1.1.0@sha256:c" }, true},
		{"base digest", func(in *Inputs) { in.Base = "scratch" }, true},
		{"packages commit", func(in *Inputs) { in.Packages = "119680ae+dirty.1" }, true},
		{"tests", func(in *Inputs) {
			in.Settings = Settings{Profile: "runtime", Tests: "none", StandAlone: true, TestTimeout: 600, Target: "x86_64_v3"}.String()
		}, true},
		{"profile", func(in *Inputs) {
			in.Settings = Settings{Profile: "devel", Tests: "root", StandAlone: true, TestTimeout: 600, Target: "x86_64_v3"}.String()
		}, true},
		{"date", func(in *Inputs) { in.SourceDateEpoch++ }, true},
		{"revision", func(in *Inputs) { in.Revision = "abcdef0124" }, true},
		{"program", func(in *Inputs) { in.Pipeline = "sha256:q" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := *base
			tt.change(&in)
			assert.Equal(t, tt.changes, in.Sum() != base.Key)
		})
	}
}

func TestInputsFromLabels(t *testing.T) {
	in := sampleInputs()
	lf, err := spack.ParseLockfile("lz4.lock", mustRead(t, "../spack/testdata/lockfile/lz4.lock"))
	require.NoError(t, err)
	env := &spack.Environment{Name: "lz4", Container: spack.Container{Labels: map[string]string{LabelKey: "forged", "app": "demo"}}}
	labels := Image{Env: env, Lockfile: lf, Target: "x86_64_v3", Inputs: in}.Labels()
	assert.Equal(t, in.Key, labels[LabelKey], "container.labels cannot change the recorded inputs")
	assert.Equal(t, "demo", labels["app"])
	assert.Equal(t, "2023-11-14T22:13:20Z", labels["org.opencontainers.image.created"], "the source's date, not now")
	assert.Equal(t, "sha256:d", labels[LabelBaseDigest])

	back, err := FromLabels(labels)
	require.NoError(t, err)
	assert.Equal(t, in, back)

	tests := []struct {
		name, drop, wantErr string
	}{
		{"no key", LabelKey, "no io.spack-ghcr.inputs label"},
		{"no builder", LabelBuilder, "no io.spack-ghcr.builder label"},
		{"no date", "org.opencontainers.image.created", `label org.opencontainers.image.created ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := map[string]string{}
			for k, v := range labels {
				if k != tt.drop {
					l[k] = v
				}
			}
			_, err := FromLabels(l)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestImageVersionIsTheSourcesDate(t *testing.T) {
	lf, err := spack.ParseLockfile("tool.lock", mustRead(t, "../spack/testdata/lockfile/tool.lock"))
	require.NoError(t, err)
	require.Greater(t, len(lf.RootSpecs()), 1)
	assert.Equal(t, "2023.11.14", ImageVersion(lf, time.Unix(1_700_000_000, 0).UTC()))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}
