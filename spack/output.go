package spack

import (
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
		f := strings.Fields(line)
		switch {
		case len(f) >= 6 && f[0] == "==>" && f[1] == "No" && f[2] == "binary" && strings.HasSuffix(line, "installing from source"):
			l.Built = append(l.Built, f[4])
		case len(f) >= 6 && f[0] == "==>" && f[1] == "Extracting" && strings.HasSuffix(line, "from binary cache"):
			l.Cached = append(l.Cached, f[2])
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
