package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
)

// GitHub fault drills of the commands (docs/reliability.md): `updates -open-prs` and
// `results push` against a fake GitHub that fails as GitHub does in an outage.

// captureLog sends the log to a buffer for the rest of the test.
func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	log.SetOutput(&b)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	return &b
}

// manyUpdates makes a checkout of n environments that each pin zlib@1.2.13, one update
// each, and a fake GitHub whose main has the same files.
func manyUpdates(t *testing.T, n int) (*ghtest.Server, *ghtest.Repo) {
	t.Helper()
	updatesWorkdir(t)
	require.NoError(t, os.RemoveAll("environments"))
	files := map[string][]byte{}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("environments/env%02d/spack.yaml", i)
		files[name] = []byte("spack:\n  specs:\n  - zlib@1.2.13\n")
		require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
		require.NoError(t, os.WriteFile(name, files[name], 0o644))
	}
	srv := ghtest.NewServer(t)
	srv.Token = "test-token"
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", files, "init")
	t.Setenv("GITHUB_TOKEN", "test-token")
	return srv, repo
}

var githubFigures = regexp.MustCompile(`github: \d+ requests, \d+ retried, \S+ waited \(bound \S+\)`)

// drillFigures logs the client's own figures and the server's count of requests.
func drillFigures(t *testing.T, srv *ghtest.Server, logs *bytes.Buffer, elapsed time.Duration) {
	t.Helper()
	t.Logf("figures: %s; server: %d requests, %d faults; %s in all",
		githubFigures.FindString(logs.String()), len(srv.Requests()), srv.Injected(), elapsed.Round(time.Millisecond))
}

// uniqueHeads asserts that no two pull requests have the same branch.
func uniqueHeads(t *testing.T, repo *ghtest.Repo) {
	t.Helper()
	seen := map[string]int{}
	for _, p := range repo.Pulls() {
		if n, ok := seen[p.Head]; ok {
			t.Errorf("pull requests #%d and #%d both have branch %s", n, p.Number, p.Head)
		}
		seen[p.Head] = p.Number
	}
}

// TestDrillUpdates502WhileListing: one 502 while listing pull requests no longer stops
// the run: the listing is retried and all 45 updates are opened.
func TestDrillUpdates502WhileListing(t *testing.T) {
	srv, repo := manyUpdates(t, 45)
	srv.Inject(ghtest.Fault{Method: "GET", Path: "/repos/o/r/pulls", Skip: 10, Times: 1, Status: 502})
	logs := captureLog(t)
	start := time.Now()
	out, err := updatesCmd(t, "-open-prs", "-repo", "o/r", "-api-url", srv.RootURL(), "-max-prs", "50")
	require.NoError(t, err)
	assert.Equal(t, 45, strings.Count(out, "  opened #"), out)
	assert.Len(t, repo.Pulls(), 45)
	uniqueHeads(t, repo)
	assert.Equal(t, 1, srv.Injected())
	assert.Contains(t, logs.String(), " 1 retried,")
	drillFigures(t, srv, logs, time.Since(start))
}

// TestDrillUpdatesKeepGoing: GitHub refuses to open pull requests (502) after the
// 20th. The run reports the 25 others failed, with a table that says so, and exits
// non-zero; the rerun opens them, with no duplicates.
func TestDrillUpdatesKeepGoing(t *testing.T) {
	srv, repo := manyUpdates(t, 45)
	srv.Inject(ghtest.Fault{Method: "POST", Path: "/repos/o/r/pulls", Skip: 20, Status: 502})
	args := []string{"-open-prs", "-repo", "o/r", "-api-url", srv.RootURL(), "-max-prs", "50", "-max-wait", "2s"}
	logs := captureLog(t)

	start := time.Now()
	out, err := updatesCmd(t, args...)
	elapsed := time.Since(start)
	require.ErrorContains(t, err, "updates: 25 of 45 updates failed; a rerun finishes them")
	assert.Equal(t, 20, strings.Count(out, "  opened #"), out)
	assert.Equal(t, 25, strings.Count(out, "  failed: GitHub answered 502\n"), out)
	assert.NotContains(t, out, "  update\n", "no row is left saying update")
	assert.Contains(t, logs.String(), "env21: zlib 1.3.1: opening pull request")
	assert.Len(t, repo.Pulls(), 20)
	assert.Less(t, elapsed, 2*time.Second+time.Second, "within the one bound on waiting")
	drillFigures(t, srv, logs, elapsed)

	srv.ClearFaults()
	logs.Reset()
	start = time.Now()
	out, err = updatesCmd(t, args...)
	require.NoError(t, err)
	assert.Equal(t, 20, strings.Count(out, "  exists #"), out)
	assert.Equal(t, 25, strings.Count(out, "  opened #"), out)
	assert.Len(t, repo.Pulls(), 45)
	uniqueHeads(t, repo)
	drillFigures(t, srv, logs, time.Since(start))

	out, err = updatesCmd(t, args...)
	require.NoError(t, err)
	assert.Equal(t, 45, strings.Count(out, "  exists #"), out)
	assert.Len(t, repo.Pulls(), 45)
}

