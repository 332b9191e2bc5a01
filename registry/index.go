package registry

import (
	"context"
	"fmt"
	"slices"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Index joins single-platform images into one OCI image index, each entry carrying the
// platform its config names. Entries are sorted by platform, so the same images give the
// same index digest whatever order the per-architecture jobs finished in.
func Index(images []v1.Image) (v1.ImageIndex, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("an index needs at least one image")
	}
	type entry struct {
		img      v1.Image
		platform v1.Platform
	}
	entries := make([]entry, 0, len(images))
	seen := map[string]v1.Hash{}
	for _, img := range images {
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading the config of %s: %w", d, err)
		}
		p := cfg.Platform()
		if p == nil || p.OS == "" || p.Architecture == "" {
			return nil, fmt.Errorf("image %s names no platform (os and architecture) in its config", d)
		}
		if other, dup := seen[p.String()]; dup {
			return nil, fmt.Errorf("images %s and %s are both %s", other, d, p)
		}
		seen[p.String()] = d
		entries = append(entries, entry{img, *p})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].platform.String() < entries[j].platform.String() })
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, e := range entries {
		mt, err := e.img.MediaType()
		if err != nil {
			return nil, err
		}
		p := e.platform
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        e.img,
			Descriptor: v1.Descriptor{MediaType: mt, Platform: &p},
		})
	}
	return idx, nil
}

// RemoteImages reads images pushed by digest (REPO@sha256:…), all from one repository,
// as the per-architecture build jobs leave them. It returns the images and their
// repository.
func RemoteImages(ctx context.Context, refs []string, opts ...Option) ([]v1.Image, string, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, "", err
	}
	if len(refs) == 0 {
		return nil, "", fmt.Errorf("no images given")
	}
	s := newSession(ctx, o)
	var repo string
	images := make([]v1.Image, 0, len(refs))
	for _, ref := range refs {
		d, err := parseDigest("image", ref, o)
		if err != nil {
			return nil, "", err
		}
		if repo == "" {
			repo = d.Context().String()
		} else if d.Context().String() != repo {
			return nil, "", fmt.Errorf("image %q is not in %s: an index joins images of one repository", ref, repo)
		}
		desc, err := remote.Get(d, s.remote...)
		if err != nil {
			return nil, "", s.fail("reading", d, err)
		}
		if !desc.MediaType.IsImage() {
			return nil, "", fmt.Errorf("%s is a %s, want one platform's image", d, desc.MediaType)
		}
		img, err := desc.Image()
		if err != nil {
			return nil, "", s.fail("reading", d, err)
		}
		images = append(images, img)
	}
	return images, repo, nil
}

// CommonTags are the UsualTags of images that must agree on them (one build, several
// architectures): an error names the first image that differs.
func CommonTags(images []v1.Image) ([]string, error) {
	var want []string
	var first v1.Hash
	for i, img := range images {
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading an image config: %w", err)
		}
		tags := UsualTags(cfg.Config.Labels)
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		if i == 0 {
			want, first = tags, d
			continue
		}
		if !slices.Equal(tags, want) {
			return nil, fmt.Errorf("images %s and %s come from different builds: their labels give tags %v and %v", first, d, want, tags)
		}
	}
	return want, nil
}
