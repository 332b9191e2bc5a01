// Package repro makes a container image a function of its inputs, and compares two
// images file by file.
//
// An image as the engine exports it carries the time each layer was made in the
// engine's cache (config "created", history), a description of each step (which may
// name temporary host paths) and file times from the build. Normalize rewrites those
// from a fixed date, so that the same files give the same digest on any machine;
// Compare says where two images differ.
package repro

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Recipe is how an image is normalised.
type Recipe struct {
	// Epoch is the date every file, history entry and the image itself get: the
	// source's date (SOURCE_DATE_EPOCH), never the build's.
	Epoch time.Time
	// BaseLayers is how many of the image's first layers come from its base image;
	// they are kept byte for byte, so that they stay shared with the base in a
	// registry.
	BaseLayers int
	// Base names the base image in the history ("" for none).
	Base string
	// CreatedBy describes the layers on top of the base in the history.
	CreatedBy string
	// Work is a directory for the squashed layer; it must outlive the image
	// returned, which reads it.
	Work string
}

// Normalize returns img with the layers above the base squashed into one: the file
// system they leave, entries in path order, every time the epoch, owners by number
// only, gzip without a name or time in its header. The history is rebuilt from the
// recipe and the config's dates are the epoch; manifest and config are OCI's. So the
// same files and config give the same digest, however the engine split them into
// layers.
func Normalize(img v1.Image, r Recipe) (v1.Image, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	if r.BaseLayers < 0 || r.BaseLayers > len(layers) {
		return nil, fmt.Errorf("base has %d layers, the image only %d", r.BaseLayers, len(layers))
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	epoch := v1.Time{Time: r.Epoch.UTC()}
	adds := make([]mutate.Addendum, 0, r.BaseLayers+1)
	for i, l := range layers[:r.BaseLayers] {
		mt, err := ociMediaType(l)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: mt, History: v1.History{Created: epoch, CreatedBy: "base image " + r.Base}})
	}
	if len(layers) > r.BaseLayers {
		l, err := squash(layers[r.BaseLayers:], r.Epoch, filepath.Join(r.Work, "layer.tar.gz"))
		if err != nil {
			return nil, fmt.Errorf("squashing the layers above the base: %w", err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: types.OCILayer, History: v1.History{Created: epoch, CreatedBy: r.CreatedBy}})
	}
	out := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if out, err = mutate.Append(out, adds...); err != nil {
		return nil, err
	}
	ncf, err := out.ConfigFile()
	if err != nil {
		return nil, err
	}
	ncf = ncf.DeepCopy()
	ncf.Architecture, ncf.OS, ncf.OSVersion, ncf.Variant = cf.Architecture, cf.OS, cf.OSVersion, cf.Variant
	ncf.Config = cf.Config
	ncf.Created = epoch
	return mutate.ConfigFile(out, ncf)
}

// SharedLayers counts img's first layers that are the base's, whose diff IDs are
// baseIDs: the Recipe's BaseLayers.
func SharedLayers(img v1.Image, baseIDs []string) (int, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return 0, err
	}
	n := 0
	for n < min(len(baseIDs), len(cf.RootFS.DiffIDs)) && cf.RootFS.DiffIDs[n].String() == baseIDs[n] {
		n++
	}
	return n, nil
}

// ociMediaType is a layer's media type in OCI's terms: the engine's docker-format
// export and OCI's name the same gzip blob differently, and one manifest should not
// mix the two.
func ociMediaType(l v1.Layer) (types.MediaType, error) {
	mt, err := l.MediaType()
	if err != nil {
		return "", err
	}
	if mt == types.DockerLayer {
		return types.OCILayer, nil
	}
	return mt, nil
}

// squash writes the file system the layers leave, gzipped, to path, and returns the
// layer read from there. Whiteouts stay, for what the layers delete from the base.
func squash(layers []v1.Layer, epoch time.Time, path string) (v1.Layer, error) {
	spool, err := os.CreateTemp(filepath.Dir(path), "spool-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	t := newTree(spool)
	if err := t.apply(layers); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	zw := gzip.NewWriter(f) // no name and a zero time in the header
	err = writeTree(zw, t, epoch)
	if err = errors.Join(err, zw.Close(), f.Close()); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return tarball.LayerFromFile(path, tarball.WithMediaType(types.OCILayer))
}

// writeTree writes the tree as a tar stream in path order, every time the epoch.
func writeTree(w io.Writer, t *tree, epoch time.Time) error {
	tw := tar.NewWriter(w)
	for _, p := range slices.Sorted(maps.Keys(t.entries)) {
		e := t.entries[p]
		pax, err := paxXattrs(e.Xattrs)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		hdr := &tar.Header{
			Typeflag: e.Type, Name: strings.TrimPrefix(p, "/"), Linkname: e.Link, Mode: e.Mode,
			Uid: e.Uid, Gid: e.Gid, Devmajor: e.Devmajor, Devminor: e.Devminor, ModTime: epoch.UTC(), PAXRecords: pax,
		}
		switch e.Type {
		case tar.TypeDir:
			hdr.Name += "/"
		case tar.TypeReg:
			hdr.Size = e.Size
		case whiteout, opaque:
			dir, base := path.Split(strings.TrimSuffix(p, "/"))
			hdr.Typeflag, hdr.Mode, hdr.Name = tar.TypeReg, 0o644, strings.TrimPrefix(dir, "/")+".wh."+base
			if e.Type == opaque {
				hdr.Name = strings.TrimPrefix(p, "/") + ".wh..wh..opq"
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if e.Type == tar.TypeReg {
			if _, err := io.Copy(tw, io.NewSectionReader(t.spool, t.offset[p], e.Size)); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return tw.Close()
}
