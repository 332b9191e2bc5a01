package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

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
func reproducibleImage(ctx context.Context, client *dagger.Client, ctr *dagger.Container, env *spack.Environment, in *buildInputs, work string) (v1.Image, []string, error) {
	raw, err := exportImage(ctx, ctr, filepath.Join(work, "engine-image.tar"))
	if err != nil {
		return nil, nil, err
	}
	baseIDs, err := baseLayerIDs(ctx, client, env.Images.Runtime, work)
	if err != nil {
		return nil, nil, err
	}
	shared, err := sharedLayers(raw, baseIDs)
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

// sharedLayers counts the image's first layers that are the base's.
func sharedLayers(img v1.Image, baseIDs []string) (int, error) {
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

// pushImage pushes the image by digest, then points each tag at it, latest last, so
// that no tag ever names an image whose blobs are not all there. It returns the first
// tag's reference with the digest.
//
// It stands in for the registry package's push by digest (being written): Dagger's
// Publish cannot push an image made outside the engine without rewriting its config.
func pushImage(ctx context.Context, img v1.Image, registry, image string, tags []string, opts ...remote.Option) (string, error) {
	repo := strings.TrimSuffix(registry, "/") + "/" + image
	digest, err := img.Digest()
	if err != nil {
		return "", err
	}
	opts = append(opts, remote.WithContext(ctx))
	byDigest, err := name.NewDigest(repo + "@" + digest.String())
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", repo, err)
	}
	if err := remote.Write(byDigest, img, opts...); err != nil {
		return "", fmt.Errorf("publishing %s: %w", byDigest, err)
	}
	ordered := slices.Clone(tags)
	slices.SortStableFunc(ordered, func(a, b string) int { return cmp.Compare(boolInt(a == "latest"), boolInt(b == "latest")) })
	for _, t := range ordered {
		tag, err := name.NewTag(repo + ":" + t)
		if err != nil {
			return "", fmt.Errorf("tag %q: %w", t, err)
		}
		if err := remote.Tag(tag, img, opts...); err != nil {
			return "", fmt.Errorf("tagging %s: %w", tag, err)
		}
	}
	return repo + ":" + tags[0] + "@" + digest.String(), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// registryAuth is how to log in to the registry: -registry-user with the password
// kept as a Dagger secret, else the docker credentials the engine would use too.
func registryAuth(ctx context.Context, cfg buildConfig, sh shared) (remote.Option, error) {
	if sh.auth == nil {
		return remote.WithAuthFromKeychain(authn.DefaultKeychain), nil
	}
	password, err := sh.auth.Plaintext(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the registry password: %w", err)
	}
	return remote.WithAuth(&authn.Basic{Username: cfg.registryUser, Password: password}), nil
}

// remoteImage reads an image from a registry, nil with no error when the reference
// names nothing there yet.
func remoteImage(ctx context.Context, ref string, opts ...remote.Option) (v1.Image, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	img, err := remote.Image(r, append(opts, remote.WithContext(ctx))...)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	return img, nil
}

// isNotFound reports a registry's answer that the repository or tag does not exist.
func isNotFound(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	return te.StatusCode == http.StatusNotFound || slices.ContainsFunc(te.Errors, func(d transport.Diagnostic) bool {
		return d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode
	})
}

// removeStale drops a file an earlier run left that this one does not write.
func removeStale(path string) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		log.Printf("removing %s: %v", path, err)
	}
}
