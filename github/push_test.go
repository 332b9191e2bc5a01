package github

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
)

// newTestClient returns a client of srv in GitHub Enterprise's URL layout, which also
// proves that a base URL with a path works.
func newTestClient(t *testing.T, srv *ghtest.Server, opts ...Option) *Client {
	t.Helper()
	c, err := New("test-token", append([]Option{WithBaseURL(srv.URL()), WithMaxWait(5 * time.Second)}, opts...)...)
	require.NoError(t, err)
	return c
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
	blobs := srv.CountRequests("POST /api/v3/repos/o/r/git/blobs")
	sha, err = c.PushFiles(ctx, "o", "r", "main", map[string][]byte{"a/b.txt": []byte("b")}, "again")
	require.NoError(t, err)
	assert.Empty(t, sha)
	assert.Len(t, repo.Log("main"), 2)
	assert.Equal(t, blobs, srv.CountRequests("POST /api/v3/repos/o/r/git/blobs"))

	// One changed file of two: one blob, the rest of the tree kept.
	sha, err = c.PushFiles(ctx, "o", "r", "main", map[string][]byte{"a/b.txt": []byte("b"), "a/d.txt": []byte("d")}, "third")
	require.NoError(t, err)
	assert.NotEmpty(t, sha)
	assert.Equal(t, blobs+1, srv.CountRequests("POST /api/v3/repos/o/r/git/blobs"))
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
	assert.Equal(t, 2, srv.CountRequests("PATCH "))
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
	assert.Equal(t, 1, srv.CountRequests("PATCH "))
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
			assert.Equal(t, 2, srv.CountRequests("GET /api/v3/repos/o/r/git/ref/heads/main"), "asked again after the wait")
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
