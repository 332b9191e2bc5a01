package ghtest

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		// want is what each of four GETs of the repository sees: a status, or -1
		// for a reset connection.
		want []int
	}{
		{name: "every request", fault: Fault{Status: 502}, want: []int{502, 502, 502, 502}},
		{name: "skip one, fail two", fault: Fault{Path: "/repos/o/r", Skip: 1, Times: 2, Status: 503}, want: []int{200, 503, 503, 200}},
		{name: "other method", fault: Fault{Method: "POST", Status: 502}, want: []int{200, 200, 200, 200}},
		{name: "other path", fault: Fault{Path: "/repos/o/x", Status: 502}, want: []int{200, 200, 200, 200}},
		{name: "reset", fault: Fault{Times: 1, Reset: true}, want: []int{-1, 200, 200, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t)
			srv.CreateRepo("o", "r")
			srv.Inject(tt.fault)
			// A fresh connection per request: the client must not hide a reset by
			// retrying on a reused one.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			var got []int
			for range tt.want {
				resp, err := client.Get(srv.URL() + "repos/o/r")
				if err != nil {
					assert.True(t, errors.Is(err, syscall.ECONNRESET), "want a reset, got %v", err)
					got = append(got, -1)
					continue
				}
				resp.Body.Close()
				got = append(got, resp.StatusCode)
			}
			assert.Equal(t, tt.want, got)
			failed := 0
			for _, s := range tt.want {
				if s != 200 {
					failed++
				}
			}
			assert.Equal(t, failed, srv.Injected())
			assert.Len(t, srv.Requests(), len(tt.want))
		})
	}
}

func TestFaultRetryAfterDelayAndServed(t *testing.T) {
	srv := NewServer(t)
	repo := srv.CreateRepo("o", "r")
	repo.Commit("main", map[string][]byte{"a": []byte("a")}, "init")

	srv.Inject(Fault{Method: "GET", Times: 1, Status: 503, RetryAfter: 3 * time.Second})
	resp := do(t, srv, "GET", "repos/o/r", "", nil)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))

	// A request that GitHub acted on, but whose answer was lost.
	srv.ClearFaults()
	srv.Inject(Fault{Method: "POST", Path: "/repos/o/r/pulls", Times: 1, Status: 502, Served: true})
	repo.Commit("topic", map[string][]byte{"b": []byte("b")}, "topic")
	resp = do(t, srv, "POST", "repos/o/r/pulls", `{"title":"t","head":"topic","base":"main"}`, nil)
	assert.Equal(t, 502, resp.StatusCode)
	assert.Len(t, repo.Pulls(), 1, "the pull request was opened all the same")

	// A late answer: a client with a shorter timeout gives up.
	srv.ClearFaults()
	srv.Inject(Fault{Delay: time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL()+"repos/o/r", nil)
	require.NoError(t, err)
	start := time.Now()
	_, err = http.DefaultClient.Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 900*time.Millisecond)
}

func TestCreateFileThatExists(t *testing.T) {
	srv := NewServer(t)
	repo := srv.CreateRepo("o", "r")
	body := `{"message":"m","content":"eA==","branch":"main"}`
	assert.Equal(t, http.StatusCreated, do(t, srv, "PUT", "repos/o/r/contents/README.md", body, nil).StatusCode)
	assert.Equal(t, http.StatusUnprocessableEntity, do(t, srv, "PUT", "repos/o/r/contents/README.md", body, nil).StatusCode,
		"a repeated create does not overwrite")
	assert.Len(t, repo.Log("main"), 1)
}
