package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/pipeline"
	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// verifyConfig is `go run ./ci verify`'s command line.
type verifyConfig struct {
	image        string
	environments string
	packagesDir  string
	pins         string
	mirrorDir    string
	out          string
	// fresh gives the rebuild caches of its own: it builds from source.
	fresh bool
	// show bounds the differing files listed.
	show int
	// registryUser logs in to read the image (the password from the environment).
	registryUser string
}

func newVerifyCmd() *cobra.Command {
	var v verifyConfig
	cmd := &cobra.Command{
		Use:   "verify [flags] IMAGE",
		Short: "rebuild an image from the inputs its labels record, and say whether the result is identical",
		Long: `Verify reads the inputs a published image records in its labels (environment hash,
builder image digest, spack-packages commit, settings, source date, revision), finds the
environment with that hash (in -environments, else in git at the recorded revision),
rebuilds it on the local engine and compares: "identical" when the digests match, else
the first files that differ (path, size, sha256) and the config fields. Exit 1 when they
differ. See docs/reproducible.md.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("verify: name one image, e.g. ghcr.io/OWNER/lz4:latest")
			}
			v.image = args[0]
			return runVerify(cmd.Context(), v, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&v.environments, "environments", "environments", "directory holding one directory per environment")
	packagesFlag(fs, &v.packagesDir, ", else the recorded commit of the git URL in pins.yaml; a checkout must be at the recorded commit")
	fs.StringVar(&v.pins, "pins", "pins.yaml", "file naming the spack-packages git URL")
	fs.StringVar(&v.mirrorDir, "mirror", "", "local Spack source mirror directory (optional)")
	fs.StringVar(&v.out, "out", "", "directory for the rebuild's logs, build.json and image.tar (default: a temporary directory)")
	fs.BoolVar(&v.fresh, "fresh", false, "rebuild with caches of its own, that is from source")
	fs.IntVar(&v.show, "show", 10, "list at most this many differing files")
	fs.StringVar(&v.registryUser, "registry-user", os.Getenv("GITHUB_ACTOR"), "registry user name; the password is read from $REGISTRY_TOKEN, else $GITHUB_TOKEN (default: anonymous)")
	return cmd
}

func runVerify(ctx context.Context, v verifyConfig, stdout io.Writer) error {
	opts, err := registryOptions(v.registryUser, false, os.Getenv)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	published, err := registry.Image(ctx, v.image, opts...)
	if err != nil {
		return err
	}
	if published == nil {
		return fmt.Errorf("verify: no image at %s", v.image)
	}
	cf, err := published.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading %s: %w", v.image, err)
	}
	in, err := provenance.FromLabels(cf.Config.Labels)
	if err != nil {
		return fmt.Errorf("%s: %w", v.image, err)
	}
	cfg, pins, err := recordedConfig(v, in)
	if err != nil {
		return err
	}
	found, err := provenance.FindEnvironment(filepath.Join(v.environments, in.Environment, "spack.yaml"), in, cfg.loadOptions(pins))
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer found.Close()
	env := found.Env
	if found.Revision != "" {
		log.Printf("%s: using the environment as committed in %s", env.Name, found.Revision[:min(len(found.Revision), 12)])
	}
	if cfg.Out == "" {
		if cfg.Out, err = os.MkdirTemp("", "spack-ghcr-verify-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.Out)
	}
	client, err := pipeline.Connect(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	sh := pipeline.Shared{Pins: pins}
	if v.fresh {
		sh.CacheKey = "verify-" + randomHex(6)
	}
	log.Printf("%s: rebuilding %s from its recorded inputs", env.Name, v.image)
	res, err := pipeline.Build(ctx, client, cfg.Config, sh, env)
	if err != nil {
		return fmt.Errorf("rebuilding %s: %w", env.Name, err)
	}
	err = provenance.Verification{Published: published, Recorded: in, Rebuilt: &res.Record, Show: v.show}.Write(stdout)
	if errors.Is(err, provenance.ErrDiffers) {
		return fmt.Errorf("verify: %w", err)
	}
	return err
}

// recordedConfig is the build command line the image's inputs record.
func recordedConfig(v verifyConfig, in *provenance.Inputs) (buildConfig, *spack.Pins, error) {
	pins, err := spack.LoadPins(v.pins)
	if err != nil {
		return buildConfig{}, nil, err
	}
	pins.Spack.Version = in.SpackVersion
	if v.packagesDir != "" {
		if got := provenance.PackagesIdentity(v.packagesDir, pins); got != in.Packages {
			return buildConfig{}, nil, fmt.Errorf("verify: -packages %s is at %q, the image was built from %q: check that commit out", v.packagesDir, got, in.Packages)
		}
	} else {
		if strings.Contains(in.Packages, "+dirty") {
			return buildConfig{}, nil, fmt.Errorf("verify: the image was built from a modified spack-packages checkout (%s): give that checkout with -packages", in.Packages)
		}
		pins.Packages.Commit = in.Packages
	}
	s, epoch := provenance.ParseSettings(in.Settings), in.SourceDateEpoch
	cfg := buildConfig{
		environments: v.environments, builderImage: in.Builder, runtimeImage: in.Base,
		Config: pipeline.Config{
			BuilderOS: s.BuilderOS, PackagesDir: v.packagesDir, MirrorDir: v.mirrorDir,
			Target: s.Target, Profile: s.Profile, Tests: s.Tests,
			StandAlone: s.StandAlone, TestTimeout: s.TestTimeout, MaxSizeMB: s.MaxSizeMB,
			Export: true, Out: v.out, Source: in.Source, Revision: in.Revision,
			Force: true, Epoch: &epoch,
		},
	}
	return cfg, pins, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}
