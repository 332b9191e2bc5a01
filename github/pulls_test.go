package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePulls is the part of the GitHub API that OpenUpdatePR uses, for repository o/r,
// with state, so that tests can run the bot twice.
type fakePulls struct {
	t  *testing.T
	mu sync.Mutex

	refs    map[string]string // "heads/main" -> commit sha
	commits map[string]fakeCommit
	trees   map[string]map[string]string // tree sha -> path -> content
	pulls   []fakePull
	// pageSize is small so that listing needs several pages.
	pageSize int
	// requests counts requests by "METHOD path".
	requests map[string]int
	// before, when set, may answer a request itself (a rate limit) and return true.
	before func(w http.ResponseWriter, r *http.Request) bool
}

type fakeCommit struct {
	message, tree string
	parents       []string
}

type fakePull struct {
	number            int
	title, head, base string
	body              string
	state             string
	merged            bool
}

func newFakePulls(t *testing.T) (*fakePulls, *Client) {
	t.Helper()
	f := &fakePulls{
		t:        t,
		refs:     map[string]string{"heads/main": "base-sha"},
		commits:  map[string]fakeCommit{"base-sha": {message: "base", tree: "base-tree"}},
		trees:    map[string]map[string]string{"base-tree": {"environments/zlib/spack.yaml": "old"}},
		pageSize: 2,
		requests: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/o/r/pulls", f.listPulls)
	mux.HandleFunc("POST /repos/o/r/pulls", f.createPull)
	mux.HandleFunc("GET /repos/o/r/git/ref/{ref...}", f.getRef)
	mux.HandleFunc("POST /repos/o/r/git/refs", f.createRef)
	mux.HandleFunc("PATCH /repos/o/r/git/refs/{ref...}", f.updateRef)
	mux.HandleFunc("GET /repos/o/r/git/commits/{sha}", f.getCommit)
	mux.HandleFunc("POST /repos/o/r/git/commits", f.createCommit)
	mux.HandleFunc("POST /repos/o/r/git/trees", f.createTree)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer secret-token", r.Header.Get("Authorization"))
		f.mu.Lock()
		f.requests[r.Method+" "+r.URL.Path]++
		before := f.before
		f.mu.Unlock()
		if before != nil && before(w, r) {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New("secret-token", WithBaseURL(srv.URL), WithMaxWait(10*time.Second))
	require.NoError(t, err)
	return f, c
}

func (f *fakePulls) decode(r *http.Request, v any) {
	require.NoError(f.t, json.NewDecoder(r.Body).Decode(v))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakePulls) pullJSON(p fakePull) map[string]any {
	m := map[string]any{
		"number": p.number, "title": p.title, "state": p.state, "body": p.body,
		"html_url": fmt.Sprintf("https://github.com/o/r/pull/%d", p.number),
		"head":     map[string]any{"ref": p.head, "label": "o:" + p.head},
		"base":     map[string]any{"ref": p.base},
	}
	if p.merged {
		m["merged_at"] = "2025-01-01T00:00:00Z"
	}
	return m
}

func (f *fakePulls) listPulls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	assert.Equal(f.t, "100", q.Get("per_page"))
	state := q.Get("state")
	var match []map[string]any
	for _, p := range f.pulls {
		if state != "all" && p.state != state || q.Get("head") != "" && q.Get("head") != "o:"+p.head {
			continue
		}
		match = append(match, f.pullJSON(p))
	}
	page := 1
	if s := q.Get("page"); s != "" {
		page, _ = strconv.Atoi(s)
	}
	lo, hi := min((page-1)*f.pageSize, len(match)), min(page*f.pageSize, len(match))
	if hi < len(match) {
		u := *r.URL
		q.Set("page", strconv.Itoa(page+1))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, u.String()))
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, match[lo:hi]...))
}

func (f *fakePulls) createPull(w http.ResponseWriter, r *http.Request) {
	var in struct{ Title, Head, Base, Body string }
	f.decode(r, &in)
	_, ok := f.refs["heads/"+in.Head]
	require.True(f.t, ok, "pull request from a branch that does not exist")
	p := fakePull{number: len(f.pulls) + 1, title: in.Title, head: in.Head, base: in.Base, body: in.Body, state: "open"}
	f.pulls = append(f.pulls, p)
	writeJSON(w, http.StatusCreated, f.pullJSON(p))
}

func (f *fakePulls) getRef(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	sha, ok := f.refs[ref]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ref": "refs/" + ref, "object": map[string]string{"sha": sha, "type": "commit"}})
}

func (f *fakePulls) createRef(w http.ResponseWriter, r *http.Request) {
	var in struct{ Ref, SHA string }
	f.decode(r, &in)
	ref := strings.TrimPrefix(in.Ref, "refs/")
	if _, ok := f.refs[ref]; ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Reference already exists", "documentation_url": "https://docs.github.com/rest/git/refs#create-a-reference"})
		return
	}
	f.refs[ref] = in.SHA
	writeJSON(w, http.StatusCreated, map[string]any{"ref": in.Ref, "object": map[string]string{"sha": in.SHA}})
}

