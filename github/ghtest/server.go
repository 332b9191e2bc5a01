// Package ghtest is a fake GitHub REST API for tests: an httptest server whose
// repositories keep real Git objects (blobs, trees and commits hashed as Git hashes
// them) in memory, so that a test can push through go-github and read back the tree
// it produced. It answers the endpoints spack-ghcr uses, with GitHub's status codes and
// messages for the cases the client handles: an empty repository (409), a missing
// branch or repository (404), a ref update that is not a fast forward (422), a bad
// token (401). Intercept injects anything else, such as rate limits.
package ghtest

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake GitHub API. Its zero value is not usable; call NewServer.
type Server struct {
	srv *httptest.Server
	// Token, when set, is the only token the server accepts; others get 401.
	Token string

	mu        sync.Mutex
	repos     map[string]*Repo
	intercept []func(w http.ResponseWriter, r *http.Request) bool
	requests  []string
}

// NewServer starts a server that is closed when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{repos: map[string]*Repo{}}
	mux := http.NewServeMux()
	s.routes(mux)
	// GitHub Enterprise serves the API under /api/v3/; serve both layouts.
	root := http.NewServeMux()
	root.Handle("/api/v3/", http.StripPrefix("/api/v3", mux))
	root.Handle("/", mux)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		hooks := slices.Clone(s.intercept)
		token := s.Token
		s.mu.Unlock()
		for _, h := range hooks {
			if h(w, r) {
				return
			}
		}
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		root.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API's base URL in GitHub Enterprise's layout: "<server>/api/v3/".
func (s *Server) URL() string { return s.srv.URL + "/api/v3/" }

// RootURL is the API's base URL in api.github.com's layout: "<server>/".
func (s *Server) RootURL() string { return s.srv.URL + "/" }

// Intercept runs h before the fake API on every request; when h returns true it has
// answered the request and the API does not see it. Interceptors run in the order
// they were added. h runs without the server's lock held, so it may block, or call
// Repo methods.
func (s *Server) Intercept(h func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = append(s.intercept, h)
}

// Requests returns "METHOD /path" for every request so far, interceptions included.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// CreateRepo creates the empty repository owner/name, as GitHub's "create a
// repository" does without auto_init.
func (s *Server) CreateRepo(owner, name string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &Repo{
		s: s, owner: owner, name: name, defaultBranch: "main",
		blobs: map[string][]byte{}, trees: map[string][]entry{}, commits: map[string]commit{}, refs: map[string]string{},
	}
	s.repos[owner+"/"+name] = r
	return r
}

// PrimaryRateLimit answers like GitHub when the primary rate limit is used up:
// 403 with X-RateLimit-Remaining: 0 and the reset time.
func PrimaryRateLimit(w http.ResponseWriter, reset time.Time) {
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	writeError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
}

// SecondaryRateLimit answers like GitHub when a secondary rate limit is hit: 403 with
// Retry-After (in seconds) and the documentation URL go-github recognises.
func SecondaryRateLimit(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	writeJSON(w, http.StatusForbidden, map[string]string{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#secondary-rate-limits",
	})
}

// Repo is one repository of a Server.
type Repo struct {
	s                   *Server
	owner, name         string
	defaultBranch       string
	blobs               map[string][]byte
	trees               map[string][]entry
	commits             map[string]commit
	refs                map[string]string // "refs/heads/main" -> commit
	lastCommitTimestamp int64
}

type entry struct {
	name, mode, typ, sha string
}

type commit struct {
	tree    string
	parents []string
	message string
}

// Head returns the commit branch points to, "" when there is no such branch.
func (r *Repo) Head(branch string) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.refs["refs/heads/"+branch]
}

// Files returns every file of the tree branch points to, keyed by path; nil when
// there is no such branch.
func (r *Repo) Files(branch string) map[string][]byte {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	head, ok := r.refs["refs/heads/"+branch]
	if !ok {
		return nil
	}
	files := map[string][]byte{}
	r.walk(r.commits[head].tree, "", func(p string, e entry) {
		if e.typ == "blob" {
			files[p] = r.blobs[e.sha]
		}
	})
	return files
}

// Log returns the messages of the commits of branch, newest first, following first
// parents.
func (r *Repo) Log(branch string) []string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var msgs []string
	for sha := r.refs["refs/heads/"+branch]; sha != ""; {
		c := r.commits[sha]
		msgs = append(msgs, c.message)
		sha = ""
		if len(c.parents) > 0 {
			sha = c.parents[0]
		}
	}
	return msgs
}

