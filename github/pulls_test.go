package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
)

// pullsRepo is a fake GitHub with repository o/r, whose main branch holds an old
// environments/zlib/spack.yaml, and a client of it (api.github.com's URL layout).
// Lists come in pages of 2 so that listing needs several pages.
type pullsRepo struct {
	srv  *ghtest.Server
	repo *ghtest.Repo
	base string // main's commit
}

func newPullsRepo(t *testing.T, opts ...Option) (*pullsRepo, *Client) {
	t.Helper()
	srv := ghtest.NewServer(t)
	srv.Token = "secret-token"
	srv.MaxPerPage = 2
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/pulls") {
			assert.Equal(t, "100", r.URL.Query().Get("per_page"))
		}
		return false
	})
	repo := srv.CreateRepo("o", "r")
	base := repo.Commit("main", map[string][]byte{"environments/zlib/spack.yaml": []byte("old")}, "base")
	c, err := New("secret-token", append([]Option{WithBaseURL(srv.RootURL()), WithMaxWait(10 * time.Second)}, opts...)...)
	require.NoError(t, err)
	return &pullsRepo{srv: srv, repo: repo, base: base}, c
}

// fileAt returns a file's contents at the head of a branch.
func (f *pullsRepo) fileAt(branch, path string) string {
	return string(f.repo.Files(branch)[path])
}

// count returns how many requests were exactly what ("METHOD /path").
func (f *pullsRepo) count(what string) int {
	n := 0
	for _, r := range f.srv.Requests() {
		if r == what {
			n++
		}
	}
	return n
}

func zlibUpdate() UpdatePR {
	return UpdatePR{
		Base:   "main",
		Branch: "update/zlib/zlib-1.3.1",
		Title:  "zlib: update zlib to 1.3.1",
		Body:   "zlib 1.2.13 → 1.3.1\n\nhttps://zlib.net",
		Files:  map[string][]byte{"environments/zlib/spack.yaml": []byte("spack:\n  specs: [zlib@1.3.1]\n")},
	}
}

func TestOpenUpdatePRTwice(t *testing.T) {
	f, c := newPullsRepo(t)
	ctx := context.Background()
	// Unrelated pull requests fill more than one page.
	for i := 1; i <= 5; i++ {
		f.repo.AddPull(ghtest.Pull{Title: fmt.Sprintf("other %d", i), Head: fmt.Sprintf("feature/%d", i), Base: "main"})
	}

	got, err := c.OpenUpdatePR(ctx, "o", "r", zlibUpdate())
	require.NoError(t, err)
	assert.Equal(t, UpdatePRResult{Number: 6, URL: "https://github.com/o/r/pull/6"}, got)
	assert.Equal(t, "spack:\n  specs: [zlib@1.3.1]\n", f.fileAt("update/zlib/zlib-1.3.1", "environments/zlib/spack.yaml"))
	head := f.repo.Head("update/zlib/zlib-1.3.1")
	assert.Equal(t, "zlib: update zlib to 1.3.1", f.repo.Log("update/zlib/zlib-1.3.1")[0], "message defaults to the title")
	assert.Equal(t, []string{f.base}, f.repo.Parents(head))
	pr := f.repo.Pulls()[5]
	assert.Equal(t, ghtest.Pull{Number: 6, Title: "zlib: update zlib to 1.3.1", Head: "update/zlib/zlib-1.3.1", Base: "main", Body: "zlib 1.2.13 → 1.3.1\n\nhttps://zlib.net", State: "open"}, pr)
	assert.Equal(t, 3, f.count("GET /repos/o/r/pulls")-1, "three pages of open pull requests, then the closed ones")

	// The second run opens nothing new and writes nothing.
	got, err = c.OpenUpdatePR(ctx, "o", "r", zlibUpdate())
	require.NoError(t, err)
	assert.Equal(t, "open pull request #6 has branch update/zlib/zlib-1.3.1", got.Skipped)
	assert.Equal(t, 6, got.Existing)
	assert.Zero(t, got.Number)
	assert.Len(t, f.repo.Pulls(), 6)
	assert.Equal(t, 1, f.count("POST /repos/o/r/git/commits"))
	assert.Equal(t, 1, f.count("POST /repos/o/r/git/refs"))
	assert.Equal(t, 1, f.count("POST /repos/o/r/pulls"))
}

func TestOpenUpdatePRSkips(t *testing.T) {
	tests := []struct {
		name     string
		existing ghtest.Pull
		want     string // Skipped; "" when a pull request is opened
	}{
		{name: "open with same title", existing: ghtest.Pull{Title: "zlib: update zlib to 1.3.1", Head: "someone/zlib", State: "open"}, want: "open pull request #1 has this title"},
		{name: "open with same branch", existing: ghtest.Pull{Title: "renamed", Head: "update/zlib/zlib-1.3.1", State: "open"}, want: "open pull request #1 has branch update/zlib/zlib-1.3.1"},
		{name: "closed unmerged: rejected", existing: ghtest.Pull{Title: "zlib: update zlib to 1.3.1", Head: "update/zlib/zlib-1.3.1", State: "closed"}, want: "closed pull request #1 for this version was not merged"},
		{name: "closed merged: opens again", existing: ghtest.Pull{Title: "zlib: update zlib to 1.3.1", Head: "update/zlib/zlib-1.3.1", State: "closed", Merged: true}},
		{name: "closed for another version", existing: ghtest.Pull{Title: "zlib: update zlib to 1.3", Head: "update/zlib/zlib-1.3", State: "closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newPullsRepo(t)
			tt.existing.Base = "main"
			f.repo.AddPull(tt.existing)
			got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Skipped)
			if tt.want != "" {
				assert.Len(t, f.repo.Pulls(), 1)
				assert.Zero(t, f.count("POST /repos/o/r/git/commits"), "a skipped update writes nothing")
				return
			}
			assert.Equal(t, 2, got.Number)
		})
	}
}

