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
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/repro"
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
	in, err := inputsFromLabels(cf.Config.Labels)
	if err != nil {
		return fmt.Errorf("%s: %w", v.image, err)
	}
	cfg, pins, err := recordedConfig(v, in)
	if err != nil {
		return err
	}
	env, cleanup, err := recordedEnvironment(v, in, cfg.loadOptions(pins))
	if err != nil {
		return err
	}
	defer cleanup()
	if cfg.out == "" {
		if cfg.out, err = os.MkdirTemp("", "spack-ghcr-verify-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.out)
	}
	client, err := connect(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	sh := shared{pins: pins}
	if v.fresh {
		sh.cacheKey = "verify-" + randomHex(6)
	}
	log.Printf("%s: rebuilding %s from its recorded inputs", env.Name, v.image)
	res, err := buildEnvironment(ctx, client, cfg, sh, env)
	if err != nil {
		return fmt.Errorf("rebuilding %s: %w", env.Name, err)
	}
	return reportVerify(stdout, v, published, in, res)
}

// recordedConfig is the build command line the image's inputs record.
func recordedConfig(v verifyConfig, in *buildInputs) (buildConfig, *spack.Pins, error) {
	pins, err := spack.LoadPins(v.pins)
	if err != nil {
		return buildConfig{}, nil, err
	}
	pins.Spack.Version = in.SpackVersion
	if v.packagesDir != "" {
		if got := packagesIdentity(v.packagesDir, pins); got != in.Packages {
			return buildConfig{}, nil, fmt.Errorf("verify: -packages %s is at %q, the image was built from %q: check that commit out", v.packagesDir, got, in.Packages)
		}
	} else {
		if strings.Contains(in.Packages, "+dirty") {
			return buildConfig{}, nil, fmt.Errorf("verify: the image was built from a modified spack-packages checkout (%s): give that checkout with -packages", in.Packages)
		}
		pins.Packages.Commit = in.Packages
	}
	maxSize, _ := strconv.ParseFloat(in.setting("max-size"), 64)
	timeout, _ := strconv.Atoi(in.setting("test-timeout"))
	epoch := in.SourceDateEpoch
	cfg := buildConfig{
		environments: v.environments, builderImage: in.Builder, runtimeImage: in.Base,
		builderOS: in.setting("builder-os"), packagesDir: v.packagesDir, mirrorDir: v.mirrorDir,
		target: in.setting("target"), profile: in.setting("profile"), tests: in.setting("tests"),
		standAlone: in.setting("stand-alone") == "true", testTimeout: timeout, maxSizeMB: maxSize,
		export: true, out: v.out, source: in.Source, revision: in.Revision,
		repro: reproFlags{force: true, epoch: &epoch},
	}
	return cfg, pins, nil
}

// recordedEnvironment finds the environment whose files hash to the recorded value:
// the one in -environments, else the one in git at the recorded revision (extracted
// to a temporary directory that cleanup removes).
func recordedEnvironment(v verifyConfig, in *buildInputs, opts []spack.Option) (*spack.Environment, func(), error) {
	noop := func() {}
	local := filepath.Join(v.environments, in.Environment, "spack.yaml")
	env, err := spack.LoadEnvironment(local, opts...)
	if err == nil {
		if sum, err := environmentDigest(env); err == nil && sum == in.EnvironmentSHA256 {
			return env, noop, nil
		}
	}
	if in.Revision == "" {
		return nil, noop, fmt.Errorf("verify: %s does not hash to the recorded %s, and the image names no revision to find it at", local, in.EnvironmentSHA256)
	}
	top, rel, err := repositoryPath(filepath.Dir(local))
	if err != nil {
		return nil, noop, fmt.Errorf("verify: %s differs from the recorded environment, and %w", local, err)
	}
	dir, err := os.MkdirTemp("", "spack-ghcr-verify-src-")
	if err != nil {
		return nil, noop, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := gitExtract(top, in.Revision, dir); err != nil {
		cleanup()
		return nil, noop, fmt.Errorf("verify: %s differs from the recorded environment, and %w", local, err)
	}
	env, err = spack.LoadEnvironment(filepath.Join(dir, rel, "spack.yaml"), append(opts, spack.WithRoot(dir))...)
	if err == nil {
		var sum string
		if sum, err = environmentDigest(env); err == nil && sum != in.EnvironmentSHA256 {
			err = fmt.Errorf("it hashes to %s, the image records %s", sum, in.EnvironmentSHA256)
		}
	}
	if err != nil {
		cleanup()
		return nil, noop, fmt.Errorf("verify: the environment at revision %s: %w", in.Revision, err)
	}
	log.Printf("%s: using the environment as committed in %s", env.Name, in.Revision[:min(len(in.Revision), 12)])
	return env, cleanup, nil
}

// repositoryPath is the git work tree holding dir, and dir relative to it.
func repositoryPath(dir string) (top, rel string, err error) {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "", "", fmt.Errorf("%s is not in a git repository", dir)
	}
	top = strings.TrimSpace(string(out))
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	rel, err = filepath.Rel(top, abs)
	return top, rel, err
}

// gitExtract writes the repository's tree at revision into dir.
func gitExtract(top, revision, dir string) error {
	archive := exec.Command("git", "-C", top, "archive", "--format=tar", revision)
	untar := exec.Command("tar", "-x", "-C", dir)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	var stderr strings.Builder
	archive.Stderr = &stderr
	if err := archive.Start(); err != nil {
		return err
	}
	untarErr := untar.Run()
	if err := archive.Wait(); err != nil {
		return fmt.Errorf("revision %s is not in %s: %s", revision, top, strings.TrimSpace(stderr.String()))
	}
	return untarErr
}

// reportVerify prints the outcome: identical, the same files and config from another
// program, or the differences. Differences are an error (exit 1).
func reportVerify(stdout io.Writer, v verifyConfig, published v1.Image, in *buildInputs, res *buildResult) error {
	want, err := published.Digest()
	if err != nil {
		return err
	}
	w := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	if res.Inputs.Lockfile != in.Lockfile {
		w("spack.lock: sha256 %s, the image records %s: the rebuild concretized differently (commit spack.lock to pin it)", res.Inputs.Lockfile, in.Lockfile)
	}
	if res.Digest == want.String() {
		w("identical %s", want)
		return nil
	}
	rebuilt, err := tarball.ImageFromPath(res.Tarball, nil)
	if err != nil {
		return fmt.Errorf("reading the rebuilt image: %w", err)
	}
	d, err := repro.Compare(published, rebuilt)
	if err != nil {
		return fmt.Errorf("comparing: %w", err)
	}
	var config []string
	for _, c := range d.Config {
		// The key and the program's hash name the program that built each image.
		if !strings.HasPrefix(c, "label "+labelKey+":") && !strings.HasPrefix(c, "label "+labelPipeline+":") {
			config = append(config, c)
		}
	}
	if len(d.Files) == 0 && len(config) == 0 {
		w("same files and config: %s rebuilt as %s by another program (pipeline %s, the image's %s)", want, res.Digest, res.Inputs.Pipeline, in.Pipeline)
		return nil
	}
	w("differs: %s rebuilt as %s", want, res.Digest)
	for i, f := range d.Files {
		if i == v.show {
			w("  … %d more files", len(d.Files)-i)
			break
		}
		w("  %s: published %s; rebuilt %s", f.Path, f.A, f.B)
	}
	for _, c := range config {
		w("  config %s", c)
	}
	return errors.New("verify: the rebuild differs from the published image")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}
