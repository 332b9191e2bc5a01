package sbom_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
	"github.com/spack-ghcr/spack-ghcr/sbom"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// TestAttachToImage attaches an SBOM to an image as an OCI 1.1 referrer and reads it
// back, valid, from go-containerregistry's registry and from the test bed's.
func TestAttachToImage(t *testing.T) {
	data, err := os.ReadFile("testdata/lz4.lock")
	require.NoError(t, err)
	lf, err := spack.ParseLockfile("lz4.lock", data)
	require.NoError(t, err)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	doc, err := sbom.Document(sbom.Input{Name: "lz4", Lockfile: lf, Created: created})
	require.NoError(t, err)
	artifact := registry.Artifact{
		Type:        sbom.MediaType,
		Data:        doc,
		Title:       "sbom.spdx.json",
		Annotations: map[string]string{"org.opencontainers.image.created": created.Format(time.RFC3339)},
	}

	for _, target := range []string{"fake", "testbed"} {
		t.Run(target, func(t *testing.T) {
			var repo string
			var opts []registry.Option
			if target == "fake" {
				repo = registrytest.New(t, true).Host + "/demo/lz4"
			} else {
				repo = registrytest.Testbed(t, "sbom")
				opts = append(opts, registry.WithInsecure())
			}
			ctx := context.Background()
			img := registrytest.Image(t, 1, "linux/amd64", nil)
			pushed, err := registry.PushImage(ctx, repo, img, []string{"latest"}, opts...)
			require.NoError(t, err)

			ref, err := registry.Attach(ctx, pushed.Digest.String(), artifact, opts...)
			require.NoError(t, err)
			refs, err := registry.Referrers(ctx, pushed.Digest.String(), sbom.MediaType, opts...)
			require.NoError(t, err)
			require.Len(t, refs, 1)
			assert.Equal(t, ref.DigestStr(), refs[0].Digest.String())
			assert.Equal(t, "2026-01-02T03:04:05Z", refs[0].Annotations["org.opencontainers.image.created"])

			back, err := registry.FetchArtifact(ctx, ref.String(), opts...)
			require.NoError(t, err)
			assert.Equal(t, doc, back)
			parsed, err := spdxjson.Read(bytes.NewReader(back))
			require.NoError(t, err)
			require.NoError(t, spdxlib.ValidateDocument(parsed))
		})
	}
}
