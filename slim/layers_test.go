package slim

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMeasureImage(t *testing.T) {
	cacheHome := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cacheHome)
	img, err := random.Image(1000, 3)
	require.NoError(t, err)
	layers, err := img.Layers()
	require.NoError(t, err)
	var ids []string
	var sizes []int64
	for _, l := range layers {
		id, err := l.DiffID()
		require.NoError(t, err)
		rc, err := l.Uncompressed()
		require.NoError(t, err)
		n, err := io.Copy(io.Discard, rc)
		require.NoError(t, err)
		rc.Close()
		ids, sizes = append(ids, id.String()), append(sizes, n)
	}
	total := sizes[0] + sizes[1] + sizes[2]
	tests := []struct {
		name    string
		baseIDs []string
		want    ImageSizes
	}{
		{"scratch", nil, ImageSizes{Total: total, Payload: total, Layers: 3}},
		{"on a base of one layer", ids[:1], ImageSizes{Total: total, Payload: sizes[1] + sizes[2], Layers: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MeasureImage(img, tt.baseIDs)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err = os.Stat(filepath.Join(cacheHome, "spack-ghcr", "image-sizes.json"))
	assert.NoError(t, err, "the sizes are remembered for the next run")
	assert.Len(t, LoadLayerCache().Layers, 3)
}
