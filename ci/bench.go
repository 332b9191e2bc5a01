package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dagger.io/dagger"
	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// containerizeStrip is the strip step of the Dockerfile `spack containerize` writes
// (see its template), applied to the install tree: a fixed script, no input in it.
const containerizeStrip = `find -L ` + installRoot + ` -type f -exec readlink -f '{}' \; | xargs -r file -i | grep 'charset=binary' | grep 'x-executable\|x-archive\|x-sharedlib' | awk -F: '{print $1}' | xargs -r strip || true`

// cmdBench measures one environment: a cold run on fresh caches, a rerun with nothing
// changed, the runtime image against its floor and against a `spack containerize`-style
// image on the same base, and optionally a run with one root added.
func newBenchCmd() *cobra.Command {
	var cfg buildConfig
	var add string
	cmd := &cobra.Command{
		Use:   "bench [flags] ENV",
		Short: "print cold and no-change build times and image sizes of one environment",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.envs = args
			return runBench(cmd.Context(), cfg, add, cmd.OutOrStdout())
		},
	}
	cfg.register(cmd.Flags())
	cmd.Flags().StringVar(&add, "add", "", "also measure adding this root spec to the environment (e.g. libsigsegv@2.14)")
	return cmd
}

func runBench(ctx context.Context, cfg buildConfig, add string, stdout io.Writer) (err error) {
	if err := cfg.validate(); err != nil {
		return err
	}
	if len(cfg.envs) != 1 {
		return usageError("bench: name exactly one environment")
	}
	pins, err := spack.LoadPins(cfg.pins)
	if err != nil {
		return err
	}
	envs, err := loadEnvironments(cfg.environments, cfg.envs, cfg.loadOptions(pins))
	if err != nil {
		return err
	}
	env := envs[0]
	key := make([]byte, 6)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	sh := shared{pins: pins, cacheKey: "bench-" + hex.EncodeToString(key)}
	cfg.export = false

	client, err := connect(ctx)
	if err != nil {
		return err
	}
	defer func() { closeSession(client, err) }()

	timed := func(e *spack.Environment) (*buildResult, time.Duration, error) {
		start := time.Now()
		r, err := buildEnvironment(ctx, client, cfg, sh, e)
		return r, time.Since(start), err
	}
	cold, coldTime, err := timed(env)
	if err != nil {
		return fmt.Errorf("cold run: %w", err)
	}
	warm, warmTime, err := timed(env)
	if err != nil {
		return fmt.Errorf("rerun: %w", err)
	}
	base := env.Images.Runtime
	cz, err := measureImage(ctx, client, containerizeStyle(client, warm.builder, warm.installed, base), base, filepath.Join(os.TempDir(), "spack-ghcr-containerize.tar"))
	if err != nil {
		return fmt.Errorf("containerize-style image: %w", err)
	}
	os.Remove(filepath.Join(os.TempDir(), "spack-ghcr-containerize.tar"))

	w := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	w("environment              %s (%s)", env.Name, strings.Join(env.Specs, ", "))
	w("runtime base             %s", base)
	w("cold run                 %.1f s (%d built from source)", coldTime.Seconds(), len(cold.BuiltFromSrc))
	w("no-change rerun          %.1f s (%.1f %% of cold)", warmTime.Seconds(), 100*warmTime.Seconds()/coldTime.Seconds())
	w("payload                  %d bytes (%s)", warm.PayloadBytes, mb(warm.PayloadBytes))
	w("floor                    %d bytes (%s)", warm.FloorBytes, mb(warm.FloorBytes))
	limit := int64(1.25*float64(warm.FloorBytes)) + 100_000
	w("payload target           <= %d bytes: %s", limit, verdict(warm.PayloadBytes <= limit))
	w("image total              %s, %d layers", mb(warm.RuntimeBytes), warm.Layers)
	w("containerize-style       payload %s (%.1fx ours)", mb(cz.Payload), float64(cz.Payload)/float64(max(warm.PayloadBytes, 1)))
	w("builder                  %s", mb(warm.BuilderBytes))

	if add != "" {
		grown, err := withExtraRoot(env, add, cfg.loadOptions(pins))
		if err != nil {
			return err
		}
		r, t, err := timed(grown)
		if err != nil {
			return fmt.Errorf("run with %s added: %w", add, err)
		}
		w("adding %-17s %.1f s: %d built from source (%s), %d from the binary cache", add, t.Seconds(),
			len(r.BuiltFromSrc), strings.Join(r.BuiltFromSrc, ", "), len(r.FromCache))
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// containerizeStyle is what `spack containerize` ships for the same environment: the
// whole install tree after `spack gc`, stripped, on the same base.
func containerizeStyle(client *dagger.Client, b *builder, installed *dagger.Container, base string) *dagger.Container {
	gc := installed.WithExec(b.envCmd("gc", "-y")).WithExec([]string{"sh", "-c", containerizeStrip})
	c := client.Container()
	if base != spack.Scratch {
		c = c.From(base)
	}
	return c.WithDirectory(installRoot, gc.Directory(installRoot)).WithDirectory(b.envDir, gc.Directory(b.envDir))
}

// withExtraRoot is env with one more root spec, read as if it were the file on disk
// (the builder gets the bytes read, not the file).
func withExtraRoot(env *spack.Environment, spec string, opts []spack.Option) (*spack.Environment, error) {
	data, err := spack.AddSpec(env.Raw, spec)
	if err != nil {
		return nil, err
	}
	return spack.ParseEnvironment(env.Name, env.Path, data, opts...)
}