func (f *fakePulls) updateRef(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SHA   string
		Force bool
	}
	f.decode(r, &in)
	ref := r.PathValue("ref")
	require.Contains(f.t, f.refs, ref)
	assert.True(f.t, in.Force, "moving the bot's branch onto a new base needs force")
	f.refs[ref] = in.SHA
	writeJSON(w, http.StatusOK, map[string]any{"ref": "refs/" + ref, "object": map[string]string{"sha": in.SHA}})
}

func (f *fakePulls) getCommit(w http.ResponseWriter, r *http.Request) {
	c, ok := f.commits[r.PathValue("sha")]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sha": r.PathValue("sha"), "message": c.message, "tree": map[string]string{"sha": c.tree}})
}

func (f *fakePulls) createCommit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Message, Tree string
		Parents       []string
	}
	f.decode(r, &in)
	require.Contains(f.t, f.trees, in.Tree)
	sha := fmt.Sprintf("commit-%d", len(f.commits))
	f.commits[sha] = fakeCommit{message: in.Message, tree: in.Tree, parents: in.Parents}
	writeJSON(w, http.StatusCreated, map[string]any{"sha": sha, "message": in.Message})
}

func (f *fakePulls) createTree(w http.ResponseWriter, r *http.Request) {
	var in struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct{ Path, Mode, Type, Content string }
	}
	f.decode(r, &in)
	base, ok := f.trees[in.BaseTree]
	require.True(f.t, ok, "unknown base tree %q", in.BaseTree)
	tree := map[string]string{}
	for p, c := range base {
		tree[p] = c
	}
	for _, e := range in.Tree {
		assert.Equal(f.t, "100644", e.Mode)
		assert.Equal(f.t, "blob", e.Type)
		tree[e.Path] = e.Content
	}
	sha := fmt.Sprintf("tree-%d", len(f.trees))
	f.trees[sha] = tree
	writeJSON(w, http.StatusCreated, map[string]any{"sha": sha})
}

// fileAt returns a file's contents at the head of a branch.
func (f *fakePulls) fileAt(branch, path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.trees[f.commits[f.refs["heads/"+branch]].tree][path]
}

func (f *fakePulls) count(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[what]
}

func zlibUpdate() UpdatePR {
	return UpdatePR{
		Base:   "main",
		Branch: "update/zlib/zlib-1.3.1",
		Title:  "zlib: update zlib to 1.3.1",
		Body:   "zlib 1.2.13 → 1.3.1\n\nhttps://zlib.net",
		Files:  []File{{Path: "environments/zlib/spack.yaml", Content: []byte("spack:\n  specs: [zlib@1.3.1]\n")}},
	}
}

func TestOpenUpdatePRTwice(t *testing.T) {
	f, c := newFakePulls(t)
	ctx := context.Background()
	// Unrelated pull requests fill more than one page.
	for i := 1; i <= 5; i++ {
		f.pulls = append(f.pulls, fakePull{number: i, title: fmt.Sprintf("other %d", i), head: fmt.Sprintf("feature/%d", i), base: "main", state: "open"})
	}

	got, err := c.OpenUpdatePR(ctx, "o", "r", zlibUpdate())
	require.NoError(t, err)
	assert.Equal(t, UpdatePRResult{Number: 6, URL: "https://github.com/o/r/pull/6"}, got)
	assert.Equal(t, "spack:\n  specs: [zlib@1.3.1]\n", f.fileAt("update/zlib/zlib-1.3.1", "environments/zlib/spack.yaml"))
	head := f.commits[f.refs["heads/update/zlib/zlib-1.3.1"]]
	assert.Equal(t, "zlib: update zlib to 1.3.1", head.message, "message defaults to the title")
	assert.Equal(t, []string{"base-sha"}, head.parents)
	pr := f.pulls[5]
	assert.Equal(t, fakePull{number: 6, title: "zlib: update zlib to 1.3.1", head: "update/zlib/zlib-1.3.1", base: "main", body: "zlib 1.2.13 → 1.3.1\n\nhttps://zlib.net", state: "open"}, pr)
	assert.Equal(t, 3, f.count("GET /repos/o/r/pulls")-1, "three pages of open pull requests, then the closed ones")

	// The second run opens nothing new and writes nothing.
	got, err = c.OpenUpdatePR(ctx, "o", "r", zlibUpdate())
	require.NoError(t, err)
	assert.Equal(t, "open pull request #6 has branch update/zlib/zlib-1.3.1", got.Skipped)
	assert.Zero(t, got.Number)
	assert.Len(t, f.pulls, 6)
	assert.Equal(t, 1, f.count("POST /repos/o/r/git/commits"))
	assert.Equal(t, 1, f.count("POST /repos/o/r/git/refs"))
	assert.Equal(t, 1, f.count("POST /repos/o/r/pulls"))
}

