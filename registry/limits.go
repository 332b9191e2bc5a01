package registry

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Limits is what a registry accepts in one image, checked before anything is sent: a
// refused push costs the upload first, and GHCR's answer to an oversized layer is a
// timeout, not a reason.
type Limits struct {
	// MaxLayerBytes bounds one layer as uploaded (compressed); 0: no limit.
	MaxLayerBytes int64
	// MaxLayers bounds the number of layers; 0: no limit.
	MaxLayers int
	// MaxCompressedBytes bounds the layers together as uploaded and pulled, the image
	// size a user downloads; 0: no limit.
	MaxCompressedBytes int64
}

// GHCRLimits are ghcr.io's. GitHub documents "a 10 GB size limit for each layer" and "a
// 10 minute timeout limit for uploads" (GitHub Docs, "Working with the Container
// registry", Troubleshooting), and no limit on the image or the number of layers. The
// layer count is bounded by what can run: Docker refuses images deeper than 125 layers
// (moby layer/layer_store.go, maxLayerDepth: "125 was chosen to account for the 127 max
// in some graphdrivers plus the 2 additional layers used to create a rwlayer"). The
// 10-minute upload bound depends on the runner's bandwidth and cannot be checked here.
var GHCRLimits = Limits{MaxLayerBytes: 10_000_000_000, MaxLayers: 125}

// LimitError is an image over one of its Limits.
type LimitError struct {
	What string // "layer 2 (sha256:…)", "image"
	Got  int64
	Max  int64
	Unit string // "bytes compressed" or "layers"
}

func (e *LimitError) Error() string {
	if e.Unit == "layers" {
		return fmt.Sprintf("%s has %d layers, over the limit of %d", e.What, e.Got, e.Max)
	}
	return fmt.Sprintf("%s is %s compressed, over the limit of %s", e.What, megabytes(e.Got), megabytes(e.Max))
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// CheckLimits returns a *LimitError when img exceeds l. It reads only the manifest.
func CheckLimits(img v1.Image, l Limits) error {
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	if l.MaxLayers > 0 && len(m.Layers) > l.MaxLayers {
		return &LimitError{What: "image", Got: int64(len(m.Layers)), Max: int64(l.MaxLayers), Unit: "layers"}
	}
	var total int64
	for i, layer := range m.Layers {
		if l.MaxLayerBytes > 0 && layer.Size > l.MaxLayerBytes {
			return &LimitError{What: fmt.Sprintf("layer %d (%s)", i+1, layer.Digest), Got: layer.Size, Max: l.MaxLayerBytes}
		}
		total += layer.Size
	}
	if l.MaxCompressedBytes > 0 && total > l.MaxCompressedBytes {
		return &LimitError{What: "image", Got: total, Max: l.MaxCompressedBytes}
	}
	return nil
}
