package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github"
	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// newTestClient returns a client of srv.
func newTestClient(t *testing.T, srv *ghtest.Server) *github.Client {
	t.Helper()
	c, err := github.New("test-token", github.WithBaseURL(srv.URL()), github.WithMaxWait(5*time.Second))
	require.NoError(t, err)
	return c
}

// upload makes a run of env with the given spec statuses ("zlib=PASSED") and its files.
func upload(t *testing.T, env, id string, day int, specs ...string) results.Upload {
	t.Helper()
	r := &results.Run{
		Schema: results.SchemaVersion, ID: id, Environment: env,
		Started: time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC),
		Spack:   results.SpackInfo{Version: "1.1.0"},
		Image:   results.ImageInfo{Digest: fmt.Sprintf("sha256:%064d", day)},
	}
	files := map[string][]byte{}
	for _, s := range specs {
		name, status, _ := strings.Cut(s, "=")
		log := "logs/" + name + ".txt"
		r.Specs = append(r.Specs, results.SpecResult{
			ID: "suite/" + name, Phase: results.StandAlone, Name: name, Version: "1.0",
			Hash: strings.Repeat("a", 32), Status: testlog.Status(status), Log: log,
		})
		files[log] = []byte(name + ": " + status + "\n")
	}
	require.NoError(t, r.Validate())
	data, err := json.Marshal(r)
	require.NoError(t, err)
	files[results.FileName] = data
	return results.Upload{Run: r, Files: files}
}

// writeUploads writes uploads as a pipeline leaves them in out/.
func writeUploads(t *testing.T, ups ...results.Upload) string {
	t.Helper()
	out := t.TempDir()
	for _, up := range ups {
		files := results.Files{}
		for name, data := range up.Files {
			files[results.RunPath(up.Run)+"/"+name] = data
		}
		require.NoError(t, files.Write(out))
	}
	return out
}

// pushOut pushes the runs in out to a new repository and returns its files.
func pushOut(t *testing.T, out string) map[string][]byte {
	t.Helper()
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	uploads, err := results.LoadUploads(out)
	require.NoError(t, err)
	_, err = pushResults(t.Context(), newTestClient(t, srv), "o", "results", "main", uploads)
	require.NoError(t, err)
	return repo.Files("main")
}

// checkout writes a repository's files into a directory, as a clone.
func checkout(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, results.Files(files).Write(dir))
	return dir
}

// siteOf runs `results site` on from into a new directory and returns the site's files.
func siteOf(t *testing.T, from string) map[string]string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	require.NoError(t, run(t.Context(), []string{"results", "site", "-from", from, "-out", out}, &bytes.Buffer{}))
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(out, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	}))
	return files
}

