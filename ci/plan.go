package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/pipeline"
	"github.com/spack-ghcr/spack-ghcr/plan"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

func newPlanCmd() *cobra.Command {
	var cfg buildConfig
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan [flags] [ENV...]",
		Short: "show what build would do with each environment (all when none named), without the engine",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.envs = args
			return runPlan(cmd.Context(), cfg, asJSON, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&cfg.environments, "environments", "environments", "directory holding one directory per environment")
	fs.StringVar(&cfg.builderImage, "builder-image", "", "Spack builder image, as for build")
	fs.StringVar(&cfg.BuilderOS, "builder-os", "", "the builder's operating system as Spack names it, as for build")
	fs.StringVar(&cfg.runtimeImage, "runtime-image", "", "runtime base image, as for build")
	fs.StringVar(&cfg.Target, "target", spack.DefaultTarget(), "portable target, as for build")
	fs.StringVar(&cfg.pins, "pins", "pins.yaml", "file pinning the Spack version and the spack-packages commit")
	fs.StringVar(&cfg.Registry, "registry", "", "registry namespace build would publish to")
	fs.StringVar(&cfg.Revision, "revision", "", "the revision build would tag (default: the commit of the environment's last change)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func runPlan(_ context.Context, cfg buildConfig, asJSON bool, stdout io.Writer) error {
	pins, err := spack.LoadPins(cfg.pins)
	if err != nil {
		return err
	}
	names := cfg.envs
	if len(names) == 0 {
		if names, err = spack.ListEnvironments(cfg.environments); err != nil {
			return err
		}
	}
	for _, n := range names {
		if !spack.ValidName(n) {
			return usageError("plan: environment name %q must be lowercase letters, digits, '.', '_' or '-'", n)
		}
	}
	envs, err := spack.LoadEnvironments(cfg.environments, names, cfg.loadOptions(pins)...)
	if err != nil {
		return err
	}
	plans := make([]plan.Plan, 0, len(envs))
	for _, env := range envs {
		_, revision := pipeline.SourceDate(env, cfg.Config)
		p, err := plan.Of(env, plan.Options{Target: cfg.Target, Registry: cfg.Registry, Revision: revision})
		if err != nil {
			return fmt.Errorf("%s: %w", env.Name, err)
		}
		plans = append(plans, p)
	}
	if asJSON {
		return plan.WriteJSON(stdout, plans)
	}
	return plan.WriteText(stdout, plans)
}
