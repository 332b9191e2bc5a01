package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
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
			return lsRemoteTags(ctx, cfg.packagesRemote)
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
		openUpdatePRs(ctx, cfg, client, rows)
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
	return updatesOutcome(rows, sc.Unreadable())
}

// updatesOutcome is the run's error: the updates that failed, and the environments
// that could not be read, each reported in the table and the log already.
func updatesOutcome(rows []updates.Row, unreadable int) error {
	var errs []error
	failed, total := 0, 0
	for _, r := range rows {
		if r.Update != nil {
			total++
			if r.Failed() {
				failed++
			}
		}
	}
	if failed > 0 {
		errs = append(errs, fmt.Errorf("updates: %d of %d updates failed; a rerun finishes them", failed, total))
	}
	if unreadable > 0 {
		errs = append(errs, fmt.Errorf("updates: %d environment(s) could not be read; see the log", unreadable))
	}
	return errors.Join(errs...)
}

// openUpdatePRs opens one pull request per update, at most cfg.maxPRs, and sets each
// update row's Action to what happened. A failed update is reported and the others
// go on; a rerun skips what is open already and finishes the rest.
func openUpdatePRs(ctx context.Context, cfg updatesConfig, client *github.Client, rows []updates.Row) {
	owner, name, _ := github.SplitRepo(cfg.repo)
	opened := 0
	for i := range rows {
		r := &rows[i]
		if r.Update == nil {
			continue
		}
		if ctx.Err() != nil {
			r.Fail("interrupted", ctx.Err())
			continue
		}
		if opened >= cfg.maxPRs {
			r.Action = fmt.Sprintf("held: -max-prs %d reached", cfg.maxPRs)
			continue
		}
		res, err := client.OpenUpdatePR(ctx, owner, name, github.UpdatePR{
			Base:   cfg.base,
			Branch: r.Branch(),
			Title:  r.Title(),
			Body:   r.Body(),
			Files:  map[string][]byte{filepath.ToSlash(r.Update.File): r.Update.Content},
		})
		switch {
		case err != nil:
			r.Fail(github.Reason(err), fmt.Errorf("%s: %s %s: %w", r.Env, r.Package, r.Newest, err))
			log.Print(r.Err)
		case res.Existing != 0:
			r.Action = fmt.Sprintf("exists #%d", res.Existing)
		case res.Skipped != "":
			r.Action = "skipped: " + res.Skipped
			log.Printf("%s: %s %s: %s", r.Env, r.Package, r.Newest, res.Skipped)
		default:
			opened++
			r.Action = fmt.Sprintf("opened #%d", res.Number)
			log.Printf("%s: %s %s: opened %s", r.Env, r.Package, r.Newest, res.URL)
		}
	}
}

// lsRemoteTags lists the tags of a git remote with the commit each points to.
func lsRemoteTags(ctx context.Context, remote string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--tags", remote)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s: %w: %s", remote, err, strings.TrimSpace(stderr.String()))
	}
	return updates.ParseTags(out), nil
}
