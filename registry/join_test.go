package registry

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

func TestGroupByRepository(t *testing.T) {
	const (
		d1 = "@sha256:0123456789012345678901234567890123456789012345678901234567890123"
		d2 = "@sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd"
	)
	tests := []struct {
		name    string
		input   []string
		want    map[string][]string
		wantErr string
	}{
		{name: "one repository", input: []string{"ghcr.io/o/lz4" + d1, "ghcr.io/o/lz4" + d2},
			want: map[string][]string{"ghcr.io/o/lz4": {"ghcr.io/o/lz4" + d1, "ghcr.io/o/lz4" + d2}}},
		{name: "two repositories", input: []string{"ghcr.io/o/lz4" + d1, "ghcr.io/o/zlib" + d1},
			want: map[string][]string{"ghcr.io/o/lz4": {"ghcr.io/o/lz4" + d1}, "ghcr.io/o/zlib": {"ghcr.io/o/zlib" + d1}}},
		{name: "a repeat", input: []string{"ghcr.io/o/lz4" + d1, "ghcr.io/o/lz4" + d1},
			want: map[string][]string{"ghcr.io/o/lz4": {"ghcr.io/o/lz4" + d1}}},
		{name: "nothing", want: map[string][]string{}},
		{name: "a tag", input: []string{"ghcr.io/o/lz4:latest"}, wantErr: `"ghcr.io/o/lz4:latest" is not REPOSITORY@sha256:DIGEST`},
		{name: "a short digest", input: []string{"ghcr.io/o/lz4@sha256:0123"}, wantErr: "is not REPOSITORY@sha256:DIGEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GroupByRepository(tt.input)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckPlatforms(t *testing.T) {
	images := []v1.Image{testImage(t, 1, "linux/amd64", nil), testImage(t, 2, "linux/arm64", nil)}
	tests := []struct {
		name    string
		want    []string
		wantErr string
	}{
		{name: "any", want: nil},
		{name: "exactly these, in another order", want: []string{"linux/arm64", "linux/amd64"}},
		{name: "one missing", want: []string{"linux/amd64", "linux/arm64", "linux/ppc64le"}, wantErr: "no image for linux/ppc64le (its build failed?): nothing tagged"},
		{name: "one not asked for", want: []string{"linux/amd64"}, wantErr: "images for linux/arm64, which -platforms does not name: nothing tagged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPlatforms(images, tt.want)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			assert.NoError(t, err)
		})
	}
}

func TestPushJoined(t *testing.T) {
	reg := registrytest.New(t, true)
	repo := reg.Host + "/demo/lz4"
	labels := map[string]string{provenance.LabelRoots: "lz4@1.9.4/abc", provenance.LabelVersion: "1.9.4", provenance.LabelRevision: "0123456789"}
	var refs []string
	for i, p := range []string{"linux/arm64", "linux/amd64"} {
		pushed, err := PushImage(context.Background(), repo, testImage(t, int64(i), p, labels), nil, fast)
		require.NoError(t, err)
		refs = append(refs, pushed.Digest.String())
	}

	pushed, err := PushJoined(context.Background(), refs, nil, []string{"linux/amd64", "linux/arm64"}, fast)
	require.NoError(t, err)
	assert.Equal(t, repo, pushed.Digest.Context().String())
	var tags []string
	for _, tag := range pushed.Tags {
		tags = append(tags, tag.TagStr())
	}
	assert.Equal(t, []string{"1.9.4", "0123456", "latest"}, tags, "the images' usual tags, latest last")

	pushed, err = PushJoined(context.Background(), refs, []string{"stable"}, nil, fast)
	require.NoError(t, err)
	require.Len(t, pushed.Tags, 1)
	assert.Equal(t, "stable", pushed.Tags[0].TagStr())

	_, err = PushJoined(context.Background(), refs, nil, []string{"linux/amd64"}, fast)
	assert.ErrorContains(t, err, repo+": images for linux/arm64")
}
