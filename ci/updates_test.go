package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/internal/gittest"
)

// updatesWorkdir copies ../updates/testdata (environments, a small spack-packages, the
// ignore list, pins.yaml) to a temporary directory and changes into it, as the
// workflow runs the command at the root of a checkout.
func updatesWorkdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("..", "updates", "testdata"))))
	t.Chdir(dir)
	t.Setenv("SPACK_PACKAGES", "spack-packages")
	t.Setenv("GITHUB_REPOSITORY", "")
	t.Setenv("GITHUB_API_URL", "")
	return dir
}

func updatesCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"updates"}, args...), &out)
	return out.String(), err
}

const wantTable = `ENV    PACKAGE   CURRENT  NEWEST  ACTION
tools  cmake     4.1.2    4.1.2   up to date
tools  hdf5      1.12.3   1.14.6  %[1]s
zlib   zlib      1.2.13   1.3.1   %[2]s
zlib   lz4       =1.9.3   1.9.4   %[3]s
zlib   cmake     3.30.9   3.31.9  %[4]s
zlib   hdf5      1.14:    1.14.6  range: holds newest
zlib   python    3.11     -       skip: not in spack-packages
zlib   py-numpy  1.26.4   -       ignored
`

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func TestUpdatesDryRun(t *testing.T) {
	updatesWorkdir(t)
	before := readFile(t, "environments/zlib/spack.yaml")
	out, err := updatesCmd(t, "-dry-run")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(wantTable, "update", "update", "update", "update"), out)
	assert.Equal(t, before, readFile(t, "environments/zlib/spack.yaml"), "a dry run changes nothing")

	out, err = updatesCmd(t, "-dry-run", "-env", "tools")
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(out, "\n"), "header and the two pinned specs of tools")
}

func TestUpdatesEditInPlace(t *testing.T) {
	updatesWorkdir(t)
	before := readFile(t, "environments/zlib/spack.yaml")
	out, err := updatesCmd(t)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(wantTable, "edited", "edited", "edited", "edited"), out)
	want := strings.NewReplacer(
		"zlib@1.2.13 +shared", "zlib@1.3.1 +shared",
		`"lz4@=1.9.3"`, `"lz4@=1.9.4"`,
		"cmake@3.30.9", "cmake@3.31.9",
	).Replace(before)
	assert.Equal(t, want, readFile(t, "environments/zlib/spack.yaml"), "only the versions change")
	assert.Equal(t, "spack:\n  specs: [cmake@4.1.2, 'hdf5@1.14.6 ~mpi', zlib]\n", readFile(t, "environments/tools/spack.yaml"))

	// Nothing is left to do the second time.
	out, err = updatesCmd(t, "-dry-run")
	require.NoError(t, err)
	assert.NotContains(t, out, "update\n")
}

func TestUpdatesFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		token   string
		wantErr string
	}{
		{name: "dry run and open prs", args: []string{"-dry-run", "-open-prs"}, wantErr: "exclude each other"},
		{name: "no token", args: []string{"-open-prs", "-repo", "o/r"}, wantErr: "needs a token in GITHUB_TOKEN"},
		{name: "no repo", args: []string{"-open-prs"}, token: "t", wantErr: "needs -repo or GITHUB_REPOSITORY"},
		{name: "bad repo", args: []string{"-open-prs", "-repo", "o"}, token: "t", wantErr: "OWNER/NAME"},
		{name: "max prs", args: []string{"-max-prs", "0"}, wantErr: "-max-prs must be at least 1"},
		{name: "env name", args: []string{"-env", "../x"}, wantErr: `-env "../x"`},
		{name: "packages", args: []string{"-packages", "nowhere"}, wantErr: "no spack-packages checkout at nowhere"},
		{name: "remote option injection", args: []string{"-packages-remote", "--upload-pack=x"}, wantErr: "want a git URL"},
		{name: "bench and prs", args: []string{"-bench", "-open-prs"}, wantErr: "-bench changes nothing"},
		{name: "arguments", args: []string{"zlib"}, wantErr: `unexpected argument "zlib"`},
		{name: "absolute environments with prs", args: []string{"-open-prs", "-repo", "o/r", "-environments", "/tmp/envs"}, token: "t", wantErr: "inside the repository"},
		{name: "missing ignore file", args: []string{"-ignore", "nope"}, wantErr: "reading ignore list"},
		{name: "negative max wait", args: []string{"-max-wait", "-1s"}, wantErr: "-max-wait must not be negative"},
		{name: "bad api url", args: []string{"-open-prs", "-repo", "o/r", "-api-url", "api.example.com"}, token: "t", wantErr: `github base url "api.example.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			updatesWorkdir(t)
			t.Setenv("GITHUB_TOKEN", tt.token)
			_, err := updatesCmd(t, tt.args...)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestUpdatesBadInput(t *testing.T) {
	t.Run("ignore file", func(t *testing.T) {
		updatesWorkdir(t)
		require.NoError(t, os.WriteFile(".github/updates-ignore", []byte("zlib\nzlib +shared\n"), 0o644))
		_, err := updatesCmd(t, "-dry-run")
		assert.ErrorContains(t, err, ".github/updates-ignore:2: \"zlib +shared\": want NAME or NAME@VERSIONS")
	})
	t.Run("environment", func(t *testing.T) {
		updatesWorkdir(t)
		require.NoError(t, os.WriteFile("environments/tools/spack.yaml", []byte("spack:\n  specs: zlib\n"), 0o644))
		out, err := updatesCmd(t, "-dry-run")
		assert.ErrorContains(t, err, "1 environment(s) could not be read")
		assert.Contains(t, out, "tools  -         -        -       skip: spack.yaml does not parse\n")
		assert.Contains(t, out, "zlib   zlib      1.2.13   1.3.1   update\n", "other environments are still checked")
	})
}

// fakeGitHub is a fake GitHub whose repository o/r has the checkout's files on main,
// as the workflow's checkout of main would.
func fakeGitHub(t *testing.T) (*ghtest.Server, *ghtest.Repo) {
	t.Helper()
	srv := ghtest.NewServer(t)
	srv.Token = "test-token"
	repo := srv.CreateRepo("o", "r")
	files := map[string][]byte{}
	for _, name := range []string{"environments/zlib/spack.yaml", "environments/tools/spack.yaml", "pins.yaml"} {
		files[name] = []byte(readFile(t, name))
	}
	repo.Commit("main", files, "init")
	return srv, repo
}

func TestUpdatesOpenPRs(t *testing.T) {
	updatesWorkdir(t)
	t.Setenv("GITHUB_TOKEN", "test-token")
	srv, repo := fakeGitHub(t)
	before := readFile(t, "environments/zlib/spack.yaml")
	args := []string{"-open-prs", "-repo", "o/r", "-api-url", srv.RootURL(), "-max-prs", "3"}

	var logs bytes.Buffer
	log.SetOutput(&logs)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	out, err := updatesCmd(t, args...)
	require.NoError(t, err)
	// The table says what happened to each row (issue 11); the log has the links.
	assert.Equal(t, fmt.Sprintf(wantTable, "opened #1", "opened #2", "opened #3", "held: -max-prs 3 reached"), out)
	assert.Contains(t, logs.String(), "zlib: zlib 1.3.1: opened https://github.com/o/r/pull/2\n")
	assert.Equal(t, before, readFile(t, "environments/zlib/spack.yaml"), "pull requests leave the checkout alone")

	pulls := repo.Pulls()
	require.Len(t, pulls, 3)
	pr := pulls[1]
	assert.Equal(t, "zlib: update zlib to 1.3.1", pr.Title)
	assert.Equal(t, "update/zlib/zlib-1.3.1", pr.Head)
	assert.Contains(t, pr.Body, "`zlib@1.2.13 +shared` → `zlib@1.3.1 +shared`")
	assert.Contains(t, pr.Body, "https://zlib.net")
	// One update per pull request: the zlib branch changes zlib only.
	got := string(repo.Files("update/zlib/zlib-1.3.1")["environments/zlib/spack.yaml"])
	assert.Equal(t, strings.Replace(before, "zlib@1.2.13", "zlib@1.3.1", 1), got)
	assert.Equal(t, "tools: update hdf5 to 1.14.6", pulls[0].Title)

	// The second run opens only the held update, the third nothing at all.
	out, err = updatesCmd(t, append(args[:len(args)-1], "10")...)
	require.NoError(t, err)
	assert.Contains(t, out, "zlib   cmake     3.30.9   3.31.9  opened #4\n")
	assert.Contains(t, out, "zlib   zlib      1.2.13   1.3.1   exists #2\n")
	require.Len(t, repo.Pulls(), 4)
	out, err = updatesCmd(t, args...)
	require.NoError(t, err)
	assert.NotContains(t, out, "opened")
	assert.Len(t, repo.Pulls(), 4)

	// A rejected update stays rejected.
	repo.ClosePull(4, false)
	out, err = updatesCmd(t, args...)
	require.NoError(t, err)
	assert.Contains(t, out, "skipped: closed pull request #4 for this version was not merged")
	assert.Len(t, repo.Pulls(), 4)
}

func TestUpdatesNoTokenNoRequests(t *testing.T) {
	updatesWorkdir(t)
	t.Setenv("GITHUB_TOKEN", "")
	srv, _ := fakeGitHub(t)
	_, err := updatesCmd(t, "-open-prs", "-repo", "o/r", "-api-url", srv.RootURL())
	require.ErrorContains(t, err, "GITHUB_TOKEN")
	assert.Empty(t, srv.Requests())
}

// gitRemote makes a git repository with spack-packages-like release tags.
func gitRemote(t *testing.T) (dir, newestCommit string) {
	t.Helper()
	r := gittest.New(t)
	git := func(args ...string) string { return r.Git(append([]string{"-c", "tag.gpgSign=false"}, args...)...) }
	for _, tag := range []string{"v2025.09.0", "v2025.11.0", "v2025.12.0"} {
		git("commit", "-q", "--allow-empty", "-m", tag)
		git("tag", "-a", "-m", "release "+tag, tag)
	}
	newestCommit = git("rev-parse", "HEAD")
	git("commit", "-q", "--allow-empty", "-m", "later")
	git("tag", "v2026.01.0-rc1")
	git("tag", "latest")
	return r.Dir, newestCommit
}

func TestUpdatesPackagesPin(t *testing.T) {
	remote, commit := gitRemote(t)
	updatesWorkdir(t)
	before := readFile(t, "pins.yaml")

	out, err := updatesCmd(t, "-dry-run", "-env", "tools", "-packages-remote", remote)
	require.NoError(t, err)
	assert.Contains(t, out, "pins.yaml  spack-packages  v2025.11.0  v2025.12.0  update\n")

	_, err = updatesCmd(t, "-env", "tools", "-packages-remote", remote)
	require.NoError(t, err)
	want := strings.NewReplacer("tag: v2025.11.0", "tag: v2025.12.0", "0dd45961cbeac4f8e00d1ea4d45d4bd86890072b", commit).Replace(before)
	assert.Equal(t, want, readFile(t, "pins.yaml"), "tag and commit (of the annotated tag's commit) change, nothing else")

	out, err = updatesCmd(t, "-dry-run", "-env", "tools", "-packages-remote", remote)
	require.NoError(t, err)
	assert.Contains(t, out, "pins.yaml  spack-packages  v2025.12.0  v2025.12.0  up to date\n")

	require.NoError(t, os.WriteFile(".github/updates-ignore", []byte("spack-packages@2025.12\n"), 0o644))
	require.NoError(t, os.WriteFile("pins.yaml", []byte(before), 0o644))
	out, err = updatesCmd(t, "-dry-run", "-env", "tools", "-packages-remote", remote)
	require.NoError(t, err)
	assert.Contains(t, out, "pins.yaml  spack-packages  v2025.11.0  v2025.11.0  up to date\n", "an ignored tag is not proposed")
}

func TestUpdatesBench(t *testing.T) {
	updatesWorkdir(t)
	out, err := updatesCmd(t, "-bench")
	require.NoError(t, err)
	assert.Contains(t, out, "bench: 5 package.py read, 0 failed, 19 versions")
	assert.Contains(t, out, "bench: 50 environments, 200 specs, 5 package.py read, 160 updates found: ")
	assert.Contains(t, out, "within the 2s target")
}
