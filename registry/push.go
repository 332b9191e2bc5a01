package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Pushed is what a push left in the registry.
type Pushed struct {
	// Digest is the pushed image or index, by digest: REPO@sha256:….
	Digest name.Digest
	// Tags now point at Digest, in the order they were moved (latest last).
	Tags []name.Tag
	Stats
}

// PushImage pushes img to repo (REGISTRY/NAMESPACE/NAME) by digest, then moves tags to
// it, latest last. A rerun after any failure is safe: blobs already there are skipped and
// the tags are moved again. The image is checked against the limits first (GHCRLimits
// unless WithLimits says otherwise).
func PushImage(ctx context.Context, repo string, img v1.Image, tags []string, opts ...Option) (*Pushed, error) {
	return push(ctx, repo, tags, opts, pushable{
		Taggable: img,
		digest:   img.Digest,
		check:    func(l Limits) error { return CheckLimits(img, l) },
		write:    func(ref name.Digest, o []remote.Option) error { return remote.Write(ref, img, o...) },
	})
}

// PushIndex pushes an image index and the images in it by digest, then moves tags to
// it, latest last, as PushImage does. Each image is checked against the limits.
func PushIndex(ctx context.Context, repo string, idx v1.ImageIndex, tags []string, opts ...Option) (*Pushed, error) {
	return push(ctx, repo, tags, opts, pushable{
		Taggable: idx,
		digest:   idx.Digest,
		check:    func(l Limits) error { return checkIndexLimits(idx, l) },
		write:    func(ref name.Digest, o []remote.Option) error { return remote.WriteIndex(ref, idx, o...) },
	})
}

// pushable is an image or an index, as push needs it.
type pushable struct {
	remote.Taggable
	digest func() (v1.Hash, error)
	check  func(Limits) error
	write  func(name.Digest, []remote.Option) error
}

func push(ctx context.Context, repo string, tags []string, opts []Option, p pushable) (*Pushed, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	r, err := parseRepo(repo, o)
	if err != nil {
		return nil, err
	}
	tagRefs, err := orderTags(r, tags, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	if err := p.check(o.limits); err != nil {
		return nil, fmt.Errorf("%s: %w: nothing pushed", r, err)
	}
	d, err := p.digest()
	if err != nil {
		return nil, fmt.Errorf("%s: computing the digest: %w", r, err)
	}
	s := newSession(ctx, o)
	ref := r.Digest(d.String())
	if err := p.write(ref, s.remote); err != nil {
		return nil, s.fail("pushing", ref, err)
	}
	return s.moveTags(ref, p.Taggable, tagRefs)
}

func checkIndexLimits(idx v1.ImageIndex, l Limits) error {
	m, err := idx.IndexManifest()
	if err != nil {
		return fmt.Errorf("reading the index: %w", err)
	}
	for _, desc := range m.Manifests {
		if !desc.MediaType.IsImage() {
			continue
		}
		img, err := idx.Image(desc.Digest)
		if err != nil {
			return fmt.Errorf("reading image %s of the index: %w", desc.Digest, err)
		}
		if err := CheckLimits(img, l); err != nil {
			return fmt.Errorf("image %s: %w", desc.Digest, err)
		}
	}
	return nil
}

// moveTags points each tag at ref's manifest, in order, and stops at the first failure.
func (s *session) moveTags(ref name.Digest, t remote.Taggable, tags []name.Tag) (*Pushed, error) {
	p := &Pushed{Digest: ref}
	for i, tag := range tags {
		if err := remote.Tag(tag, t, s.remote...); err != nil {
			return nil, &TagError{
				Digest: ref, Failed: tag, Moved: p.Tags,
				Unmoved: s.whereTagsPoint(tags[i:]),
				Err:     s.fail("tagging", tag, err),
			}
		}
		p.Tags = append(p.Tags, tag)
	}
	p.Stats = s.stats()
	return p, nil
}

// TagError is a push whose image or index arrived by digest but whose tags did not all
// move. Its message says where every tag points now, so that nobody has to guess what
// `latest` serves; a rerun moves the rest.
type TagError struct {
	// Digest is the pushed image or index.
	Digest name.Digest
	// Failed is the tag that could not be moved.
	Failed name.Tag
	// Moved are the tags that point at Digest now.
	Moved []name.Tag
	// Unmoved are the tags not moved (Failed among them) and what each points at as far
	// as the registry said: a digest, "nothing" when the tag does not exist, or
	// "unknown".
	Unmoved []TagTarget
	Err     error
}

// TagTarget is where a tag points.
type TagTarget struct {
	Tag    name.Tag
	Target string
}

func (e *TagError) Error() string {
	var where []string
	for _, t := range e.Moved {
		where = append(where, t.TagStr()+" → "+e.Digest.DigestStr())
	}
	for _, t := range e.Unmoved {
		where = append(where, t.Tag.TagStr()+" → "+t.Target)
	}
	return fmt.Sprintf("%v; %s was pushed, but tags now point: %s", e.Err, e.Digest, strings.Join(where, ", "))
}

func (e *TagError) Unwrap() error { return e.Err }

// whereTagsPoint asks the registry once per tag, without retries: the registry just
// failed, and the answer only completes an error message.
func (s *session) whereTagsPoint(tags []name.Tag) []TagTarget {
	opts := append(append([]remote.Option{}, s.remote...), remote.WithRetryBackoff(remote.Backoff{Steps: 1}))
	out := make([]TagTarget, 0, len(tags))
	for _, tag := range tags {
		target := "unknown"
		desc, err := remote.Head(tag, opts...)
		switch {
		case err == nil:
			target = desc.Digest.String()
		case isNotFound(err):
			target = "nothing"
		}
		out = append(out, TagTarget{Tag: tag, Target: target})
	}
	return out
}
