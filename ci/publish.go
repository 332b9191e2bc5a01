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

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/sbom"
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
	created      time.Time
}

// imageCreated is the image's date: SOURCE_DATE_EPOCH when set, so that unchanged
// inputs give the same digest, else now.
func imageCreated() time.Time {
	if s, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		return time.Unix(s, 0).UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}

// imageLabels are the OCI labels of the runtime image: the standard ones, what it was
// built from, and the environment's own container.labels.
func imageLabels(in imageInfo) map[string]string {
	labels := map[string]string{
		"org.opencontainers.image.title":    in.env.Name,
		"org.opencontainers.image.created":  in.created.Format(time.RFC3339),
		"org.opencontainers.image.version":  imageVersion(in.lockfile, in.created),
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

// imageVersion is the root's version for a one-root environment, else the image's date.
func imageVersion(lf *spack.Lockfile, created time.Time) string {
	if roots := lf.RootSpecs(); len(roots) == 1 {
		return roots[0].Version
	}
	return created.Format("2006.01.02")
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

// publishInputs are what publishing one image takes.
type publishInputs struct {
	tarball   string // the image as Dagger exported it (an OCI layout tar)
	namespace string // -registry
	name      string // the environment
	tags      []string
	sbom      []byte
	created   time.Time
	opts      []registry.Option
}

// publish pushes the exported image by digest, then moves its tags (latest last), and
// attaches its SBOM. It returns the reference to print, REPO:latest@sha256:… (or
// REPO@sha256:… when pushed without tags).
func publish(ctx context.Context, in publishInputs) (string, error) {
	repo, err := registry.Repository(in.namespace, in.name)
	if err != nil {
		return "", err
	}
	img, closeImg, err := registry.OpenImage(in.tarball)
	if err != nil {
		return "", err
	}
	defer closeImg()
	pushed, err := registry.PushImage(ctx, repo, img, in.tags, in.opts...)
	if err != nil {
		return "", err
	}
	if len(in.sbom) > 0 {
		_, err := registry.Attach(ctx, pushed.Digest.String(), registry.Artifact{
			Type: sbom.MediaType, Data: in.sbom, Title: "sbom.spdx.json",
			Annotations: map[string]string{"org.opencontainers.image.created": in.created.Format(time.RFC3339)},
		}, in.opts...)
		if err != nil {
			return "", fmt.Errorf("attaching the SBOM to %s: %w", pushed.Digest, err)
		}
	}
	if len(in.tags) == 0 {
		return pushed.Digest.String(), nil
	}
	return fmt.Sprintf("%s:%s@%s", repo, in.tags[0], pushed.Digest.DigestStr()), nil
}
