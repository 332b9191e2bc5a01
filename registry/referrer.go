package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// MaxArtifactBytes bounds an artifact read back with FetchArtifact.
const MaxArtifactBytes = 64 << 20

// Artifact is a file to attach to an image, such as its SBOM.
type Artifact struct {
	// Type is both the artifactType and the media type of the one layer, e.g.
	// "application/spdx+json".
	Type string
	// Data is the file.
	Data []byte
	// Title names the file (org.opencontainers.image.title of the layer), e.g.
	// "sbom.spdx.json".
	Title string
	// Annotations of the artifact manifest. Give fixed values (no "now"), so the same
	// file attached to the same image gives the same artifact digest.
	Annotations map[string]string
}

// Attach pushes a as an OCI 1.1 artifact whose subject is the image or index at
// subject (REPO@sha256:…), in the same repository, and returns the artifact by digest.
// A registry without the referrers API gets the referrers tag (sha256-DIGEST) instead,
// as the distribution spec says. Attaching the same artifact twice changes nothing.
func Attach(ctx context.Context, subject string, a Artifact, opts ...Option) (name.Digest, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return name.Digest{}, err
	}
	if a.Type == "" || len(a.Data) == 0 {
		return name.Digest{}, fmt.Errorf("attaching to %s: an artifact needs a type and data", subject)
	}
	sub, err := parseDigest("subject", subject, o)
	if err != nil {
		return name.Digest{}, err
	}
	s := newSession(ctx, o)
	subDesc, err := remote.Head(sub, s.remote...)
	if err != nil {
		return name.Digest{}, s.fail("reading", sub, err)
	}
	img, err := newArtifactImage(a, v1.Descriptor{MediaType: subDesc.MediaType, Size: subDesc.Size, Digest: subDesc.Digest})
	if err != nil {
		return name.Digest{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	ref := sub.Context().Digest(d.String())
	if err := remote.Write(ref, img, s.remote...); err != nil {
		return name.Digest{}, s.fail("attaching", ref, err)
	}
	return ref, nil
}

// Referrers lists the artifacts of type artifactType ("" for all) attached to subject
// (REPO@sha256:…), sorted by digest.
func Referrers(ctx context.Context, subject, artifactType string, opts ...Option) ([]v1.Descriptor, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	sub, err := parseDigest("subject", subject, o)
	if err != nil {
		return nil, err
	}
	s := newSession(ctx, o)
	idx, err := remote.Referrers(sub, s.remote...)
	if err != nil {
		return nil, s.fail("listing referrers of", sub, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, s.fail("listing referrers of", sub, err)
	}
	var out []v1.Descriptor
	for _, desc := range m.Manifests {
		if desc.ArtifactType == string(types.OCIEmptyJSON) {
			// Registries written to drafts of the referrers API (go-containerregistry's
			// own among them) report the config's media type even when the manifest
			// names its artifactType: read it from the manifest.
			if desc.ArtifactType, err = manifestArtifactType(sub.Context().Digest(desc.Digest.String()), s); err != nil {
				return nil, err
			}
		}
		if artifactType == "" || desc.ArtifactType == artifactType {
			out = append(out, desc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Digest.String() < out[j].Digest.String() })
	return out, nil
}

func manifestArtifactType(ref name.Digest, s *session) (string, error) {
	desc, err := remote.Get(ref, s.remote...)
	if err != nil {
		return "", s.fail("reading", ref, err)
	}
	var m struct {
		ArtifactType string `json:"artifactType"`
		Config       struct {
			MediaType string `json:"mediaType"`
		} `json:"config"`
	}
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		return "", fmt.Errorf("reading %s: %w", ref, err)
	}
	if m.ArtifactType != "" {
		return m.ArtifactType, nil
	}
	return m.Config.MediaType, nil
}

// FetchArtifact reads back the file of an artifact attached with Attach, given by
// digest (REPO@sha256:…).
func FetchArtifact(ctx context.Context, ref string, opts ...Option) ([]byte, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	d, err := parseDigest("artifact", ref, o)
	if err != nil {
		return nil, err
	}
	s := newSession(ctx, o)
	img, err := remote.Image(d, s.remote...)
	if err != nil {
		return nil, s.fail("reading", d, err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, s.fail("reading", d, err)
	}
	if len(layers) != 1 {
		return nil, fmt.Errorf("artifact %s has %d files, want 1", d, len(layers))
	}
	rc, err := layers[0].Compressed()
	if err != nil {
		return nil, s.fail("reading", d, err)
	}
	defer rc.Close()
	data, err := readLimited(rc, MaxArtifactBytes, "artifact "+d.String())
	if err != nil {
		return nil, s.fail("reading", d, err)
	}
	return data, nil
}

// emptyConfig is the OCI empty descriptor's content: an artifact has no config.
var emptyConfig = []byte("{}")

// artifactImage is an artifact manifest as partial.CompressedImageCore, so remote.Write
// can push it like any image.
type artifactImage struct {
	manifest []byte
	layer    v1.Layer
}

func newArtifactImage(a Artifact, subject v1.Descriptor) (v1.Image, error) {
	layer := static.NewLayer(a.Data, types.MediaType(a.Type))
	ld, err := layer.Digest()
	if err != nil {
		return nil, err
	}
	cd, _, err := v1.SHA256(bytes.NewReader(emptyConfig))
	if err != nil {
		return nil, err
	}
	layerDesc := v1.Descriptor{MediaType: types.MediaType(a.Type), Size: int64(len(a.Data)), Digest: ld}
	if a.Title != "" {
		layerDesc.Annotations = map[string]string{"org.opencontainers.image.title": a.Title}
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  a.Type,
		Config:        v1.Descriptor{MediaType: types.OCIEmptyJSON, Size: int64(len(emptyConfig)), Digest: cd, Data: emptyConfig},
		Layers:        []v1.Descriptor{layerDesc},
		Subject:       &subject,
		Annotations:   a.Annotations,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&artifactImage{manifest: raw, layer: layer})
}

func (a *artifactImage) RawConfigFile() ([]byte, error)      { return emptyConfig, nil }
func (a *artifactImage) RawManifest() ([]byte, error)        { return a.manifest, nil }
func (a *artifactImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func (a *artifactImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, err := a.layer.Digest(); err == nil && d == h {
		return a.layer, nil
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}