func TestPushResults(t *testing.T) {
	resultsEnv(t)
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	c := newTestClient(t, srv)
	ctx := t.Context()

	r1 := upload(t, "zlib", "r1", 1, "zlib=PASSED", "bzip2=FAILED")
	r2 := upload(t, "zlib", "r2", 2, "zlib=FAILED", "bzip2=PASSED")
	py := upload(t, "python", "p1", 2, "python=PASSED")
	rep, err := pushResults(ctx, c, "o", "results", "main", []results.Upload{r1, py})
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib/r1", "python/p1"}, rep.Added)
	assert.Empty(t, rep.Present)
	assert.Equal(t, repo.Head("main"), rep.Commit)

	// Pushing the same runs again writes nothing.
	rep, err = pushResults(ctx, c, "o", "results", "main", []results.Upload{r1, py})
	require.NoError(t, err)
	assert.Empty(t, rep.Commit)
	assert.Equal(t, []string{"zlib/r1", "python/p1"}, rep.Present)

	// One run present, one new, then a third: each is counted against the run before
	// it, found through the index.
	rep, err = pushResults(ctx, c, "o", "results", "main", []results.Upload{r1, r2})
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib/r2"}, rep.Added)
	assert.Equal(t, []string{"zlib/r1"}, rep.Present)
	r3 := upload(t, "zlib", "r3", 3, "zlib=PASSED", "bzip2=PASSED", "xz=NO_TESTS")
	blobs := srv.CountRequests("POST /api/v3/repos/o/results/git/blobs")
	rep, err = pushResults(ctx, c, "o", "results", "main", []results.Upload{r3})
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib/r3"}, rep.Added)

	files := repo.Files("main")
	for _, name := range []string{
		"README.md", "layout.json", "index/zlib.json", "index/python.json", "index/zlib/2026/11/03.json",
		"runs/zlib/2026/11/r1/results.json", "runs/zlib/2026/11/r1/logs/bzip2.txt.gz", "runs/zlib/2026/11/r3/logs/xz.txt.gz",
		"runs/python/2026/11/p1/results.json",
	} {
		assert.Contains(t, files, name)
	}
	assert.JSONEq(t, string(r3.Files["results.json"]), string(files["runs/zlib/2026/11/r3/results.json"]))
	assert.Equal(t, []string{
		"Add results of zlib/r3\n\n- zlib/r3: 2 passed, 0 failed, 0 skipped, 1 without tests; 0 regressions, 1 fix\n",
		"Add results of zlib/r2\n\n- zlib/r2: 1 passed, 1 failed, 0 skipped, 0 without tests; 1 regression, 1 fix\n",
		"Add results of 2 runs\n\n- zlib/r1: 1 passed, 1 failed, 0 skipped, 0 without tests\n- python/p1: 1 passed, 0 failed, 0 skipped, 0 without tests\n",
		"Create the repository",
	}, repo.Log("main"))
	// The third push wrote only r3's results.json and 3 logs, its day's shard and
	// zlib's summary: nothing that grows with the history.
	assert.Equal(t, blobs+6, srv.CountRequests("POST /api/v3/repos/o/results/git/blobs"))

	shard, err := results.ParseShard("02.json", files["index/zlib/2026/11/02.json"])
	require.NoError(t, err)
	require.Len(t, shard.Runs, 1)
	assert.Equal(t, 1, shard.Runs[0].Regressions)
	assert.Equal(t, 1, shard.Runs[0].Fixes)

	// The site drawn from the repository is the site drawn from the runs at once.
	assert.Equal(t, siteOf(t, writeUploads(t, r1, r2, r3, py)), siteOf(t, checkout(t, files)))
}

// raceOnRefUpdate holds the first n ref updates until all n have arrived, so that
// that many pushes build on the same head and all but one must build again.
func raceOnRefUpdate(t *testing.T, srv *ghtest.Server, n int) *atomic.Int32 {
	var arrived sync.WaitGroup
	arrived.Add(n)
	var patches atomic.Int32
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPatch && patches.Add(1) <= int32(n) {
			arrived.Done()
			done := make(chan struct{})
			go func() { arrived.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("the pushes did not meet at the ref update")
			}
		}
		return false
	})
	return &patches
}

