package ghtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStats(t *testing.T) {
	srv := NewServer(t)
	repo := srv.CreateRepo("o", "r")
	assert.Equal(t, Stats{}, repo.Stats())
	repo.Commit("main", map[string][]byte{"a/b.txt": []byte("hello\n"), "c.txt": []byte("hello\n")}, "first")
	st := repo.Stats()
	assert.Equal(t, 1, st.Blobs, "the same content is one blob")
	assert.Equal(t, int64(6), st.BlobBytes)
	assert.Equal(t, 2, st.Trees)
	// "100644 b.txt\0" + 20; "40000 a\0" + 20 and "100644 c.txt\0" + 20.
	assert.Equal(t, int64(13+20+8+20+13+20), st.TreeBytes)
	assert.Equal(t, 1, st.Commits)
	assert.Positive(t, st.CommitBytes)
	assert.Zero(t, st.Stored)
	assert.Positive(t, repo.StoredSize().Stored)
}

func TestStart(t *testing.T) {
	srv, stop := Start()
	srv.CreateRepo("o", "r")
	resp, err := http.Get(srv.URL() + "repos/o/r")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	stop()
	_, err = http.Get(srv.URL() + "repos/o/r")
	assert.Error(t, err, "stopped")
}
