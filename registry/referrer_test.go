package registry

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

func TestAttach(t *testing.T) {
	sbom := Artifact{
		Type:        "application/spdx+json",
		Data:        []byte(`{"spdxVersion":"SPDX-2.3"}`),
		Title:       "sbom.spdx.json",
		Annotations: map[string]string{"org.opencontainers.image.created": "2026-01-02T03:04:05Z"},
	}
	for _, target := range []string{"referrers API", "referrers tag", "testbed"} {
		t.Run(target, func(t *testing.T) {
			var repo string
			opts := []Option{fast}
			switch target {
			case "referrers API":
				repo = registrytest.New(t, true).Host + "/demo/lz4"
			case "referrers tag":
				repo = registrytest.New(t, false).Host + "/demo/lz4"
			default:
				repo = registrytest.Testbed(t, "referrers")
				opts = append(opts, WithInsecure())
			}
			ctx := context.Background()
			p, err := PushImage(ctx, repo, testImage(t, 1, "linux/amd64", nil), []string{"latest"}, opts...)
			require.NoError(t, err)
			subject := p.Digest.String()

			none, err := Referrers(ctx, subject, sbom.Type, opts...)
			require.NoError(t, err)
			assert.Empty(t, none)

			ref, err := Attach(ctx, subject, sbom, opts...)
			require.NoError(t, err)
			again, err := Attach(ctx, subject, sbom, opts...)
			require.NoError(t, err)
			assert.Equal(t, ref, again, "the same file on the same image is the same artifact")
			_, err = Attach(ctx, subject, Artifact{Type: "application/vnd.example+json", Data: []byte("{}")}, opts...)
			require.NoError(t, err)

			got, err := Referrers(ctx, subject, sbom.Type, opts...)
			require.NoError(t, err)
			require.Len(t, got, 1, "filtered by artifact type, listed once")
			assert.Equal(t, ref.DigestStr(), got[0].Digest.String())
			assert.Equal(t, sbom.Type, got[0].ArtifactType)
			all, err := Referrers(ctx, subject, "", opts...)
			require.NoError(t, err)
			assert.Len(t, all, 2)

			data, err := FetchArtifact(ctx, ref.String(), opts...)
			require.NoError(t, err)
			assert.Equal(t, sbom.Data, data)
		})
	}
}

func TestAttachRefuses(t *testing.T) {
	reg := registrytest.New(t, true)
	repo := reg.Host + "/demo/lz4"
	tests := []struct {
		name     string
		subject  string
		artifact Artifact
		wantErr  string
	}{
		{name: "no type", subject: repo + "@sha256:" + zeros, artifact: Artifact{Data: []byte("x")}, wantErr: "needs a type and data"},
		{name: "a tag as subject", subject: repo + ":latest", artifact: Artifact{Type: "a/b", Data: []byte("x")}, wantErr: "want REPOSITORY@sha256:DIGEST"},
		{name: "a subject not in the registry", subject: repo + "@sha256:" + zeros, artifact: Artifact{Type: "a/b", Data: []byte("x")}, wantErr: "reading " + repo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Attach(context.Background(), tt.subject, tt.artifact, fast)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"
