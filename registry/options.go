// Package registry publishes images to an OCI registry such as ghcr.io so that a failure
// leaves nothing half-done: an image or index is pushed by digest first, and only then are
// its tags moved, latest last. It also checks GHCR's limits before anything is sent,
// attaches artifacts such as an SBOM as OCI 1.1 referrers, and joins per-platform images
// into one index.
//
// The package never prints and never reads the environment: credentials come in as an
// option and appear in no error.
package registry

import (
	"errors"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Option configures a registry operation.
type Option func(*options) error

type options struct {
	auth     authn.Authenticator
	insecure bool
	backoff  remote.Backoff
	limits   Limits
}

// DefaultBackoff is the retry schedule for transient registry errors (5xx, 408, 429,
// connection resets): four tries, waiting about 1 s, 3 s and 9 s between them, so that
// a registry blip of up to ten seconds costs a retry and not the build.
var DefaultBackoff = remote.Backoff{Duration: time.Second, Factor: 3, Jitter: 0.1, Steps: 4}

func makeOptions(opts []Option) (*options, error) {
	o := &options{
		auth:    authn.Anonymous,
		backoff: DefaultBackoff,
		limits:  GHCRLimits,
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// WithBasicAuth sets a user name and password (for ghcr.io: the GitHub user and a token
// with packages:write). The default is anonymous access.
func WithBasicAuth(user, password string) Option {
	return func(o *options) error {
		if user == "" || password == "" {
			return errors.New("registry user and password must both be given")
		}
		o.auth = &authn.Basic{Username: user, Password: password}
		return nil
	}
}

// WithInsecure talks plain HTTP to the registry (a local test registry). The default is
// HTTPS, except where go-containerregistry already assumes HTTP (localhost, loopback and
// private addresses).
func WithInsecure() Option {
	return func(o *options) error {
		o.insecure = true
		return nil
	}
}

// WithBackoff sets the retry schedule for transient errors. The default is DefaultBackoff.
func WithBackoff(b remote.Backoff) Option {
	return func(o *options) error {
		if b.Steps < 1 {
			return errors.New("retry steps must be at least 1")
		}
		o.backoff = b
		return nil
	}
}

// WithLimits sets what an image may hold before it is pushed. The default is GHCRLimits.
func WithLimits(l Limits) Option {
	return func(o *options) error {
		if l.MaxLayerBytes < 0 || l.MaxLayers < 0 || l.MaxCompressedBytes < 0 {
			return errors.New("limits must not be negative")
		}
		o.limits = l
		return nil
	}
}

// nameOptions are the options for parsing references.
func (o *options) nameOptions() []name.Option {
	if o.insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}
