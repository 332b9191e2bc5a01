package main

import (
	"fmt"
	"io"
	"log"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/results"
)

// The commands that look after a results repository's checkout: they change files
// only, and the user commits them as one ordinary commit, so history is never
// rewritten.

func newResultsMigrateCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "migrate [flags]",
		Short: "convert a results repository checkout from layout 1 (site committed on every push) to layout 2",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := results.Migrate(cmd.Context(), dir)
			if err != nil {
				return fmt.Errorf("results migrate: %w", err)
			}
			log.Printf("results: migrated %d run(s) in %s and removed %d path(s) of layout 1; commit it as one commit:", m.Runs, dir, len(m.Removed))
			log.Printf("results:   git -C %s add -A && git -C %s commit -m 'Migrate the results to layout %d' && git -C %s push", dir, dir, results.LayoutVersion, dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "from", ".", "the results repository checkout")
	return cmd
}

func newResultsPruneCmd() *cobra.Command {
	var dir string
	var months int
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "remove logs of runs older than --months from a results repository checkout, keeping their results",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if months <= 0 {
				return usageError("results prune: -months must be greater than zero")
			}
			p, err := results.Prune(cmd.Context(), dir, months)
			if err != nil {
				return fmt.Errorf("results prune: %w", err)
			}
			log.Printf("results: removed %d log file(s), %d bytes, of %d run(s) started before %s", p.Files, p.Bytes, p.Runs, p.Cutoff.UTC().Format("2006-01-02 15:04 MST"))
			if p.Files > 0 {
				log.Printf("results: commit it: git -C %s add -A && git -C %s commit -m 'Prune logs older than %d months' && git -C %s push", dir, dir, months, dir)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "from", ".", "the results repository checkout")
	cmd.Flags().IntVar(&months, "months", results.DefaultKeepMonths, "keep the logs of the runs of this many months back from the newest")
	return cmd
}

func newResultsWorkflowCmd() *cobra.Command {
	var branch, version string
	var maxRuns, keepMonths int
	cmd := &cobra.Command{
		Use:   "pages-workflow [flags]",
		Short: "print the GitHub Actions workflow that draws the site of a results repository and deploys it to GitHub Pages",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return resultsWorkflow(cmd.OutOrStdout(), branch, version, maxRuns, keepMonths)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&branch, "branch", "main", "branch of the results repository that results push writes")
	fs.StringVar(&version, "version", "main", "version of spack-ghcr whose `results site` draws the site: a tag, a commit or a module version")
	fs.IntVar(&maxRuns, "max-runs", results.DefaultMaxRuns, "runs per history page")
	fs.IntVar(&keepMonths, "keep-months", results.DefaultKeepMonths, "months of runs that keep their page and files on the site (0: all)")
	return cmd
}

func resultsWorkflow(stdout io.Writer, branch, version string, maxRuns, keepMonths int) error {
	data, err := results.PagesWorkflow(branch, version, maxRuns, keepMonths)
	if err != nil {
		return usageError("results pages-workflow: %v", err)
	}
	_, err = stdout.Write(data)
	return err
}
