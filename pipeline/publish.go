package pipeline

import (
	"context"
	"fmt"
	"time"

	"dagger.io/dagger"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/sbom"
)

// withLabels labels the image, skipping empty values, in key order.
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

// publishInputs are what publishing one image takes.
type publishInputs struct {
	image     v1.Image // as made reproducible, not as the engine exported it
	namespace string   // --registry
	name      string   // the environment
	tags      []string
	sbom      []byte
	created   time.Time
	opts      []registry.Option
}

// publish pushes the image by digest, then moves its tags (latest last), and attaches
// its SBOM. It returns the reference to print, REPO:TAG@sha256:… (or REPO@sha256:…
// when pushed without tags).
func publish(ctx context.Context, in publishInputs) (string, error) {
	repo, err := registry.Repository(in.namespace, in.name)
	if err != nil {
		return "", err
	}
	pushed, err := registry.PushImage(ctx, repo, in.image, in.tags, in.opts...)
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
