package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/github"
	"github.com/spack-ghcr/spack-ghcr/results"
)

// newResultsCmd keeps test results in a GitHub results repository and renders the
// site; docs/results.md describes the repository.
func newResultsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "results push|site|diff|migrate|prune|pages-workflow",
		Short: "keep test results in a GitHub repository, render the site, compare runs",
		Args:  unknownSubcommand,
		RunE: func(*cobra.Command, []string) error {
			return usageError("results: name a subcommand: push, site, diff, migrate, prune or pages-workflow")
		},
	}
	cmd.AddCommand(newResultsPushCmd(), newResultsSiteCmd(), newResultsDiffCmd(),
		newResultsMigrateCmd(), newResultsPruneCmd(), newResultsWorkflowCmd())
	return cmd
}

// pushConfig is `results push`'s command line.
type pushConfig struct {
	repo   string
	from   string
	branch string
	apiURL string
}

func (c *pushConfig) validate(token string) error {
	if c.repo == "" {
		return usageError("results push: -repo (or $GITHUB_REPOSITORY) must name the results repository as OWNER/NAME")
	}
	if _, _, err := github.SplitRepo(c.repo); err != nil {
		return usageError("results push: %v", err)
	}
	if c.branch == "" {
		return usageError("results push: -branch must not be empty")
	}
	if token == "" {
		return errors.New("results push: GITHUB_TOKEN is not set: it needs contents:write on the results repository")
	}
	return nil
}

func newResultsPushCmd() *cobra.Command {
	var cfg pushConfig
	cmd := &cobra.Command{
		Use:   "push [flags]",
		Short: "push the runs under --from to the results repository in one commit",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The token is read here, once, and goes no further than the API client.
			return resultsPush(cmd.Context(), cfg, cmd.OutOrStdout(), os.Getenv("GITHUB_TOKEN"))
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&cfg.repo, "repo", envOr("GITHUB_REPOSITORY", ""), "results repository OWNER/NAME (default $GITHUB_REPOSITORY)")
	fs.StringVar(&cfg.from, "from", "out", "directory holding <env>/<run-id>/results.json")
	fs.StringVar(&cfg.branch, "branch", "main", "branch of the results repository")
	fs.StringVar(&cfg.apiURL, "api-url", envOr("GITHUB_API_URL", ""), "GitHub API URL, e.g. https://ghe.example.com/api/v3 (default $GITHUB_API_URL, else api.github.com)")
	return cmd
}

func resultsPush(ctx context.Context, cfg pushConfig, stdout io.Writer, token string) error {
	if err := cfg.validate(token); err != nil {
		return err
	}
	owner, name, _ := github.SplitRepo(cfg.repo)
	uploads, err := results.LoadUploads(cfg.from)
	if err != nil {
		return fmt.Errorf("results push: %w", err)
	}
	client, err := github.New(token, github.WithBaseURL(cfg.apiURL))
	if err != nil {
		return fmt.Errorf("results push: %w", err)
	}
	log.Printf("results: pushing %d run(s) from %s to %s, branch %s", len(uploads), cfg.from, cfg.repo, cfg.branch)
	report, err := pushResults(ctx, client, owner, name, cfg.branch, uploads)
	if err != nil {
		return fmt.Errorf("results push: %w", err)
	}
	for _, p := range report.Present {
		log.Printf("results: %s is already in %s, not written again", p, cfg.repo)
	}
	if report.Commit == "" {
		log.Printf("results: nothing new for %s", cfg.repo)
		return nil
	}
	for _, e := range report.Entries {
		log.Printf("results: %s: added %s/%s: %d passed, %d failed; %d regression(s), %d fix(es) since the run before",
			cfg.repo, e.Environment, e.ID, e.Counts.Passed, e.Counts.Failed, e.Regressions, e.Fixes)
	}
	_, err = fmt.Fprintln(stdout, report.Commit)
	return err
}

// pushReport says what pushResults did.
type pushReport struct {
	// Commit is the new commit, "" when there was nothing to write.
	Commit string
	// Added lists the runs written ("<env>/<run-id>"), Entries their index entries;
	// Present lists those the repository already had, which were not written again.
	Added, Present []string
	Entries        []results.IndexEntry
}

