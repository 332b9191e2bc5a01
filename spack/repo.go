package spack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Repo is a Spack package repository on disk: a directory holding repo.yaml and a
// packages/ directory with one package.py per package.
type Repo struct {
	// Root is the directory that holds repo.yaml.
	Root string
	// Namespace is repo.yaml's namespace, e.g. "builtin".
	Namespace string
	// API is repo.yaml's package API, e.g. "v2.2"; empty for the v1 layout.
	API string
}

// RepoPackage is one package of a Repo.
type RepoPackage struct {
	// Name is the Spack package name, e.g. "py-numpy".
	Name string
	// File is the path of its package.py.
	File string
}

// builtinRepoPaths are the places a repository's repo.yaml is looked for below a
// checkout: spack-packages (Spack 1.x) and a Spack 0.x checkout.
var builtinRepoPaths = []string{
	"repos/spack_repo/builtin",
	"var/spack/repos/builtin",
	".",
}

// OpenRepo opens the package repository at dir. dir may be the repository itself or a
// spack-packages (or Spack 0.x) checkout holding the builtin repository.
func OpenRepo(dir string) (*Repo, error) {
	for _, sub := range builtinRepoPaths {
		root := filepath.Join(dir, sub)
		data, err := os.ReadFile(filepath.Join(root, "repo.yaml"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("opening package repository %s: %w", dir, err)
		}
		var doc struct {
			Repo struct {
				Namespace string `yaml:"namespace"`
				API       string `yaml:"api"`
			} `yaml:"repo"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(root, "repo.yaml"), err)
		}
		if doc.Repo.Namespace == "" {
			return nil, fmt.Errorf("%s: repo.namespace is missing", filepath.Join(root, "repo.yaml"))
		}
		return &Repo{Root: root, Namespace: doc.Repo.Namespace, API: doc.Repo.API}, nil
	}
	return nil, fmt.Errorf("opening package repository %s: no repo.yaml in %s", dir, strings.Join(builtinRepoPaths, ", "))
}

// Packages lists the repository's packages, sorted by name.
func (r *Repo) Packages() ([]RepoPackage, error) {
	dir := filepath.Join(r.Root, "packages")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing packages of %s: %w", r.Root, err)
	}
	var pkgs []RepoPackage
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		file := filepath.Join(dir, e.Name(), "package.py")
		if _, err := os.Stat(file); err != nil {
			continue
		}
		pkgs = append(pkgs, RepoPackage{Name: r.pkgName(e.Name()), File: file})
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, nil
}

// Package returns the package called name, or an error if the repository lacks it.
func (r *Repo) Package(name string) (RepoPackage, error) {
	file := filepath.Join(r.Root, "packages", r.pkgDir(name), "package.py")
	if _, err := os.Stat(file); err != nil {
		return RepoPackage{}, fmt.Errorf("package %q not in repository %s", name, r.Namespace)
	}
	return RepoPackage{Name: name, File: file}, nil
}

// v2 reports whether the repository uses package API v2, where package directories are
// Python module names: hyphens become underscores, and names that start with a digit or
// are Python keywords get a leading underscore.
func (r *Repo) v2() bool { return strings.HasPrefix(r.API, "v2") }

func (r *Repo) pkgName(dir string) string {
	if !r.v2() {
		return dir
	}
	return strings.ReplaceAll(strings.TrimPrefix(dir, "_"), "_", "-")
}

var startsWithDigit = regexp.MustCompile(`^[0-9]`)

var pythonKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
}

func (r *Repo) pkgDir(name string) string {
	if !r.v2() {
		return name
	}
	dir := strings.ReplaceAll(name, "-", "_")
	if startsWithDigit.MatchString(dir) || pythonKeywords[dir] {
		dir = "_" + dir
	}
	return dir
}
