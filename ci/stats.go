package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/teststats"
)

// statsConfig is `go run ./ci stats`'s command line.
type statsConfig struct {
	packages     string // a spack-packages checkout, or a repository directory
	environments string
	out          string // where `build` leaves out/<env>/spack.lock
	format       string
	jsonFile     string
}

func (c *statsConfig) validate() error {
	if c.packages == "" {
		return usageError("stats: --packages (or $SPACK_PACKAGES) must name a spack-packages checkout")
	}
	if c.format != "json" && c.format != "markdown" {
		return usageError("stats: --format must be json or markdown, not %q", c.format)
	}
	return nil
}

func newStatsCmd() *cobra.Command {
	var cfg statsConfig
	cmd := &cobra.Command{
		Use:   "stats [flags]",
		Short: "what share of Spack packages have build-time and stand-alone tests",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStats(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	packagesFlag(fs, &cfg.packages, "")
	fs.StringVar(&cfg.environments, "environments", "environments", "directory holding one directory per environment")
	fs.StringVar(&cfg.out, "out", "out", "directory where build leaves OUT/ENV/spack.lock")
	fs.StringVar(&cfg.format, "format", "markdown", "output on stdout: json or markdown")
	fs.StringVar(&cfg.jsonFile, "json", "", "also write the JSON report to this file")
	return cmd
}

func runStats(ctx context.Context, cfg statsConfig, stdout io.Writer) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	report, err := teststats.New(ctx, cfg.packages)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	log.Printf("stats: classified %d packages of %s in %.2fs", report.Repository.Stats.Packages, report.Repository.Path, report.Seconds)
	if err := report.AddEnvironments(cfg.environments, cfg.out); err != nil {
		return fmt.Errorf("stats: %w", err)
	}

	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return fmt.Errorf("stats: encoding report: %w", err)
	}
	data = append(data, '\n')
	if cfg.jsonFile != "" {
		if err := os.WriteFile(cfg.jsonFile, data, 0o644); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
	}
	if cfg.format == "json" {
		_, err = stdout.Write(data)
		return err
	}
	return report.WriteMarkdown(stdout)
}
