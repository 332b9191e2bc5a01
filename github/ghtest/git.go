package ghtest

import (
	"cmp"
	"encoding/base64"
	"net/http"
	"strings"
)

// gitRoutes serves the Git Data API (refs, commits, trees, blobs) and the contents
// API's "create a file", the one way into an empty repository.
func (s *Server) gitRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /repos/{owner}/{repo}/git/ref/{ref...}", s.handler(getRef))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/refs", s.handler(createRef))
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/git/refs/{ref...}", s.handler(updateRef))

	mux.HandleFunc("GET /repos/{owner}/{repo}/git/commits/{sha}", s.handler(getCommit))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/commits", s.handler(createCommit))

	mux.HandleFunc("GET /repos/{owner}/{repo}/git/trees/{sha}", s.handler(getTree))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/trees", s.handler(createTree))

	mux.HandleFunc("GET /repos/{owner}/{repo}/git/blobs/{sha}", s.handler(getBlob))
	mux.HandleFunc("POST /repos/{owner}/{repo}/git/blobs", s.handler(createBlob))

	mux.HandleFunc("PUT /repos/{owner}/{repo}/contents/{path...}", s.handler(createFile))
}

func getRef(w http.ResponseWriter, r *http.Request, repo *Repo) {
	if emptyRepo(w, repo) {
		return
	}
	ref := "refs/" + r.PathValue("ref")
	if _, ok := repo.refs[ref]; !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, refJSON(repo, ref))
}

func createRef(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

func updateRef(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

func getCommit(w http.ResponseWriter, r *http.Request, repo *Repo) {
	c, ok := repo.commits[r.PathValue("sha")]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, commitJSON(r.PathValue("sha"), c))
}

func createCommit(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

func getTree(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

func createTree(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

func getBlob(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

func createBlob(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
}

// createFile creates a file through the contents API, the one way to put the first
// commit into an empty repository; the Git Data endpoints answer 409 until then.
func createFile(w http.ResponseWriter, r *http.Request, repo *Repo) {
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
		if old := repo.lookup(base, r.PathValue("path")); old != "" && old != req.SHA {
			// Creating a file that exists needs its current blob, so that a repeated
			// create does not overwrite someone else's file.
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"sha\" wasn't supplied.")
			return
		}
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
}

func refJSON(repo *Repo, ref string) map[string]any {
	return map[string]any{"ref": ref, "object": map[string]string{"type": "commit", "sha": repo.refs[ref]}}
}

func commitJSON(sha string, c commit) map[string]any {
	parents := make([]map[string]string, len(c.parents))
	for i, p := range c.parents {
		parents[i] = map[string]string{"sha": p}
	}
	return map[string]any{"sha": sha, "message": c.message, "tree": map[string]string{"sha": c.tree}, "parents": parents}
}
