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
	"os"
	"path/filepath"
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
	// Work is a directory for the rewritten layers; they must outlive the image
	// returned, which reads them.
	Work string
}

// Normalize returns img with the layers above the base rewritten (every file time
// set to the epoch, owner names and access and change times dropped, gzip without
// a name or time in its header), the history rebuilt from the recipe, and the
// config's dates set to the epoch. The manifest and config are OCI's. The same files
// and config in give the same digest out.
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
	out := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	adds := make([]mutate.Addendum, 0, len(layers))
	for i, l := range layers {
		h := v1.History{Created: epoch, CreatedBy: r.CreatedBy}
		if i < r.BaseLayers {
			h.CreatedBy = "base image " + r.Base
			mt, err := ociMediaType(l)
			if err != nil {
				return nil, fmt.Errorf("layer %d: %w", i, err)
			}
			adds = append(adds, mutate.Addendum{Layer: l, History: h, MediaType: mt})
			continue
		}
		nl, err := rewriteLayer(l, r.Epoch, filepath.Join(r.Work, fmt.Sprintf("layer-%d.tar.gz", i)))
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		adds = append(adds, mutate.Addendum{Layer: nl, History: h, MediaType: types.OCILayer})
	}
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

// rewriteLayer writes l's files with fixed times to path, gzipped, and returns the
// layer read from there.
func rewriteLayer(l v1.Layer, epoch time.Time, path string) (v1.Layer, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	zw := gzip.NewWriter(f) // no name and a zero time in the header
	err = rewriteTar(rc, zw, epoch)
	err = errors.Join(err, zw.Close(), f.Close())
	if err != nil {
		return nil, fmt.Errorf("rewriting to %s: %w", path, err)
	}
	return tarball.LayerFromFile(path, tarball.WithMediaType(types.OCILayer))
}

// rewriteTar copies a layer's tar stream in the same order with fixed times. It keeps
// what the files are (mode, owner ids, link targets, extended attributes, which
// carry file capabilities) and drops what only says when or by whom they were made.
func rewriteTar(r io.Reader, w io.Writer, epoch time.Time) error {
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		nh := &tar.Header{
			Typeflag: hdr.Typeflag, Name: hdr.Name, Linkname: hdr.Linkname, Size: hdr.Size,
			Mode: hdr.Mode, Uid: hdr.Uid, Gid: hdr.Gid, Devmajor: hdr.Devmajor, Devminor: hdr.Devminor,
			ModTime: epoch.UTC(), PAXRecords: xattrs(hdr.PAXRecords),
		}
		if err := tw.WriteHeader(nh); err != nil {
			return fmt.Errorf("%s: %w", hdr.Name, err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return fmt.Errorf("%s: %w", hdr.Name, err)
		}
	}
	return tw.Close()
}

// xattrs keeps the extended attributes of PAX records, nil when there are none.
func xattrs(pax map[string]string) map[string]string {
	var out map[string]string
	for k, v := range pax {
		if strings.HasPrefix(k, "SCHILY.xattr.") {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}
