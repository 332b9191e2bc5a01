package registry

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

func TestIndex(t *testing.T) {
	amd := testImage(t, 1, "linux/amd64", nil)
	arm := testImage(t, 2, "linux/arm64/v8", nil)
	amd2 := testImage(t, 3, "linux/amd64", nil)
	noPlatform, err := random.Image(64, 1)
	require.NoError(t, err)

	tests := []struct {
		name          string
		images        []v1.Image
		wantPlatforms []string
		wantErr       string
	}{
		{name: "two platforms", images: []v1.Image{amd, arm}, wantPlatforms: []string{"linux/amd64", "linux/arm64/v8"}},
		{name: "order given does not matter", images: []v1.Image{arm, amd}, wantPlatforms: []string{"linux/amd64", "linux/arm64/v8"}},
		{name: "one platform", images: []v1.Image{arm}, wantPlatforms: []string{"linux/arm64/v8"}},
		{name: "the same platform twice", images: []v1.Image{amd, amd2}, wantErr: "are both linux/amd64"},
		{name: "an image without platform", images: []v1.Image{noPlatform}, wantErr: "names no platform"},
		{name: "nothing", wantErr: "at least one image"},
	}
	var first string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, err := Index(tt.images)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			m, err := idx.IndexManifest()
			require.NoError(t, err)
			assert.Equal(t, "application/vnd.oci.image.index.v1+json", string(m.MediaType))
			var platforms []string
			for _, d := range m.Manifests {
				platforms = append(platforms, d.Platform.String())
				assert.True(t, d.MediaType.IsImage())
			}
			assert.Equal(t, tt.wantPlatforms, platforms)
			if len(tt.images) == 2 {
				if first == "" {
					first = digestOf(t, idx)
				}
				assert.Equal(t, first, digestOf(t, idx), "same images, same index digest")
			}
		})
	}
}

func TestRemoteImagesAndCommonTags(t *testing.T) {
	reg := registrytest.New(t, true)
	repo := reg.Host + "/demo/lz4"
	labels := map[string]string{provenance.LabelRoots: "lz4@1.9.4/abc", provenance.LabelVersion: "1.9.4", provenance.LabelRevision: "0123456789"}
	push := func(img v1.Image, repo string) string {
		p, err := PushImage(context.Background(), repo, img, nil, fast)
		require.NoError(t, err)
		return p.Digest.String()
	}
	amd := push(testImage(t, 1, "linux/amd64", labels), repo)
	arm := push(testImage(t, 2, "linux/arm64", labels), repo)
	other := push(testImage(t, 3, "linux/arm64", labels), reg.Host+"/demo/zlib")
	otherBuild := push(testImage(t, 4, "linux/arm64", map[string]string{provenance.LabelRoots: "lz4@1.9.4/abc", provenance.LabelVersion: "1.9.4", provenance.LabelRevision: "fedcba98765"}), repo)
	idx, err := Index([]v1.Image{testImage(t, 5, "linux/amd64", nil)})
	require.NoError(t, err)
	pi, err := PushIndex(context.Background(), repo, idx, nil, fast)
	require.NoError(t, err)

	images, gotRepo, err := RemoteImages(context.Background(), []string{amd, arm}, fast)
	require.NoError(t, err)
	assert.Equal(t, repo, gotRepo)
	require.Len(t, images, 2)
	tags, err := CommonTags(images)
	require.NoError(t, err)
	assert.Equal(t, []string{"latest", "1.9.4", "0123456"}, tags)

	tests := []struct {
		name    string
		refs    []string
		wantErr string
	}{
		{name: "two repositories", refs: []string{amd, other}, wantErr: "an index joins images of one repository"},
		{name: "a tag, not a digest", refs: []string{repo + ":latest"}, wantErr: "want REPOSITORY@sha256:DIGEST"},
		{name: "an index", refs: []string{pi.Digest.String()}, wantErr: "want one platform's image"},
		{name: "missing", refs: []string{repo + "@sha256:" + "0123456789012345678901234567890123456789012345678901234567890123"}, wantErr: "reading " + repo},
		{name: "none", wantErr: "no images given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := RemoteImages(context.Background(), tt.refs, fast)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}

	images, _, err = RemoteImages(context.Background(), []string{amd, otherBuild}, fast)
	require.NoError(t, err)
	_, err = CommonTags(images)
	assert.ErrorContains(t, err, "come from different builds")
}