func TestOpenUpdatePRSkips(t *testing.T) {
	tests := []struct {
		name     string
		existing fakePull
		want     string // Skipped; "" when a pull request is opened
	}{
		{name: "open with same title", existing: fakePull{title: "zlib: update zlib to 1.3.1", head: "someone/zlib", state: "open"}, want: "open pull request #1 has this title"},
		{name: "open with same branch", existing: fakePull{title: "renamed", head: "update/zlib/zlib-1.3.1", state: "open"}, want: "open pull request #1 has branch update/zlib/zlib-1.3.1"},
		{name: "closed unmerged: rejected", existing: fakePull{title: "zlib: update zlib to 1.3.1", head: "update/zlib/zlib-1.3.1", state: "closed"}, want: "closed pull request #1 for this version was not merged"},
		{name: "closed merged: opens again", existing: fakePull{title: "zlib: update zlib to 1.3.1", head: "update/zlib/zlib-1.3.1", state: "closed", merged: true}},
		{name: "closed for another version", existing: fakePull{title: "zlib: update zlib to 1.3", head: "update/zlib/zlib-1.3", state: "closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakePulls(t)
			tt.existing.number, tt.existing.base = 1, "main"
			f.pulls = append(f.pulls, tt.existing)
			got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Skipped)
			if tt.want != "" {
				assert.Len(t, f.pulls, 1)
				assert.Zero(t, f.count("POST /repos/o/r/git/commits"), "a skipped update writes nothing")
				return
			}
			assert.Equal(t, 2, got.Number)
		})
	}
}

func TestOpenUpdatePRBranchExists(t *testing.T) {
	t.Run("ours: moved and reused", func(t *testing.T) {
		f, c := newFakePulls(t)
		// A run that stopped after pushing the branch, before opening the PR.
		f.commits["stale"] = fakeCommit{message: "zlib: update zlib to 1.3.1", tree: "base-tree", parents: []string{"older-base"}}
		f.refs["heads/update/zlib/zlib-1.3.1"] = "stale"
		got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
		require.NoError(t, err)
		assert.Equal(t, 1, got.Number)
		assert.Equal(t, 1, f.count("PATCH /repos/o/r/git/refs/heads/update/zlib/zlib-1.3.1"))
		assert.NotEqual(t, "stale", f.refs["heads/update/zlib/zlib-1.3.1"])
		assert.Equal(t, "spack:\n  specs: [zlib@1.3.1]\n", f.fileAt("update/zlib/zlib-1.3.1", "environments/zlib/spack.yaml"))
	})
	t.Run("someone else's: left alone", func(t *testing.T) {
		f, c := newFakePulls(t)
		f.commits["theirs"] = fakeCommit{message: "wip: try zlib 1.3.1", tree: "base-tree"}
		f.refs["heads/update/zlib/zlib-1.3.1"] = "theirs"
		got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
		require.NoError(t, err)
		assert.Equal(t, "branch update/zlib/zlib-1.3.1 exists with commits the update bot did not make", got.Skipped)
		assert.Equal(t, "theirs", f.refs["heads/update/zlib/zlib-1.3.1"])
		assert.Empty(t, f.pulls)
	})
}

func TestOpenUpdatePRRateLimits(t *testing.T) {
	primary := func(w http.ResponseWriter) {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "API rate limit exceeded", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"})
	}
	secondary := func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "You have exceeded a secondary rate limit", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#secondary-rate-limits"})
	}
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
			f, c := newFakePulls(t)
			c.maxWait = tt.maxWait
			var once sync.Once
			f.before = func(w http.ResponseWriter, r *http.Request) bool {
				limited := false
				if r.Method+" "+r.URL.Path == tt.path {
					once.Do(func() { tt.limit(w); limited = true })
				}
				return limited
			}
			start := time.Now()
			got, err := c.OpenUpdatePR(context.Background(), "o", "r", zlibUpdate())
			elapsed := time.Since(start)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Less(t, elapsed, time.Second, "gives up at once instead of waiting past the bound")
				assert.Empty(t, f.pulls)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 1, got.Number)
			assert.GreaterOrEqual(t, elapsed, 900*time.Millisecond, "waited the limit out")
			assert.Len(t, f.pulls, 1)
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
		{name: "absolute path", modify: func(u *UpdatePR) { u.Files[0].Path = "/etc/passwd" }, wantErr: "bad file path"},
		{name: "escaping path", modify: func(u *UpdatePR) { u.Files[0].Path = "../x" }, wantErr: "bad file path"},
		{name: "missing base branch", modify: func(u *UpdatePR) { u.Base = "trunk" }, wantErr: "reading branch trunk of o/r: not found (404)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakePulls(t)
			u := zlibUpdate()
			tt.modify(&u)
			_, err := c.OpenUpdatePR(context.Background(), "o", "r", u)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, f.pulls)
		})
	}
}
