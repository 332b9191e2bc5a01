package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// imageLabels are the OCI labels of the runtime image: the standard ones, what it was
// built from, and the environment's own container.labels.
func imageLabels(cfg buildConfig, env *spack.Environment, lf *spack.Lockfile, target, spackVersion string) map[string]string {
	created := time.Now().UTC()
	// A fixed date keeps the image digest reproducible for unchanged inputs.
	if s, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		created = time.Unix(s, 0).UTC()
	}
	var roots []string
	for _, r := range lf.RootSpecs() {
		roots = append(roots, r.Name+"@"+r.Version+"/"+r.Hash)
	}
	labels := map[string]string{
		"org.opencontainers.image.title":   env.Name,
		"org.opencontainers.image.created": created.Format(time.RFC3339),
		"org.opencontainers.image.version": imageVersion(lf),
		"io.spack-ghcr.environment":        env.Name,
		"io.spack-ghcr.spack.version":      spackVersion,
		"io.spack-ghcr.target":             target,
		"io.spack-ghcr.roots":              strings.Join(roots, " "),
	}
	if cfg.source != "" {
		labels["org.opencontainers.image.source"] = cfg.source
	}
	if cfg.revision != "" {
		labels["org.opencontainers.image.revision"] = cfg.revision
	}
	for k, v := range env.Container.Labels {
		labels[k] = v
	}
	return labels
}

// imageVersion is the root's version for a one-root environment, else the date.
func imageVersion(lf *spack.Lockfile) string {
	if roots := lf.RootSpecs(); len(roots) == 1 {
		return roots[0].Version
	}
	return time.Now().UTC().Format("2006.01.02")
}

func withLabels(labels map[string]string) func(*dagger.Container) *dagger.Container {
	return func(c *dagger.Container) *dagger.Container {
		for _, k := range sortedKeys(labels) {
			if labels[k] != "" {
				c = c.WithLabel(k, labels[k])
			}
		}
		return c
	}
}

// imageTags: latest, the root's version for a one-root environment, and the short
// revision when known.
func imageTags(cfg buildConfig, lf *spack.Lockfile) []string {
	tags := []string{"latest"}
	if roots := lf.RootSpecs(); len(roots) == 1 {
		tags = append(tags, roots[0].Version)
	}
	if len(cfg.revision) >= 7 {
		tags = append(tags, cfg.revision[:7])
	}
	return tags
}

// publish pushes the image under every tag and returns the first reference with its
// digest.
func publish(ctx context.Context, ctr *dagger.Container, registry, name string, tags []string) (string, error) {
	repo := strings.TrimSuffix(registry, "/") + "/" + name
	var first string
	for _, tag := range tags {
		ref, err := ctr.Publish(ctx, repo+":"+tag)
		if err != nil {
			return "", fmt.Errorf("publishing %s:%s: %w", repo, tag, execDetail(err))
		}
		if first == "" {
			first = ref
		}
	}
	return first, nil
}

type imageSizes struct {
	total, payload int64
	layers         int
}

// measureImage exports the image as an OCI tarball and sums its layers' uncompressed
// sizes; the payload is what the image adds to its base. Sizes and base images' layers
// are remembered across runs (sizeCache), so that a rerun does not read the base again.
func measureImage(ctx context.Context, client *dagger.Client, ctr *dagger.Container, base, tarPath string) (imageSizes, error) {
	var s imageSizes
	cache := loadSizeCache()
	defer cache.save()
	if _, err := ctr.Export(ctx, tarPath); err != nil {
		return s, fmt.Errorf("exporting the image: %w", err)
	}
	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		return s, fmt.Errorf("reading %s: %w", tarPath, err)
	}
	ids, err := cache.layerSizes(img)
	if err != nil {
		return s, err
	}
	baseLayers := map[string]bool{}
	if base != scratch {
		bids, err := cache.baseLayers(ctx, client, base, filepath.Join(filepath.Dir(tarPath), ".base.tar"))
		if err != nil {
			return s, err
		}
		for _, id := range bids {
			baseLayers[id] = true
		}
	}
	s.layers = len(ids)
	for _, id := range ids {
		s.total += cache.Layers[id]
		if !baseLayers[id] {
			s.payload += cache.Layers[id]
		}
	}
	return s, nil
}

// sizeCache is kept in the user's cache directory; losing it costs time, nothing else.
type sizeCache struct {
	path string
	// Layers maps a layer's diff ID to its uncompressed size.
	Layers map[string]int64 `json:"layers"`
	// Bases maps a base image's resolved reference to its layers' diff IDs.
	Bases map[string][]string `json:"bases"`
}

func loadSizeCache() *sizeCache {
	c := &sizeCache{Layers: map[string]int64{}, Bases: map[string][]string{}}
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

func (c *sizeCache) save() {
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

// layerSizes returns the image's layer diff IDs, measuring the layers not seen before.
func (c *sizeCache) layerSizes(img v1.Image) ([]string, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range layers {
		h, err := l.DiffID()
		if err != nil {
			return nil, err
		}
		id := h.String()
		ids = append(ids, id)
		if _, ok := c.Layers[id]; ok {
			continue
		}
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, err
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		c.Layers[id] = n
	}
	return ids, nil
}

// baseLayers returns the diff IDs of the base image's layers.
func (c *sizeCache) baseLayers(ctx context.Context, client *dagger.Client, base, tmp string) ([]string, error) {
	from := client.Container().From(base)
	ref, err := from.ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("resolving the base image %s: %w", base, err)
	}
	if ids, ok := c.Bases[ref]; ok {
		return ids, nil
	}
	defer os.Remove(tmp)
	if _, err := from.Export(ctx, tmp); err != nil {
		return nil, fmt.Errorf("exporting the base image %s: %w", base, err)
	}
	img, err := tarball.ImageFromPath(tmp, nil)
	if err != nil {
		return nil, err
	}
	ids, err := c.layerSizes(img)
	if err != nil {
		return nil, err
	}
	c.Bases[ref] = ids
	return ids, nil
}

// builderSize is the builder's file system after install, as du sees it (cache volumes
// are other file systems and do not count).
func builderSize(ctx context.Context, builder *dagger.Container) (int64, error) {
	out, err := builder.WithExec([]string{"du", "-sxb", "/"}).Stdout(ctx)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return 0, fmt.Errorf("du printed nothing")
	}
	return strconv.ParseInt(f[0], 10, 64)
}
