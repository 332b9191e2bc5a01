// Package github talks to the GitHub REST API (or GitHub Enterprise) for spack-ghcr:
// pushing test results to a results repository and opening update pull requests.
package github

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v50/github"
)

// Client is a GitHub API client bound to one token.
type Client struct {
	gh      *gh.Client
	maxWait time.Duration
	sleep   func(time.Duration)
}

type options struct {
	baseURL    string
	httpClient *http.Client
	maxWait    time.Duration
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

// WithMaxWait bounds how long one call waits out rate limits in total before it gives
// up with an error. The default is 2 minutes.
func WithMaxWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return errors.New("github max wait must not be negative")
		}
		o.maxWait = d
		return nil
	}
}

// New returns a client that authenticates with token.
func New(token string, opts ...Option) (*Client, error) {
	if token == "" {
		return nil, errors.New("github token is empty: set GITHUB_TOKEN")
	}
	o := options{httpClient: http.DefaultClient, maxWait: 2 * time.Minute}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	hc := *o.httpClient
	hc.Transport = &tokenTransport{token: token, base: o.httpClient.Transport}
	c := gh.NewClient(&hc)
	if o.baseURL != "" {
		u, _ := url.Parse(o.baseURL)
		c.BaseURL = u
		c.UploadURL = u
	}
	return &Client{gh: c, maxWait: o.maxWait, sleep: time.Sleep}, nil
}

// tokenTransport adds the token to each request without logging or exposing it.
type tokenTransport struct {
	token string
	base  http.RoundTripper
}

func (t *tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
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
