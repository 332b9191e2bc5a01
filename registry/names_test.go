package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/provenance"
)

func TestRepository(t *testing.T) {
	tests := []struct {
		name, namespace, image string
		want                   string
		wantErr                bool
	}{
		{name: "owner with capitals", namespace: "ghcr.io/MyOrg", image: "lz4", want: "ghcr.io/myorg/lz4"},
		{name: "trailing slash", namespace: "ghcr.io/owner/", image: "lz4", want: "ghcr.io/owner/lz4"},
		{name: "test bed", namespace: "127.0.0.1:5000/demo", image: "libsigsegv", want: "127.0.0.1:5000/demo/libsigsegv"},
		{name: "no namespace", namespace: "", image: "lz4", wantErr: true},
		{name: "no image", namespace: "ghcr.io/owner", image: "", wantErr: true},
		{name: "invalid character", namespace: "ghcr.io/own er", image: "lz4", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Repository(tt.namespace, tt.image)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestUsualTags(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   []string
	}{
		{name: "one root with revision", labels: map[string]string{
			provenance.LabelRoots: "lz4@1.9.4/abcdefg", provenance.LabelVersion: "1.9.4", provenance.LabelRevision: "0123456789abcdef"},
			want: []string{"latest", "1.9.4", "0123456"}},
		{name: "several roots: the date version is no tag", labels: map[string]string{
			provenance.LabelRoots: "lz4@1.9.4/abcdefg zlib@1.3/hijklmn", provenance.LabelVersion: "2026.01.02", provenance.LabelRevision: "0123456789"},
			want: []string{"latest", "0123456"}},
		{name: "no revision", labels: map[string]string{provenance.LabelRoots: "lz4@1.9.4/abcdefg", provenance.LabelVersion: "1.9.4"},
			want: []string{"latest", "1.9.4"}},
		{name: "a version that is no valid tag", labels: map[string]string{provenance.LabelRoots: "x@1.0+cuda/abc", provenance.LabelVersion: "1.0+cuda"},
			want: []string{"latest"}},
		{name: "no labels", want: []string{"latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, UsualTags(tt.labels))
		})
	}
}
