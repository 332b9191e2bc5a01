package registry

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/spack-ghcr/spack-ghcr/provenance"
)

// Latest is the tag moved last, so that it never points at an image whose other tags
// failed to move.
const Latest = "latest"

// Repository joins a registry namespace (ghcr.io/OWNER) and an image name, lowercased:
// OCI repository names must be lowercase, while GitHub owners often are not
// (ghcr.io/MyOrg is the same namespace as ghcr.io/myorg).
func Repository(namespace, image string) (string, error) {
	ns := strings.TrimSuffix(strings.TrimSpace(namespace), "/")
	if ns == "" || image == "" {
		return "", fmt.Errorf("repository %q/%q: namespace and image name must both be given", namespace, image)
	}
	repo := strings.ToLower(ns + "/" + image)
	if _, err := name.NewRepository(repo, name.StrictValidation); err != nil {
		return "", fmt.Errorf("repository %q: %w", repo, err)
	}
	return repo, nil
}

// parseRepo reads a repository reference, lowercased for the same reason as Repository.
func parseRepo(repo string, o *options) (name.Repository, error) {
	r, err := name.NewRepository(strings.ToLower(repo), append(o.nameOptions(), name.StrictValidation)...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q: %w", repo, err)
	}
	return r, nil
}

// orderTags validates tags and orders them for moving: as given, without repeats, and
// latest last.
func orderTags(repo name.Repository, tags []string, o *options) ([]name.Tag, error) {
	var out []name.Tag
	seen := map[string]bool{}
	latest := false
	for _, t := range tags {
		if seen[t] {
			continue
		}
		seen[t] = true
		if t == Latest {
			latest = true
			continue
		}
		tag, err := name.NewTag(repo.String()+":"+t, append(o.nameOptions(), name.StrictValidation)...)
		if err != nil {
			return nil, fmt.Errorf("tag %q: %w", t, err)
		}
		out = append(out, tag)
	}
	if latest {
		out = append(out, repo.Tag(Latest))
	}
	return out, nil
}

// UsualTags are the tags an image gets (provenance.PublishTags), read from its labels:
// latest; the root's version when the environment has one root; and the short
// (7-character) source revision when known.
func UsualTags(labels map[string]string) []string {
	var version string
	if roots := strings.Fields(labels[provenance.LabelRoots]); len(roots) == 1 {
		version = labels[provenance.LabelVersion]
	}
	return provenance.PublishTags(version, labels[provenance.LabelRevision])
}
