package main

import (
	"cmp"
	"context"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/spack-ghcr/spack-ghcr/github"
	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/updates"
)

// defaultIgnoreFile lists packages and versions the update bot leaves alone; see
// docs/updates.md.
const defaultIgnoreFile = ".github/updates-ignore"

// updatesConfig is `go run ./ci updates`'s command line.
type updatesConfig struct {
	env            string
	dryRun         bool
	openPRs        bool
	maxPRs         int
	packagesDir    string
	environments   string
	ignoreFile     string
	ignoreSet      bool // -ignore was given, so the file must exist
	pins           string
	repo           string
	apiURL         string
	base           string
	packagesRemote string
	maxWait        time.Duration
	bench          bool
}

func (c *updatesConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.env, "env", "", "check only environments/NAME (default: every environment)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the table of updates and change nothing")
	fs.BoolVar(&c.openPRs, "open-prs", false, "open one pull request per update instead of editing files (needs GITHUB_TOKEN)")
	fs.IntVar(&c.maxPRs, "max-prs", 10, "open at most this many pull requests per run")
	packagesFlag(fs, &c.packagesDir, "; at the pin of pins.yaml")
	fs.StringVar(&c.environments, "environments", "environments", "directory holding one directory per environment")
	fs.StringVar(&c.ignoreFile, "ignore", defaultIgnoreFile, "file of packages (NAME) and versions (NAME@VERSIONS) never to update to")
	fs.StringVar(&c.pins, "pins", "pins.yaml", "file pinning the spack-packages tag and commit")
	fs.StringVar(&c.repo, "repo", os.Getenv("GITHUB_REPOSITORY"), "repository to open pull requests in, OWNER/NAME (default $GITHUB_REPOSITORY)")
	fs.StringVar(&c.apiURL, "api-url", os.Getenv("GITHUB_API_URL"), "GitHub API root (default $GITHUB_API_URL, else https://api.github.com)")
	fs.StringVar(&c.base, "base", "main", "branch the pull requests merge into")
	fs.StringVar(&c.packagesRemote, "packages-remote", "", "spack-packages git remote: bump pins.yaml to its newest vYYYY.MM.N tag")
	fs.DurationVar(&c.maxWait, "max-wait", 2*time.Minute, "most time to wait, in total, before retrying GitHub requests (rate limits, 5xx, resets, timeouts)")
	fs.BoolVar(&c.bench, "bench", false, "time a scan of 50 generated environments against -packages and print the figures")
}

var gitURL = regexp.MustCompile(`^(https?://|ssh://|git@|file://|/|\./|\.\./)`)

func (c *updatesConfig) validate(token string) error {
	switch {
	case c.dryRun && c.openPRs:
		return usageError("updates: -dry-run and -open-prs exclude each other")
	case c.bench && c.openPRs:
		return usageError("updates: -bench changes nothing; drop -open-prs")
	case c.maxPRs < 1:
		return usageError("updates: -max-prs must be at least 1")
	case c.env != "" && !spack.ValidName(c.env):
		return usageError("updates: -env %q must be lowercase letters, digits, '.', '_' or '-'", c.env)
	case c.base == "":
		return usageError("updates: -base is empty")
	case c.maxWait < 0:
		return usageError("updates: -max-wait must not be negative")
	}
	if fi, err := os.Stat(c.packagesDir); err != nil || !fi.IsDir() {
		return usageError("updates: no spack-packages checkout at %s: pass --packages DIR or set SPACK_PACKAGES", c.packagesDir)
	}
	if c.packagesRemote != "" && (strings.HasPrefix(c.packagesRemote, "-") || !gitURL.MatchString(c.packagesRemote)) {
		return usageError("updates: -packages-remote %q: want a git URL or path", c.packagesRemote)
	}
	if c.openPRs {
		if _, _, err := github.SplitRepo(c.repo); err != nil {
			return usageError("updates: -open-prs needs -repo or GITHUB_REPOSITORY: %v", err)
		}
		if token == "" {
			return usageError("updates: -open-prs needs a token in GITHUB_TOKEN")
		}
		if !filepath.IsLocal(c.environments) || !filepath.IsLocal(c.pins) {
			return usageError("updates: with -open-prs, -environments and -pins must be paths inside the repository checkout")
		}
	}
	return nil
}

