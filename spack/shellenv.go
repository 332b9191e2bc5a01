package spack

import (
	"fmt"
	"regexp"
	"strings"
)

// exportRE matches one line of `spack load --sh`: export NAME=VALUE; with VALUE quoted
// by Python's shlex.quote.
var exportRE = regexp.MustCompile(`^export ([A-Za-z_][A-Za-z0-9_]*)=(.*);$`)

// ParseShellExports reads what `spack load --sh` prints: the run environment of the
// loaded specs as export lines. Unset lines are left out, since the image starts
// without the variables anyway.
func ParseShellExports(out string) (map[string]string, error) {
	env := map[string]string{}
	for i, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "unset ") {
			continue
		}
		m := exportRE.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("spack load output line %d: not an export: %q", i+1, line)
		}
		v, err := shlexUnquote(m[2])
		if err != nil {
			return nil, fmt.Errorf("spack load output line %d: %w", i+1, err)
		}
		env[m[1]] = v
	}
	return env, nil
}

// shlexUnquote undoes shlex.quote: a bare word, or single-quoted parts joined by '"'"'.
func shlexUnquote(s string) (string, error) {
	var b strings.Builder
	for len(s) > 0 {
		switch s[0] {
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", fmt.Errorf("unterminated quote in %q", s)
			}
			b.WriteString(s[1 : 1+end])
			s = s[end+2:]
		case '"':
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return "", fmt.Errorf("unterminated quote in %q", s)
			}
			b.WriteString(s[1 : 1+end])
			s = s[end+2:]
		default:
			n := strings.IndexAny(s, `'"`)
			if n < 0 {
				n = len(s)
			}
			b.WriteString(s[:n])
			s = s[n:]
		}
	}
	return b.String(), nil
}
