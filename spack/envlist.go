package spack

import (
	"fmt"
	"os"
	"path/filepath"
)

// ListEnvironments returns the names of the environments under dir, sorted: the
// folders with a valid name (ValidName) holding a spack.yaml. It is the one rule for
// which folders are environments, so that matrix, updates and stats agree. A
// spack.yaml that cannot be read is listed all the same: the caller reports it.
func ListEnvironments(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing environments: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || !ValidName(e.Name()) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "spack.yaml")); err == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// LoadEnvironments reads the environments names under dir (DIR/NAME/spack.yaml), in
// that order, stopping at the first that does not read.
func LoadEnvironments(dir string, names []string, opts ...Option) ([]*Environment, error) {
	envs := make([]*Environment, 0, len(names))
	for _, name := range names {
		env, err := LoadEnvironment(filepath.Join(dir, name, "spack.yaml"), opts...)
		if err != nil {
			return nil, err
		}
		envs = append(envs, env)
	}
	return envs, nil
}
