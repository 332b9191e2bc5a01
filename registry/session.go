package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// retryStatusCodes are the answers worth asking again: the registry or something in
// front of it is overloaded or restarting.
var retryStatusCodes = []int{
	http.StatusRequestTimeout,
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// Stats counts what one operation sent, for the figures of a fault drill.
type Stats struct {
	// Requests is every HTTP request sent, retries and authentication included.
	Requests int
	// Transient is how many of them failed in a way worth retrying (a 5xx, 408 or 429
	// answer, or a broken connection).
	Transient int
}

// session is one operation's connection to one registry.
type session struct {
	o       *options
	counter *countingTransport
	remote  []remote.Option
}

func newSession(ctx context.Context, o *options) *session {
	c := &countingTransport{inner: remote.DefaultTransport}
	return &session{o: o, counter: c, remote: []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(o.auth),
		remote.WithTransport(c),
		remote.WithRetryBackoff(o.backoff),
		remote.WithRetryStatusCodes(retryStatusCodes...),
		remote.WithUserAgent("spack-ghcr"),
	}}
}

func (s *session) stats() Stats {
	return Stats{Requests: int(s.counter.requests.Load()), Transient: int(s.counter.transient.Load())}
}

// fail wraps err as the one-line error of an operation on ref.
func (s *session) fail(op string, ref name.Reference, err error) error {
	return &Error{Op: op, Ref: ref.String(), Err: err, Stats: s.stats()}
}

// parseDigest reads a reference by digest (REPO@sha256:…); what names it in errors.
func parseDigest(what, ref string, o *options) (name.Digest, error) {
	d, err := name.NewDigest(ref, append(o.nameOptions(), name.StrictValidation)...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("%s %q: want REPOSITORY@sha256:DIGEST: %w", what, ref, err)
	}
	return d, nil
}

// readLimited reads all of r, or fails past max bytes.
func readLimited(r io.Reader, max int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is over %d bytes", what, max)
	}
	return data, nil
}

// countingTransport sits under go-containerregistry's retries, so it sees every try.
type countingTransport struct {
	inner     http.RoundTripper
	requests  atomic.Int64
	transient atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	resp, err := t.inner.RoundTrip(r)
	if err != nil && r.Context().Err() == nil && transientNetError(err) {
		t.transient.Add(1)
		return resp, err
	}
	if resp != nil {
		for _, c := range retryStatusCodes {
			if resp.StatusCode == c {
				t.transient.Add(1)
				break
			}
		}
	}
	return resp, err
}

// transientNetError says whether go-containerregistry retries err: a broken connection
// or a timeout, not a refused TLS handshake (its probe of https before http on a
// plain-HTTP registry).
func transientNetError(err error) bool {
	var temp interface{ Temporary() bool }
	var nerr net.Error
	return errors.As(err, &temp) && temp.Temporary() ||
		errors.As(err, &nerr) && nerr.Timeout() ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// Error is a registry operation that failed after its retries. Its message is one line,
// whatever the registry answered (an HTML error page, several JSON errors...).
type Error struct {
	Op    string // "pushing", "tagging", ...
	Ref   string
	Err   error
	Stats Stats
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s: %s", e.Op, e.Ref, oneLine(e.Err.Error()))
	if e.Stats.Transient > 0 {
		msg += fmt.Sprintf(" (%d of %d requests failed transiently and were retried)", e.Stats.Transient, e.Stats.Requests)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// maxErrorLine bounds what a registry's answer adds to an error line.
const maxErrorLine = 300

// oneLine folds s onto one line and cuts it at maxErrorLine characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxErrorLine {
		s = string(r[:maxErrorLine]) + "…"
	}
	return s
}