func TestOpenUpdatePRBranchExists(t *testing.T) {
	t.Run("ours: moved and reused", func(t *testing.T) {
		f, c := newPullsRepo(t)
		// A run that stopped after pushing the branch, before opening the PR, on a
		// base that has moved since.
		stale := f.repo.Commit("update/zlib/zlib-1.3.1", map[string][]byte{"environments/zlib/spack.yaml": []byte("older")}, "zlib: update zlib to 1.3.1")
		got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
		require.NoError(t, err)
		assert.Equal(t, 1, got.Number)
		assert.Equal(t, 1, f.count("PATCH /repos/o/r/git/refs/heads/update/zlib/zlib-1.3.1"))
		assert.NotEqual(t, stale, f.repo.Head("update/zlib/zlib-1.3.1"))
		assert.Equal(t, "spack:\n  specs: [zlib@1.3.1]\n", f.fileAt("update/zlib/zlib-1.3.1", "environments/zlib/spack.yaml"))
	})
	t.Run("someone else's: left alone", func(t *testing.T) {
		f, c := newPullsRepo(t)
		theirs := f.repo.Commit("update/zlib/zlib-1.3.1", map[string][]byte{"environments/zlib/spack.yaml": []byte("wip")}, "wip: try zlib 1.3.1")
		got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
		require.NoError(t, err)
		assert.Equal(t, "branch update/zlib/zlib-1.3.1 exists with commits the update bot did not make", got.Skipped)
		assert.Equal(t, theirs, f.repo.Head("update/zlib/zlib-1.3.1"))
		assert.Empty(t, f.repo.Pulls())
	})
	t.Run("base has the files already", func(t *testing.T) {
		f, c := newPullsRepo(t)
		u := zlibUpdate()
		u.Files = map[string][]byte{"environments/zlib/spack.yaml": []byte("old")}
		got, err := c.OpenUpdatePR(context.Background(), "o", "r", u)
		require.NoError(t, err)
		assert.Equal(t, "branch main has these files already", got.Skipped)
		assert.Empty(t, f.repo.Head("update/zlib/zlib-1.3.1"))
		assert.Empty(t, f.repo.Pulls())
	})
}

func TestOpenUpdatePRRateLimits(t *testing.T) {
	primary := func(w http.ResponseWriter) { ghtest.PrimaryRateLimit(w, time.Now().Add(time.Second)) }
	secondary := func(w http.ResponseWriter) { ghtest.SecondaryRateLimit(w, time.Second) }
	tests := []struct {
		name    string
		path    string // the request that is limited once
		limit   func(http.ResponseWriter)
		maxWait time.Duration
		wantErr error
	}{
		{name: "primary on listing", path: "GET /repos/o/r/pulls", limit: primary, maxWait: 10 * time.Second},
		{name: "secondary on creating the pull request", path: "POST /repos/o/r/pulls", limit: secondary, maxWait: 10 * time.Second},
		{name: "secondary over the bound", path: "POST /repos/o/r/git/trees", limit: secondary, maxWait: 100 * time.Millisecond, wantErr: ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newPullsRepo(t, WithMaxWait(tt.maxWait))
			var once sync.Once
			f.srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				limited := false
				if r.Method+" "+r.URL.Path == tt.path {
					once.Do(func() { tt.limit(w); limited = true })
				}
				return limited
			})
			start := time.Now()
			got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
			elapsed := time.Since(start)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Less(t, elapsed, time.Second, "gives up at once instead of waiting past the bound")
				assert.Empty(t, f.repo.Pulls())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 1, got.Number)
			assert.GreaterOrEqual(t, elapsed, 900*time.Millisecond, "waited the limit out")
			assert.Len(t, f.repo.Pulls(), 1)
		})
	}
}

func TestOpenUpdatePRErrors(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*UpdatePR)
		wantErr string
	}{
		{name: "no base", modify: func(u *UpdatePR) { u.Base = "" }, wantErr: "base branch is empty"},
		{name: "bad branch", modify: func(u *UpdatePR) { u.Branch = "update/zlib 1.3" }, wantErr: `bad branch name "update/zlib 1.3"`},
		{name: "dotdot branch", modify: func(u *UpdatePR) { u.Branch = "update/../x" }, wantErr: "bad branch name"},
		{name: "no title", modify: func(u *UpdatePR) { u.Title = "" }, wantErr: "title is empty"},
		{name: "no files", modify: func(u *UpdatePR) { u.Files = nil }, wantErr: "no files"},
		{name: "absolute path", modify: func(u *UpdatePR) { u.Files = map[string][]byte{"/etc/passwd": nil} }, wantErr: "bad file path"},
		{name: "escaping path", modify: func(u *UpdatePR) { u.Files = map[string][]byte{"../x": nil} }, wantErr: "bad file path"},
		{name: "missing base branch", modify: func(u *UpdatePR) { u.Base = "trunk" }, wantErr: "reading branch trunk of o/r: not found (404)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newPullsRepo(t)
			u := zlibUpdate()
			tt.modify(&u)
			_, err := c.OpenUpdatePR(context.Background(), "o", "r", u)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, f.repo.Pulls())
		})
	}
}