// Commit writes files on top of branch (creating the branch if needed) and moves the
// branch, as another client pushing would. It returns the new commit.
func (r *Repo) Commit(branch string, files map[string][]byte, message string) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	ref := "refs/heads/" + branch
	var base string
	var parents []string
	if head, ok := r.refs[ref]; ok {
		base = r.commits[head].tree
		parents = []string{head}
	}
	var changes []change
	for p, data := range files {
		changes = append(changes, change{path: p, mode: "100644", typ: "blob", sha: r.putBlob(data)})
	}
	tree, err := r.applyTree(base, changes)
	if err != nil {
		panic(fmt.Sprintf("ghtest: %v", err)) // files from the test itself
	}
	sha := r.putCommit(tree, parents, message)
	r.refs[ref] = sha
	return sha
}

// walk calls fn for each entry below tree, depth first, with its path.
func (r *Repo) walk(tree, prefix string, fn func(string, entry)) {
	for _, e := range r.trees[tree] {
		p := path.Join(prefix, e.name)
		fn(p, e)
		if e.typ == "tree" {
			r.walk(e.sha, p, fn)
		}
	}
}

// Git object hashing: "<type> <size>\x00<content>".
func hashObject(typ string, content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func (r *Repo) putBlob(data []byte) string {
	sha := hashObject("blob", data)
	r.blobs[sha] = bytes.Clone(data)
	return sha
}

// putTree stores a tree, sorted as Git sorts it (a tree's name compares as if it
// ended in "/").
func (r *Repo) putTree(entries []entry) string {
	slices.SortFunc(entries, func(a, b entry) int {
		ka, kb := a.name, b.name
		if a.typ == "tree" {
			ka += "/"
		}
		if b.typ == "tree" {
			kb += "/"
		}
		return strings.Compare(ka, kb)
	})
	sha := hashObject("tree", treeContent(entries))
	r.trees[sha] = entries
	return sha
}

// treeContent encodes a tree's sorted entries as Git does.
func treeContent(entries []entry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		mode := e.mode
		if mode == "040000" {
			mode = "40000"
		}
		raw, _ := hex.DecodeString(e.sha)
		fmt.Fprintf(&b, "%s %s\x00", mode, e.name)
		b.Write(raw)
	}
	return b.Bytes()
}

func (r *Repo) putCommit(tree string, parents []string, message string) string {
	// Distinct timestamps keep two commits of the same tree and parent distinct, as
	// two real pushes a second apart would be.
	ts := max(time.Now().Unix(), r.lastCommitTimestamp+1)
	r.lastCommitTimestamp = ts
	sha := hashObject("commit", commitContent(tree, parents, ts, message))
	r.commits[sha] = commit{tree: tree, parents: slices.Clone(parents), message: message}
	return sha
}

// commitContent encodes a commit as Git does.
func commitContent(tree string, parents []string, ts int64, message string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, p := range parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author ghtest <ghtest@example.com> %d +0000\n", ts)
	fmt.Fprintf(&b, "committer ghtest <ghtest@example.com> %d +0000\n\n%s", ts, message)
	return b.Bytes()
}

// change is one entry of a "create a tree" request; sha "" deletes the path.
type change struct {
	path, mode, typ, sha string
}

// applyTree returns the tree base (or an empty tree when base is "") with changes
// applied, creating and replacing subtrees along each path.
func (r *Repo) applyTree(base string, changes []change) (string, error) {
	var entries []entry
	if base != "" {
		es, ok := r.trees[base]
		if !ok {
			return "", fmt.Errorf("base_tree %s is not a tree", base)
		}
		entries = slices.Clone(es)
	}
	here := map[string][]change{}
	var order []string
	for _, c := range changes {
		first, rest, nested := strings.Cut(c.path, "/")
		if first == "" || first == "." || first == ".." {
			return "", fmt.Errorf("tree.path %q is not a valid path", c.path)
		}
		if !nested {
			i := slices.IndexFunc(entries, func(e entry) bool { return e.name == first })
			if c.sha == "" {
				if i >= 0 {
					entries = slices.Delete(entries, i, i+1)
				}
				continue
			}
			e := entry{name: first, mode: c.mode, typ: c.typ, sha: c.sha}
			if i >= 0 {
				entries[i] = e
			} else {
				entries = append(entries, e)
			}
			continue
		}
		if _, ok := here[first]; !ok {
			order = append(order, first)
		}
		c.path = rest
		here[first] = append(here[first], c)
	}
	for _, dir := range order {
		i := slices.IndexFunc(entries, func(e entry) bool { return e.name == dir })
		sub := ""
		if i >= 0 && entries[i].typ == "tree" {
			sub = entries[i].sha
		}
		sha, err := r.applyTree(sub, here[dir])
		if err != nil {
			return "", err
		}
		e := entry{name: dir, mode: "040000", typ: "tree", sha: sha}
		switch {
		case len(r.trees[sha]) == 0 && i >= 0:
			entries = slices.Delete(entries, i, i+1)
		case len(r.trees[sha]) == 0:
		case i >= 0:
			entries[i] = e
		default:
			entries = append(entries, e)
		}
	}
	return r.putTree(entries), nil
}

