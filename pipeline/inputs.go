package pipeline

import (
	"context"
	"fmt"
	"log"
	"os"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// pinInputs resolves the builder and runtime base images to digests and computes the
// run's inputs (provenance.Inputs). It returns the environment with its images pinned,
// so that every later stage uses exactly the images recorded.
func pinInputs(ctx context.Context, client *dagger.Client, cfg Config, sh Shared, env *spack.Environment, res *Result) (*spack.Environment, error) {
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
		Settings: cfg.settings(res.Target).String(), Source: cfg.Source,
	}
	if in.EnvironmentSHA256, err = provenance.EnvironmentDigest(env); err != nil {
		return nil, err
	}
	in.SourceDateEpoch, in.Revision = SourceDate(env, cfg)
	in.Packages = provenance.PackagesIdentity(cfg.PackagesDir, sh.Pins)
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
func (c *Config) settings(target string) provenance.Settings {
	return provenance.Settings{
		BuilderOS: c.BuilderOS, MaxSizeMB: c.MaxSizeMB, Profile: c.Profile, StandAlone: c.StandAlone,
		Target: target, TestTimeout: c.TestTimeout, Tests: c.Tests,
	}
}

// SourceDate is the date the image carries and the revision it names
// (provenance.SourceDate), saying so when the environment has no commit date.
func SourceDate(env *spack.Environment, cfg Config) (epoch int64, revision string) {
	epoch, revision, err := provenance.SourceDate(env, cfg.Revision, cfg.Epoch, os.Getenv)
	if err != nil {
		log.Printf("%s: no commit date for the environment (%v): dating the image 1970-01-01; set SOURCE_DATE_EPOCH", env.Name, err)
	}
	return epoch, revision
}
