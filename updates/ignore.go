package updates

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// IgnoreList is the ignore file: packages never updated, and versions never updated
// to. The zero value ignores nothing.
type IgnoreList struct {
	packages map[string]bool
	versions map[string][]spack.VersionConstraint
}

// LoadIgnoreList reads the ignore file at path (ParseIgnoreList). A missing file is an
// empty list unless must is set.
func LoadIgnoreList(path string, must bool) (IgnoreList, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !must {
		return IgnoreList{}, nil
	}
	if err != nil {
		return IgnoreList{}, fmt.Errorf("reading ignore list: %w", err)
	}
	return ParseIgnoreList(path, data)
}

// ParseIgnoreList parses an ignore file; path is used in messages. Each line is NAME or
// NAME@VERSIONS (Spack's version syntax: 2.0, =2.0.1, 2:, 1.2:1.4, lists); '#' starts
// a comment.
func ParseIgnoreList(path string, data []byte) (IgnoreList, error) {
	l := IgnoreList{packages: map[string]bool{}, versions: map[string][]spack.VersionConstraint{}}
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		sp, err := spack.ParseSpec(line)
		if err != nil || strings.ContainsAny(line, " \t+~^%/") || sp.Namespace != "" {
			return IgnoreList{}, &spack.ParseError{Path: path, Line: i + 1, Msg: fmt.Sprintf("%q: want NAME or NAME@VERSIONS", line)}
		}
		if !sp.HasVersion() {
			l.packages[sp.Name] = true
			continue
		}
		l.versions[sp.Name] = append(l.versions[sp.Name], sp.Versions)
	}
	return l, nil
}

// IgnoresPackage reports whether the package is never updated.
func (l IgnoreList) IgnoresPackage(name string) bool { return l.packages[name] }

// Excludes returns a filter that rejects the ignored versions of a package, or nil
// when none is.
func (l IgnoreList) Excludes(name string) func(spack.Version) bool {
	cs := l.versions[name]
	if len(cs) == 0 {
		return nil
	}
	return func(v spack.Version) bool {
		return slices.ContainsFunc(cs, func(c spack.VersionConstraint) bool { return c.Contains(v) })
	}
}
