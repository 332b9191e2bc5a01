// Package github talks to the GitHub REST API (or GitHub Enterprise) for spack-ghcr:
// pushing test results to a results repository and opening update pull requests.
package github

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	gh "github.com/google/go-github/v50/github"
)

// Client is a GitHub API client bound to one token. It is safe for concurrent use.
//
// All requests of a Client share one bound on the time spent waiting before retries
// (WithMaxWait): a command that makes one Client waits at most that long in all.
type Client struct {
	gh    *gh.Client
	retry retryPolicy
	waits *waitBudget
	sent  atomic.Int64 // HTTP requests sent, counted by the transport
}

type options struct {
	baseURL    string
	httpClient *http.Client
	maxWait    time.Duration
	timeout    time.Duration
	retry      retryPolicy
}

// Option configures a Client.
type Option func(*options) error

// WithBaseURL points the client at another API root, such as GitHub Enterprise
// ("https://ghe.example.com/api/v3/") or a test server. The default is
// "https://api.github.com/"; the ci program passes $GITHUB_API_URL.
func WithBaseURL(u string) Option {
	return func(o *options) error {
		if u == "" {
			return nil
		}
		p, err := url.Parse(u)
		if err != nil || p.Scheme == "" || p.Host == "" {
			return fmt.Errorf("github base url %q: want an absolute http(s) URL", u)
		}
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		o.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client underneath; the token is added on top of its
// transport. The default is http.DefaultClient.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("github http client is nil")
		}
		o.httpClient = c
		return nil
	}
}

// WithMaxWait bounds the time the client waits before retrying, in total over all of
// its requests: rate limits waited out, and the pauses between retries of requests
// that failed with a 5xx, a reset connection or a timeout. A wait that would pass the
// bound is not started; the request fails at once with an error that says so. The
// default is 2 minutes.
func WithMaxWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return errors.New("github max wait must not be negative")
		}
		o.maxWait = d
		return nil
	}
}

// WithRequestTimeout bounds each HTTP request, answer included; a request that times
// out counts as a transient failure. The default is 1 minute.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return errors.New("github request timeout must be greater than zero")
		}
		o.timeout = d
		return nil
	}
}

// WithBackoff sets the pause before the first retry of a failed request, and the
// most any pause grows to; each pause is 1.5 times the one before, give or take half
// of it at random, so that clients failing together do not retry together. The
// default is 1 second growing to 30 seconds.
func WithBackoff(first, most time.Duration) Option {
	return func(o *options) error {
		if first <= 0 || most < first {
			return fmt.Errorf("github backoff %s up to %s: want 0 < first <= most", first, most)
		}
		o.retry.first, o.retry.most = first, most
		return nil
	}
}

// New returns a client that authenticates with token.
func New(token string, opts ...Option) (*Client, error) {
	if token == "" {
		return nil, errors.New("github token is empty: set GITHUB_TOKEN")
	}
	o := options{
		httpClient: http.DefaultClient,
		maxWait:    2 * time.Minute,
		timeout:    time.Minute,
		retry:      retryPolicy{first: time.Second, most: 30 * time.Second},
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	c := &Client{retry: o.retry, waits: &waitBudget{max: o.maxWait}}
	hc := *o.httpClient
	hc.Timeout = o.timeout
	hc.Transport = &tokenTransport{token: token, base: o.httpClient.Transport, sent: &c.sent}
	c.gh = gh.NewClient(&hc)
	if o.baseURL != "" {
		u, _ := url.Parse(o.baseURL)
		c.gh.BaseURL = u
		c.gh.UploadURL = u
	}
	return c, nil
}

// Stats counts what a Client did, for reports.
type Stats struct {
	// Requests is the number of HTTP requests sent, retries included.
	Requests int
	// Retries is the number of requests sent again after a rate limit or a transient
	// failure.
	Retries int
	// Waited is the time spent waiting before those retries.
	Waited time.Duration
}

// Stats returns what the client did so far.
func (c *Client) Stats() Stats {
	retries, waited := c.waits.used()
	return Stats{Requests: int(c.sent.Load()), Retries: retries, Waited: waited}
}

// tokenTransport adds the token to each request without logging or exposing it.
type tokenTransport struct {
	token string
	base  http.RoundTripper
	sent  *atomic.Int64
}

func (t *tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.sent.Add(1)
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// SplitRepo splits "owner/name".
func SplitRepo(full string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(full, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("repository %q: want OWNER/NAME", full)
	}
	return owner, name, nil
}
