package slim

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// LayerCache remembers the uncompressed size of each image layer and the layers of
// base images, so that measuring a rebuilt image does not read its base again. It is
// kept in the user's cache directory; losing it costs time, nothing else.
type LayerCache struct {
	path string
	// Layers maps a layer's diff ID to its uncompressed size.
	Layers map[string]int64 `json:"layers"`
	// Bases maps a base image's resolved reference to its layers' diff IDs.
	Bases map[string][]string `json:"bases"`
}

// LoadLayerCache reads the cache, or starts an empty one.
func LoadLayerCache() *LayerCache {
	c := &LayerCache{Layers: map[string]int64{}, Bases: map[string][]string{}}
	dir, err := os.UserCacheDir()
	if err != nil {
		return c
	}
	c.path = filepath.Join(dir, "spack-ghcr", "image-sizes.json")
	if data, err := os.ReadFile(c.path); err == nil {
		_ = json.Unmarshal(data, c)
	}
	if c.Layers == nil || c.Bases == nil {
		c.Layers, c.Bases = map[string]int64{}, map[string][]string{}
	}
	return c
}

// Save writes the cache back; a failure only costs time on the next run.
func (c *LayerCache) Save() {
	if c.path == "" {
		return
	}
	data, err := json.Marshal(c)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(c.path), 0o755) == nil {
		_ = os.WriteFile(c.path, data, 0o644)
	}
}

// LayerIDs returns the image's layer diff IDs, measuring the layers not seen before.
func (c *LayerCache) LayerIDs(img v1.Image) ([]string, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	var ids []string
	for _, l := range layers {
		h, err := l.DiffID()
		if err != nil {
			return nil, fmt.Errorf("reading a layer's diff ID: %w", err)
		}
		id := h.String()
		ids = append(ids, id)
		if _, ok := c.Layers[id]; ok {
			continue
		}
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, fmt.Errorf("reading layer %s: %w", id, err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading layer %s: %w", id, err)
		}
		c.Layers[id] = n
	}
	return ids, nil
}

// ImageSizes are an image's uncompressed size, the part its base does not account for,
// and its layer count.
type ImageSizes struct {
	Total, Payload int64
	Layers         int
}

// MB writes n bytes as megabytes (10^6 bytes, as registries count), to two places.
func MB(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// Measure sums the sizes of layers, counting those not in base as payload.
func (c *LayerCache) Measure(layers, base []string) ImageSizes {
	inBase := map[string]bool{}
	for _, id := range base {
		inBase[id] = true
	}
	s := ImageSizes{Layers: len(layers)}
	for _, id := range layers {
		s.Total += c.Layers[id]
		if !inBase[id] {
			s.Payload += c.Layers[id]
		}
	}
	return s
}

// MeasureImage sums img's layers' uncompressed sizes; the payload is what it adds to
// the base whose layers are baseIDs. Layer sizes are remembered across runs in the
// LayerCache.
func MeasureImage(img v1.Image, baseIDs []string) (ImageSizes, error) {
	cache := LoadLayerCache()
	defer cache.Save()
	ids, err := cache.LayerIDs(img)
	if err != nil {
		return ImageSizes{}, err
	}
	return cache.Measure(ids, baseIDs), nil
}
