// Package teststats reports what share of Spack packages have build-time and
// stand-alone tests: in a whole package repository, and in each environment, as JSON
// (Report) or Markdown tables (WriteMarkdown). Package pkgpy classifies the packages;
// docs/spack-tests.md explains each count.
package teststats

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
)

// Report is the JSON the stats command writes.
type Report struct {
	Repository   Repository    `json:"repository"`
	Environments []Environment `json:"environments"`
	// Seconds is how long reading and classifying the repository took.
	Seconds float64 `json:"seconds"`

	catalog *pkgpy.TestCatalog
}

// Repository counts a whole package repository.
type Repository struct {
	Path      string `json:"path"`
	Namespace string `json:"namespace"`
	Commit    string `json:"commit,omitempty"`
	// Virtuals are package.py files of virtual packages, which Spack does not count.
	Virtuals []string        `json:"virtual_packages"`
	Stats    pkgpy.TestStats `json:"stats"`
}

// Environment counts the packages of one environment.
type Environment struct {
	Name string `json:"name"`
	// Source is the file the package names came from: a spack.lock (every concretized
	// spec) or, when there is none, spack.yaml (root specs only).
	Source   string               `json:"source"`
	Stats    pkgpy.TestStats      `json:"stats"`
	Packages []pkgpy.PackageTests `json:"packages"`
}

// New reads and classifies every package of the repository in dir: a spack-packages
// checkout, or a package repository directory holding repo.yaml.
func New(ctx context.Context, dir string) (*Report, error) {
	start := time.Now()
	repo, err := spack.OpenRepo(dir)
	if err != nil {
		return nil, err
	}
	cat, err := pkgpy.AnalyzeTests(ctx, repo)
	if err != nil {
		return nil, err
	}
	return &Report{
		Repository: Repository{
			Path:      repo.Root,
			Namespace: repo.Namespace,
			Commit:    gitHead(dir),
			Virtuals:  cat.Virtuals,
			Stats:     cat.Stats(nil),
		},
		Environments: []Environment{},
		Seconds:      time.Since(start).Seconds(),
		catalog:      cat,
	}, nil
}

// AddEnvironments counts every environment under dir: the concretized specs of its
// spack.lock (next to spack.yaml, else OUT/ENV/spack.lock from a build), or else its
// root specs. A missing dir has none.
func (r *Report) AddEnvironments(dir, out string) error {
	if r.catalog == nil {
		return errors.New("adding environments: the report has no package catalog (make it with New)")
	}
	envs, err := environmentSpecs(dir, out)
	if err != nil {
		return err
	}
	for _, e := range envs {
		es := Environment{Name: e.name, Source: e.source, Stats: r.catalog.Stats(e.names)}
		for _, n := range e.names {
			if p, ok := r.catalog.Packages[n]; ok {
				es.Packages = append(es.Packages, p)
			}
		}
		r.Environments = append(r.Environments, es)
	}
	return nil
}

// envSpecs are the package names of one environment and where they came from.
type envSpecs struct {
	name   string
	source string
	names  []string
}

// environmentSpecs reads the package names of every environment under dir.
func environmentSpecs(dir, out string) ([]envSpecs, error) {
	names, err := spack.ListEnvironments(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var envs []envSpecs
	for _, name := range names {
		yamlPath := filepath.Join(dir, name, "spack.yaml")
		es := envSpecs{name: name}
		for _, lock := range []string{filepath.Join(dir, name, "spack.lock"), filepath.Join(out, name, "spack.lock")} {
			names, err := lockedNames(lock)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			es.names, es.source = names, lock
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

// lockedNames are the package names of the specs of a spack.lock, once each.
func lockedNames(lock string) ([]string, error) {
	data, err := os.ReadFile(lock)
	if err != nil {
		return nil, err
	}
	lf, err := spack.ParseLockfile(lock, data)
	if err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, s := range lf.Specs {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	return names, nil
}
