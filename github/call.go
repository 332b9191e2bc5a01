package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	gh "github.com/google/go-github/v50/github"
)

// Retries. GitHub acts on no request it refuses for a rate limit, so any request is
// sent again once the limit allows. A request that failed with a 5xx answer, a reset
// connection or a timeout may or may not have taken effect, so it is sent again only
// when that is safe, and each call says why it is (safety). Pauses grow exponentially
// with jitter, or follow GitHub's Retry-After; every wait of a Client draws on one
// budget (WithMaxWait), so a command waits at most that long in all.
//
// backoff.ExponentialBackOff gives the pauses; its Retry loop does not fit: its bound
// is per call and counts the requests' own time, and a Retry-After answer replaces
// the error that caused it.

// ErrRateLimited is returned when a call is still rate limited and waiting for the
// limit would pass the client's bound (WithMaxWait).
var ErrRateLimited = errors.New("github rate limit")

// safety says whether a request may be sent again when its outcome is unknown.
type safety int

const (
	// once requests could act twice: they are retried after rate limits only. None
	// is left; the zero value keeps a new call from being retried by accident.
	once safety = iota
	// read requests change nothing.
	read
	// idempotent requests leave the same state however often they are sent:
	// creating a blob, tree or commit (Git names objects by their content; a
	// repeated commit is an unreferenced twin), or forcing a ref to a given commit.
	idempotent
	// conditional requests act only while the state is what the caller last read:
	// creating a ref, a first file or a branch's pull request, none of which may
	// exist yet, and moving a branch by fast forward from the commit it was read at.
	// After a repeat GitHub may answer 422 because the first attempt took effect;
	// the caller checks for that (moveBranch, initialise, createPull).
	conditional
)

// retryPolicy is the pause before the first retry and the most a pause grows to.
type retryPolicy struct{ first, most time.Duration }

func (p retryPolicy) backOff() *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{InitialInterval: p.first, RandomizationFactor: 0.5, Multiplier: 1.5, MaxInterval: p.most}
	b.Reset()
	return b
}

// waitBudget is a Client's one bound on waiting, shared by all its calls.
type waitBudget struct {
	mu      sync.Mutex
	max     time.Duration
	waited  time.Duration
	retries int
}

// take reserves d for one retry, unless that would pass the bound. It returns the
// time reserved before.
func (b *waitBudget) take(d time.Duration) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	before := b.waited
	if b.waited+d > b.max {
		return before, false
	}
	b.waited += d
	b.retries++
	return before, true
}

func (b *waitBudget) used() (int, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.retries, b.waited
}

// call runs fn, the one API request of a step, and sends it again after rate limits,
// and after transient failures when s allows. what names the step for errors, e.g.
// `creating tree in o/r`.
func (c *Client) call(ctx context.Context, what string, s safety, fn func() (*gh.Response, error)) error {
	b := c.retry.backOff()
	for attempt := 1; ; attempt++ {
		resp, err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		wait, limited, ok := retryWait(err, s, b)
		if !ok {
			return fmt.Errorf("%s: %w", what, describe(resp, err))
		}
		waited, ok := c.waits.take(wait)
		switch {
		case !ok && limited:
			return fmt.Errorf("%s: %w: would wait %s more, over the bound of %s on all waits (%s waited)",
				what, ErrRateLimited, wait.Round(time.Second), c.waits.max, waited.Round(time.Millisecond))
		case !ok:
			return fmt.Errorf("%s: %w (gave up after %d attempts: a retry would wait %s more, over the bound of %s on all waits)",
				what, describe(resp, err), attempt, wait.Round(time.Millisecond), c.waits.max)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-timer.C:
		}
	}
}

// retryWait says whether and after how long to send a failed request again; limited
// is set for rate limits.
func retryWait(err error, s safety, b *backoff.ExponentialBackOff) (wait time.Duration, limited, ok bool) {
	var primary *gh.RateLimitError
	if errors.As(err, &primary) {
		return max(time.Until(primary.Rate.Reset.Time), time.Second), true, true
	}
	var secondary *gh.AbuseRateLimitError
	if errors.As(err, &secondary) {
		if secondary.RetryAfter != nil {
			return max(*secondary.RetryAfter, time.Second), true, true
		}
		return time.Minute, true, true
	}
	next := b.NextBackOff()
	status := statusOf(err)
	if status == http.StatusTooManyRequests {
		return retryAfterOr(err, next), true, true
	}
	if s == once || !transient(err, status) {
		return 0, false, false
	}
	return retryAfterOr(err, next), false, true
}

// transient reports whether err is a failure that a later attempt may not meet: a
// 5xx answer, a reset or cut connection, a timeout.
func transient(err error, status int) bool {
	switch status {
	case 0:
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	default:
		return false
	}
	if connectionCut(err) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// connectionCut reports whether the connection was reset or closed mid-answer.
func connectionCut(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// retryAfterOr returns the wait an answer's Retry-After header asks for (seconds or
// an HTTP date), else def.
func retryAfterOr(err error, def time.Duration) time.Duration {
	var e *gh.ErrorResponse
	if !errors.As(err, &e) || e.Response == nil {
		return def
	}
	v := e.Response.Header.Get("Retry-After")
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return def
}

// describe turns authentication and not-found answers into errors that say what to do,
// since GitHub answers 404 for a private repository the token cannot see.
func describe(resp *gh.Response, err error) error {
	if resp == nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("token rejected (401): check GITHUB_TOKEN: %w", err)
	case http.StatusNotFound:
		return fmt.Errorf("not found (404): the repository does not exist or the token cannot see it: %w", err)
	}
	return err
}

// Reason says in a few words why a call failed, for a table cell: "GitHub answered
// 502", "rate limit", "timeout", "connection reset", "interrupted". The error itself
// has the rest.
func Reason(err error) string {
	var primary *gh.RateLimitError
	var secondary *gh.AbuseRateLimitError
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, ErrRateLimited), errors.As(err, &primary), errors.As(err, &secondary):
		return "rate limit"
	case statusOf(err) != 0:
		return fmt.Sprintf("GitHub answered %d", statusOf(err))
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case connectionCut(err):
		return "connection reset"
	}
	return "see log"
}
