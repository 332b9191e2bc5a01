package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"dagger.io/dagger"
	"github.com/spf13/pflag"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// reproFlags are build's flags about reproducibility.
type reproFlags struct {
	// force builds even when the inputs are those of the image already built.
	force bool
	// epoch, when set, is the source date to build with: verify rebuilds a
	// recorded image with the date it records.
	epoch *int64
}

func (r *reproFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&r.force, "force", false, "build even when the inputs are those of the image already at the tag (or of the last local build)")
}

// pinInputs resolves the builder and runtime base images to digests and computes the
// run's inputs (provenance.Inputs). It returns the environment with its images pinned,
// so that every later stage uses exactly the images recorded.
func pinInputs(ctx context.Context, client *dagger.Client, cfg buildConfig, sh shared, env *spack.Environment, res *buildResult) (*spack.Environment, error) {
	builder, err := client.Container().From(env.Images.Builder).ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("resolving the builder image %s: %w", env.Images.Builder, execDetail(err))
	}
	base := env.Images.Runtime
	if base != spack.Scratch {
		if base, err = client.Container().From(base).ImageRef(ctx); err != nil {
			return nil, fmt.Errorf("resolving the runtime base image %s: %w", env.Images.Runtime, execDetail(err))
		}
	}
	in := &provenance.Inputs{
		Environment: env.Name, Builder: builder, Base: base, SpackVersion: env.Images.SpackVersion,
		Settings: cfg.settings(res.Target).String(), Source: cfg.source,
	}
	if in.EnvironmentSHA256, err = provenance.EnvironmentDigest(env); err != nil {
		return nil, err
	}
	in.SourceDateEpoch, in.Revision = sourceDate(env, cfg)
	in.Packages = provenance.PackagesIdentity(cfg.packagesDir, sh.pins)
	if pipeline, err := provenance.ProgramDigest(); err == nil {
		in.Pipeline = pipeline
	}
	if in.Packages != "" && in.Pipeline != "" {
		in.Key = in.Sum()
	}
	pinned := *env
	pinned.Images.Builder, pinned.Images.Runtime = builder, base
	res.BuilderImage, res.RuntimeImage, res.Inputs = builder, base, in
	return &pinned, nil
}

// settings are the flags that change the image or how it is tested.
func (c *buildConfig) settings(target string) provenance.Settings {
	return provenance.Settings{
		BuilderOS: c.builderOS, MaxSizeMB: c.maxSizeMB, Profile: c.profile, StandAlone: c.standAlone,
		Target: target, TestTimeout: c.testTimeout, Tests: c.tests,
	}
}

// sourceDate is the date the image carries and the revision it names
// (provenance.SourceDate), saying so when the environment has no commit date.
func sourceDate(env *spack.Environment, cfg buildConfig) (epoch int64, revision string) {
	epoch, revision, err := provenance.SourceDate(env, cfg.revision, cfg.repro.epoch, os.Getenv)
	if err != nil {
		log.Printf("%s: no commit date for the environment (%v): dating the image 1970-01-01; set SOURCE_DATE_EPOCH", env.Name, err)
	}
	return epoch, revision
}
