package repro

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// WriteTar writes img to path as the engine exports images: an OCI image layout
// (oci-layout, index.json, blobs/sha256/…) that also holds docker's manifest.json, so
// that both `docker load` and OCI tools read it. Entries come in a fixed order with
// fixed times, so the same image gives the same file.
func WriteTar(path string, img v1.Image) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	tw := tar.NewWriter(f)
	w := &layoutWriter{tw: tw, seen: map[v1.Hash]bool{}}
	if err := w.image(img); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return tw.Close()
}

type layoutWriter struct {
	tw   *tar.Writer
	seen map[v1.Hash]bool
}

func (w *layoutWriter) image(img v1.Image) error {
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
	}
	manifest, err := img.RawManifest()
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	configName, err := img.ConfigName()
	if err != nil {
		return err
	}
	if err := w.blob(digest, manifest); err != nil {
		return err
	}
	if err := w.blob(configName, config); err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	var layerPaths []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		layerPaths = append(layerPaths, "blobs/sha256/"+d.Hex)
		if err := w.layer(d, l); err != nil {
			return err
		}
	}
	return w.indexes(img, digest, len(manifest), configName, layerPaths)
}

// indexes writes index.json, manifest.json and oci-layout.
func (w *layoutWriter) indexes(img v1.Image, digest v1.Hash, size int, config v1.Hash, layers []string) error {
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	index, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2, MediaType: types.OCIImageIndex,
		Manifests: []v1.Descriptor{{MediaType: mt, Digest: digest, Size: int64(size), Platform: cf.Platform()}},
	})
	if err != nil {
		return err
	}
	docker, err := json.Marshal([]struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: "blobs/sha256/" + config.Hex, Layers: layers}})
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"index.json", index}, {"manifest.json", docker}, {"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)}} {
		if err := w.file(f.name, 0o644, f.data); err != nil {
			return err
		}
	}
	return nil
}

func (w *layoutWriter) blob(h v1.Hash, data []byte) error {
	if w.seen[h] {
		return nil
	}
	w.seen[h] = true
	return w.file("blobs/sha256/"+h.Hex, 0o444, data)
}

func (w *layoutWriter) layer(h v1.Hash, l v1.Layer) error {
	if w.seen[h] {
		return nil
	}
	w.seen[h] = true
	size, err := l.Size()
	if err != nil {
		return err
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "blobs/sha256/" + h.Hex, Mode: 0o444, Size: size, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	_, err = io.Copy(w.tw, rc)
	return err
}

func (w *layoutWriter) file(name string, mode int64, data []byte) error {
	if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}
