package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
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

// statsReport is the JSON the command writes. docs/spack-tests.md explains each count.
type statsReport struct {
	Repository   repoStats  `json:"repository"`
	Environments []envStats `json:"environments"`
	// Seconds is how long reading and classifying the repository took.
	Seconds float64 `json:"seconds"`
}

type repoStats struct {
	Path      string `json:"path"`
	Namespace string `json:"namespace"`
	Commit    string `json:"commit,omitempty"`
	// Virtuals are package.py files of virtual packages, which Spack does not count.
	Virtuals []string        `json:"virtual_packages"`
	Stats    pkgpy.TestStats `json:"stats"`
}

type envStats struct {
	Name string `json:"name"`
	// Source is the file the package names came from: a spack.lock (every concretized
	// spec) or, when there is none, spack.yaml (root specs only).
	Source   string               `json:"source"`
	Stats    pkgpy.TestStats      `json:"stats"`
	Packages []pkgpy.PackageTests `json:"packages"`
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

	start := time.Now()
	repo, err := spack.OpenRepo(cfg.packages)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	cat, err := pkgpy.AnalyzeTests(ctx, repo)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	elapsed := time.Since(start)
	report := statsReport{
		Repository: repoStats{
			Path:      repo.Root,
			Namespace: repo.Namespace,
			Commit:    gitHead(cfg.packages),
			Virtuals:  cat.Virtuals,
			Stats:     cat.Stats(nil),
		},
		Environments: []envStats{},
		Seconds:      elapsed.Seconds(),
	}
	log.Printf("stats: classified %d packages of %s in %.2fs", report.Repository.Stats.Packages, repo.Root, elapsed.Seconds())

	envs, err := environmentSpecs(cfg.environments, cfg.out)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	for _, e := range envs {
		es := envStats{Name: e.name, Source: e.source, Stats: cat.Stats(e.names)}
		for _, n := range e.names {
			if p, ok := cat.Packages[n]; ok {
				es.Packages = append(es.Packages, p)
			}
		}
		report.Environments = append(report.Environments, es)
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
	return writeStatsMarkdown(stdout, &report)
}

// envSpecs are the package names of one environment and where they came from.
type envSpecs struct {
	name   string
	source string
	names  []string
}

// environmentSpecs reads every environment under dir: the concretized specs of its
// spack.lock (next to spack.yaml, else OUT/ENV/spack.lock from a build), or else the
// names of its root specs.
func environmentSpecs(dir, out string) ([]envSpecs, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing environments: %w", err)
	}
	var envs []envSpecs
	for _, e := range entries {
		yamlPath := filepath.Join(dir, e.Name(), "spack.yaml")
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(yamlPath); err != nil {
			continue
		}
		es := envSpecs{name: e.Name()}
		for _, lock := range []string{filepath.Join(dir, e.Name(), "spack.lock"), filepath.Join(out, e.Name(), "spack.lock")} {
			data, err := os.ReadFile(lock)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			lf, err := spack.ParseLockfile(lock, data)
			if err != nil {
				return nil, err
			}
			seen := map[string]bool{}
			for _, s := range lf.Specs {
				if !seen[s.Name] {
					seen[s.Name] = true
					es.names = append(es.names, s.Name)
				}
			}
			es.source = lock
			break
		}
		if es.source == "" {
			env, err := spack.LoadEnvironment(yamlPath)
			if err != nil {
				return nil, err
			}
			for _, r := range env.Roots {
				es.names = append(es.names, r.Name)
			}
			es.source = yamlPath + " (root specs only: no spack.lock)"
		}
		sort.Strings(es.names)
		envs = append(envs, es)
	}
	return envs, nil
}

// gitHead returns the commit checked out in dir, read from .git without running git,
// or "" when it cannot tell.
func gitHead(dir string) string {
	head, err := os.ReadFile(filepath.Join(dir, ".git", "HEAD"))
	if err != nil {
		return ""
	}
	ref, isRef := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !isRef {
		return ref
	}
	if data, err := os.ReadFile(filepath.Join(dir, ".git", filepath.FromSlash(ref))); err == nil {
		return strings.TrimSpace(string(data))
	}
	f, err := os.Open(filepath.Join(dir, ".git", "packed-refs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sha, name, ok := strings.Cut(sc.Text(), " "); ok && name == ref {
			return sha
		}
	}
	return ""
}

// writeStatsMarkdown renders the report as tables for a README or a GitHub job
// summary.
func writeStatsMarkdown(w io.Writer, r *statsReport) error {
	var b strings.Builder
	b.WriteString("## Tests in Spack packages\n\n")
	fmt.Fprintf(&b, "Repository `%s`", r.Repository.Namespace)
	if r.Repository.Commit != "" {
		fmt.Fprintf(&b, " at `%s`", r.Repository.Commit)
	}
	fmt.Fprintf(&b, ". Virtual packages (%s) are not counted, as in Spack. "+
		"What counts is explained in docs/spack-tests.md.\n\n", strings.Join(r.Repository.Virtuals, ", "))

	b.WriteString("| | Packages | Stand-alone: any | in the package | build system only | via virtuals | `spack test list --all` | Build-time: any | package-specific | generic only | Both | Neither |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(label string, s pkgpy.TestStats) {
		pct := func(n int) string {
			if s.Packages == 0 {
				return "0"
			}
			return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(s.Packages))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, s.Packages,
			pct(s.StandAlone.Any), pct(s.StandAlone.Package), pct(s.StandAlone.BuildSystem), pct(s.StandAlone.Virtual),
			pct(s.StandAlone.Spack),
			pct(s.BuildTime.Any), pct(s.BuildTime.Package), pct(s.BuildTime.BuildSystem),
			pct(s.Both), pct(s.Neither))
	}
	row("all of `"+r.Repository.Namespace+"`", r.Repository.Stats)
	for _, e := range r.Environments {
		row("environment `"+e.Name+"`", e.Stats)
	}

	for _, e := range r.Environments {
		fmt.Fprintf(&b, "\n### Environment `%s`\n\nFrom %s.", e.Name, e.Source)
		if len(e.Stats.Missing) > 0 {
			fmt.Fprintf(&b, " Not in the repository (or virtual): %s.", strings.Join(e.Stats.Missing, ", "))
		}
		b.WriteString("\n\n| Package | Stand-alone tests | Build-time tests |\n|---|---|---|\n")
		for _, p := range e.Packages {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", p.Name, standAloneCell(p), buildTimeCell(p))
		}
	}
	fmt.Fprintf(&b, "\nClassified in %.2f s.\n", r.Seconds)
	_, err := io.WriteString(w, b.String())
	return err
}

func standAloneCell(p pkgpy.PackageTests) string {
	switch p.StandAlone {
	case pkgpy.StandAlonePackage, pkgpy.StandAloneBuildSystem:
		return fmt.Sprintf("%s: %s", p.StandAlone, strings.Join(p.Tests, ", "))
	case pkgpy.StandAloneVirtual:
		return "virtual: " + strings.Join(p.VirtualTests, ", ")
	}
	return "none"
}

func buildTimeCell(p pkgpy.PackageTests) string {
	s := string(p.BuildTime)
	var why []string
	why = append(why, p.Callbacks...)
	if p.RunTests {
		why = append(why, "reads run_tests")
	}
	if len(why) > 0 {
		s += ": " + strings.Join(why, ", ")
	}
	return s
}
