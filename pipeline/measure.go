package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dagger.io/dagger"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// baseLayerIDs are the diff IDs of the base image's layers, none for scratch. They
// are remembered across runs, so that a rerun does not read the base again.
func baseLayerIDs(ctx context.Context, client *dagger.Client, base, work string) ([]string, error) {
	if base == spack.Scratch {
		return nil, nil
	}
	cache := slim.LoadLayerCache()
	defer cache.Save()
	return baseLayers(ctx, client, cache, base, filepath.Join(work, "base.tar"))
}

// baseLayers returns the diff IDs of the base image's layers.
func baseLayers(ctx context.Context, client *dagger.Client, cache *slim.LayerCache, base, tmp string) ([]string, error) {
	from := client.Container().From(base)
	ref, err := from.ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("resolving the base image %s: %w", base, err)
	}
	if ids, ok := cache.Bases[ref]; ok {
		return ids, nil
	}
	defer os.Remove(tmp)
	if _, err := from.Export(ctx, tmp); err != nil {
		return nil, fmt.Errorf("exporting the base image %s: %w", base, err)
	}
	img, err := tarball.ImageFromPath(tmp, nil)
	if err != nil {
		return nil, err
	}
	ids, err := cache.LayerIDs(img)
	if err != nil {
		return nil, err
	}
	cache.Bases[ref] = ids
	return ids, nil
}

// builderSize is the builder's file system after install, as du sees it (cache volumes
// are other file systems and do not count).
func builderSize(ctx context.Context, builder *dagger.Container) (int64, error) {
	out, err := builder.WithExec([]string{"du", "-sxb", "/"}).Stdout(ctx)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return 0, fmt.Errorf("du printed nothing")
	}
	return strconv.ParseInt(f[0], 10, 64)
}