func newUpdatesCmd() *cobra.Command {
	var cfg updatesConfig
	cmd := &cobra.Command{
		Use:   "updates [flags]",
		Short: "find newer package versions by Spack's version order, open one pull request each",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.ignoreSet = cmd.Flags().Changed("ignore")
			return runUpdates(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	cfg.register(cmd.Flags())
	return cmd
}

func runUpdates(ctx context.Context, cfg updatesConfig, stdout io.Writer) error {
	var token string
	if cfg.openPRs {
		token = os.Getenv("GITHUB_TOKEN")
	}
	if err := cfg.validate(token); err != nil {
		return err
	}
	repo, err := spack.OpenRepo(cfg.packagesDir)
	if err != nil {
		return err
	}
	if cfg.bench {
		return benchUpdates(ctx, repo, stdout)
	}
	ignore, err := updates.LoadIgnoreList(cfg.ignoreFile, cfg.ignoreSet)
	if err != nil {
		return err
	}
	var client *github.Client
	if cfg.openPRs {
		if client, err = github.New(token, github.WithBaseURL(cfg.apiURL), github.WithMaxWait(cfg.maxWait)); err != nil {
			return usageError("updates: %v", err)
		}
	}

	sc := updates.NewScanner(repo, ignore)
	rows, err := sc.ScanDir(cfg.environments, cfg.env)
	if err != nil {
		return err
	}
	if cfg.packagesRemote != "" {
		rows = append(rows, updates.PinUpdate(cfg.pins, ignore, func() (map[string]string, error) {
			return updates.RemoteTags(ctx, cfg.packagesRemote)
		}))
	}
	for _, r := range rows {
		if r.Err != nil {
			log.Print(r.Err)
		}
	}

	switch {
	case cfg.dryRun:
	case cfg.openPRs:
		githubPullRequests(client, cfg).OpenAll(ctx, rows)
		st := client.Stats()
		log.Printf("github: %d requests, %d retried, %s waited (bound %s)", st.Requests, st.Retries, st.Waited.Round(time.Millisecond), cfg.maxWait)
	default:
		for _, w := range updates.Write(rows) {
			log.Printf("%s: %d update(s) written", w.File, w.Updates)
		}
	}
	if err := updates.WriteTable(stdout, rows); err != nil {
		return err
	}
	return updates.Outcome(rows, sc.Unreadable())
}

// githubPullRequests opens the update pull requests with the GitHub client.
func githubPullRequests(client *github.Client, cfg updatesConfig) updates.PullRequests {
	owner, name, _ := github.SplitRepo(cfg.repo)
	return updates.PullRequests{
		Open: func(ctx context.Context, r *updates.Row) (updates.PullResult, error) {
			res, err := client.OpenUpdatePR(ctx, owner, name, github.UpdatePR{
				Base:   cfg.base,
				Branch: r.Branch(),
				Title:  r.Title(),
				Body:   r.Body(),
				Files:  map[string][]byte{filepath.ToSlash(r.Update.File): r.Update.Content},
			})
			return updates.PullResult(res), err
		},
		Reason: github.Reason,
		Max:    cfg.maxPRs,
		Logf:   log.Printf,
	}
}

// benchUpdates runs the update scan's benchmark and prints its figures.
func benchUpdates(ctx context.Context, repo *spack.Repo, stdout io.Writer) error {
	fig, err := updates.Bench(ctx, repo)
	if fig == nil {
		return err
	}
	for _, err := range fig.Survey.Errs {
		log.Print(err)
	}
	return cmp.Or(fig.WriteText(stdout), err)
}
