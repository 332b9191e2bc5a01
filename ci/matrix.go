package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/affected"
	"github.com/spack-ghcr/spack-ghcr/github/actions"
)

// matrixConfig is `go run ./ci matrix`'s command line.
type matrixConfig struct {
	base         string
	event        string
	environment  string
	environments string
	perJob       int
}

func (c *matrixConfig) validate() error {
	if c.perJob < 1 {
		return usageError("matrix: -per-job must be at least 1")
	}
	if strings.HasPrefix(c.base, "-") {
		return usageError("matrix: -base %q is not a commit", c.base)
	}
	return nil
}

func newMatrixCmd() *cobra.Command {
	var cfg matrixConfig
	cmd := &cobra.Command{
		Use:   "matrix [flags]",
		Short: "print the JSON build matrix: the environments a change affects, and whether this run publishes",
		Long: `Matrix prints what a CI run builds, as JSON for a GitHub Actions matrix:

  {"env": ["lz4", "zlib"], "publish": false}

An environment is built when the change since -base touches its folder or a file it
includes. A change to pins.yaml, go.mod, go.sum, dagger.json or the pipeline's Go code
(any .go file but tests) builds every environment, and so does a base that is unknown
(a shallow clone, a first push). Scheduled and manual runs (-event schedule or
workflow_dispatch) build every environment, or the one -environment names. The change
is what HEAD adds since its merge base with -base, as a pull request shows it.
"publish" is the publish policy's verdict for this run (see build).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMatrix(cmd.Context(), cfg, os.Getenv, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&cfg.base, "base", "", "commit or ref the change is measured from (a pull request's base, the last commit built)")
	fs.StringVar(&cfg.event, "event", os.Getenv("GITHUB_EVENT_NAME"), "GitHub event of the run (default $GITHUB_EVENT_NAME)")
	fs.StringVar(&cfg.environment, "environment", "", "with a schedule or workflow_dispatch event: build only this environment")
	fs.StringVar(&cfg.environments, "environments", "environments", "directory holding one directory per environment")
	fs.IntVar(&cfg.perJob, "per-job", 1, "environments per matrix entry, built together by one job (space-separated)")
	return cmd
}

// matrixOutput is what the workflow reads.
type matrixOutput struct {
	// Env holds one entry per job: environment names separated by spaces.
	Env     []string `json:"env"`
	Publish bool     `json:"publish"`
}

func runMatrix(ctx context.Context, cfg matrixConfig, getenv func(string) string, stdout io.Writer) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	sel, err := affected.Environments(ctx, affected.Query{Dir: cfg.environments, Base: cfg.base, Event: cfg.event, Environment: cfg.environment})
	if errors.Is(err, affected.ErrUnknownEnvironment) {
		return usageError("matrix: -environment %q: no such environment in %s", cfg.environment, cfg.environments)
	}
	if err != nil {
		return fmt.Errorf("matrix: %w", err)
	}
	log.Printf("matrix: %d of %d environments: %s", len(sel.Envs), len(sel.All), sel.Why)
	publish, reason, err := actions.MayPublish(getenv)
	if err != nil {
		return err
	}
	log.Printf("matrix: publish %t: %s", publish, reason)
	out := matrixOutput{Env: []string{}, Publish: publish}
	for chunk := range slices.Chunk(sel.Envs, cfg.perJob) {
		out.Env = append(out.Env, strings.Join(chunk, " "))
	}
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(data))
	return err
}