// pushResults adds runs to the results repository owner/name on branch in one
// commit (results.PlanUpdate), through the Git Data API. Runs the repository already
// has are skipped, so pushing the same runs twice writes nothing the second time. When
// another push lands first, the commit is planned again on the new head, so that the
// index counts every run against the one really before it.
func pushResults(ctx context.Context, client *github.Client, owner, name, branch string, uploads []results.Upload) (*pushReport, error) {
	var report pushReport
	sha, err := client.Commit(ctx, owner, name, branch, func(ctx context.Context, head *github.Snapshot) (*github.Change, error) {
		u, err := results.PlanUpdate(ctx, head, uploads)
		if err != nil {
			return nil, fmt.Errorf("planning the push to %s/%s: %w", owner, name, err)
		}
		report.Added, report.Present, report.Entries = u.Added, u.Present, u.Entries
		return &github.Change{Files: u.Files, Message: u.Message}, nil
	}, github.WithInitialFile(results.Readme, []byte(results.ReadmeText)))
	if err != nil {
		return nil, err
	}
	report.Commit = sha
	return &report, nil
}

func newResultsSiteCmd() *cobra.Command {
	var from, out string
	var maxRuns, keepMonths int
	cmd := &cobra.Command{
		Use:   "site [flags]",
		Short: "render the HTML site of the runs under --from",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return resultsSite(cmd.Context(), from, out, maxRuns, keepMonths, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&from, "from", "out", "a results repository checkout, or a directory holding <env>/<run-id>/results.json (out/)")
	fs.StringVar(&out, "out", "", "directory to write the site to (default FROM/site)")
	fs.IntVar(&maxRuns, "max-runs", results.DefaultMaxRuns, "runs per history page")
	fs.IntVar(&keepMonths, "keep-months", results.DefaultKeepMonths, "months of runs, back from the newest, that keep their page and files on the site (0: all)")
	return cmd
}

func resultsSite(ctx context.Context, from, out string, maxRuns, keepMonths int, stdout io.Writer) error {
	if maxRuns <= 0 {
		return usageError("results site: -max-runs must be greater than zero")
	}
	if keepMonths < 0 {
		return usageError("results site: -keep-months must not be negative")
	}
	out = cmp.Or(out, filepath.Join(from, "site"))
	if absFrom, err := filepath.Abs(from); err == nil {
		if absOut, err := filepath.Abs(out); err == nil && absOut == absFrom {
			return usageError("results site: -out must not be -from itself; the default is FROM/site")
		}
	}
	site, err := results.NewSite(results.WithMaxRuns(maxRuns), results.WithKeepMonths(keepMonths))
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	report, err := site.Build(ctx, from, out)
	if errors.Is(err, results.ErrNoRuns) {
		return fmt.Errorf("results site: no runs in %s: want a results repository checkout or %s", from, filepath.Join(from, "<env>", "<run-id>", results.FileName))
	}
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	log.Printf("results: site of %d run(s) of %d environment(s) written to %s: %d run pages, %d files, %d bytes",
		report.Runs, report.Environments, out, report.RunPages, report.Files, report.Bytes)
	_, err = fmt.Fprintln(stdout, filepath.Join(out, "index.html"))
	return err
}

func newResultsDiffCmd() *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "diff [flags] RUN-A RUN-B",
		Short: "print what changed between two runs (ids, or ENV/RUN-ID)",
		RunE: func(cmd *cobra.Command, ids []string) error {
			return resultsDiff(cmd.Context(), from, ids, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&from, "from", "out", "a results repository checkout, or a directory holding <env>/<run-id>/results.json")
	return cmd
}

func resultsDiff(ctx context.Context, from string, ids []string, stdout io.Writer) error {
	if len(ids) != 2 {
		return usageError("results diff: want two run ids, RUN-A RUN-B (or ENV/RUN-ID), got %d", len(ids))
	}
	runs, err := results.FindRuns(ctx, from, ids)
	if err != nil {
		return fmt.Errorf("results diff: %w", err)
	}
	return results.DiffRuns(runs[0], runs[1]).WriteText(stdout)
}
