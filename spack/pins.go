package spack

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Pins is pins.yaml: the Spack version and the spack-packages commit every environment
// builds with.
//
//	spack:
//	  version: 1.1.0
//	spack-packages:
//	  git: https://github.com/spack/spack-packages.git
//	  tag: v2025.11.0
//	  commit: 119680aeee8ea802c6111b7167583bddef97e82f
type Pins struct {
	Spack struct {
		// Version is the Spack version the builder image holds, e.g. "1.1.0".
		Version string
	}
	// Packages is the spack-packages entry.
	Packages PackagesPin

	path        string
	data        []byte
	tag, commit *yaml.Node
}

// PackagesPin is the spack-packages entry of pins.yaml: which commit of the package
// repository every environment is built with.
type PackagesPin struct {
	// Git is the repository's URL.
	Git string
	// Tag is the release tag the commit belongs to, e.g. "v2025.11.0"; the update bot
	// compares tags. It may be empty.
	Tag string
	// Commit is the commit builds check out.
	Commit string
}

// LoadPins reads the pins file at path (see ReadPins).
func LoadPins(path string) (*Pins, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading pins: %w", err)
	}
	return ReadPins(path, data)
}

// ReadPins parses pins.yaml; path is used in messages. spack.version,
// spack-packages.git and spack-packages.commit are required.
func ReadPins(path string, data []byte) (*Pins, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ParseError{Path: path, Msg: err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, &ParseError{Path: path, Msg: "empty file"}
	}
	root := doc.Content[0]
	m := mappingValue(root, "spack-packages")
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, &ParseError{Path: path, Line: root.Line, Msg: "want a spack-packages: mapping"}
	}
	p := &Pins{path: path, data: data, tag: mappingValue(m, "tag"), commit: mappingValue(m, "commit")}
	fields := []struct {
		name     string
		node     *yaml.Node
		dst      *string
		optional bool
	}{
		{"spack-packages.commit", p.commit, &p.Packages.Commit, false},
		{"spack-packages.tag", p.tag, &p.Packages.Tag, true},
		{"spack-packages.git", mappingValue(m, "git"), &p.Packages.Git, false},
		{"spack.version", mappingValue(mappingValue(root, "spack"), "version"), &p.Spack.Version, false},
	}
	for _, f := range fields {
		if f.node == nil && f.optional {
			continue
		}
		if f.node == nil || f.node.Kind != yaml.ScalarNode || f.node.Value == "" {
			line := m.Line
			if f.node != nil {
				line = f.node.Line
			}
			return nil, &ParseError{Path: path, Line: line, Msg: f.name + " must be a string"}
		}
		*f.dst = f.node.Value
	}
	return p, nil
}

// SetPackages returns the pins file with spack-packages' tag and commit changed and
// every other byte as it was. The file must have a tag.
func (p *Pins) SetPackages(tag, commit string) ([]byte, error) {
	if p.tag == nil {
		return nil, &ParseError{Path: p.path, Line: p.commit.Line, Msg: "spack-packages.tag is missing: add the tag the commit belongs to"}
	}
	var edits []Edit
	if tag != p.Packages.Tag {
		edits = append(edits, Edit{Line: p.tag.Line, Column: p.tag.Column, Old: p.Packages.Tag, New: tag})
	}
	if commit != p.Packages.Commit {
		edits = append(edits, Edit{Line: p.commit.Line, Column: p.commit.Column, Old: p.Packages.Commit, New: commit})
	}
	out, err := ApplyEdits(p.data, edits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.path, err)
	}
	if bytes.Equal(out, p.data) {
		return p.data, nil
	}
	return out, nil
}
