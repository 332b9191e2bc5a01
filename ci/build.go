package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"dagger.io/dagger"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/spack-ghcr/spack-ghcr/github/actions"
	"github.com/spack-ghcr/spack-ghcr/pipeline"
	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// buildConfig is `go run ./ci build`'s command line: which environments, how they are
// read, and the pipeline's settings.
type buildConfig struct {
	pipeline.Config
	environments string // the directory holding environments/<name>
	envs         []string
	builderImage string
	runtimeImage string
	pins         string
	jobs         int
	// fresh builds on new cache volumes and past the engine's cache: a cold run.
	fresh bool
}

func (c *buildConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.environments, "environments", "environments", "directory holding one directory per environment")
	fs.StringVar(&c.builderImage, "builder-image", "", "Spack builder image (default: container.images, else "+spack.DefaultBuilderImage+":<spack version>)")
	fs.StringVar(&c.BuilderOS, "builder-os", "", `the builder's operating system as Spack names it ("ubuntu24.04"), for when: conditions, if the image is not one of Spack's`)
	fs.StringVar(&c.runtimeImage, "runtime-image", "", `runtime base image, or "scratch" for a distroless image (default: container.images, else `+spack.DefaultRuntimeImage+")")
	packagesFlag(fs, &c.PackagesDir, ", else the git pin in pins.yaml")
	fs.StringVar(&c.MirrorDir, "mirror", "", "local Spack source mirror directory (optional)")
	fs.StringVar(&c.Target, "target", spack.DefaultTarget(), `portable target added to the environment's requirements unless it names one ("" leaves it to Spack)`)
	fs.StringVar(&c.Profile, "profile", string(slim.Runtime), "what the image keeps: runtime, or devel (headers and static libraries too)")
	fs.StringVar(&c.Tests, "tests", "root", "build-time tests: none, root or all")
	fs.BoolVar(&c.StandAlone, "stand-alone", true, "run Spack's stand-alone tests (spack test run) after install")
	fs.IntVar(&c.TestTimeout, "test-timeout", 600, "seconds each package's stand-alone tests may take (0: no limit)")
	fs.StringVar(&c.Registry, "registry", "", "publish to this registry namespace, e.g. ghcr.io/OWNER (default: do not publish)")
	fs.StringVar(&c.RegistryUser, "registry-user", os.Getenv("GITHUB_ACTOR"), "registry user name; the password is read from $REGISTRY_TOKEN, else $GITHUB_TOKEN (default $GITHUB_ACTOR)")
	fs.StringVar(&c.Summary, "summary", os.Getenv("GITHUB_STEP_SUMMARY"), "append each run's test summary (Markdown) to this file (default $GITHUB_STEP_SUMMARY)")
	fs.BoolVar(&c.Export, "export", true, "write the image as an OCI tarball to OUT/ENV/image.tar")
	fs.StringVar(&c.Out, "out", "out", "directory for spack.lock, logs, build.json and the image tarball")
	fs.Float64Var(&c.MaxSizeMB, "max-size", 0, "fail before publishing if the runtime image's payload exceeds this many MB (0: no limit)")
	fs.StringVar(&c.Source, "source", sourceURL(), "org.opencontainers.image.source label (default from $GITHUB_SERVER_URL/$GITHUB_REPOSITORY)")
	fs.StringVar(&c.Revision, "revision", "", "org.opencontainers.image.revision label and a tag (default: the commit of the environment's last change)")
	fs.StringVar(&c.pins, "pins", "pins.yaml", "file pinning the Spack version and the spack-packages commit")
	fs.StringVar(&c.BuildCache, "buildcache", "", "Spack OCI build cache shared by every runner, oci://REGISTRY/NAME (oci+http:// for plain HTTP); the user is --registry-user, the password $BUILDCACHE_TOKEN, else as for --registry")
	fs.BoolVar(&c.PushCache, "buildcache-push", true, "push new binaries to --buildcache after a successful install (pull requests never do)")
	fs.IntVar(&c.jobs, "jobs", 1, "environments built at once, in one engine")
	fs.BoolVar(&c.fresh, "fresh", false, "build on new cache volumes, past the engine's cache: a cold run, as on a new runner")
	fs.BoolVar(&c.PushByDigest, "push-by-digest", false, "publish by digest only, no tags, printing REPO@sha256:…, for the manifest command to join architectures")
	fs.BoolVar(&c.Force, "force", false, "build even when the inputs are those of the image already at the tag (or of the last local build)")
}

func sourceURL() string {
	if repo := os.Getenv("GITHUB_REPOSITORY"); repo != "" {
		return envOr("GITHUB_SERVER_URL", "https://github.com") + "/" + repo
	}
	return ""
}

