package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	gh "github.com/google/go-github/v50/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer is go-github's error for an HTTP answer with status and headers.
func answer(status int, header ...string) error {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &gh.ErrorResponse{Response: &http.Response{StatusCode: status, Header: h, Request: &http.Request{Method: "GET", URL: &url.URL{Path: "/x"}}}}
}

// timeoutErr is what http.Client returns when its Timeout passes.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "Client.Timeout exceeded while awaiting headers" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestRetryWait(t *testing.T) {
	reset := &url.Error{Op: "Post", URL: "http://x", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}
	three := 3 * time.Second
	secondary := &gh.AbuseRateLimitError{RetryAfter: &three}
	tests := []struct {
		name        string
		err         error
		safety      safety
		wantRetry   bool
		wantLimited bool
		wantWait    time.Duration // 0: the backoff's, between 0.5 and 1.5 of 1s
	}{
		{name: "502 read", err: answer(502), safety: read, wantRetry: true},
		{name: "500 idempotent", err: answer(500), safety: idempotent, wantRetry: true},
		{name: "503 Retry-After seconds", err: answer(503, "Retry-After", "7"), safety: conditional, wantRetry: true, wantWait: 7 * time.Second},
		{name: "504", err: answer(504), safety: read, wantRetry: true},
		{name: "reset", err: reset, safety: idempotent, wantRetry: true},
		{name: "cut answer", err: fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), safety: read, wantRetry: true},
		{name: "closed connection", err: &url.Error{Op: "Get", URL: "http://x", Err: io.EOF}, safety: read, wantRetry: true},
		{name: "timeout", err: &url.Error{Op: "Get", URL: "http://x", Err: timeoutErr{}}, safety: read, wantRetry: true},
		{name: "502 once: may have acted", err: answer(502), safety: once},
		{name: "reset once", err: reset, safety: once},
		{name: "429 once: refused, so retried", err: answer(429, "Retry-After", "2"), safety: once, wantRetry: true, wantLimited: true, wantWait: 2 * time.Second},
		{name: "secondary rate limit once", err: secondary, safety: once, wantRetry: true, wantLimited: true, wantWait: 3 * time.Second},
		{name: "404", err: answer(404), safety: read},
		{name: "422", err: answer(422), safety: conditional},
		{name: "501", err: answer(501), safety: read},
		{name: "refused connection", err: &url.Error{Op: "Get", URL: "http://x", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, safety: read},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := retryPolicy{first: time.Second, most: 30 * time.Second}.backOff()
			wait, limited, ok := retryWait(tt.err, tt.safety, b)
			assert.Equal(t, tt.wantRetry, ok)
			assert.Equal(t, tt.wantLimited, limited)
			switch {
			case !ok:
			case tt.wantWait != 0:
				assert.Equal(t, tt.wantWait, wait)
			default:
				assert.GreaterOrEqual(t, wait, 500*time.Millisecond)
				assert.LessOrEqual(t, wait, 1500*time.Millisecond+1)
			}
		})
	}
}

func TestRetryAfterDate(t *testing.T) {
	at := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	wait := retryAfterOr(answer(503, "Retry-After", at), time.Hour)
	assert.InDelta(t, 10*time.Second, wait, float64(1500*time.Millisecond))
	assert.Equal(t, time.Hour, retryAfterOr(answer(503, "Retry-After", "soon"), time.Hour))
	assert.Equal(t, time.Hour, retryAfterOr(errors.New("x"), time.Hour))
}

// TestBackoffGrows: pauses grow by 1.5 up to the most, with jitter of half.
func TestBackoffGrows(t *testing.T) {
	b := retryPolicy{first: time.Second, most: 4 * time.Second}.backOff()
	for _, base := range []time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3375 * time.Millisecond, 4 * time.Second, 4 * time.Second} {
		d := b.NextBackOff()
		assert.GreaterOrEqual(t, d, base/2)
		assert.LessOrEqual(t, d, base*3/2+1)
	}
}

// TestCallOnce: a request that is not safe to repeat is sent once after a 502, but
// again after a rate limit, which GitHub answers without acting.
func TestCallOnce(t *testing.T) {
	c, err := New("t", WithBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	sent := 0
	err = c.call(context.Background(), "opening it", once, func() (*gh.Response, error) {
		sent++
		return nil, answer(502)
	})
	assert.ErrorContains(t, err, "opening it: ")
	assert.Equal(t, 1, sent)

	sent = 0
	err = c.call(context.Background(), "opening it", once, func() (*gh.Response, error) {
		sent++
		if sent == 1 {
			return nil, answer(429, "Retry-After", "0")
		}
		return nil, nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 2, sent)
	assert.Equal(t, 1, c.Stats().Retries)
}

func TestCallHonoursContext(t *testing.T) {
	c, err := New("t", WithBackoff(time.Hour, time.Hour), WithMaxWait(2*time.Hour))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.call(ctx, "reading it", read, func() (*gh.Response, error) { return nil, answer(502) })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second, "the wait stops with the context")
}

func TestReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", answer(502)), "GitHub answered 502"},
		{fmt.Errorf("x: %w: would wait", ErrRateLimited), "rate limit"},
		{&gh.RateLimitError{}, "rate limit"},
		{&url.Error{Op: "Get", URL: "http://x", Err: timeoutErr{}}, "timeout"},
		{&url.Error{Op: "Get", URL: "http://x", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, "connection reset"},
		{fmt.Errorf("x: %w", context.Canceled), "interrupted"},
		{errors.New("x"), "see log"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, Reason(tt.err))
		})
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opt     Option
		wantErr string
	}{
		{name: "negative wait", opt: WithMaxWait(-time.Second), wantErr: "max wait must not be negative"},
		{name: "zero timeout", opt: WithRequestTimeout(0), wantErr: "request timeout must be greater than zero"},
		{name: "backoff upside down", opt: WithBackoff(time.Second, time.Millisecond), wantErr: "want 0 < first <= most"},
		{name: "zero backoff", opt: WithBackoff(0, time.Second), wantErr: "want 0 < first <= most"},
		{name: "relative url", opt: WithBaseURL("api/v3"), wantErr: "want an absolute http(s) URL"},
		{name: "nil http client", opt: WithHTTPClient(nil), wantErr: "http client is nil"},
		{name: "good", opt: WithRequestTimeout(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("t", tt.opt)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}