// TestDrillUpdatesOneCallFails: with no time left to wait, one failed request fails
// its update only; the others are opened, and the rerun opens the failed one.
func TestDrillUpdatesOneCallFails(t *testing.T) {
	updatesWorkdir(t)
	t.Setenv("GITHUB_TOKEN", "test-token")
	srv, repo := fakeGitHub(t)
	srv.Inject(ghtest.Fault{Method: "GET", Path: "/repos/o/r/git/ref/heads/main", Times: 1, Status: 502})
	args := []string{"-open-prs", "-repo", "o/r", "-api-url", srv.RootURL(), "-max-wait", "0"}
	logs := captureLog(t)

	out, err := updatesCmd(t, args...)
	require.ErrorContains(t, err, "updates: 1 of 4 updates failed")
	assert.Equal(t, fmt.Sprintf(wantTable, "failed: GitHub answered 502", "opened #1", "opened #2", "opened #3"), out)
	assert.Contains(t, logs.String(), "tools: hdf5 1.14.6: reading branch main of o/r: ")
	assert.Contains(t, logs.String(), "gave up after 1 attempts")

	out, err = updatesCmd(t, args...)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(wantTable, "opened #4", "exists #1", "exists #2", "exists #3"), out)
	assert.Len(t, repo.Pulls(), 4)
	uniqueHeads(t, repo)
}

// TestDrillUpdatesLostAnswer: GitHub opens the pull request but the answer is lost
// (502). The retry is refused because it exists, and the row says it was opened.
func TestDrillUpdatesLostAnswer(t *testing.T) {
	updatesWorkdir(t)
	t.Setenv("GITHUB_TOKEN", "test-token")
	srv, repo := fakeGitHub(t)
	srv.Inject(ghtest.Fault{Method: "POST", Path: "/repos/o/r/pulls", Times: 1, Status: 502, Served: true})
	out, err := updatesCmd(t, "-open-prs", "-repo", "o/r", "-api-url", srv.RootURL())
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(wantTable, "opened #1", "opened #2", "opened #3", "opened #4"), out)
	assert.Len(t, repo.Pulls(), 4)
	uniqueHeads(t, repo)
}

// TestDrillResultsPush502: results push survives a 502 on reading the branch.
func TestDrillResultsPush502(t *testing.T) {
	for _, k := range []string{"GITHUB_REPOSITORY", "GITHUB_API_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("GITHUB_TOKEN", testToken)
	srv := ghtest.NewServer(t)
	srv.Token = testToken
	repo := srv.CreateRepo("o", "results")
	repo.Commit("main", map[string][]byte{"README.md": []byte("results\n")}, "init")
	srv.Inject(ghtest.Fault{Method: "GET", Path: "/repos/o/results/git/ref/heads/main", Times: 1, Status: 502})
	out := t.TempDir()
	writeRun(t, out, "zlib", "r1", 1, "zlib=PASSED")
	captureLog(t)

	var stdout bytes.Buffer
	start := time.Now()
	err := run(t.Context(), []string{"results", "push", "-repo", "o/results", "-api-url", srv.URL(), "-from", out}, &stdout)
	require.NoError(t, err)
	assert.Equal(t, repo.Head("main")+"\n", stdout.String())
	assert.Contains(t, repo.Files("main"), "runs/zlib/2026/11/r1/results.json")
	assert.Len(t, repo.Log("main"), 2, "one commit")
	assert.Equal(t, 1, srv.Injected())
	t.Logf("figures: server: %d requests, %d faults; %s in all", len(srv.Requests()), srv.Injected(), time.Since(start).Round(time.Millisecond))
}

// TestDrillUpdatesInterrupted: an interrupt (Ctrl-C) before the pull requests leaves
// every update marked, none claiming to be done, and no request sent.
func TestDrillUpdatesInterrupted(t *testing.T) {
	updatesWorkdir(t)
	t.Setenv("GITHUB_TOKEN", "test-token")
	srv, repo := fakeGitHub(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out bytes.Buffer
	err := run(ctx, []string{"updates", "-open-prs", "-repo", "o/r", "-api-url", srv.RootURL()}, &out)
	require.ErrorContains(t, err, "updates: 4 of 4 updates failed")
	assert.Equal(t, fmt.Sprintf(wantTable, "failed: interrupted", "failed: interrupted", "failed: interrupted", "failed: interrupted"), out.String())
	assert.Empty(t, srv.Requests())
	assert.Empty(t, repo.Pulls())
}
