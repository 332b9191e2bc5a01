package pipeline

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"dagger.io/dagger"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/repro"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Why the image leaves the engine before it is published: the engine writes into the
// image config the time each layer was made in its cache, and a description of each
// step, and Dagger v0.19.10 has no option to set them (its exporter is never given
// BuildKit's source-date-epoch; Directory.WithTimestamps fixes file times only, and
// adds a layer of its own). So the image is exported, normalised (repro.Normalize)
// and pushed from here.

// exportImage writes the container to path as an OCI tarball and reads it back.
func exportImage(ctx context.Context, ctr *dagger.Container, path string) (v1.Image, error) {
	if _, err := ctr.Export(ctx, path); err != nil {
		return nil, fmt.Errorf("exporting the image: %w", execDetail(err))
	}
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return img, nil
}

// reproducibleImage is the runtime image as published: exported, with its base's
// layers kept and the rest normalised to the inputs' source date. Its files live in
// work until the run ends. It returns the base's layers too, for measuring.
func reproducibleImage(ctx context.Context, client *dagger.Client, ctr *dagger.Container, env *spack.Environment, in *provenance.Inputs, work string) (v1.Image, []string, error) {
	raw, err := exportImage(ctx, ctr, filepath.Join(work, "engine-image.tar"))
	if err != nil {
		return nil, nil, err
	}
	baseIDs, err := baseLayerIDs(ctx, client, env.Images.Runtime, work)
	if err != nil {
		return nil, nil, err
	}
	shared, err := repro.SharedLayers(raw, baseIDs)
	if err != nil {
		return nil, nil, err
	}
	img, err := repro.Normalize(raw, repro.Recipe{
		Epoch: time.Unix(in.SourceDateEpoch, 0), BaseLayers: shared, Base: env.Images.Runtime,
		CreatedBy: "spack-ghcr: " + env.Name + " (" + in.Key + ")", Work: work,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("normalising the image: %w", err)
	}
	return img, baseIDs, nil
}

// removeStale drops a file an earlier run left that this one does not write.
func removeStale(path string) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		log.Printf("removing %s: %v", path, err)
	}
}
