package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// matrixConfig is `go run ./ci matrix`'s command line.
type matrixConfig struct {
	base         string
	event        string
	environment  string
	environments string
	perJob       int
}

// includedPaths returns the files and folders (host paths) the environment in envDir
// includes, directly or through its includes.
type includedPaths func(envDir string) ([]string, error)

// matrixTargets are the targets of the platforms the workflow builds: an include's
// when: condition may name one.
var matrixTargets = []string{"x86_64_v3", "aarch64"}

// environmentIncludes is includedPaths as the environment loader sees them, on any of
// the platforms built.
func environmentIncludes(envDir string) ([]string, error) {
	var paths []string
	for _, target := range matrixTargets {
		env, err := spack.LoadEnvironment(envDir, spack.WithTarget(target))
		if err != nil {
			return nil, err
		}
		for _, inc := range env.Includes {
			paths = append(paths, inc.Path)
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// pipelineFiles change every image when they change.
var pipelineFiles = []string{"pins.yaml", "go.mod", "go.sum", "dagger.json"}

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
			return runMatrix(cmd.Context(), cfg, environmentIncludes, os.Getenv, cmd.OutOrStdout())
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

func runMatrix(ctx context.Context, cfg matrixConfig, includes includedPaths, getenv func(string) string, stdout io.Writer) error {
	if cfg.perJob < 1 {
		return usageError("matrix: -per-job must be at least 1")
	}
	if strings.HasPrefix(cfg.base, "-") {
		return usageError("matrix: -base %q is not a commit", cfg.base)
	}
	all, err := listEnvironments(cfg.environments)
	if err != nil {
		return err
	}
	envs, why, err := affectedEnvironments(ctx, cfg, all, includes)
	if err != nil {
		return err
	}
	log.Printf("matrix: %d of %d environments: %s", len(envs), len(all), why)
	publish, reason, err := mayPublish(getenv)
	if err != nil {
		return err
	}
	log.Printf("matrix: publish %t: %s", publish, reason)
	out := matrixOutput{Env: []string{}, Publish: publish}
	for chunk := range slices.Chunk(envs, cfg.perJob) {
		out.Env = append(out.Env, strings.Join(chunk, " "))
	}
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(data))
	return err
}

// listEnvironments returns the names of the folders of dir holding a spack.yaml, sorted.
func listEnvironments(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing environments: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || !spack.ValidName(e.Name()) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, e.Name(), "spack.yaml")); err == nil && fi.Mode().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// affectedEnvironments returns the environments to build and, for the log, why.
func affectedEnvironments(ctx context.Context, cfg matrixConfig, all []string, includes includedPaths) ([]string, string, error) {
	switch cfg.event {
	case "schedule", "workflow_dispatch":
		if cfg.environment == "" {
			return all, cfg.event + " builds every environment", nil
		}
		if !slices.Contains(all, cfg.environment) {
			return nil, "", usageError("matrix: -environment %q: no such environment in %s", cfg.environment, cfg.environments)
		}
		return []string{cfg.environment}, cfg.event + " of " + cfg.environment, nil
	}
	if cfg.base == "" {
		return all, "no base commit to compare with", nil
	}
	top, err := git(ctx, cfg.environments, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", fmt.Errorf("matrix: not in a git work tree: %w", err)
	}
	mergeBase, err := git(ctx, top, "merge-base", cfg.base, "HEAD")
	if err != nil {
		// A shallow clone, a force push or a first push (base 0000…): nothing to
		// compare with, so everything may have changed.
		return all, fmt.Sprintf("base %s is not in this history", cfg.base), nil
	}
	changed, err := git(ctx, top, "diff", "--name-only", "--no-renames", "-z", mergeBase, "HEAD")
	if err != nil {
		return nil, "", fmt.Errorf("matrix: listing the changes since %s: %w", cfg.base, err)
	}
	files := strings.Split(strings.TrimRight(changed, "\x00"), "\x00")
	if changed == "" {
		files = nil
	}
	envRel, err := repoRelative(top, cfg.environments)
	if err != nil {
		return nil, "", err
	}
	for _, f := range files {
		if why := changesEverything(f, envRel); why != "" {
			return all, why, nil
		}
	}
	return changedEnvironments(top, cfg.environments, envRel, all, files, includes)
}

// changesEverything says why a changed file (slash path from the repository root)
// affects every image, or "".
func changesEverything(file, envRel string) string {
	if slices.Contains(pipelineFiles, file) {
		return file + " changed"
	}
	if strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, "_test.go") && !under(file, envRel) {
		return "pipeline code changed (" + file + ")"
	}
	return ""
}

// changedEnvironments returns the environments whose folder or includes hold a changed
// file.
func changedEnvironments(top, envDir, envRel string, all, files []string, includes includedPaths) ([]string, string, error) {
	var envs, whys []string
	for _, name := range all {
		own := path.Join(envRel, name)
		inc, err := includes(filepath.Join(envDir, name))
		var rels []string
		for _, p := range inc {
			rel, rerr := repoRelative(top, p)
			if rerr != nil {
				err = errors.Join(err, rerr)
				continue
			}
			rels = append(rels, rel)
		}
		why := ""
		for _, f := range files {
			if under(f, own) {
				why = f
				break
			}
			if i := slices.IndexFunc(rels, func(r string) bool { return under(f, r) }); i >= 0 {
				why = f + ", included"
				break
			}
		}
		if why == "" && err != nil && len(files) > 0 {
			// Unknown includes could hold any changed file.
			why = fmt.Sprintf("its includes are unknown (%v)", err)
		}
		if why != "" {
			envs = append(envs, name)
			whys = append(whys, name+" ("+why+")")
		}
	}
	if len(envs) == 0 {
		return nil, "no environment changed", nil
	}
	return envs, strings.Join(whys, ", "), nil
}

// under says whether the slash path f is dir or inside it.
func under(f, dir string) bool {
	return dir == "." || f == dir || strings.HasPrefix(f, dir+"/")
}

// repoRelative turns a host path into a slash path from the repository root.
func repoRelative(top, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	// The work tree may be reached through a symlink (/tmp on macOS).
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	if resolved, err := filepath.EvalSymlinks(top); err == nil {
		top = resolved
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is outside the repository %s", p, top)
	}
	return filepath.ToSlash(rel), nil
}

// git runs a git command in dir and returns its output without the final newline.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", args[0], msg)
	}
	return strings.TrimSuffix(stdout.String(), "\n"), nil
}
