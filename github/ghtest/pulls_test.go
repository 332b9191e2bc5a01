package ghtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// do sends one request to srv and decodes a JSON answer into out (when not nil).
func do(t *testing.T, srv *Server, method, path, body string, out any) *http.Response {
	t.Helper()
	r, err := http.NewRequest(method, srv.RootURL()+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), string(data))
	}
	return resp
}

func TestPulls(t *testing.T) {
	srv := NewServer(t)
	srv.MaxPerPage = 2
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"a": []byte("a")}, "init")
	repo.Commit("topic", map[string][]byte{"b": []byte("b")}, "topic")
	for _, title := range []string{"one", "two"} {
		repo.AddPull(Pull{Title: title, Head: "feature/" + title, Base: "main"})
	}

	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantMsg    string
	}{
		{name: "opens", body: `{"title":"t","head":"topic","base":"main","body":"b"}`, wantStatus: http.StatusCreated},
		{name: "a second from the same head", body: `{"title":"t2","head":"o:topic","base":"main"}`, wantStatus: http.StatusUnprocessableEntity, wantMsg: "A pull request already exists for o:topic."},
		{name: "head missing", body: `{"title":"t","head":"nope","base":"main"}`, wantStatus: http.StatusUnprocessableEntity, wantMsg: `"field":"head"`},
		{name: "base missing", body: `{"title":"t","head":"topic","base":"trunk"}`, wantStatus: http.StatusUnprocessableEntity, wantMsg: `"field":"base"`},
		{name: "no title", body: `{"head":"topic","base":"main"}`, wantStatus: http.StatusUnprocessableEntity, wantMsg: `"field":"title"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw json.RawMessage
			resp := do(t, srv, "POST", "repos/o/r/pulls", tt.body, &raw)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Contains(t, string(raw), tt.wantMsg)
		})
	}
	require.Len(t, repo.Pulls(), 3)
	assert.Equal(t, Pull{Number: 3, Title: "t", Body: "b", Head: "topic", Base: "main", State: "open"}, repo.Pulls()[2])

	// Lists come newest first, in pages, filtered by state and head.
	var page []struct {
		Number int
		Head   struct{ Ref string }
	}
	resp := do(t, srv, "GET", "repos/o/r/pulls?per_page=100", "", &page)
	assert.Len(t, page, 2)
	assert.Equal(t, 3, page[0].Number)
	assert.Contains(t, resp.Header.Get("Link"), `page=2&per_page=100>; rel="next"`)
	do(t, srv, "GET", "repos/o/r/pulls?per_page=100&page=2", "", &page)
	assert.Len(t, page, 1)

	repo.ClosePull(3, false)
	do(t, srv, "GET", "repos/o/r/pulls?state=closed&head=o:topic", "", &page)
	require.Len(t, page, 1)
	assert.Equal(t, "topic", page[0].Head.Ref)
	do(t, srv, "GET", "repos/o/r/pulls?state=closed&head=x:topic", "", &page)
	assert.Empty(t, page, "the head filter names the owner")

	var one struct {
		State  string
		Merged bool
	}
	do(t, srv, "GET", "repos/o/r/pulls/3", "", &one)
	assert.Equal(t, "closed", one.State)
	assert.False(t, one.Merged)
	assert.Equal(t, http.StatusNotFound, do(t, srv, "GET", "repos/o/r/pulls/9", "", nil).StatusCode)
}
