package main

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// pinFile is pins.yaml: the Spack version and the spack-packages commit every
// environment builds with.
type pinFile struct {
	Spack struct {
		Version string `yaml:"version"`
	} `yaml:"spack"`
	Packages struct {
		Git    string `yaml:"git"`
		Tag    string `yaml:"tag"`
		Commit string `yaml:"commit"`
	} `yaml:"spack-packages"`
}

func loadPins(path string) (*pinFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading pins: %w", err)
	}
	var p pinFile
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Spack.Version == "" {
		return nil, fmt.Errorf("%s: spack.version is missing", path)
	}
	if p.Packages.Git == "" || p.Packages.Commit == "" {
		return nil, fmt.Errorf("%s: spack-packages.git and spack-packages.commit are required", path)
	}
	return &p, nil
}
