package registry

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sizedImage is an image whose manifest claims the given compressed layer sizes; the
// check reads nothing else.
type sizedImage struct {
	v1.Image
	sizes []int64
}

func (s sizedImage) Manifest() (*v1.Manifest, error) {
	m := &v1.Manifest{SchemaVersion: 2}
	for i, n := range s.sizes {
		m.Layers = append(m.Layers, v1.Descriptor{Size: n, Digest: v1.Hash{Algorithm: "sha256", Hex: string(rune('a'+i)) + "0"}})
	}
	return m, nil
}

func TestCheckLimits(t *testing.T) {
	many := make([]int64, 126)
	tests := []struct {
		name    string
		sizes   []int64
		limits  Limits
		wantErr string
	}{
		{name: "small image", sizes: []int64{1e6, 2e6}, limits: GHCRLimits},
		{name: "a layer of exactly 10 GB", sizes: []int64{10e9}, limits: GHCRLimits},
		{name: "a layer over 10 GB", sizes: []int64{1e6, 10e9 + 1}, limits: GHCRLimits,
			wantErr: "layer 2 (sha256:b0) is 10000.0 MB compressed, over the limit of 10000.0 MB"},
		{name: "125 layers", sizes: many[:125], limits: GHCRLimits},
		{name: "126 layers", sizes: many, limits: GHCRLimits, wantErr: "image has 126 layers, over the limit of 125"},
		{name: "compressed size over the maximum", sizes: []int64{300e6, 250e6}, limits: Limits{MaxCompressedBytes: 500e6},
			wantErr: "image is 550.0 MB compressed, over the limit of 500.0 MB"},
		{name: "no limits", sizes: many, limits: Limits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLimits(sizedImage{sizes: tt.sizes}, tt.limits)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var lerr *LimitError
			require.ErrorAs(t, err, &lerr)
			assert.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestWithLimitsRefusesNegative(t *testing.T) {
	_, err := makeOptions([]Option{WithLimits(Limits{MaxLayers: -1})})
	assert.ErrorContains(t, err, "must not be negative")
}
