package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	gh "github.com/google/go-github/v50/github"
)

// ErrRateLimited is returned when a call still hits a rate limit after waiting as long
// as the client may (WithMaxWait).
var ErrRateLimited = errors.New("github rate limit")

// call runs fn, the one API request of a step, and waits out primary and secondary rate
// limits for at most the client's max wait in total. what names the step for errors,
// e.g. `creating tree in o/r`.
func (c *Client) call(ctx context.Context, what string, fn func() (*gh.Response, error)) error {
	var waited time.Duration
	for {
		resp, err := fn()
		if err == nil {
			return nil
		}
		wait, limited := retryAfter(err)
		if !limited {
			return fmt.Errorf("%s: %w", what, describe(resp, err))
		}
		if waited+wait > c.maxWait {
			return fmt.Errorf("%s: %w: would wait %s more, over the bound of %s", what, ErrRateLimited, wait.Round(time.Second), c.maxWait)
		}
		waited += wait
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-timer.C:
		}
	}
}

// retryAfter says how long to wait before retrying a rate-limited request.
func retryAfter(err error) (time.Duration, bool) {
	var primary *gh.RateLimitError
	if errors.As(err, &primary) {
		d := time.Until(primary.Rate.Reset.Time)
		return max(d, time.Second), true
	}
	var secondary *gh.AbuseRateLimitError
	if errors.As(err, &secondary) {
		if secondary.RetryAfter != nil {
			return max(*secondary.RetryAfter, time.Second), true
		}
		return time.Minute, true
	}
	return 0, false
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
