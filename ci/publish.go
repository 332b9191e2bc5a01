package main

import (
	"context"
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
// sizes; the payload is what the image adds to its base.
func measureImage(ctx context.Context, client *dagger.Client, ctr *dagger.Container, base, tarPath string) (imageSizes, error) {
	var s imageSizes
	if _, err := ctr.Export(ctx, tarPath); err != nil {
		return s, fmt.Errorf("exporting the image: %w", err)
	}
	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		return s, fmt.Errorf("reading %s: %w", tarPath, err)
	}
	sizes, err := layerSizes(img)
	if err != nil {
		return s, err
	}
	s.layers = len(sizes)
	baseLayers := map[v1.Hash]bool{}
	if base != scratch {
		basePath := filepath.Join(filepath.Dir(tarPath), ".base.tar")
		defer os.Remove(basePath)
		if _, err := client.Container().From(base).Export(ctx, basePath); err != nil {
			return s, fmt.Errorf("exporting the base image %s: %w", base, err)
		}
		bimg, err := tarball.ImageFromPath(basePath, nil)
		if err != nil {
			return s, err
		}
		bsizes, err := layerSizes(bimg)
		if err != nil {
			return s, err
		}
		for h := range bsizes {
			baseLayers[h] = true
		}
	}
	for h, n := range sizes {
		s.total += n
		if !baseLayers[h] {
			s.payload += n
		}
	}
	return s, nil
}

// layerSizes maps each layer's diff ID to its uncompressed size.
func layerSizes(img v1.Image) (map[v1.Hash]int64, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	out := map[v1.Hash]int64{}
	for _, l := range layers {
		id, err := l.DiffID()
		if err != nil {
			return nil, err
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
		out[id] = n
	}
	return out, nil
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
