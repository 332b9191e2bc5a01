package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/pipeline"
	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

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
	envs, err := spack.LoadEnvironments(cfg.environments, cfg.envs, cfg.loadOptions(pins)...)
	if err != nil {
		return err
	}
	env := envs[0]
	sh := pipeline.Shared{Pins: pins, CacheKey: "bench-" + randomHex(6)}
	cfg.Export = false

	client, err := pipeline.Connect(ctx)
	if err != nil {
		return err
	}
	defer func() { pipeline.CloseSession(client, err) }()

	timed := func(e *spack.Environment, force bool) (*pipeline.Result, time.Duration, error) {
		c := cfg
		c.Force = force
		start := time.Now()
		r, err := pipeline.Build(ctx, client, c.Config, sh, e)
		return r, time.Since(start), err
	}
	cold, coldTime, err := timed(env, true)
	if err != nil {
		return fmt.Errorf("cold run: %w", err)
	}
	skipped, skipTime, err := timed(env, false)
	if err != nil {
		return fmt.Errorf("rerun: %w", err)
	}
	warm, warmTime, err := timed(env, true)
	if err != nil {
		return fmt.Errorf("rerun with -force: %w", err)
	}
	cz, err := pipeline.ContainerizeSize(ctx, client, warm)
	if err != nil {
		return err
	}

	w := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	w("environment              %s (%s)", env.Name, strings.Join(env.Specs, ", "))
	w("runtime base             %s", cold.RuntimeImage)
	w("cold run                 %.1f s (%d built from source)", coldTime.Seconds(), len(cold.BuiltFromSrc))
	w("no-change rerun          %.2f s (%s; target <= 2 s: %s)", skipTime.Seconds(), skipVerdict(skipped), verdict(skipped.Skipped && skipTime.Seconds() <= 2))
	w("rerun with -force        %.1f s (%.1f %% of cold; engine caches, nothing skipped)", warmTime.Seconds(), 100*warmTime.Seconds()/coldTime.Seconds())
	w("digests                  cold %s, rerun with -force %s: %s", short12(cold.Digest), short12(warm.Digest), verdict(cold.Digest == warm.Digest))
	w("payload                  %d bytes (%s)", warm.PayloadBytes, slim.MB(warm.PayloadBytes))
	w("floor                    %d bytes (%s)", warm.FloorBytes, slim.MB(warm.FloorBytes))
	limit := int64(1.25*float64(warm.FloorBytes)) + 100_000
	w("payload target           <= %d bytes: %s", limit, verdict(warm.PayloadBytes <= limit))
	w("image total              %s, %d layers", slim.MB(warm.RuntimeBytes), warm.Layers)
	w("containerize-style       payload %s (%.1fx ours)", slim.MB(cz.Payload), float64(cz.Payload)/float64(max(warm.PayloadBytes, 1)))
	w("builder                  %s", slim.MB(warm.BuilderBytes))

	if add != "" {
		grown, err := withExtraRoot(env, add, cfg.loadOptions(pins))
		if err != nil {
			return err
		}
		r, t, err := timed(grown, true)
		if err != nil {
			return fmt.Errorf("run with %s added: %w", add, err)
		}
		w("adding %-17s %.1f s: %d built from source (%s), %d from the binary cache", add, t.Seconds(),
			len(r.BuiltFromSrc), strings.Join(r.BuiltFromSrc, ", "), len(r.FromCache))
	}
	return nil
}

func skipVerdict(r *pipeline.Result) string {
	if r.Skipped {
		return "inputs unchanged, nothing built"
	}
	return "NOT skipped"
}

func short12(digest string) string {
	return digest[:min(len(digest), len("sha256:")+12)]
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
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
