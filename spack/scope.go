package spack

import (
	"fmt"
	"strings"
)

// Scope is a configuration scope a pipeline gives every Spack command (`spack -C DIR`),
// read above the environment's own: where to install and stage, the package
// repository, the mirrors, the packages: section and the view. It says nothing of
// bootstrapping: Spack's official images keep clingo in the bootstrap store, which
// `bootstrap: enable: false` would make unreachable.
type Scope struct {
	// InstallRoot is the install tree; prefixes are named {name}-{version}-{hash}.
	InstallRoot string
	SourceCache string
	MiscCache   string
	BuildStage  string
	TestStage   string
	// Repo is the builtin package repository's directory.
	Repo string
	// Packages is the packages: section (Environment.PackagesConfig).
	Packages string
	Mirrors  []Mirror
	// View is where Spack's default view goes, "" to leave the environment's view
	// setting alone (View.Placement).
	View string
}

// Mirror is an entry of mirrors.yaml.
type Mirror struct {
	Name, URL string
	// Binary and Source say what the mirror holds; binaries are unsigned.
	Binary, Source bool
	// Autopush pushes every install's binaries to it.
	Autopush bool
	// IDVariable and SecretVariable name the variables of Spack's environment that
	// hold the mirror's credentials, "" for none.
	IDVariable, SecretVariable string
}

// Files are the scope's files, name to content.
func (s Scope) Files() map[string]string {
	files := map[string]string{
		"config.yaml": fmt.Sprintf(`config:
  install_tree:
    root: %s
    projections:
      all: "{name}-{version}-{hash}"
  source_cache: %s
  misc_cache: %s
  build_stage: [%s]
  test_stage: %s
`, s.InstallRoot, s.SourceCache, s.MiscCache, s.BuildStage, s.TestStage),
		"repos.yaml":    fmt.Sprintf("repos:\n  builtin: %s\n", s.Repo),
		"packages.yaml": s.Packages,
	}
	var mirrors strings.Builder
	mirrors.WriteString("mirrors:\n")
	for _, m := range s.Mirrors {
		m.write(&mirrors)
	}
	files["mirrors.yaml"] = mirrors.String()
	if s.View != "" {
		files["view.yaml"] = fmt.Sprintf("view: %s\n", s.View)
	}
	return files
}

func (m Mirror) write(b *strings.Builder) {
	fmt.Fprintf(b, "  %s:\n    url: %s\n", m.Name, m.URL)
	if m.Binary {
		b.WriteString("    signed: false\n")
	}
	switch {
	case m.Binary && !m.Source:
		b.WriteString("    source: false\n")
	case m.Source && !m.Binary:
		b.WriteString("    binary: false\n")
	}
	if m.Autopush {
		b.WriteString("    autopush: true\n")
	}
	if m.IDVariable != "" {
		fmt.Fprintf(b, "    access_pair:\n      id_variable: %s\n      secret_variable: %s\n", m.IDVariable, m.SecretVariable)
	}
}
