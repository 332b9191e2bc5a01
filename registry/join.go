package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// GroupByRepository sorts image references by digest (REPO@sha256:…) by the repository
// they are in, one index each, dropping repeats. An error quotes the first reference
// that is not by digest.
func GroupByRepository(refs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, ref := range refs {
		d, err := name.NewDigest(ref, name.StrictValidation)
		if err != nil {
			return nil, fmt.Errorf("%q is not REPOSITORY@sha256:DIGEST", ref)
		}
		repo := d.Context().String()
		if !slices.Contains(out[repo], ref) {
			out[repo] = append(out[repo], ref)
		}
	}
	return out, nil
}

// CheckPlatforms says which of want (e.g. linux/amd64) the images lack, or which they
// hold beyond it; an empty want takes any. A missing platform is most often a build
// that failed on that architecture, so nothing should be tagged.
func CheckPlatforms(images []v1.Image, want []string) error {
	if len(want) == 0 {
		return nil
	}
	var have []string
	for _, img := range images {
		cfg, err := img.ConfigFile()
		if err != nil {
			return fmt.Errorf("reading an image config: %w", err)
		}
		if p := cfg.Platform(); p != nil {
			have = append(have, p.String())
		}
	}
	var missing, extra []string
	for _, p := range want {
		if !slices.Contains(have, p) {
			missing = append(missing, p)
		}
	}
	for _, p := range have {
		if !slices.Contains(want, p) {
			extra = append(extra, p)
		}
	}
	switch {
	case len(missing) > 0:
		return fmt.Errorf("no image for %s (its build failed?): nothing tagged", strings.Join(missing, ", "))
	case len(extra) > 0:
		return fmt.Errorf("images for %s, which -platforms does not name: nothing tagged", strings.Join(extra, ", "))
	}
	return nil
}

// PushJoined joins images one repository holds by digest (REPO@sha256:…, as
// per-architecture builds push them) into one index, pushes it by digest and moves
// tags to it, latest last. The images must be of exactly platforms, unless that is
// empty; without tags, the images' CommonTags are used.
func PushJoined(ctx context.Context, refs, tags, platforms []string, opts ...Option) (*Pushed, error) {
	images, repo, err := RemoteImages(ctx, refs, opts...)
	if err != nil {
		return nil, err
	}
	if err := CheckPlatforms(images, platforms); err != nil {
		return nil, fmt.Errorf("%s: %w", repo, err)
	}
	if len(tags) == 0 {
		if tags, err = CommonTags(images); err != nil {
			return nil, fmt.Errorf("%s: %w", repo, err)
		}
	}
	idx, err := Index(images)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", repo, err)
	}
	return PushIndex(ctx, repo, idx, tags, opts...)
}
