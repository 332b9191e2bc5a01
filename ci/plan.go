package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// envPlan is what `build` would do with one environment, without the engine.
type envPlan struct {
	Name     string   `json:"name"`
	Dir      string   `json:"dir"`
	Specs    []string `json:"specs"`
	Builder  string   `json:"builder_image"`
	Runtime  string   `json:"runtime_image"`
	Target   string   `json:"target"`
	View     string   `json:"view"`
	Includes []string `json:"includes"`
	Image    string   `json:"image,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

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
	fs.StringVar(&cfg.builderOS, "builder-os", "", "the builder's operating system as Spack names it, as for build")
	fs.StringVar(&cfg.runtimeImage, "runtime-image", "", "runtime base image, as for build")
	fs.StringVar(&cfg.target, "target", spack.DefaultTarget(), "portable target, as for build")
	fs.StringVar(&cfg.pins, "pins", "pins.yaml", "file pinning the Spack version and the spack-packages commit")
	fs.StringVar(&cfg.registry, "registry", "", "registry namespace build would publish to")
	fs.StringVar(&cfg.revision, "revision", "", "the revision build would tag (default: the commit of the environment's last change)")
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
	envs, err := loadEnvironments(cfg.environments, names, cfg.loadOptions(pins))
	if err != nil {
		return err
	}
	plans := make([]envPlan, 0, len(envs))
	for _, env := range envs {
		p, err := planEnvironment(env, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", env.Name, err)
		}
		plans = append(plans, p)
	}
	if asJSON {
		data, err := json.MarshalIndent(plans, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", data)
		return err
	}
	return writePlans(stdout, plans)
}

func planEnvironment(env *spack.Environment, cfg buildConfig) (envPlan, error) {
	_, target, err := env.PackagesConfig(cfg.target)
	if err != nil {
		return envPlan{}, err
	}
	viewRoot, _ := env.View.Placement("<environment>")
	p := envPlan{
		Name: env.Name, Dir: env.RelDir, Specs: env.Specs,
		Builder: env.Images.Builder, Runtime: env.Images.Runtime,
		Target: target, View: viewRoot, Includes: []string{},
	}
	if p.View == "" {
		p.View = "none"
	}
	for _, inc := range env.Includes {
		name := inc.Rel
		if inc.Dir {
			name += "/"
		}
		p.Includes = append(p.Includes, name)
	}
	if cfg.registry != "" {
		p.Image = strings.ToLower(strings.TrimSuffix(cfg.registry, "/")) + "/" + env.Name
	}
	p.Tags = []string{"latest"}
	if len(env.Roots) == 1 {
		if v, ok := env.Roots[0].Versions.Pinned(); ok {
			p.Tags = append(p.Tags, v.String())
		} else {
			p.Tags = append(p.Tags, "<root version>")
		}
	}
	if _, revision := sourceDate(env, cfg); len(revision) >= 7 {
		p.Tags = append(p.Tags, revision[:7])
	}
	return p, nil
}

func writePlans(w io.Writer, plans []envPlan) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, p := range plans {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		image := p.Image
		if image == "" {
			image = "(not published: no --registry)"
		}
		includes := strings.Join(p.Includes, ", ")
		if includes == "" {
			includes = "none"
		}
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Dir)
		fmt.Fprintf(tw, "  specs\t%s\n", strings.Join(p.Specs, "\n  \t"))
		fmt.Fprintf(tw, "  builder\t%s\n  runtime\t%s\n  target\t%s\n  view\t%s\n  includes\t%s\n", p.Builder, p.Runtime, p.Target, p.View, includes)
		fmt.Fprintf(tw, "  image\t%s\n  tags\t%s\n", image, strings.Join(p.Tags, ", "))
	}
	return tw.Flush()
}
