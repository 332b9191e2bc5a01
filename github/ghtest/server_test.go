package ghtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestObjectsHashLikeGit checks the object ids against `git hash-object` and
// `git write-tree` of the same content.
func TestObjectsHashLikeGit(t *testing.T) {
	srv := NewServer(t)
	repo := srv.CreateRepo("o", "r")
	assert.Equal(t, "ce013625030ba8dba906f756967f9e9ca394464a", repo.putBlob([]byte("hello\n")))
	assert.Equal(t, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", repo.putBlob(nil))

	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{name: "one empty file", files: map[string][]byte{"a": nil}, want: "496d6428b9cf92981dc9495211e6e1120fb6f2ba"},
		// "d.txt" sorts before the directory "d", which Git compares as "d/".
		{name: "git's order", files: map[string][]byte{"a": nil, "d/b": []byte("x"), "d.txt": []byte("y")}, want: "8d46afb58457912cd34482985751f3684da1050c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sha := repo.Commit(tt.name, tt.files, tt.name)
			assert.Equal(t, tt.want, repo.commits[sha].tree)
			assert.Equal(t, tt.files, nilToEmpty(repo.Files(tt.name), tt.files))
		})
	}
}

// nilToEmpty makes got's empty contents nil where want has nil, for comparison.
func nilToEmpty(got, want map[string][]byte) map[string][]byte {
	for k, v := range got {
		if len(v) == 0 && want[k] == nil {
			got[k] = nil
		}
	}
	return got
}

func TestTreeEdits(t *testing.T) {
	srv := NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"a/b/c": []byte("c"), "a/d": []byte("d"), "e": []byte("e")}, "one")
	base := repo.commits[repo.Head("main")].tree

	tree, err := repo.applyTree(base, []change{
		{path: "a/b/c", sha: ""}, // delete: the emptied directory goes too
		{path: "a/x/y", mode: "100644", typ: "blob", sha: repo.putBlob([]byte("y"))},
		{path: "e", mode: "100644", typ: "blob", sha: repo.putBlob([]byte("E"))},
	})
	require.NoError(t, err)
	var got []string
	repo.walk(tree, "", func(p string, e entry) { got = append(got, e.typ+" "+p) })
	assert.Equal(t, []string{"tree a", "blob a/d", "tree a/x", "blob a/x/y", "blob e"}, got)

	_, err = repo.applyTree("0000", nil)
	assert.ErrorContains(t, err, "base_tree 0000 is not a tree")
	_, err = repo.applyTree(base, []change{{path: "../x", mode: "100644", typ: "blob", sha: repo.putBlob(nil)}})
	assert.ErrorContains(t, err, `tree.path "../x" is not a valid path`)
}

func TestEmptyRepositoryAnswers409(t *testing.T) {
	srv := NewServer(t)
	srv.CreateRepo("o", "r")
	for _, req := range []struct{ method, path, body string }{
		{"GET", "repos/o/r/git/ref/heads/main", ""},
		{"POST", "repos/o/r/git/blobs", `{"content":"x"}`},
		{"POST", "repos/o/r/git/trees", `{"tree":[]}`},
	} {
		r, err := http.NewRequest(req.method, srv.URL()+req.path, strings.NewReader(req.body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		var body struct{ Message string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		assert.Equal(t, http.StatusConflict, resp.StatusCode, req.path)
		assert.Equal(t, "Git Repository is empty.", body.Message)
	}
	resp, err := http.Get(srv.RootURL() + "repos/o/missing")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
