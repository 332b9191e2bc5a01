package registry

import (
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

// fast retries, so fault tests take milliseconds.
var fast = WithBackoff(remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 3})

var testImage = registrytest.Image

func digestOf(t *testing.T, d interface{ Digest() (v1.Hash, error) }) string {
	t.Helper()
	h, err := d.Digest()
	require.NoError(t, err)
	return h.String()
}

func parseRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s, name.Insecure)
	require.NoError(t, err)
	return ref
}
