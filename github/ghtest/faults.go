package ghtest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests fail as they do during a GitHub outage: a 5xx answer
// (with or without Retry-After), a connection reset, or an answer so late that the
// client times out. With Served the fake API acts on the request first and only the
// answer is lost, so the client cannot know whether its request took effect.
type Fault struct {
	// Method ("" for any) and Path select requests; Path is a prefix of the request's
	// path in api.github.com's layout ("/repos/o/r/pulls"), "" for any.
	Method, Path string
	// Skip lets that many matching requests through first; then Times of them fail
	// (0: every one from then on).
	Skip, Times int

	// Status is the answer's status, e.g. 502; GitHub's JSON error body goes with it.
	Status int
	// RetryAfter, when set, adds a Retry-After header in whole seconds.
	RetryAfter time.Duration
	// Reset closes the connection without an answer (TCP RST).
	Reset bool
	// Delay holds the request that long before the answer (the fault's, or the API's
	// when Status is 0 and Reset is unset). The request's context cuts it short.
	Delay time.Duration
	// Served lets the API act on the request before the fault replaces its answer.
	Served bool
}

// faultState is a Fault with its count of matching requests.
type faultState struct {
	Fault
	seen int
}

// Inject adds f. For each request the faults are checked in the order added, and the
// first that fails the request applies.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// ClearFaults removes every fault, as when GitHub recovers.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Injected returns how many requests a fault has failed so far.
func (s *Server) Injected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected
}

// fault returns the fault that fails r, if any, counting the request against it.
func (s *Server) fault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api/v3")
	for _, f := range s.faults {
		if f.Method != "" && f.Method != r.Method || !strings.HasPrefix(p, f.Path) {
			continue
		}
		f.seen++
		if f.seen <= f.Skip || f.Times > 0 && f.seen > f.Skip+f.Times {
			continue
		}
		s.injected++
		return f.Fault, true
	}
	return Fault{}, false
}

// serveFault answers r as f says; api is the fake API underneath.
func serveFault(w http.ResponseWriter, r *http.Request, f Fault, api http.Handler) {
	if f.Served {
		api.ServeHTTP(httptest.NewRecorder(), r)
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	switch {
	case f.Reset:
		resetConnection(w)
	case f.Status != 0:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Round(time.Second)/time.Second)))
		}
		writeError(w, f.Status, fmt.Sprintf("%d %s (injected by ghtest)", f.Status, http.StatusText(f.Status)))
	default:
		api.ServeHTTP(w, r)
	}
}

// resetConnection closes the client's connection with a TCP RST, as a proxy dropping
// it does: the client reads "connection reset by peer".
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("ghtest: the server cannot hijack connections") // httptest's HTTP/1 server can
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
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
