package spack

import (
	"fmt"
	"strings"
)

// This file reads what Spack prints, for the pipeline's reports and errors.

// InstallLog is what `spack install` said about where each spec came from.
type InstallLog struct {
	// Built are the specs built from source ("==> No binary for X found: installing
	// from source"), Cached those extracted from a binary cache ("==> Extracting X
	// from binary cache"), as name-version-hash.
	Built, Cached []string
}

// ParseInstallLog reads `spack install` output.
func ParseInstallLog(out string) InstallLog {
	var l InstallLog
	for _, line := range strings.Split(out, "\n") {
		switch ev, _ := ParseInstallEvent(line); ev.Kind {
		case "source":
			l.Built = append(l.Built, ev.Spec)
		case "cached":
			l.Cached = append(l.Cached, ev.Spec)
		}
	}
	return l
}

// ParsePrefixes reads `spack find --format "{hash} {prefix}"`: DAG hash to prefix.
func ParsePrefixes(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		hash, prefix, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && strings.HasPrefix(prefix, "/") {
			m[hash] = prefix
		}
	}
	return m
}

// ErrorLines keeps Spack's "==> Error:" lines, each with the indented lines that
// explain it (the concretizer's reasons), when there are any, since the end of the log
// is often a traceback or a summary.
func ErrorLines(out string) string {
	var errs []string
	inError := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "Error:"):
			errs = append(errs, strings.TrimSpace(line))
			inError = true
		case inError && strings.HasPrefix(line, " ") && strings.TrimSpace(line) != "":
			errs = append(errs, strings.TrimSpace(line))
		default:
			inError = false
		}
	}
	if len(errs) > 0 {
		return strings.Join(errs, "\n")
	}
	return out
}

// FirstLines keeps the start of a message, where Spack says what went wrong first,
// on one line.
func FirstLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

// LastLines keeps the end of a long log, on one line.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// InstallEvent is one line of `spack install` that says how a package is installed.
type InstallEvent struct {
	// Spec is name-version-hash as Spack prints it.
	Spec string
	// Kind is "cached" (extracted from a binary cache), "source" (no binary: built),
	// or "installing" with Index and Total ("==> Installing X [3/12]").
	Kind         string
	Index, Total int
}

// ParseInstallEvent reads one line of `spack install` output.
func ParseInstallEvent(line string) (InstallEvent, bool) {
	f := strings.Fields(line)
	switch {
	case len(f) >= 6 && f[0] == "==>" && f[1] == "No" && f[2] == "binary" && strings.HasSuffix(line, "installing from source"):
		return InstallEvent{Spec: f[4], Kind: "source"}, true
	case len(f) >= 6 && f[0] == "==>" && f[1] == "Extracting" && strings.HasSuffix(line, "from binary cache"):
		return InstallEvent{Spec: f[2], Kind: "cached"}, true
	case len(f) == 4 && f[0] == "==>" && f[1] == "Installing" && strings.HasPrefix(f[3], "[") && strings.HasSuffix(f[3], "]"):
		var i, n int
		if _, err := fmt.Sscanf(f[3], "[%d/%d]", &i, &n); err == nil {
			return InstallEvent{Spec: f[2], Kind: "installing", Index: i, Total: n}, true
		}
	}
	return InstallEvent{}, false
}

// SpecLabel turns Spack's name-version-hash into name@version.
func SpecLabel(nvh string) string {
	i := strings.LastIndexByte(nvh, '-')
	if i < 0 {
		return nvh
	}
	nv := nvh[:i]
	j := strings.LastIndexByte(nv, '-')
	if j < 0 {
		return nv
	}
	return nv[:j] + "@" + nv[j+1:]
}

// maxDetail bounds what a line of a command's output adds to an error.
const maxDetail = 200

// NoSpaceLine finds the line of out that reports ENOSPC, which reads the same in Go,
// Python and C messages, without Spack's "==> Error:" and cut to 200 characters.
func NoSpaceLine(out string) (string, bool) {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(strings.ToLower(line), "no space left on device") {
			detail := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "==> Error:"))
			if r := []rune(detail); len(r) > maxDetail {
				detail = string(r[:maxDetail]) + "…"
			}
			return detail, true
		}
	}
	return "", false
}
