package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// containerizeStrip is the strip step of the Dockerfile `spack containerize` writes
// (see its template), applied to the install tree: a fixed script, no input in it.
const containerizeStrip = `find -L ` + InstallRoot + ` -type f -exec readlink -f '{}' \; | xargs -r file -i | grep 'charset=binary' | grep 'x-executable\|x-archive\|x-sharedlib' | awk -F: '{print $1}' | xargs -r strip || true`

// ContainerizeSize measures the `spack containerize`-style image of a build.
func ContainerizeSize(ctx context.Context, client *dagger.Client, r *Result) (slim.ImageSizes, error) {
	work, err := os.MkdirTemp("", "spack-ghcr-containerize-")
	if err != nil {
		return slim.ImageSizes{}, err
	}
	defer os.RemoveAll(work)
	img, err := exportImage(ctx, containerizeStyle(client, r.builder, r.installed, r.RuntimeImage), filepath.Join(work, "image.tar"))
	if err != nil {
		return slim.ImageSizes{}, fmt.Errorf("containerize-style image: %w", err)
	}
	baseIDs, err := baseLayerIDs(ctx, client, r.RuntimeImage, work)
	if err != nil {
		return slim.ImageSizes{}, err
	}
	sizes, err := slim.MeasureImage(img, baseIDs)
	if err != nil {
		return slim.ImageSizes{}, fmt.Errorf("containerize-style image: %w", err)
	}
	return sizes, nil
}

// containerizeStyle is what `spack containerize` ships for the same environment: the
// whole install tree after `spack gc`, stripped, on the same base.
func containerizeStyle(client *dagger.Client, b *Builder, installed *dagger.Container, base string) *dagger.Container {
	gc := installed.WithExec(b.envCmd("gc", "-y")).WithExec([]string{"sh", "-c", containerizeStrip})
	c := client.Container()
	if base != spack.Scratch {
		c = c.From(base)
	}
	return c.WithDirectory(InstallRoot, gc.Directory(InstallRoot)).WithDirectory(b.envDir, gc.Directory(b.envDir))
}
