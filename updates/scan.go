package updates

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Scanner finds updates. It reads each package.py once however many environments pin
// the package.
type Scanner struct {
	repo       *spack.Repo
	ignore     IgnoreList
	versions   versionCache
	unreadable int // environments whose spack.yaml could not be read or parsed
	specs      int // specs looked at
}

// NewScanner returns a scanner of the packages of repo, a spack-packages checkout at
// the pin, that honours ignore.
func NewScanner(repo *spack.Repo, ignore IgnoreList) *Scanner {
	return &Scanner{repo: repo, ignore: ignore, versions: newVersionCache()}
}

// Specs returns the number of specs scanned so far.
func (s *Scanner) Specs() int { return s.specs }

// PackagesRead returns the number of package.py files read so far.
func (s *Scanner) PackagesRead() int { return s.versions.read() }

// Unreadable returns the number of environments whose spack.yaml could not be read or
// parsed; each has a row saying so.
func (s *Scanner) Unreadable() int { return s.unreadable }

// ScanDir scans dir/<name>/spack.yaml of every environment, or of only the one named
// only. An environment that cannot be read or parsed gets a row with the reason and
// the others are scanned; only dir that cannot be listed, or a missing only, is an
// error.
func (s *Scanner) ScanDir(dir, only string) ([]Row, error) {
	var names []string
	if only != "" {
		if _, err := os.Stat(filepath.Join(dir, only, "spack.yaml")); err != nil {
			return nil, fmt.Errorf("reading environment %s: %w", only, err)
		}
		names = []string{only}
	} else {
		var err error
		if names, err = spack.ListEnvironments(dir); err != nil {
			return nil, err
		}
	}
	var rows []Row
	for _, name := range names {
		path := filepath.Join(dir, name, "spack.yaml")
		data, err := spack.ReadEnvironmentFile(path)
		if err != nil {
			s.unreadable++
			r := Row{Env: name, Package: "-", Current: "-", Newest: "-"}
			r.Fail("spack.yaml unreadable", fmt.Errorf("reading environment %s: %w", name, err))
			rows = append(rows, r)
			continue
		}
		envRows, err := s.ScanEnvironment(name, path, data)
		if err != nil {
			s.unreadable++
			rows = append(rows, Row{Env: name, Package: "-", Current: "-", Newest: "-", Action: "skip: spack.yaml does not parse", Err: err})
			continue
		}
		rows = append(rows, envRows...)
	}
	return rows, nil
}

// ScanEnvironment reports each version-constrained spec of one spack.yaml, whose path
// is used in messages and in the updates' File.
func (s *Scanner) ScanEnvironment(env, path string, data []byte) ([]Row, error) {
	// The same reader as build: what build refuses, the bot does not edit.
	e, err := spack.ParseEnvironment(env, path, data)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, es := range e.Literals {
		s.specs++
		sp, err := spack.ParseSpec(es.Text)
		if err != nil {
			rows = append(rows, Row{Env: env, Package: "-", Current: es.Text, Newest: "-", Action: "skip: spec does not parse",
				Err: fmt.Errorf("%s:%d: %w", path, es.Line, err)})
			continue
		}
		if !sp.HasVersion() {
			continue
		}
		row := Row{Env: env, Package: sp.Name, Current: sp.Versions.String(), Newest: "-"}
		s.decide(&row, path, data, es, sp)
		rows = append(rows, row)
	}
	return rows, nil
}

var errNotInRepo = errors.New("not in spack-packages")

// shortReason makes an error fit a table cell; the row's Err has the whole error.
func shortReason(err error) string {
	switch {
	case errors.Is(err, spack.ErrUnsupportedScalar):
		return "spec not written verbatim in YAML"
	case errors.Is(err, errNotInRepo):
		return "not in spack-packages"
	}
	return "see log"
}