func (c *buildConfig) validate() error {
	if len(c.envs) == 0 {
		return usageError("build: name at least one environment (a directory under %s)", c.environments)
	}
	for _, e := range c.envs {
		if !spack.ValidName(e) {
			return usageError("build: environment name %q must be lowercase letters, digits, '.', '_' or '-'", e)
		}
	}
	if _, ok := slim.ParseProfile(c.Profile); !ok {
		return usageError("build: --profile %q: want runtime or devel", c.Profile)
	}
	switch c.Tests {
	case "none", "root", "all":
	default:
		return usageError("build: --tests %q: want none, root or all", c.Tests)
	}
	for _, d := range []struct{ flag, dir string }{{"-packages", c.PackagesDir}, {"-mirror", c.MirrorDir}} {
		if d.dir == "" {
			continue
		}
		if fi, err := os.Stat(d.dir); err != nil || !fi.IsDir() {
			return usageError("build: -%s %s: not a directory", d.flag, d.dir)
		}
	}
	if c.MaxSizeMB < 0 {
		return usageError("build: --max-size must not be negative")
	}
	if c.BuildCache != "" && !strings.HasPrefix(c.BuildCache, "oci://") && !strings.HasPrefix(c.BuildCache, "oci+http://") {
		return usageError("build: --buildcache %q: want oci://REGISTRY/NAME (or oci+http:// for a plain-HTTP registry)", c.BuildCache)
	}
	if c.jobs < 0 {
		return usageError("build: --jobs must be at least 1")
	}
	return nil
}

// loadOptions are how the flags shape the reading of an environment.
func (c *buildConfig) loadOptions(pins *spack.Pins) []spack.Option {
	return []spack.Option{
		spack.WithImages(c.builderImage, c.runtimeImage), spack.WithBuilderOS(c.BuilderOS),
		spack.WithTarget(c.Target), spack.WithSpackVersion(pins.Spack.Version),
	}
}

func newBuildCmd() *cobra.Command {
	var cfg buildConfig
	cmd := &cobra.Command{
		Use:   "build [flags] ENV...",
		Short: "concretize, install, test, slim and smoke-test each environment, then export and/or publish its image",
		Long: `Build runs the pipeline for each environments/ENV: builder, concretize, install with
build-time tests, stand-alone tests, runtime image, smoke test, then export and/or
publish. Image references go to stdout, progress to stderr, everything else to OUT/ENV/.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.envs = args
			return runBuild(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	cfg.register(cmd.Flags())
	return cmd
}

func runBuild(ctx context.Context, cfg buildConfig, stdout io.Writer) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	pins, err := spack.LoadPins(cfg.pins)
	if err != nil {
		return err
	}
	// Every environment is read before the engine starts: bad input fails in a second.
	envs, err := spack.LoadEnvironments(cfg.environments, cfg.envs, cfg.loadOptions(pins)...)
	if err != nil {
		return err
	}
	if err := applyPublishPolicy(&cfg); err != nil {
		return err
	}
	sh := pipeline.Shared{Pins: pins}
	if cfg.fresh {
		// A cold run is asked for: build even when the inputs are unchanged.
		sh.CacheKey = "fresh-" + time.Now().UTC().Format("20060102T150405.000000000")
		cfg.Force = true
	}
	if cfg.Registry != "" {
		if sh.RegistryOpts, err = registryOptions(cfg.RegistryUser, false, os.Getenv); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	// The build cache's password is read once, here, and lives on only as a Dagger secret.
	cacheToken := cmp.Or(os.Getenv("BUILDCACHE_TOKEN"), os.Getenv("REGISTRY_TOKEN"), os.Getenv("GITHUB_TOKEN"))
	client, err := pipeline.Connect(ctx)
	if err != nil {
		return err
	}
	if cfg.BuildCache != "" && cfg.RegistryUser != "" && cacheToken != "" {
		sh.CacheAuth = client.SetSecret("buildcache-token", cacheToken)
	}
	err = buildAll(ctx, client, cfg, sh, envs, stdout)
	pipeline.CloseSession(client, err)
	return err
}

// buildAll builds the environments, -jobs at a time in one engine, sharing its caches.
// Every environment is built even when one fails; stdout gets the references in the
// order named, and the error names each failure.
func buildAll(ctx context.Context, client *dagger.Client, cfg buildConfig, sh pipeline.Shared, envs []*spack.Environment, stdout io.Writer) error {
	refs := make([]string, len(envs))
	errs := make([]error, len(envs))
	var g errgroup.Group
	g.SetLimit(max(cfg.jobs, 1))
	for i, env := range envs {
		g.Go(func() error {
			res, err := pipeline.Build(ctx, client, cfg.Config, sh, env)
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", env.Name, pipeline.ExplainFault(err))
				if len(envs) > 1 {
					log.Printf("%v", errs[i]) // with one, main prints it
				}
				return nil
			}
			refs[i] = cmp.Or(res.Ref, res.Tarball)
			return nil
		})
	}
	_ = g.Wait()
	for _, r := range refs {
		if r != "" {
			fmt.Fprintln(stdout, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		if len(envs) == 1 {
			return errs[0]
		}
		return fmt.Errorf("%d of %d environments failed:\n%w", countErrs(errs), len(envs), err)
	}
	return nil
}

func countErrs(errs []error) int {
	n := 0
	for _, e := range errs {
		if e != nil {
			n++
		}
	}
	return n
}

// applyPublishPolicy drops publishing and writing the shared build cache where the
// policy forbids them (a pull request, another branch), whatever the flags say.
func applyPublishPolicy(cfg *buildConfig) error {
	ok, why, err := actions.MayPublish(os.Getenv)
	if err != nil {
		return fmt.Errorf("build: deciding whether to publish: %w", err)
	}
	if ok {
		return nil
	}
	if cfg.Registry != "" || cfg.PushCache && cfg.BuildCache != "" {
		log.Printf("not publishing and not writing the build cache: %s", why)
	}
	cfg.Registry, cfg.PushCache = "", false
	return nil
}
