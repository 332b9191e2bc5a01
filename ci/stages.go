package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// runtimeStage assembles the runtime image and labels it.
func runtimeStage(ctx context.Context, client *dagger.Client, cfg buildConfig, env *spack.Environment, lf *spack.Lockfile, b *builder, inst *installed, work string, res *buildResult) (*dagger.Container, error) {
	img, err := buildRuntime(ctx, client, runtimeInputs{
		builder: inst.ctr, closure: lf.RuntimeClosure(), prefixes: inst.prefixes,
		profile: slim.Profile(cfg.profile), strip: env.Container.Strip, base: env.Images.Runtime,
		packages: env.Container.OSPackages.Final, work: work, runEnv: inst.runEnv, view: b.view,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling the runtime image: %w", err)
	}
	res.PackageBytes, res.FloorBytes, res.OSLibraries = img.sizes, img.floor, img.osLibs
	res.elfs = img.elfs
	return img.ctr.With(withLabels(imageLabels(imageInfo{
		env: env, lockfile: lf, target: res.Target, spackVersion: env.Images.SpackVersion,
		source: cfg.source, revision: cfg.revision,
	}))), nil
}

// smokeStage checks every shipped ELF file's libraries in the image, then runs the
// environment's smoke.sh, if it has one.
func smokeStage(ctx context.Context, client *dagger.Client, ctr *dagger.Container, env *spack.Environment, res *buildResult) error {
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

// measureStage exports the image, measures it against its base and checks -max-size.
func measureStage(ctx context.Context, client *dagger.Client, ctr, builder *dagger.Container, cfg buildConfig, env *spack.Environment, out string, res *buildResult) error {
	tar := filepath.Join(out, "image.tar")
	sizes, err := measureImage(ctx, client, ctr, env.Images.Runtime, tar)
	if err != nil {
		return err
	}
	res.RuntimeBytes, res.PayloadBytes, res.Layers = sizes.Total, sizes.Payload, sizes.Layers
	if cfg.export {
		res.Tarball = tar
	} else {
		os.Remove(tar)
	}
	if b, err := builderSize(ctx, builder); err == nil {
		res.BuilderBytes = b
	}
	if limit := int64(cfg.maxSizeMB * 1e6); limit > 0 && res.PayloadBytes > limit {
		return fmt.Errorf("runtime image payload is %.1f MB, over the -max-size limit of %.1f MB: nothing published", float64(res.PayloadBytes)/1e6, cfg.maxSizeMB)
	}
	return nil
}

// publishStage pushes the image under its tags.
func publishStage(ctx context.Context, ctr *dagger.Container, cfg buildConfig, sh shared, env *spack.Environment, lf *spack.Lockfile, res *buildResult) error {
	if sh.auth != nil {
		host, _, _ := strings.Cut(cfg.registry, "/")
		ctr = ctr.WithRegistryAuth(host, cfg.registryUser, sh.auth)
	}
	ref, err := publish(ctx, ctr, cfg.registry, env.Name, imageTags(cfg.revision, lf))
	if err != nil {
		return err
	}
	res.Ref = ref
	if _, digest, ok := strings.Cut(ref, "@"); ok {
		res.Digest = digest
	}
	return nil
}
