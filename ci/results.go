package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/github"
	"github.com/spack-ghcr/spack-ghcr/results"
)

// newResultsCmd keeps test results in a GitHub results repository and renders the
// site; docs/results.md describes the repository.
func newResultsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "results push|site|diff",
		Short: "keep test results in a GitHub repository, render the site, compare runs",
		Args:  unknownSubcommand,
		RunE: func(*cobra.Command, []string) error {
			return usageError("results: name a subcommand: push, site or diff")
		},
	}
	cmd.AddCommand(newResultsPushCmd(), newResultsSiteCmd(), newResultsDiffCmd())
	return cmd
}

// pushConfig is `results push`'s command line.
type pushConfig struct {
	repo    string
	from    string
	branch  string
	apiURL  string
	maxRuns int
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
	if c.maxRuns <= 0 {
		return usageError("results push: -max-runs must be greater than zero")
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
	fs.IntVar(&cfg.maxRuns, "max-runs", results.DefaultMaxRuns, "runs shown per environment page")
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
	report, err := client.PushResults(ctx, owner, name, cfg.branch, uploads, results.WithMaxRuns(cfg.maxRuns))
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
	log.Printf("results: %s: added %s", cfg.repo, strings.Join(report.Added, ", "))
	_, err = fmt.Fprintln(stdout, report.Commit)
	return err
}

func newResultsSiteCmd() *cobra.Command {
	var from, out string
	var maxRuns int
	cmd := &cobra.Command{
		Use:   "site [flags]",
		Short: "render the HTML site of the runs under --from",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return resultsSite(from, out, maxRuns, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&from, "from", "out", "directory holding <env>/<run-id>/results.json: out/ or a results repository checkout")
	fs.StringVar(&out, "out", "", "directory to write the site to (default FROM/site)")
	fs.IntVar(&maxRuns, "max-runs", results.DefaultMaxRuns, "runs shown per environment page")
	return cmd
}

func resultsSite(from, out string, maxRuns int, stdout io.Writer) error {
	if maxRuns <= 0 {
		return usageError("results site: -max-runs must be greater than zero")
	}
	if out == "" {
		out = filepath.Join(from, results.SiteDir)
	}
	absFrom, err := filepath.Abs(from)
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	if absOut == absFrom {
		return usageError("results site: -out must not be -from itself; the default is FROM/site")
	}

	runs, err := results.LoadTree(from)
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	if len(runs) == 0 {
		return fmt.Errorf("results site: no runs in %s: want %s", from, filepath.Join(from, "<env>", "<run-id>", results.FileName))
	}
	// A site right inside FROM (a results repository's site/) links to the runs where
	// they are; elsewhere it gets a copy of them, so that it stands on its own.
	runFiles := ".."
	inPlace := filepath.Dir(absOut) == absFrom
	if !inPlace {
		runFiles = "runs"
	}
	site, err := results.NewSite(results.WithRunFiles(runFiles), results.WithMaxRuns(maxRuns))
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	files, err := site.Render(runs)
	if err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	if err := files.Write(out); err != nil {
		return fmt.Errorf("results site: %w", err)
	}
	if !inPlace {
		for _, r := range runs {
			dst := filepath.Join(out, runFiles, r.Environment, r.ID)
			// CopyFS does not overwrite: start each run afresh.
			if err := os.RemoveAll(dst); err != nil {
				return fmt.Errorf("results site: %w", err)
			}
			if err := os.CopyFS(dst, os.DirFS(filepath.Join(from, r.Environment, r.ID))); err != nil {
				return fmt.Errorf("results site: copying run %s: %w", results.RunPath(r), err)
			}
		}
	}
	log.Printf("results: site of %d run(s) written to %s", len(runs), out)
	_, err = fmt.Fprintln(stdout, filepath.Join(out, "index.html"))
	return err
}

func newResultsDiffCmd() *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "diff [flags] RUN-A RUN-B",
		Short: "print what changed between two runs (ids, or ENV/RUN-ID)",
		RunE: func(cmd *cobra.Command, ids []string) error {
			return resultsDiff(from, ids, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&from, "from", "out", "directory holding <env>/<run-id>/results.json")
	return cmd
}

func resultsDiff(from string, ids []string, stdout io.Writer) error {
	if len(ids) != 2 {
		return usageError("results diff: want two run ids, RUN-A RUN-B (or ENV/RUN-ID), got %d", len(ids))
	}
	runs, err := results.LoadTree(from)
	if err != nil {
		return fmt.Errorf("results diff: %w", err)
	}
	a, err := findRun(runs, ids[0], from)
	if err != nil {
		return fmt.Errorf("results diff: %w", err)
	}
	b, err := findRun(runs, ids[1], from)
	if err != nil {
		return fmt.Errorf("results diff: %w", err)
	}
	return results.DiffRuns(a, b).WriteText(stdout)
}

// findRun finds the run named id ("RUN-ID" or "ENV/RUN-ID"). A pipeline run gives all
// its environments the same id, so a bare id may be ambiguous.
func findRun(runs []*results.Run, id, from string) (*results.Run, error) {
	var found []*results.Run
	for _, r := range runs {
		if id == r.ID || id == results.RunPath(r) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		newest := slices.Clone(runs)
		slices.SortStableFunc(newest, func(a, b *results.Run) int { return b.Started.Compare(a.Started) })
		var known []string
		for _, r := range newest {
			known = append(known, results.RunPath(r))
		}
		if len(known) == 0 {
			return nil, fmt.Errorf("no run %q in %s: it holds no runs", id, from)
		}
		if len(known) > 5 {
			known = append(known[:5], "...")
		}
		return nil, fmt.Errorf("no run %q in %s; it holds, newest first: %s", id, from, strings.Join(known, ", "))
	}
	var paths []string
	for _, r := range found {
		paths = append(paths, results.RunPath(r))
	}
	return nil, fmt.Errorf("run id %q is in several environments (%s): name one as ENV/RUN-ID", id, strings.Join(paths, ", "))
}
