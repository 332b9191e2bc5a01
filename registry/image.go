package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Image reads the image ref names (a tag or a digest), with the same retries and
// credentials as a push; it returns nil and no error when the registry has no such
// repository or tag yet.
func Image(ctx context.Context, ref string, opts ...Option) (v1.Image, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	r, err := name.ParseReference(ref, o.nameOptions()...)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	s := newSession(ctx, o)
	img, err := remote.Image(r, s.remote...)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("reading", r, err)
	}
	return img, nil
}

// isNotFound reports a registry's answer that the repository or tag does not exist.
func isNotFound(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	return te.StatusCode == http.StatusNotFound || slices.ContainsFunc(te.Errors, func(d transport.Diagnostic) bool {
		return d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode
	})
}
