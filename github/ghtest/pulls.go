package ghtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Pull is a pull request of a Repo.
type Pull struct {
	Number int
	Title  string
	Body   string
	// Head and Base are branch names of the repository.
	Head, Base string
	// State is "open" or "closed".
	State string
	// Merged is set for a closed pull request that was merged.
	Merged bool
}

// Pulls returns the repository's pull requests, oldest first.
func (r *Repo) Pulls() []Pull {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return slices.Clone(r.pulls)
}

// AddPull adds a pull request as someone else would open it, without checking that
// its branches exist, and returns its number. Number is assigned.
func (r *Repo) AddPull(p Pull) int {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	p.Number = len(r.pulls) + 1
	if p.State == "" {
		p.State = "open"
	}
	r.pulls = append(r.pulls, p)
	return p.Number
}

// ClosePull closes pull request number, merged or not, as a maintainer would.
func (r *Repo) ClosePull(number int, merged bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if number < 1 || number > len(r.pulls) {
		panic(fmt.Sprintf("ghtest: no pull request #%d", number)) // a bug in the test itself
	}
	r.pulls[number-1].State = "closed"
	r.pulls[number-1].Merged = merged
}

func (r *Repo) pullJSON(p Pull) map[string]any {
	m := map[string]any{
		"number": p.Number, "title": p.Title, "body": p.Body, "state": p.State,
		"html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", r.owner, r.name, p.Number),
		"head":     map[string]any{"ref": p.Head, "label": r.owner + ":" + p.Head, "sha": r.refs["refs/heads/"+p.Head]},
		"base":     map[string]any{"ref": p.Base, "label": r.owner + ":" + p.Base},
		"merged":   p.Merged,
	}
	if p.Merged {
		m["merged_at"] = "2025-01-01T00:00:00Z"
	}
	return m
}

// pullRoutes serves listing, opening and reading pull requests.
func (s *Server) pullRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /repos/{owner}/{repo}/pulls", s.handler(listPulls))
	mux.HandleFunc("POST /repos/{owner}/{repo}/pulls", s.handler(createPull))
	mux.HandleFunc("GET /repos/{owner}/{repo}/pulls/{number}", s.handler(getPull))
}

// listPulls filters by state (default open), head ("owner:branch") and base, newest
// first as GitHub sorts by default, in pages of per_page (default 30, at most 100 or
// Server.MaxPerPage) with a Link header to the next page.
func listPulls(w http.ResponseWriter, r *http.Request, repo *Repo) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var match []map[string]any
	for _, p := range slices.Backward(repo.pulls) {
		if state != "all" && p.State != state ||
			q.Get("head") != "" && q.Get("head") != repo.owner+":"+p.Head ||
			q.Get("base") != "" && q.Get("base") != p.Base {
			continue
		}
		match = append(match, repo.pullJSON(p))
	}
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if perPage <= 0 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	if repo.s.MaxPerPage > 0 {
		perPage = min(perPage, repo.s.MaxPerPage)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	lo, hi := min((page-1)*perPage, len(match)), min(page*perPage, len(match))
	if hi < len(match) {
		next := *r.URL
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, next.String()))
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, match[lo:hi]...))
}

// createPull opens a pull request. GitHub refuses a head or base branch that does not
// exist, and a second open pull request from the same head.
func createPull(w http.ResponseWriter, r *http.Request, repo *Repo) {
	var req struct{ Title, Head, Base, Body string }
	if !decode(w, r, &req) {
		return
	}
	head := strings.TrimPrefix(req.Head, repo.owner+":")
	switch {
	case req.Title == "":
		validationFailed(w, "PullRequest", "title", "missing_field")
	case repo.refs["refs/heads/"+head] == "":
		validationFailed(w, "PullRequest", "head", "invalid")
	case repo.refs["refs/heads/"+req.Base] == "":
		validationFailed(w, "PullRequest", "base", "invalid")
	case slices.ContainsFunc(repo.pulls, func(p Pull) bool { return p.State == "open" && p.Head == head && p.Base == req.Base }):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed",
			"errors": []map[string]string{{
				"resource": "PullRequest", "code": "custom",
				"message": fmt.Sprintf("A pull request already exists for %s:%s.", repo.owner, head),
			}},
			"documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
		})
	default:
		p := Pull{Number: len(repo.pulls) + 1, Title: req.Title, Body: req.Body, Head: head, Base: req.Base, State: "open"}
		repo.pulls = append(repo.pulls, p)
		writeJSON(w, http.StatusCreated, repo.pullJSON(p))
	}
}

func getPull(w http.ResponseWriter, r *http.Request, repo *Repo) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n < 1 || n > len(repo.pulls) {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, repo.pullJSON(repo.pulls[n-1]))
}

// validationFailed answers 422 as GitHub does for a bad field of a request.
func validationFailed(w http.ResponseWriter, resource, field, code string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            []map[string]string{{"resource": resource, "field": field, "code": code}},
		"documentation_url": "https://docs.github.com/rest",
	})
}
