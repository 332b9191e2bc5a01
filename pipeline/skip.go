package pipeline

import (
	"context"
	"log"
	"path/filepath"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// upToDate reports whether the image these inputs make exists already: at the first
// tag in the registry when publishing, else from the last local build
// (OUT/ENV/build.json). Then the run says so and builds, tests and publishes nothing.
// It never skips with -force, or when an input could not be established (no key).
func upToDate(ctx context.Context, cfg Config, sh Shared, env *spack.Environment, res *Result) (bool, error) {
	key := res.Inputs.Key
	if cfg.Force || key == "" {
		return false, nil
	}
	if cfg.Registry != "" {
		repo, err := registry.Repository(cfg.Registry, env.Name)
		if err != nil {
			return false, err
		}
		ref := repo + ":latest"
		img, err := registry.Image(ctx, ref, sh.RegistryOpts...)
		if err != nil || img == nil {
			if err != nil {
				log.Printf("%s: cannot tell whether %s is current, building: %v", env.Name, ref, err)
			}
			return false, nil
		}
		cf, err := img.ConfigFile()
		if err != nil || cf.Config.Labels[provenance.LabelKey] != key {
			return false, nil
		}
		digest, err := img.Digest()
		if err != nil {
			return false, err
		}
		res.Ref, res.Digest = ref+"@"+digest.String(), digest.String()
	} else {
		last, err := provenance.ReadRecord(filepath.Join(cfg.Out, env.Name, provenance.RecordFile))
		if err != nil || !last.Current(key, cfg.Export) {
			return false, nil
		}
		res.Digest, res.Tarball = last.Digest, last.Tarball
		if !cfg.Export {
			res.Tarball = ""
		}
	}
	res.Skipped = true
	log.Printf("%s: inputs unchanged (%s): image %s is current, nothing to build or publish", env.Name, key[:19], res.Digest)
	return true, nil
}
