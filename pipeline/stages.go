package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/repro"
	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// runtimeStage assembles the runtime image, with its SBOM, and labels it.
func runtimeStage(ctx context.Context, client *dagger.Client, cfg Config, env *spack.Environment, lf *spack.Lockfile, b *Builder, inst *installed, work string, res *Result) (*dagger.Container, error) {
	created := time.Unix(res.Inputs.SourceDateEpoch, 0).UTC()
	// The SBOM ships in the closure's layer, written once the shipped specs are known.
	sbomFile := func(shipped []*spack.ConcreteSpec) (map[string][]byte, error) {
		doc, err := imageSBOM(env.Name, lf, shipped, cfg.PackagesDir, created)
		if err != nil {
			return nil, err
		}
		res.sbom = doc
		return map[string][]byte{sbomPath: doc}, os.WriteFile(filepath.Join(cfg.Out, env.Name, "sbom.spdx.json"), doc, 0o644)
	}
	img, err := buildRuntime(ctx, client, runtimeInputs{
		builder: inst.ctr, closure: lf.RuntimeClosure(), prefixes: inst.prefixes,
		profile: slim.Profile(cfg.Profile), strip: env.Container.Strip, base: env.Images.Runtime,
		packages: env.Container.OSPackages.Final, work: work, runEnv: inst.runEnv, view: b.view, files: sbomFile,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling the runtime image: %w", err)
	}
	res.PackageBytes, res.FloorBytes, res.OSLibraries = img.sizes, img.floor, img.osLibs
	res.elfs = img.elfs
	return img.ctr.With(withLabels(provenance.Image{Env: env, Lockfile: lf, Target: res.Target, Inputs: res.Inputs}.Labels())), nil
}

// smokeStage checks every shipped ELF file's libraries in the image, then runs the
// environment's smoke.sh, if it has one.
func smokeStage(ctx context.Context, client *dagger.Client, ctr *dagger.Container, env *spack.Environment, res *Result) error {
	if err := smokeTest(ctx, ctr, res.elfs); err != nil {
		return err
	}
	res.SmokeTestedOK = len(res.elfs)
	script := filepath.Join(env.Dir, "smoke.sh")
	if _, err := os.Stat(script); err != nil {
		return nil
	}
	if env.Images.Runtime == spack.Scratch {
		return errors.New("smoke.sh needs /bin/sh, which a scratch image does not have: drop smoke.sh or use a base image")
	}
	return runSmokeScript(ctx, ctr, client.Host().File(script))
}

// measureStage exports the image, makes it reproducible (reproducibleImage), measures
// it against its base, writes OUT/ENV/image.tar with -export and checks -max-size.
func measureStage(ctx context.Context, client *dagger.Client, ctr, builder *dagger.Container, cfg Config, env *spack.Environment, out, work string, res *Result) error {
	img, baseIDs, err := reproducibleImage(ctx, client, ctr, env, res.Inputs, work)
	if err != nil {
		return err
	}
	sizes, err := slim.MeasureImage(img, baseIDs)
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	res.image, res.Digest = img, digest.String()
	res.RuntimeBytes, res.PayloadBytes, res.Layers = sizes.Total, sizes.Payload, sizes.Layers
	tar := filepath.Join(out, "image.tar")
	if cfg.Export {
		if err := repro.WriteTar(tar, img); err != nil {
			return err
		}
		res.Tarball = tar
	} else {
		removeStale(tar)
	}
	if b, err := builderSize(ctx, builder); err == nil {
		res.BuilderBytes = b
	}
	if limit := int64(cfg.MaxSizeMB * 1e6); limit > 0 && res.PayloadBytes > limit {
		return fmt.Errorf("runtime image payload is %.1f MB, over the -max-size limit of %.1f MB: nothing published", float64(res.PayloadBytes)/1e6, cfg.MaxSizeMB)
	}
	return nil
}

// publishStage pushes the reproducible image by digest, then its tags (none with
// --push-by-digest, for a multi-platform index made later), and attaches its SBOM.
func publishStage(ctx context.Context, cfg Config, sh Shared, env *spack.Environment, lf *spack.Lockfile, res *Result) error {
	limits := registry.GHCRLimits
	limits.MaxCompressedBytes = int64(cfg.MaxSizeMB * 1e6)
	in := publishInputs{
		image: res.image, namespace: cfg.Registry, name: env.Name, sbom: res.sbom,
		created: time.Unix(res.Inputs.SourceDateEpoch, 0).UTC(),
		opts:    append(slices.Clone(sh.RegistryOpts), registry.WithLimits(limits)),
	}
	if !cfg.PushByDigest {
		in.tags = provenance.ImageTags(res.Inputs.Revision, lf)
	}
	ref, err := publish(ctx, in)
	if err != nil {
		return err
	}
	res.Ref = ref
	return nil
}
