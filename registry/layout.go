package registry

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxManifestBytes bounds the small JSON files of a layout (index, manifest, config)
// read into memory.
const maxManifestBytes = 4 << 20

// OpenImage opens the one image of an OCI image layout: a directory, or a tar file as
// Dagger's Container.Export writes it. The image is read as it was built, byte for byte,
// so it keeps its digest when pushed. Its blobs are read from the file when needed: call
// close when done with the image.
func OpenImage(layoutPath string) (img v1.Image, close func() error, err error) {
	var src blobSource
	if fi, err := os.Stat(layoutPath); err != nil {
		return nil, nil, fmt.Errorf("opening image layout: %w", err)
	} else if fi.IsDir() {
		src = dirSource(layoutPath)
	} else if src, err = openTarSource(layoutPath); err != nil {
		return nil, nil, err
	}
	img, err = imageFromSource(src)
	if err != nil {
		src.Close()
		return nil, nil, fmt.Errorf("%s: %w", layoutPath, err)
	}
	return img, src.Close, nil
}

func imageFromSource(src blobSource) (v1.Image, error) {
	raw, err := readSmall(src, "index.json")
	if err != nil {
		return nil, err
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	if len(idx.Manifests) != 1 {
		return nil, fmt.Errorf("index.json lists %d manifests, want the one image", len(idx.Manifests))
	}
	desc := idx.Manifests[0]
	if !desc.MediaType.IsImage() {
		return nil, fmt.Errorf("index.json lists a %s, want an image manifest", desc.MediaType)
	}
	manifest, err := readBlob(src, desc.Digest)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(manifest))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	config, err := readBlob(src, m.Config.Digest)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&layoutImage{src: src, manifest: manifest, config: config, mediaType: desc.MediaType, layers: m.Layers})
}

// layoutImage is partial.CompressedImageCore over a layout's blobs.
type layoutImage struct {
	src       blobSource
	manifest  []byte
	config    []byte
	mediaType types.MediaType
	layers    []v1.Descriptor
}

func (i *layoutImage) RawConfigFile() ([]byte, error)      { return i.config, nil }
func (i *layoutImage) RawManifest() ([]byte, error)        { return i.manifest, nil }
func (i *layoutImage) MediaType() (types.MediaType, error) { return i.mediaType, nil }

func (i *layoutImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range i.layers {
		if d.Digest == h {
			return &layoutBlob{src: i.src, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("layer %s is not in the manifest", h)
}

type layoutBlob struct {
	src  blobSource
	desc v1.Descriptor
}

func (b *layoutBlob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *layoutBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *layoutBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }
func (b *layoutBlob) Compressed() (io.ReadCloser, error)  { return b.src.Open(blobPath(b.desc.Digest)) }

// blobPath is where a layout keeps a blob. The digest was parsed by v1.NewHash, so its
// parts hold no path separators.
func blobPath(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }

func readBlob(src blobSource, h v1.Hash) ([]byte, error) {
	data, err := readSmall(src, blobPath(h))
	if err != nil {
		return nil, err
	}
	if got, _, err := v1.SHA256(bytes.NewReader(data)); err != nil || got != h {
		return nil, fmt.Errorf("blob %s does not match its digest", h)
	}
	return data, nil
}

func readSmall(src blobSource, name string) ([]byte, error) {
	rc, err := src.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readLimited(rc, maxManifestBytes, name)
}

// blobSource opens the files of a layout by their slash-separated names.
type blobSource interface {
	Open(name string) (io.ReadCloser, error)
	Close() error
}

type dirSource string

func (d dirSource) Open(name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("image layout: %w", err)
	}
	return f, nil
}

func (dirSource) Close() error { return nil }

// tarSource reads a layout inside a tar file: one pass notes where each file's bytes
// are, then each Open reads that section, so a large layer is never copied.
type tarSource struct {
	f     *os.File
	files map[string]tarEntry
}

type tarEntry struct{ offset, size int64 }

func openTarSource(p string) (*tarSource, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening image layout: %w", err)
	}
	s := &tarSource{f: f, files: map[string]tarEntry{}}
	// archive/tar reads headers straight from the file and seeks over contents, so
	// after Next the file offset is where the entry's bytes start.
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: not an image layout tar: %w", p, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		s.files[path.Clean(h.Name)] = tarEntry{offset: off, size: h.Size}
	}
	return s, nil
}

func (s *tarSource) Open(name string) (io.ReadCloser, error) {
	e, ok := s.files[name]
	if !ok {
		return nil, fmt.Errorf("image layout: no %s in the tar", name)
	}
	return io.NopCloser(io.NewSectionReader(s.f, e.offset, e.size)), nil
}

func (s *tarSource) Close() error { return s.f.Close() }
