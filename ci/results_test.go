package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

const testToken = "ghp_not-a-real-token"

// writeRun writes out/<env>/<id>/ with a results.json of the given spec statuses
// ("zlib=PASSED") and a log per spec.
func writeRun(t *testing.T, out, env, id string, day int, specs ...string) {
	t.Helper()
	r := results.Run{
		Schema: results.SchemaVersion, ID: id, Environment: env,
		Started: time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC),
		Spack:   results.SpackInfo{Version: "1.1.0"},
	}
	dir := filepath.Join(out, env, id)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	for _, s := range specs {
		name, status, _ := strings.Cut(s, "=")
		r.Specs = append(r.Specs, results.SpecResult{
			ID: "suite/" + name, Phase: results.StandAlone, Name: name, Version: "1.0",
			Hash: strings.Repeat("b", 32), Status: testlog.Status(status), Log: "logs/" + name + ".txt",
		})
		require.NoError(t, os.WriteFile(filepath.Join(dir, "logs", name+".txt"), []byte(status+"\n"), 0o644))
	}
	data, err := json.Marshal(r)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, results.FileName), data, 0o644))
}

// resultsEnv clears the GitHub Actions variables a developer's shell might set and
// captures the log.
func resultsEnv(t *testing.T) *bytes.Buffer {
	t.Helper()
	for _, k := range []string{"GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_TOKEN"} {
		t.Setenv(k, "")
	}
	var logs bytes.Buffer
	log.SetOutput(&logs)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	return &logs
}

func TestResultsPush(t *testing.T) {
	logs := resultsEnv(t)
	srv := ghtest.NewServer(t)
	srv.Token = testToken
	repo := srv.CreateRepo("o", "results")
	out := t.TempDir()
	writeRun(t, out, "zlib", "r1", 1, "zlib=PASSED")
	writeRun(t, out, "zlib", "r2", 2, "zlib=FAILED")
	t.Setenv("GITHUB_REPOSITORY", "o/results")
	t.Setenv("GITHUB_API_URL", srv.URL())

	var stdout bytes.Buffer
	t.Setenv("GITHUB_TOKEN", testToken)
	require.NoError(t, run(t.Context(), []string{"results", "push", "-from", out}, &stdout))
	assert.Equal(t, repo.Head("main")+"\n", stdout.String(), "stdout is the commit")
	files := repo.Files("main")
	for _, name := range []string{"runs/zlib/2026/11/r1/results.json", "runs/zlib/2026/11/r2/logs/zlib.txt.gz", "index/zlib.json", "index/zlib/2026/11/02.json"} {
		assert.Contains(t, files, name)
	}
	assert.Contains(t, logs.String(), "o/results: added zlib/r2: 0 passed, 1 failed; 1 regression(s), 0 fix(es) since the run before")
	// The site is drawn from the repository, not committed.
	site := siteOf(t, checkout(t, files))
	assert.Contains(t, site["env/zlib.html"], "regressed in the last run")
	assert.Contains(t, site, "run/zlib/r2.html")

	// Again, with the flag instead of the variable: nothing new, nothing written.
	t.Setenv("GITHUB_REPOSITORY", "")
	stdout.Reset()
	require.NoError(t, run(t.Context(), []string{"results", "push", "-repo", "o/results", "-from", out}, &stdout))
	assert.Empty(t, stdout.String())
	assert.Contains(t, logs.String(), "zlib/r1 is already in o/results")
	assert.Contains(t, logs.String(), "nothing new for o/results")
	assert.Len(t, repo.Log("main"), 2)
	assert.NotContains(t, logs.String()+stdout.String(), testToken)
}