// pushAtOnce pushes each group of uploads concurrently and waits for all.
func pushAtOnce(t *testing.T, c *github.Client, groups ...[]results.Upload) []*pushReport {
	var wg sync.WaitGroup
	reports := make([]*pushReport, len(groups))
	errs := make([]error, len(groups))
	for i, ups := range groups {
		wg.Go(func() {
			reports[i], errs[i] = pushResults(t.Context(), c, "o", "results", "main", ups)
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	return reports
}

// TestPushResultsRace pushes two runs at once: both build on the same head, GitHub
// takes one ref update and refuses the other, which rebuilds on the new head. Both
// runs land, with an index listing both.
func TestPushResultsRace(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	repo.Commit("main", map[string][]byte{"README.md": []byte("results\n")}, "init")
	patches := raceOnRefUpdate(t, srv, 2)
	c := newTestClient(t, srv)
	a := upload(t, "zlib", "a", 1, "zlib=PASSED")
	b := upload(t, "zlib", "b", 2, "zlib=FAILED")
	reports := pushAtOnce(t, c, []results.Upload{a}, []results.Upload{b})
	assert.Equal(t, []string{"zlib/a"}, reports[0].Added)
	assert.Equal(t, []string{"zlib/b"}, reports[1].Added)
	assert.Equal(t, int32(3), patches.Load(), "one of the two ref updates was refused and retried")

	files := repo.Files("main")
	assert.Contains(t, files, "runs/zlib/2026/11/a/results.json")
	assert.Contains(t, files, "runs/zlib/2026/11/b/results.json")
	sum, err := results.ParseEnvSummary("zlib.json", files["index/zlib.json"])
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Runs)
	assert.Equal(t, 1, sum.Last.Regressions, "b is compared with a, whichever landed first")
	assert.Len(t, repo.Log("main"), 3)
}

// TestPushResultsAnyOrder pushes three runs of an environment in every order, one
// push each, and in races, and compares the site drawn from the pushed repository
// with the site `results site` draws from the same runs, byte for byte: a run that
// lands late redraws everything that depends on the order.
func TestPushResultsAnyOrder(t *testing.T) {
	resultsEnv(t)
	runs := []results.Upload{
		upload(t, "zlib", "r1", 1, "zlib=PASSED", "bzip2=FAILED", "xz=PASSED"),
		upload(t, "zlib", "r2", 2, "zlib=FAILED", "bzip2=PASSED", "xz=PASSED"),
		upload(t, "zlib", "r3", 3, "zlib=PASSED", "bzip2=PASSED", "xz=FAILED"),
	}
	want := siteOf(t, writeUploads(t, runs...))
	r1, r2, r3 := []results.Upload{runs[0]}, []results.Upload{runs[1]}, []results.Upload{runs[2]}
	tests := []struct {
		name   string
		pushes [][][]results.Upload // steps in order; the groups of a step race
	}{
		{name: "1 2 3", pushes: [][][]results.Upload{{r1}, {r2}, {r3}}},
		{name: "1 3 2", pushes: [][][]results.Upload{{r1}, {r3}, {r2}}},
		{name: "2 1 3", pushes: [][][]results.Upload{{r2}, {r1}, {r3}}},
		{name: "2 3 1", pushes: [][][]results.Upload{{r2}, {r3}, {r1}}},
		{name: "3 1 2", pushes: [][][]results.Upload{{r3}, {r1}, {r2}}},
		{name: "3 2 1", pushes: [][][]results.Upload{{r3}, {r2}, {r1}}},
		{name: "3, then 1 and 2 racing", pushes: [][][]results.Upload{{r3}, {r1, r2}}},
		{name: "1, then 3 and 2 racing", pushes: [][][]results.Upload{{r1}, {r3, r2}}},
		{name: "all three racing", pushes: [][][]results.Upload{{r3, r2, r1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.NewServer(t)
			repo := srv.CreateRepo("o", "results")
			repo.Commit("main", map[string][]byte{"README.md": []byte("results\n")}, "init")
			c := newTestClient(t, srv)
			for _, step := range tt.pushes {
				if len(step) > 1 {
					raceOnRefUpdate(t, srv, len(step))
				}
				pushAtOnce(t, c, step...)
			}
			files := repo.Files("main")
			assert.Equal(t, want, siteOf(t, checkout(t, files)))
			assert.Len(t, repo.Log("main"), 4, "one commit per run")
		})
	}
}

// TestPushResultsCostIsFlat pushes 500 nightly runs of two environments, one push a
// night: the 500th costs what the 2nd did, in requests and in bytes written (within
// 10 %). The first push creates the repository and has no run before it to read.
func TestPushResultsCostIsFlat(t *testing.T) {
	nights := 500
	if testing.Short() {
		nights = 60
	}
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	c := newTestClient(t, srv)
	type cost struct {
		requests int
		bytes    int64
	}
	costs := make([]cost, nights+1)
	for night := 1; night <= nights; night++ {
		var ups []results.Upload
		for _, env := range []string{"python", "zlib"} {
			status := "FAILED"
			if night%3 > 0 {
				status = "PASSED"
			}
			up := upload(t, env, fmt.Sprintf("n%04d", night), night, env+"=PASSED", "xz="+status)
			ups = append(ups, up)
		}
		before, blobs := len(srv.Requests()), repo.Stats().BlobBytes
		_, err := pushResults(t.Context(), c, "o", "results", "main", ups)
		require.NoError(t, err)
		costs[night] = cost{requests: len(srv.Requests()) - before, bytes: repo.Stats().BlobBytes - blobs}
	}
	second, last := costs[2], costs[nights]
	t.Logf("push 2: %d requests, %d bytes; push %d: %d requests, %d bytes", second.requests, second.bytes, nights, last.requests, last.bytes)
	assert.InDelta(t, second.requests, last.requests, 0.1*float64(second.requests), "requests")
	assert.InDelta(t, second.bytes, last.bytes, 0.1*float64(second.bytes), "bytes")
}