// isAncestor reports whether commit a is c or an ancestor of c.
func (r *Repo) isAncestor(a, c string) bool {
	seen := map[string]bool{}
	stack := []string{c}
	for len(stack) > 0 {
		sha := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if sha == a {
			return true
		}
		if seen[sha] {
			continue
		}
		seen[sha] = true
		stack = append(stack, r.commits[sha].parents...)
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

// handler wraps an endpoint of a repository: it finds the repository and holds the
// server's lock.
func (s *Server) handler(fn func(w http.ResponseWriter, r *http.Request, repo *Repo)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		repo, ok := s.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		fn(w, r, repo)
	}
}

// emptyRepo answers 409 as GitHub does for Git Data requests on a repository
// without commits.
func emptyRepo(w http.ResponseWriter, repo *Repo) bool {
	if len(repo.commits) > 0 {
		return false
	}
	writeError(w, http.StatusConflict, "Git Repository is empty.")
	return true
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /repos/{owner}/{repo}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		writeJSON(w, http.StatusOK, map[string]any{
			"name": repo.name, "full_name": repo.owner + "/" + repo.name,
			"owner": map[string]string{"login": repo.owner}, "default_branch": repo.defaultBranch,
			"size": len(repo.blobs),
		})
	}))

	refJSON := func(repo *Repo, ref string) map[string]any {
		return map[string]any{"ref": ref, "object": map[string]string{"type": "commit", "sha": repo.refs[ref]}}
	}
	mux.HandleFunc("GET /repos/{owner}/{repo}/git/ref/{ref...}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if emptyRepo(w, repo) {
			return
		}
		ref := "refs/" + r.PathValue("ref")
		if _, ok := repo.refs[ref]; !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		writeJSON(w, http.StatusOK, refJSON(repo, ref))
	}))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/refs", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req struct{ Ref, SHA string }
		if emptyRepo(w, repo) || !decode(w, r, &req) {
			return
		}
		switch {
		case !strings.HasPrefix(req.Ref, "refs/") || strings.Count(req.Ref, "/") < 2:
			writeError(w, http.StatusUnprocessableEntity, "Reference name must start with 'refs/' and have at least two slashes.")
		case repo.refs[req.Ref] != "":
			writeError(w, http.StatusUnprocessableEntity, "Reference already exists")
		case repo.commits[req.SHA].tree == "":
			writeError(w, http.StatusUnprocessableEntity, "Object does not exist")
		default:
			repo.refs[req.Ref] = req.SHA
			writeJSON(w, http.StatusCreated, refJSON(repo, req.Ref))
		}
	}))
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/git/refs/{ref...}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req struct {
			SHA   string
			Force bool
		}
		if emptyRepo(w, repo) || !decode(w, r, &req) {
			return
		}
		ref := "refs/" + r.PathValue("ref")
		cur, ok := repo.refs[ref]
		switch {
		case !ok:
			writeError(w, http.StatusUnprocessableEntity, "Reference does not exist")
		case repo.commits[req.SHA].tree == "":
			writeError(w, http.StatusUnprocessableEntity, "Object does not exist")
		case !req.Force && !repo.isAncestor(cur, req.SHA):
			writeError(w, http.StatusUnprocessableEntity, "Update is not a fast forward")
		default:
			repo.refs[ref] = req.SHA
			writeJSON(w, http.StatusOK, refJSON(repo, ref))
		}
	}))

	mux.HandleFunc("GET /repos/{owner}/{repo}/git/commits/{sha}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		c, ok := repo.commits[r.PathValue("sha")]
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		writeJSON(w, http.StatusOK, commitJSON(r.PathValue("sha"), c))
	}))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/commits", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req struct {
			Message string
			Tree    string
			Parents []string
		}
		if emptyRepo(w, repo) || !decode(w, r, &req) {
			return
		}
		if _, ok := repo.trees[req.Tree]; !ok {
			writeError(w, http.StatusUnprocessableEntity, "Tree SHA does not exist")
			return
		}
		for _, p := range req.Parents {
			if _, ok := repo.commits[p]; !ok {
				writeError(w, http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object")
				return
			}
		}
		sha := repo.putCommit(req.Tree, req.Parents, req.Message)
		writeJSON(w, http.StatusCreated, commitJSON(sha, repo.commits[sha]))
	}))

	mux.HandleFunc("GET /repos/{owner}/{repo}/git/trees/{sha}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		sha := r.PathValue("sha")
		if _, ok := repo.trees[sha]; !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		var out []map[string]any
		add := func(p string, e entry) {
			m := map[string]any{"path": p, "mode": e.mode, "type": e.typ, "sha": e.sha}
			if e.typ == "blob" {
				m["size"] = len(repo.blobs[e.sha])
			}
			out = append(out, m)
		}
		if rec := r.URL.Query().Get("recursive"); rec != "" && rec != "0" && rec != "false" {
			repo.walk(sha, "", add)
		} else {
			for _, e := range repo.trees[sha] {
				add(e.name, e)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"sha": sha, "tree": out, "truncated": false})
	}))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/trees", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req struct {
			BaseTree string `json:"base_tree"`
			Tree     []struct {
				Path, Mode, Type string
				SHA              *string
				Content          *string
			}
		}
		if emptyRepo(w, repo) || !decode(w, r, &req) {
			return
		}
		var changes []change
		for _, e := range req.Tree {
			c := change{path: e.Path, mode: e.Mode, typ: e.Type}
			switch {
			case e.Content != nil:
				c.sha = repo.putBlob([]byte(*e.Content))
			case e.SHA != nil:
				c.sha = *e.SHA
				if _, ok := repo.blobs[c.sha]; !ok && e.Type == "blob" {
					writeError(w, http.StatusUnprocessableEntity, "tree.sha "+c.sha+" is not a valid blob")
					return
				}
			}
			if e.Type != "blob" || (e.Mode != "100644" && e.Mode != "100755") {
				writeError(w, http.StatusUnprocessableEntity, "this fake only stores files (type blob, mode 100644 or 100755)")
				return
			}
			changes = append(changes, c)
		}
		sha, err := repo.applyTree(req.BaseTree, changes)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"sha": sha, "truncated": false})
	}))

	mux.HandleFunc("GET /repos/{owner}/{repo}/git/blobs/{sha}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		data, ok := repo.blobs[r.PathValue("sha")]
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		if strings.Contains(r.Header.Get("Accept"), "raw") {
			w.Header().Set("Content-Type", "application/vnd.github.raw")
			_, _ = w.Write(data)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"sha": r.PathValue("sha"), "size": len(data), "encoding": "base64",
			"content": base64.StdEncoding.EncodeToString(data),
		})
	}))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/blobs", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req struct{ Content, Encoding string }
		if emptyRepo(w, repo) || !decode(w, r, &req) {
			return
		}
		data := []byte(req.Content)
		if req.Encoding == "base64" {
			var err error
			if data, err = base64.StdEncoding.DecodeString(req.Content); err != nil {
				writeError(w, http.StatusUnprocessableEntity, "content is not valid Base64")
				return
			}
		}
		writeJSON(w, http.StatusCreated, map[string]string{"sha": repo.putBlob(data)})
	}))

	// Creating a file through the contents API is the one way to put the first commit
	// into an empty repository; the Git Data endpoints answer 409 until then.
	mux.HandleFunc("PUT /repos/{owner}/{repo}/contents/{path...}", s.handler(func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req struct {
			Message, Content, Branch, SHA string
		}
		if !decode(w, r, &req) {
			return
		}
		data, err := base64.StdEncoding.DecodeString(req.Content)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "content is not valid Base64")
			return
		}
		branch := cmp.Or(req.Branch, repo.defaultBranch)
		ref := "refs/heads/" + branch
		head, ok := repo.refs[ref]
		if !ok && len(repo.commits) > 0 {
			writeError(w, http.StatusNotFound, "Branch "+branch+" not found")
			return
		}
		var base string
		var parents []string
		if ok {
			base, parents = repo.commits[head].tree, []string{head}
		}
		blob := repo.putBlob(data)
		tree, err := repo.applyTree(base, []change{{path: r.PathValue("path"), mode: "100644", typ: "blob", sha: blob}})
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		sha := repo.putCommit(tree, parents, req.Message)
		repo.refs[ref] = sha
		if len(repo.commits) == 1 {
			repo.defaultBranch = branch
		}
		writeJSON(w, http.StatusCreated, map[string]any{
			"content": map[string]any{"path": r.PathValue("path"), "sha": blob, "type": "file"},
			"commit":  commitJSON(sha, repo.commits[sha]),
		})
	}))

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		writeError(w, http.StatusNotFound, fmt.Sprintf("ghtest does not serve %s %s (%d bytes)", r.Method, r.URL.Path, len(body)))
	})
}

func commitJSON(sha string, c commit) map[string]any {
	parents := make([]map[string]string, len(c.parents))
	for i, p := range c.parents {
		parents[i] = map[string]string{"sha": p}
	}
	return map[string]any{"sha": sha, "message": c.message, "tree": map[string]string{"sha": c.tree}, "parents": parents}
}