// TestResultsPushBadInput: each mistake is one clear error, found before any request.
func TestResultsPushBadInput(t *testing.T) {
	good := t.TempDir()
	writeRun(t, good, "zlib", "r1", 1, "zlib=PASSED")
	broken := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(broken, "zlib", "r1"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(broken, "zlib", "r1", results.FileName), []byte(`{"schema":1,"id":"r1"}`), 0o644))

	tests := []struct {
		name      string
		args      []string
		token     string
		wantErr   string
		wantUsage bool
	}{
		{name: "missing token", args: []string{"-repo", "o/r", "-from", good}, wantErr: "results push: GITHUB_TOKEN is not set"},
		{name: "no repository", args: []string{"-from", good}, token: testToken, wantErr: "-repo (or $GITHUB_REPOSITORY) must name", wantUsage: true},
		{name: "bad repository", args: []string{"-repo", "o", "-from", good}, token: testToken, wantErr: `repository "o": want OWNER/NAME`, wantUsage: true},
		{name: "malformed results", args: []string{"-repo", "o/r", "-from", broken}, token: testToken, wantErr: filepath.Join(broken, "zlib", "r1", results.FileName) + ": environment is missing"},
		{name: "no runs", args: []string{"-repo", "o/r", "-from", t.TempDir()}, token: testToken, wantErr: "no runs in"},
		{name: "a run directory", args: []string{"-repo", "o/r", "-from", filepath.Join(good, "zlib", "r1")}, token: testToken, wantErr: "is a run directory: pass the directory holding <env>/<run-id>/"},
		{name: "missing directory", args: []string{"-repo", "o/r", "-from", filepath.Join(good, "nope")}, token: testToken, wantErr: "no such file or directory"},
		{name: "stray argument", args: []string{"-repo", "o/r", "x"}, token: testToken, wantErr: `unexpected argument "x"`, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resultsEnv(t)
			srv := ghtest.NewServer(t)
			srv.CreateRepo("o", "r")
			args := append([]string{"-api-url", srv.URL()}, tt.args...)
			t.Setenv("GITHUB_TOKEN", tt.token)
			err := run(t.Context(), append([]string{"results", "push"}, args...), &bytes.Buffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.wantUsage, errors.Is(err, errUsage))
			assert.Empty(t, srv.Requests(), "no request before the input is checked")
		})
	}
}

