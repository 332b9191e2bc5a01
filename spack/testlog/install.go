package testlog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// InstallLog is where Spack keeps the log of a spec's build-time tests
// (`spack install --test=root|all`), relative to the spec's prefix. Spack writes it in
// the build stage and copies it here only when the install succeeds; after a failed
// install it is left in the stage directory under the same base name.
const InstallLog = ".spack/install-time-test-log.txt"

// InstallTests is the outcome of one spec's build-time tests, read from its
// install-time-test-log.txt.
type InstallTests struct {
	// PkgID is the spec from the log's "Testing package" line (name-version-hash7).
	PkgID  string
	Status Status
	// Parts has one part per test callback Spack ran (e.g. "check", "installcheck",
	// "test_imports"), in order, each followed by the sub-parts the callback reported
	// (e.g. "PyNumpy::test_imports_numpy").
	Parts []Part
	// Message says why the tests failed, when they did.
	Message string
}

var (
	// runTestsLine is printed before each callback (PackageTest.phase_tests).
	runTestsLine = regexp.MustCompile(`^RUN-TESTS: (build|install)-time tests \[(.+)\]$`)
	// notImplementedLine is printed for a callback the package lacks.
	notImplementedLine = regexp.MustCompile(`^RUN-TESTS: method not implemented \[(.+)\]$`)
	// errorLine is how make, ninja, ctest and Python report the failure of a callback.
	errorLine = regexp.MustCompile(`(?i)^(make(\[\d+\])?: \*\*\* .*Error \d+|ninja: build stopped.*|.*tests? failed.*|Errors while running CTest|.*Error: .*)$`)
)

// ReadInstallLog reads the build-time test log of the spec installed at prefix.
// A spec without the log had no build-time tests run: NO_TESTS.
func ReadInstallLog(prefix string) (*InstallTests, error) {
	f, err := os.Open(filepath.Join(prefix, filepath.FromSlash(InstallLog)))
	if errors.Is(err, fs.ErrNotExist) {
		return &InstallTests{Status: NoTests}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading build-time test log: %w", err)
	}
	defer f.Close()
	t, err := ParseInstallLog(f, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return t, nil
}

// ParseInstallLog reads an install-time-test-log.txt. installed says whether the
// install succeeded: Spack runs the callbacks inside the install and any failure
// aborts it, so after a successful install every callback passed, while after a
// failed one the last callback in the log is the one that failed (or the last before
// the failure). The log itself has no end marker for make-style callbacks.
func ParseInstallLog(r io.Reader, installed bool) (*InstallTests, error) {
	t := &InstallTests{}
	var (
		cb      = -1 // index in t.Parts of the running callback
		cbStart time.Time
		errText string // last error-looking line of the running callback
		lastErr string // errText of the callback that ended last
		starts  = map[string][]time.Time{}
		pending []int // sub-parts that end at the next timestamp
		begun   = map[int]time.Time{}
	)
	duration := func(from, to time.Time) float64 {
		if from.IsZero() || to.IsZero() || from.After(to) {
			return 0
		}
		return math.Round(to.Sub(from).Seconds()*1e6) / 1e6
	}
	endCallback := func(at time.Time) {
		if cb < 0 {
			return
		}
		t.Parts[cb].Seconds = duration(cbStart, at)
		lastErr = errText
		cb, cbStart, errText = -1, time.Time{}, ""
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.Contains(line, "\x1b[") {
			line = ansiEscape.ReplaceAllString(line, "")
		}
		m := spackLine.FindStringSubmatch(line)
		if m == nil {
			if sm := statusLine.FindStringSubmatch(line); sm != nil && cb >= 0 {
				// A test_part inside a callback such as test_imports.
				part := Part{Name: sm[2], Status: Status(sm[1]), Message: strings.TrimSpace(sm[3])}
				_, test, _ := strings.Cut(part.Name, "::")
				if s := starts[test]; len(s) > 0 {
					begun[len(t.Parts)] = s[len(s)-1]
					starts[test] = s[:len(s)-1]
					pending = append(pending, len(t.Parts))
				}
				t.Parts = append(t.Parts, part)
				if part.Status == Failed && t.Parts[cb].Status != Failed {
					t.Parts[cb].Status = Failed
					t.Parts[cb].Message = part.Name + ": " + part.Message
				}
			} else if cb >= 0 && errorLine.MatchString(strings.TrimSpace(line)) {
				errText = strings.TrimSpace(line)
			}
			continue
		}
		var at time.Time
		if m[1] != "" {
			at, _ = time.Parse(spackTimeLayout, padMicros(m[1]))
		}
		if !at.IsZero() {
			for _, i := range pending {
				t.Parts[i].Seconds = duration(begun[i], at)
			}
			pending = pending[:0]
		}
		msg := m[2]
		switch {
		case strings.HasPrefix(msg, "Testing package "):
			endCallback(time.Time{})
			t.PkgID = strings.TrimSpace(strings.TrimPrefix(msg, "Testing package "))
		case runTestsLine.MatchString(msg):
			endCallback(at)
			name := runTestsLine.FindStringSubmatch(msg)[2]
			t.Parts = append(t.Parts, Part{Name: name, Status: Passed})
			cb, cbStart = len(t.Parts)-1, at
		case notImplementedLine.MatchString(msg):
			endCallback(at)
			name := notImplementedLine.FindStringSubmatch(msg)[1]
			t.Parts = append(t.Parts, Part{Name: name, Status: Failed, Message: "method not implemented"})
		case msg == "Completed testing":
			endCallback(at)
		case strings.HasPrefix(msg, "test: "):
			name, _, _ := strings.Cut(strings.TrimPrefix(msg, "test: "), ":")
			if name = strings.TrimSpace(name); !at.IsZero() {
				starts[name] = append(starts[name], at)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading build-time test log: %w", err)
	}
	running := cb
	endCallback(time.Time{})

	var callbacks []int
	for i, p := range t.Parts {
		if !strings.Contains(p.Name, "::") {
			callbacks = append(callbacks, i)
		}
	}
	if !installed && len(callbacks) > 0 {
		// The install failed: blame the callback that was running when the log
		// ended, or failing that the last one, unless one already failed.
		failed := false
		for _, i := range callbacks {
			failed = failed || t.Parts[i].Status == Failed
		}
		if !failed {
			last := callbacks[len(callbacks)-1]
			if running >= 0 {
				last = running
			}
			t.Parts[last].Status = Failed
			t.Parts[last].Message = lastErr
			if t.Parts[last].Message == "" {
				t.Parts[last].Message = "the install failed while or after running this test"
			}
		}
	}

	t.Status = NoTests
	if len(t.Parts) > 0 {
		t.Status = overallStatus(t.Parts)
	}
	for _, p := range t.Parts {
		if p.Status == Failed && !strings.Contains(p.Name, "::") {
			if t.Message != "" {
				t.Message += "; "
			}
			t.Message += p.Name + ": " + p.Message
		}
	}
	return t, nil
}
