package github

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
)

// Fault drills (docs/reliability.md): a GitHub outage injected into one request of a
// push or a pull request, which must land once, whole, with nothing duplicated.

// drillClient retries fast so that drills take milliseconds, and gives up on a request
// after 300 ms so that a late answer is a timeout.
func drillClient(t *testing.T, srv *ghtest.Server, opts ...Option) *Client {
	t.Helper()
	return newTestClient(t, srv, append([]Option{WithBackoff(10*time.Millisecond, 100*time.Millisecond), WithRequestTimeout(300 * time.Millisecond)}, opts...)...)
}

// logFigures records what a drill cost, for docs/reliability.md.
func logFigures(t *testing.T, c *Client, elapsed time.Duration) {
	t.Helper()
	st := c.Stats()
	t.Logf("figures: %d requests, %d retries, %s waited, %s in all", st.Requests, st.Retries, st.Waited.Round(time.Millisecond), elapsed.Round(time.Millisecond))
}

// TestDrillPush: a push (results push's path: read the head and a file of it, write
// blobs, a tree, a commit, move the branch) survives each fault, and the branch gets
// exactly one new commit.
func TestDrillPush(t *testing.T) {
	tests := []struct {
		name        string
		empty       bool   // the repository has no commit yet
		branch      string // "" for main
		fault       ghtest.Fault
		wantRetries int
		minElapsed  time.Duration
	}{
		{name: "502 reading the branch", fault: ghtest.Fault{Method: "GET", Path: "/repos/o/r/git/ref/heads/main", Times: 1, Status: 502}, wantRetries: 1},
		{name: "503 with Retry-After reading a tree", fault: ghtest.Fault{Method: "GET", Path: "/repos/o/r/git/trees/", Times: 1, Status: 503, RetryAfter: time.Second}, wantRetries: 1, minElapsed: time.Second},
		{name: "504 twice reading a file", fault: ghtest.Fault{Method: "GET", Path: "/repos/o/r/git/blobs/", Times: 2, Status: 504}, wantRetries: 2},
		{name: "connection reset creating a blob", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/git/blobs", Times: 1, Reset: true}, wantRetries: 1},
		{name: "timeout creating the tree", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/git/trees", Times: 1, Delay: time.Second}, wantRetries: 1},
		{name: "500 creating the commit", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/git/commits", Times: 1, Status: 500}, wantRetries: 1},
		{name: "answer lost after moving the branch", fault: ghtest.Fault{Method: "PATCH", Path: "/repos/o/r/git/refs/heads/main", Times: 1, Status: 502, Served: true}, wantRetries: 1},
		{name: "answer lost after creating the branch", branch: "results", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/git/refs", Times: 1, Status: 502, Served: true}, wantRetries: 1},
		{name: "reset after creating the first file", empty: true, fault: ghtest.Fault{Method: "PUT", Path: "/repos/o/r/contents/", Times: 1, Reset: true, Served: true}, wantRetries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.NewServer(t)
			repo := srv.CreateRepo("o", "r")
			branch := "main"
			if tt.branch != "" {
				branch = tt.branch
			}
			wantLog := []string{"push"}
			if tt.empty {
				wantLog = append(wantLog, "Create the repository")
			} else {
				repo.Commit("main", map[string][]byte{"index.json": []byte("[1]")}, "base")
				if branch == "main" {
					wantLog = append(wantLog, "base")
				}
			}
			srv.Inject(tt.fault)
			c := drillClient(t, srv)
			start := time.Now()
			sha, err := c.Commit(t.Context(), "o", "r", branch, func(ctx context.Context, head *Snapshot) (*Change, error) {
				old, err := head.ReadFile(ctx, "index.json")
				if err != nil {
					old = []byte("[]")
				}
				return &Change{Files: map[string][]byte{"index.json": append(old, '+'), "runs/r1/results.json": []byte("{}")}, Message: "push"}, nil
			})
			elapsed := time.Since(start)
			require.NoError(t, err)
			assert.Equal(t, repo.Head(branch), sha)
			assert.Equal(t, wantLog, repo.Log(branch), "one new commit, none twice")
			assert.Equal(t, []byte("{}"), repo.Files(branch)["runs/r1/results.json"])
			assert.Positive(t, srv.Injected(), "the fault happened")
			assert.Equal(t, tt.wantRetries, c.Stats().Retries)
			assert.GreaterOrEqual(t, elapsed, tt.minElapsed, "Retry-After is honoured")
			logFigures(t, c, elapsed)
		})
	}
}

// TestDrillPullRequest: opening an update pull request survives each fault, and a
// lost answer does not make a second pull request.
func TestDrillPullRequest(t *testing.T) {
	tests := []struct {
		name  string
		fault ghtest.Fault
	}{
		{name: "502 listing pull requests", fault: ghtest.Fault{Method: "GET", Path: "/repos/o/r/pulls", Times: 1, Status: 502}},
		{name: "reset reading the base branch", fault: ghtest.Fault{Method: "GET", Path: "/repos/o/r/git/ref/heads/main", Times: 1, Reset: true}},
		{name: "answer lost after creating the branch", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/git/refs", Times: 1, Status: 502, Served: true}},
		{name: "answer lost after opening the pull request", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/pulls", Times: 1, Status: 504, Served: true}},
		{name: "timeout opening the pull request, opened all the same", fault: ghtest.Fault{Method: "POST", Path: "/repos/o/r/pulls", Times: 1, Delay: time.Second, Served: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newPullsRepo(t)
			f.srv.Inject(tt.fault)
			c, err := New("secret-token", WithBaseURL(f.srv.RootURL()), WithBackoff(10*time.Millisecond, 100*time.Millisecond), WithRequestTimeout(300*time.Millisecond))
			require.NoError(t, err)
			start := time.Now()
			got, err := c.OpenUpdatePR(t.Context(), "o", "r", zlibUpdate())
			require.NoError(t, err)
			assert.Equal(t, UpdatePRResult{Number: 1, URL: "https://github.com/o/r/pull/1"}, got, "opened, and reported as opened")
			assert.Len(t, f.repo.Pulls(), 1)
			assert.Len(t, f.repo.Log("update/zlib/zlib-1.3.1"), 2, "the update's commit on the base's")
			assert.Equal(t, 1, f.srv.Injected())
			// Go's transport itself resends a GET whose reused connection was reset,
			// before the client sees an error.
			assert.LessOrEqual(t, c.Stats().Retries, 1)
			logFigures(t, c, time.Since(start))
		})
	}
}

// TestDrillWaitBound: GitHub answers 503 to every request. The client waits what
// Retry-After asks until the next wait would pass its bound, then fails with the bound
// in the error; the bound covers all calls of the client, so the next call gives up
// without waiting.
func TestDrillWaitBound(t *testing.T) {
	tests := []struct {
		name       string
		fault      ghtest.Fault
		maxWait    time.Duration
		wantWaited time.Duration // exactly, with Retry-After; at most, with backoff
		exact      bool
	}{
		{name: "Retry-After", fault: ghtest.Fault{Status: 503, RetryAfter: time.Second}, maxWait: 2500 * time.Millisecond, wantWaited: 2 * time.Second, exact: true},
		{name: "backoff", fault: ghtest.Fault{Status: 502}, maxWait: 500 * time.Millisecond, wantWaited: 500 * time.Millisecond},
		{name: "resets", fault: ghtest.Fault{Reset: true}, maxWait: 500 * time.Millisecond, wantWaited: 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.NewServer(t)
			srv.CreateRepo("o", "r").Commit("main", map[string][]byte{"a": []byte("a")}, "base")
			srv.Inject(tt.fault)
			c := drillClient(t, srv, WithMaxWait(tt.maxWait), WithBackoff(50*time.Millisecond, 200*time.Millisecond))
			start := time.Now()
			_, err := c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{"b": []byte("b")}, "push")
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "reading branch main of o/r")
			assert.Contains(t, err.Error(), "gave up after")
			assert.Contains(t, err.Error(), "over the bound of "+tt.maxWait.String()+" on all waits")
			st := c.Stats()
			if tt.exact {
				assert.Equal(t, tt.wantWaited, st.Waited)
			}
			assert.LessOrEqual(t, st.Waited, tt.maxWait)
			assert.Less(t, elapsed, tt.maxWait+time.Second, "the bound holds in wall time too")
			assert.Equal(t, st.Retries+1, st.Requests, "one request, then one per retry")
			logFigures(t, c, elapsed)

			// The next call of the same client draws on what is left of the bound.
			start = time.Now()
			_, err = c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{"b": []byte("b")}, "push")
			require.Error(t, err)
			assert.LessOrEqual(t, c.Stats().Waited, tt.maxWait)
			assert.Less(t, time.Since(start), tt.maxWait-st.Waited+300*time.Millisecond)
			if tt.exact {
				assert.Equal(t, st.Retries, c.Stats().Retries, "1s more would pass the bound: no retry")
			}
		})
	}
}

// TestDrillErrorsAreNotRetried: answers that a retry cannot change are returned at
// once, without waiting. (A 404 on a branch means a new branch; see TestPushFiles.)
func TestDrillErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusNotImplemented} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := ghtest.NewServer(t)
			srv.CreateRepo("o", "r").Commit("main", map[string][]byte{"a": []byte("a")}, "base")
			srv.Inject(ghtest.Fault{Path: "/repos/o/r/git/ref/", Status: status})
			c := drillClient(t, srv)
			_, err := c.PushFiles(t.Context(), "o", "r", "main", map[string][]byte{"b": []byte("b")}, "push")
			require.Error(t, err)
			assert.Zero(t, c.Stats().Retries)
			assert.Equal(t, 1, srv.Injected())
			assert.Contains(t, err.Error(), "reading branch main of o/r")
		})
	}
}