func TestResultsPushNamesTheRepository(t *testing.T) {
	resultsEnv(t)
	srv := ghtest.NewServer(t)
	out := t.TempDir()
	writeRun(t, out, "zlib", "r1", 1, "zlib=PASSED")
	t.Setenv("GITHUB_TOKEN", testToken)
	err := run(t.Context(), []string{"results", "push", "-repo", "o/missing", "-from", out, "-api-url", srv.URL()}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading repository o/missing: not found (404)")
}

func TestResultsSite(t *testing.T) {
	tests := []struct {
		name     string
		repo     bool                     // push the runs to a repository and draw from its checkout
		out      func(from string) string // "" for the default
		index    string
		wantLink string
	}{
		{
			name:     "inside out/: links to the runs in place",
			out:      func(string) string { return "" },
			index:    "site/index.html",
			wantLink: `href="../../zlib/r2/logs/zlib.txt"`,
		},
		{
			name:     "elsewhere: copies the runs",
			out:      func(string) string { return filepath.Join(t.TempDir(), "public") },
			index:    "index.html",
			wantLink: `href="../runs/zlib/r2/logs/zlib.txt"`,
		},
		{
			name:     "a repository checkout: copies the runs, logs decompressed",
			repo:     true,
			out:      func(string) string { return filepath.Join(t.TempDir(), "public") },
			index:    "index.html",
			wantLink: `href="../runs/zlib/r2/logs/zlib.txt"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resultsEnv(t)
			from := t.TempDir()
			writeRun(t, from, "zlib", "r1", 1, "zlib=PASSED")
			writeRun(t, from, "zlib", "r2", 2, "zlib=FAILED")
			if tt.repo {
				from = checkout(t, pushOut(t, from))
			}
			args := []string{"-from", from}
			out := tt.out(from)
			if out != "" {
				args = append(args, "-out", out)
			} else {
				out = filepath.Join(from, "site")
			}
			var stdout bytes.Buffer
			// Twice: a second run overwrites the first.
			for range 2 {
				stdout.Reset()
				require.NoError(t, run(t.Context(), append([]string{"results", "site"}, args...), &stdout))
			}
			assert.Equal(t, filepath.Join(out, "index.html")+"\n", stdout.String())
			page, err := os.ReadFile(filepath.Join(out, "env", "zlib.html"))
			require.NoError(t, err)
			assert.Contains(t, string(page), tt.wantLink)
			assert.Contains(t, string(page), "failed regression")
			link := strings.TrimSuffix(strings.TrimPrefix(tt.wantLink, `href="`), `"`)
			log, err := os.ReadFile(filepath.Join(out, "env", filepath.FromSlash(link)))
			require.NoError(t, err, "the log link resolves")
			assert.Equal(t, "FAILED\n", string(log))
		})
	}
}

func TestResultsSiteBadInput(t *testing.T) {
	resultsEnv(t)
	empty := t.TempDir()
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "no runs", args: []string{"-from", empty}, wantErr: "results site: no runs in " + empty},
		{name: "out is from", args: []string{"-from", empty, "-out", empty}, wantErr: "-out must not be -from itself"},
		{name: "no page size", args: []string{"-from", empty, "-max-runs", "0"}, wantErr: "-max-runs must be greater than zero"},
		{name: "negative months", args: []string{"-from", empty, "-keep-months", "-1"}, wantErr: "-keep-months must not be negative"},
		{name: "missing from", args: []string{"-from", filepath.Join(empty, "x")}, wantErr: "no such file or directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), append([]string{"results", "site"}, tt.args...), &bytes.Buffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestResultsDiff(t *testing.T) {
	resultsEnv(t)
	from := t.TempDir()
	writeRun(t, from, "zlib", "r1", 1, "zlib=PASSED", "xz=FAILED", "bzip2=PASSED")
	writeRun(t, from, "zlib", "r2", 2, "zlib=FAILED", "xz=PASSED", "zstd=NO_TESTS")
	writeRun(t, from, "python", "r2", 2, "python=PASSED")

	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{
			name: "flags after the ids",
			args: []string{"r1", "zlib/r2", "-from", from},
			want: []string{
				"from  zlib/r1 (2026-11-01 10:00 UTC)",
				"regression  stand-alone  zlib   1.0  PASSED -> FAILED",
				"fix         stand-alone  xz     1.0  FAILED -> PASSED",
				"added       stand-alone  zstd   1.0  NO_TESTS",
				"removed     stand-alone  bzip2  1.0  PASSED",
				"1 regression, 1 fix, 1 added, 1 removed",
			},
		},
		{name: "same run", args: []string{"-from", from, "r1", "r1"}, want: []string{"no changes"}},
		{name: "from a repository checkout", args: []string{"-from", checkout(t, pushOut(t, from)), "zlib/r1", "zlib/r2"}, want: []string{"1 regression, 1 fix, 1 added, 1 removed"}},
		{name: "unknown id", args: []string{"-from", from, "r1", "r9"}, wantErr: fmt.Sprintf(`results diff: no run "r9" in %s; it holds, newest first: python/r2, zlib/r2, zlib/r1`, from)},
		{name: "ambiguous id", args: []string{"-from", from, "r1", "r2"}, wantErr: `run id "r2" is in several environments (python/r2, zlib/r2): name one as ENV/RUN-ID`},
		{name: "one id", args: []string{"-from", from, "r1"}, wantErr: "want two run ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(t.Context(), append([]string{"results", "diff"}, tt.args...), &stdout)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Empty(t, stdout.String())
				return
			}
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, stdout.String(), w)
			}
		})
	}
}

func TestResultsSubcommands(t *testing.T) {
	for _, args := range [][]string{nil, {"publish"}} {
		err := run(t.Context(), append([]string{"results"}, args...), &bytes.Buffer{})
		require.Error(t, err)
		assert.ErrorIs(t, err, errUsage)
	}
}
