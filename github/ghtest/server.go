// Package ghtest is a fake GitHub REST API for tests: an httptest server whose
// repositories keep real Git objects (blobs, trees and commits hashed as Git hashes
// them) and pull requests in memory, so that a test can push and open pull requests
// through go-github and read back what it produced. It answers the endpoints
// spack-ghcr uses, with GitHub's status codes and messages for the cases the client
// handles: an empty repository (409), a missing branch or repository (404), a ref
// update that is not a fast forward or a ref or pull request that exists (422), a bad
// token (401). Inject adds outages (5xx, Retry-After, resets, timeouts, lost
// answers); Intercept anything else, such as rate limits.
package ghtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// Server is a fake GitHub API. Its zero value is not usable; call NewServer.
type Server struct {
	srv *httptest.Server
	// Token, when set, is the only token the server accepts; others get 401.
	Token string

	// MaxPerPage, when set, caps the pages of lists below GitHub's 100, so that a
	// test needs only a few items to make a client read several pages.
	MaxPerPage int

	mu        sync.Mutex
	repos     map[string]*Repo
	intercept []func(w http.ResponseWriter, r *http.Request) bool
	faults    []*faultState
	injected  int
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
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		token := s.Token
		s.mu.Unlock()
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		root.ServeHTTP(w, r)
	})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		hooks := slices.Clone(s.intercept)
		s.mu.Unlock()
		for _, h := range hooks {
			if h(w, r) {
				return
			}
		}
		if f, ok := s.fault(r); ok {
			serveFault(w, r, f, api)
			return
		}
		api.ServeHTTP(w, r)
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

// Requests returns "METHOD /path" for every request so far, interceptions and faults
// included.
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

	s.gitRoutes(mux)
	s.pullRoutes(mux)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		writeError(w, http.StatusNotFound, fmt.Sprintf("ghtest does not serve %s %s (%d bytes)", r.Method, r.URL.Path, len(body)))
	})
}
