// Package affected says which environments a change affects: those whose folder, or a
// file they include, the change touches since a base commit, or all of them when the
// change touches what every image is built with. CI builds only those.
package affected

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// ErrUnknownEnvironment is returned when a scheduled or manual run names an
// environment the directory does not hold.
var ErrUnknownEnvironment = errors.New("no such environment")

// Query is what a run asks for.
type Query struct {
	// Dir holds one directory per environment.
	Dir string
	// Base is the commit or ref the change is measured from: the change is what HEAD
	// adds since its merge base with Base, as a pull request shows it. Empty when
	// there is none (a first push).
	Base string
	// Event is the GitHub event of the run: a schedule or a manual run
	// (workflow_dispatch) builds every environment, or Environment.
	Event       string
	Environment string
	// Includes gives the files an environment includes; nil is Includes, the
	// environment loader's.
	Includes IncludedPaths
}

// Selection is the answer: the environments to build, of All, and why, for the log.
type Selection struct {
	Envs []string
	All  []string
	Why  string
}

// IncludedPaths returns the files and folders (host paths) the environment in envDir
// includes, directly or through its includes.
type IncludedPaths func(envDir string) ([]string, error)

// targets are the targets of the platforms the workflow builds: an include's when:
// condition may name one.
var targets = []string{"x86_64_v3", "aarch64"}

// Includes is IncludedPaths as the environment loader sees them, on the targets of
// every platform the workflow builds (x86_64_v3, aarch64).
func Includes(envDir string) ([]string, error) {
	var paths []string
	for _, target := range targets {
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

// Environments answers q. Dir must be inside a git work tree unless the event or an
// empty Base makes every environment affected.
func Environments(ctx context.Context, q Query) (*Selection, error) {
	if strings.HasPrefix(q.Base, "-") {
		return nil, fmt.Errorf("base %q is not a commit", q.Base)
	}
	if q.Includes == nil {
		q.Includes = Includes
	}
	all, err := spack.ListEnvironments(q.Dir)
	if err != nil {
		return nil, err
	}
	envs, why, err := environments(ctx, q, all)
	if err != nil {
		return nil, err
	}
	return &Selection{Envs: envs, All: all, Why: why}, nil
}

func environments(ctx context.Context, q Query, all []string) ([]string, string, error) {
	switch q.Event {
	case "schedule", "workflow_dispatch":
		if q.Environment == "" {
			return all, q.Event + " builds every environment", nil
		}
		if !slices.Contains(all, q.Environment) {
			return nil, "", fmt.Errorf("%q: %w in %s", q.Environment, ErrUnknownEnvironment, q.Dir)
		}
		return []string{q.Environment}, q.Event + " of " + q.Environment, nil
	}
	if q.Base == "" {
		return all, "no base commit to compare with", nil
	}
	top, err := git(ctx, q.Dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", fmt.Errorf("not in a git work tree: %w", err)
	}
	mergeBase, err := git(ctx, top, "merge-base", q.Base, "HEAD")
	if err != nil {
		// A shallow clone, a force push or a first push (base 0000…): nothing to
		// compare with, so everything may have changed.
		return all, fmt.Sprintf("base %s is not in this history", q.Base), nil
	}
	changed, err := git(ctx, top, "diff", "--name-only", "--no-renames", "-z", mergeBase, "HEAD")
	if err != nil {
		return nil, "", fmt.Errorf("listing the changes since %s: %w", q.Base, err)
	}
	files := strings.Split(strings.TrimRight(changed, "\x00"), "\x00")
	if changed == "" {
		files = nil
	}
	envRel, err := repoRelative(top, q.Dir)
	if err != nil {
		return nil, "", err
	}
	for _, f := range files {
		if why := changesEverything(f, envRel); why != "" {
			return all, why, nil
		}
	}
	return changedEnvironments(top, q, envRel, all, files)
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
func changedEnvironments(top string, q Query, envRel string, all, files []string) ([]string, string, error) {
	var envs, whys []string
	for _, name := range all {
		own := path.Join(envRel, name)
		inc, err := q.Includes(filepath.Join(q.Dir, name))
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
