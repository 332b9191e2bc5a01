package github

import (
	"cmp"
	"context"
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

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// newTestClient returns a client of srv in GitHub Enterprise's URL layout, which also
// proves that a base URL with a path works.
func newTestClient(t *testing.T, srv *ghtest.Server, opts ...Option) *Client {
	t.Helper()
	c, err := New("test-token", append([]Option{WithBaseURL(srv.URL()), WithMaxWait(5 * time.Second)}, opts...)...)
	require.NoError(t, err)
	return c
}

func countRequests(srv *ghtest.Server, prefix string) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func TestPushFiles(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "r")
	c := newTestClient(t, srv)
	ctx := t.Context()

	// An empty repository gets its first commit through the contents API.
	sha, err := c.PushFiles(ctx, "o", "r", "main", map[string][]byte{"a/b.txt": []byte("b"), "c.bin": {0, 1, 2, 255}}, "first")
	require.NoError(t, err)
	assert.Equal(t, repo.Head("main"), sha)
	assert.Equal(t, map[string][]byte{"README.md": []byte("# r\n"), "a/b.txt": []byte("b"), "c.bin": {0, 1, 2, 255}}, repo.Files("main"))
	assert.Equal(t, []string{"first", "Create the repository"}, repo.Log("main"))

	// The same files again: nothing to write, no commit.
	blobs := countRequests(srv, "POST /api/v3/repos/o/r/git/blobs")
	sha, err = c.PushFiles(ctx, "o", "r", "main", map[string][]byte{"a/b.txt": []byte("b")}, "again")
	require.NoError(t, err)
	assert.Empty(t, sha)
	assert.Len(t, repo.Log("main"), 2)
	assert.Equal(t, blobs, countRequests(srv, "POST /api/v3/repos/o/r/git/blobs"))

	// One changed file of two: one blob, the rest of the tree kept.
	sha, err = c.PushFiles(ctx, "o", "r", "main", map[string][]byte{"a/b.txt": []byte("b"), "a/d.txt": []byte("d")}, "third")
	require.NoError(t, err)
	assert.NotEmpty(t, sha)
	assert.Equal(t, blobs+1, countRequests(srv, "POST /api/v3/repos/o/r/git/blobs"))
	assert.Equal(t, []byte("d"), repo.Files("main")["a/d.txt"])
	assert.Len(t, repo.Files("main"), 4)

	// A branch that does not exist yet starts without history.
	sha, err = c.PushFiles(ctx, "o", "r", "results", map[string][]byte{"x.txt": []byte("x")}, "orphan")
	require.NoError(t, err)
	assert.Equal(t, repo.Head("results"), sha)
	assert.Equal(t, map[string][]byte{"x.txt": []byte("x")}, repo.Files("results"))
	assert.Equal(t, []string{"orphan"}, repo.Log("results"))
}

func TestPushFilesBadPaths(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"x": []byte("x")}, "init")
	c := newTestClient(t, srv)
	for _, name := range []string{"", "/abs", "a/../b", "a//b", "./a", ".git/config", `a\b`, "dir/"} {
		t.Run(name, func(t *testing.T) {
			_, err := c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{name: []byte("x")}, "bad")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "file path")
		})
	}
}

// TestPushRetriesOnMovedBranch interleaves another push between our tree and our ref
// update: GitHub refuses the update (not a fast forward) and the push rebuilds on the
// new head, keeping both.
func TestPushRetriesOnMovedBranch(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"base.txt": []byte("base")}, "base")
	var once sync.Once
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPatch {
			once.Do(func() { repo.Commit("main", map[string][]byte{"other.txt": []byte("other")}, "other push") })
		}
		return false
	})
	c := newTestClient(t, srv)
	builds := 0
	sha, err := c.Commit(t.Context(), "o", "r", "main", func(ctx context.Context, head *Snapshot) (*Change, error) {
		builds++
		return &Change{Files: map[string][]byte{"mine.txt": []byte("mine")}, Message: "my push"}, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, builds, "the change is rebuilt on the new head")
	assert.Equal(t, repo.Head("main"), sha)
	assert.Equal(t, map[string][]byte{"base.txt": []byte("base"), "other.txt": []byte("other"), "mine.txt": []byte("mine")}, repo.Files("main"))
	assert.Equal(t, []string{"my push", "other push", "base"}, repo.Log("main"))
	assert.Equal(t, 2, countRequests(srv, "PATCH "))
}

