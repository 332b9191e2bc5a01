package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// imageInfo is what an image's labels and tags say of its build.
type imageInfo struct {
	env          *spack.Environment
	lockfile     *spack.Lockfile
	target       string
	spackVersion string
	source       string // org.opencontainers.image.source
	revision     string // the commit built
}

// imageLabels are the OCI labels of the runtime image: the standard ones, what it was
// built from, and the environment's own container.labels.
func imageLabels(in imageInfo) map[string]string {
	created := time.Now().UTC()
	// A fixed date keeps the image digest reproducible for unchanged inputs.
	if s, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		created = time.Unix(s, 0).UTC()
	}
	labels := map[string]string{
		"org.opencontainers.image.title":    in.env.Name,
		"org.opencontainers.image.created":  created.Format(time.RFC3339),
		"org.opencontainers.image.version":  imageVersion(in.lockfile),
		"io.spack-ghcr.environment":         in.env.Name,
		"io.spack-ghcr.spack.version":       in.spackVersion,
		"io.spack-ghcr.target":              in.target,
		"io.spack-ghcr.roots":               strings.Join(rootIDs(in.lockfile), " "),
		"org.opencontainers.image.source":   in.source,
		"org.opencontainers.image.revision": in.revision,
	}
	maps.Copy(labels, in.env.Container.Labels)
	return labels
}

// rootIDs are the roots as name@version/hash.
func rootIDs(lf *spack.Lockfile) []string {
	var roots []string
	for _, r := range lf.RootSpecs() {
		roots = append(roots, r.Name+"@"+r.Version+"/"+r.Hash)
	}
	return roots
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
func imageTags(revision string, lf *spack.Lockfile) []string {
	tags := []string{"latest"}
	if roots := lf.RootSpecs(); len(roots) == 1 {
		tags = append(tags, roots[0].Version)
	}
	if len(revision) >= 7 {
		tags = append(tags, revision[:7])
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