func TestPushGivesUpWhenTheBranchKeepsMoving(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"base.txt": []byte("base")}, "base")
	var n atomic.Int32
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPatch {
			repo.Commit("main", map[string][]byte{"other.txt": []byte(fmt.Sprint(n.Add(1)))}, "other push")
		}
		return false
	})
	c := newTestClient(t, srv)
	_, err := c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{"mine.txt": []byte("mine")}, "mine")
	require.ErrorIs(t, err, ErrBranchMoved)
	assert.Contains(t, err.Error(), "pushing to main of o/r")
	assert.Equal(t, int32(pushAttempts), n.Load())
	assert.NotContains(t, repo.Files("main"), "mine.txt")
}

// TestPushRefusalIsNotARace: a 422 on the ref update while the branch did not move is
// returned, not retried.
func TestPushRefusalIsNotARace(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"base.txt": []byte("base")}, "base")
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPatch {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"message":"Required status check \"ci\" is expected."}`)
		return true
	})
	c := newTestClient(t, srv)
	_, err := c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{"mine.txt": []byte("mine")}, "mine")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrBranchMoved)
	assert.Contains(t, err.Error(), "updating branch main of o/r")
	assert.Contains(t, err.Error(), "Required status check")
	assert.Equal(t, 1, countRequests(srv, "PATCH "))
}

func TestPushRateLimits(t *testing.T) {
	tests := []struct {
		name    string
		maxWait time.Duration
		limit   func(w http.ResponseWriter)
		wantErr string
	}{
		{
			name:    "primary, waited out",
			maxWait: 5 * time.Second,
			limit:   func(w http.ResponseWriter) { ghtest.PrimaryRateLimit(w, time.Now().Add(time.Second)) },
		},
		{
			name:    "secondary, waited out",
			maxWait: 5 * time.Second,
			limit:   func(w http.ResponseWriter) { ghtest.SecondaryRateLimit(w, time.Second) },
		},
		{
			name:    "primary, over the bound",
			maxWait: 2 * time.Second,
			limit:   func(w http.ResponseWriter) { ghtest.PrimaryRateLimit(w, time.Now().Add(time.Hour)) },
			wantErr: "reading branch main of o/r: github rate limit: would wait ",
		},
		{
			name:    "secondary, over the bound",
			maxWait: 2 * time.Second,
			limit:   func(w http.ResponseWriter) { ghtest.SecondaryRateLimit(w, time.Minute) },
			wantErr: "reading branch main of o/r: github rate limit: would wait 1m0s more",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.NewServer(t)
			repo := srv.CreateRepo("o", "r")
			repo.Commit("main", map[string][]byte{"base.txt": []byte("base")}, "base")
			var limited atomic.Bool
			srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.Contains(r.URL.Path, "/git/ref/") && !limited.Swap(true) {
					tt.limit(w)
					return true
				}
				return false
			})
			c := newTestClient(t, srv, WithMaxWait(tt.maxWait))
			start := time.Now()
			sha, err := c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{"mine.txt": []byte("mine")}, "mine")
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrRateLimited)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), "over the bound of 2s")
				assert.Less(t, time.Since(start), time.Second, "gives up at once, without waiting")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, repo.Head("main"), sha)
			assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "waited for the limit")
			assert.Equal(t, 2, countRequests(srv, "GET /api/v3/repos/o/r/git/ref/heads/main"), "asked again after the wait")
		})
	}
}

func TestPushErrorsNameTheRepository(t *testing.T) {
	tests := []struct {
		name    string
		repo    string
		token   string
		wantErr []string
	}{
		{name: "bad token", repo: "r", token: "other", wantErr: []string{"reading branch main of o/r", "token rejected (401)", "Bad credentials"}},
		{name: "no such repository", repo: "missing", wantErr: []string{"reading repository o/missing", "not found (404)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.NewServer(t)
			srv.CreateRepo("o", "r").Commit("main", map[string][]byte{"x": []byte("x")}, "init")
			srv.Token = cmp.Or(tt.token, "test-token")
			c := newTestClient(t, srv)
			_, err := c.PushFiles(t.Context(), "o", tt.repo, "main", map[string][]byte{"mine.txt": []byte("mine")}, "mine")
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "test-token", "the token is never shown")
		})
	}
}

func TestSnapshot(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"a/b/c.txt": []byte("c"), "d.txt": []byte("d")}, "init")
	c := newTestClient(t, srv)
	_, err := c.Commit(t.Context(), "o", "r", "main", func(ctx context.Context, head *Snapshot) (*Change, error) {
		assert.Equal(t, repo.Head("main"), head.Commit())
		data, err := head.ReadFile(ctx, "a/b/c.txt")
		require.NoError(t, err)
		assert.Equal(t, "c", string(data))
		for name, want := range map[string]bool{"a": true, "a/b": true, "a/b/c.txt": true, "d.txt": true, "a/x": false, "d.txt/x": false, "e": false} {
			ok, err := head.Exists(ctx, name)
			require.NoError(t, err)
			assert.Equal(t, want, ok, name)
		}
		_, err = head.ReadFile(ctx, "a/b")
		assert.ErrorIs(t, err, fs.ErrNotExist, "a directory is not a file")
		_, err = head.ReadFile(ctx, "nope.txt")
		assert.ErrorIs(t, err, fs.ErrNotExist)
		// Listings are cached: a second read costs nothing.
		before := len(srv.Requests())
		_, err = head.ReadFile(ctx, "a/b/c.txt")
		require.NoError(t, err)
		assert.Len(t, srv.Requests(), before)
		return nil, nil
	})
	require.NoError(t, err)
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

// siteFromTree renders the whole site from the runs in files (a repository's tree),
// as `results site` does from a checkout.
func siteFromTree(t *testing.T, files map[string][]byte, opts ...results.SiteOption) results.Files {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	runs, err := results.LoadTree(dir)
	require.NoError(t, err)
	site, err := results.NewSite(opts...)
	require.NoError(t, err)
	out, err := site.Render(runs)
	require.NoError(t, err)
	return out
}

func TestPushResults(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	c := newTestClient(t, srv)
	ctx := t.Context()
	opts := []results.SiteOption{results.WithMaxRuns(2)}

	r1 := upload(t, "zlib", "r1", 1, "zlib=PASSED", "bzip2=FAILED")
	r2 := upload(t, "zlib", "r2", 2, "zlib=FAILED", "bzip2=PASSED")
	py := upload(t, "python", "p1", 2, "python=PASSED")
	rep, err := c.PushResults(ctx, "o", "results", "main", []results.Upload{r1, py}, opts...)
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib/r1", "python/p1"}, rep.Added)
	assert.Empty(t, rep.Present)
	assert.Equal(t, repo.Head("main"), rep.Commit)

	// Pushing the same runs again writes nothing.
	rep, err = c.PushResults(ctx, "o", "results", "main", []results.Upload{r1, py}, opts...)
	require.NoError(t, err)
	assert.Empty(t, rep.Commit)
	assert.Equal(t, []string{"zlib/r1", "python/p1"}, rep.Present)

	// One run present, one new, then a third: the history is redrawn from
	// site/data/zlib.json and the new runs.
	rep, err = c.PushResults(ctx, "o", "results", "main", []results.Upload{r1, r2}, opts...)
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib/r2"}, rep.Added)
	assert.Equal(t, []string{"zlib/r1"}, rep.Present)
	r3 := upload(t, "zlib", "r3", 3, "zlib=PASSED", "bzip2=PASSED", "xz=NO_TESTS")
	blobs := countRequests(srv, "POST /api/v3/repos/o/results/git/blobs")
	rep, err = c.PushResults(ctx, "o", "results", "main", []results.Upload{r3}, opts...)
	require.NoError(t, err)
	assert.Equal(t, []string{"zlib/r3"}, rep.Added)

	files := repo.Files("main")
	for _, name := range []string{
		"README.md", "index.json", "index.html", ".nojekyll",
		"zlib/r1/results.json", "zlib/r1/logs/bzip2.txt", "zlib/r3/logs/xz.txt", "python/p1/results.json",
		"site/index.html", "site/style.css", "site/env/zlib.html", "site/env/python.html",
		"site/run/zlib/r3.html", "site/data/zlib.json",
	} {
		assert.Contains(t, files, name)
	}
	assert.Equal(t, r3.Files["results.json"], files["zlib/r3/results.json"])
	assert.Equal(t, []string{
		"Add results of zlib/r3\n\n- zlib/r3: 2 passed, 0 failed, 0 skipped, 1 without tests; 0 regressions, 1 fix\n",
		"Add results of zlib/r2\n\n- zlib/r2: 1 passed, 1 failed, 0 skipped, 0 without tests; 1 regression, 1 fix\n",
		"Add results of 2 runs\n\n- zlib/r1: 1 passed, 1 failed, 0 skipped, 0 without tests\n- python/p1: 1 passed, 0 failed, 0 skipped, 0 without tests\n",
		"Create the repository",
	}, repo.Log("main"))
	// The third push wrote only what changed: r3's 4 files, the index, the overview,
	// zlib's page and data, r3's page. python's page and the style sheet stayed.
	assert.Equal(t, blobs+9, countRequests(srv, "POST /api/v3/repos/o/results/git/blobs"))

	idx, err := results.ParseIndex("index.json", files["index.json"])
	require.NoError(t, err)
	require.Len(t, idx.Runs, 4)
	last, ok := idx.Get("zlib", "r2")
	require.True(t, ok)
	assert.Equal(t, 1, last.Regressions)
	assert.Equal(t, 1, last.Fixes)

	// The site pushed bit by bit is the site drawn from all runs at once.
	whole := siteFromTree(t, files, opts...)
	for name, data := range whole {
		assert.Equal(t, string(data), string(files["site/"+name]), "site/%s differs from a full redraw", name)
	}
}

// TestPushResultsRace pushes two runs at once: both build on the same head, GitHub
// takes one ref update and refuses the other, which rebuilds on the new head. Both
// runs land, with an index and history listing both.
func TestPushResultsRace(t *testing.T) {
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	repo.Commit("main", map[string][]byte{"README.md": []byte("results\n")}, "init")

	// Hold the first two ref updates until both have arrived.
	var arrived sync.WaitGroup
	arrived.Add(2)
	var patches atomic.Int32
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPatch && patches.Add(1) <= 2 {
			arrived.Done()
			done := make(chan struct{})
			go func() { arrived.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("the two pushes did not meet at the ref update")
			}
		}
		return false
	})
	c := newTestClient(t, srv)
	a := upload(t, "zlib", "a", 1, "zlib=PASSED")
	b := upload(t, "zlib", "b", 2, "zlib=FAILED")
	var wg sync.WaitGroup
	reports := make([]*PushReport, 2)
	errs := make([]error, 2)
	for i, up := range []results.Upload{a, b} {
		wg.Go(func() {
			reports[i], errs[i] = c.PushResults(t.Context(), "o", "results", "main", []results.Upload{up})
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	assert.Equal(t, []string{"zlib/a"}, reports[0].Added)
	assert.Equal(t, []string{"zlib/b"}, reports[1].Added)
	assert.Equal(t, int32(3), patches.Load(), "one of the two ref updates was refused and retried")

	files := repo.Files("main")
	assert.Contains(t, files, "zlib/a/results.json")
	assert.Contains(t, files, "zlib/b/results.json")
	idx, err := results.ParseIndex("index.json", files["index.json"])
	require.NoError(t, err)
	require.Len(t, idx.Runs, 2)
	b2, _ := idx.Get("zlib", "b")
	assert.Equal(t, 1, b2.Regressions, "b is compared with a, whichever landed first")
	d, err := results.ParseHistoryData("data", files["site/data/zlib.json"])
	require.NoError(t, err)
	assert.Len(t, d.Runs, 2)
	assert.Len(t, repo.Log("main"), 3)
}
