package testlog

import (
	"bufio"
	"fmt"
	"io"
	"math"
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

// ParseInstallLog reads an install-time-test-log.txt. installed says whether the
// install succeeded: Spack runs the callbacks inside the install and any failure
// aborts it, so after a successful install every callback passed, while after a
// failed one the last callback in the log is the one that failed (or the last before
// the failure). The log itself has no end marker for make-style callbacks.
func ParseInstallLog(r io.Reader, installed bool) (*InstallTests, error) {
	p := installParser{t: &InstallTests{}, cb: -1, starts: map[string][]time.Time{}, begun: map[int]time.Time{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.Contains(line, "\x1b[") {
			line = ansiEscape.ReplaceAllString(line, "")
		}
		p.line(line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading build-time test log: %w", err)
	}
	running := p.cb
	p.endCallback(time.Time{})
	if !installed {
		p.blame(running)
	}
	t := p.t
	t.Status = NoTests
	if len(t.Parts) > 0 {
		t.Status = overallStatus(t.Parts)
	}
	for _, part := range t.Parts {
		if part.Status == Failed && !strings.Contains(part.Name, "::") {
			if t.Message != "" {
				t.Message += "; "
			}
			t.Message += part.Name + ": " + part.Message
		}
	}
	return t, nil
}

// installParser is the state of ParseInstallLog between lines.
type installParser struct {
	t       *InstallTests
	cb      int // index in t.Parts of the running callback, -1 for none
	cbStart time.Time
	errText string // last error-looking line of the running callback
	lastErr string // errText of the callback that ended last
	starts  map[string][]time.Time
	pending []int // sub-parts that end at the next timestamp
	begun   map[int]time.Time
}

func (p *installParser) line(line string) {
	m := spackLine.FindStringSubmatch(line)
	if m == nil {
		p.output(line)
		return
	}
	var at time.Time
	if m[1] != "" {
		at, _ = time.Parse(spackTimeLayout, padMicros(m[1]))
	}
	if !at.IsZero() {
		for _, i := range p.pending {
			p.t.Parts[i].Seconds = duration(p.begun[i], at)
		}
		p.pending = p.pending[:0]
	}
	msg := m[2]
	switch {
	case strings.HasPrefix(msg, "Testing package "):
		p.endCallback(time.Time{})
		p.t.PkgID = strings.TrimSpace(strings.TrimPrefix(msg, "Testing package "))
	case runTestsLine.MatchString(msg):
		p.endCallback(at)
		name := runTestsLine.FindStringSubmatch(msg)[2]
		p.t.Parts = append(p.t.Parts, Part{Name: name, Status: Passed})
		p.cb, p.cbStart = len(p.t.Parts)-1, at
	case notImplementedLine.MatchString(msg):
		p.endCallback(at)
		name := notImplementedLine.FindStringSubmatch(msg)[1]
		p.t.Parts = append(p.t.Parts, Part{Name: name, Status: Failed, Message: "method not implemented"})
	case msg == "Completed testing":
		p.endCallback(at)
	case strings.HasPrefix(msg, "test: "):
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "test: "), ":")
		if name = strings.TrimSpace(name); !at.IsZero() {
			p.starts[name] = append(p.starts[name], at)
		}
	}
}

// output handles a line of a callback's output: a test part's status, or an error.
func (p *installParser) output(line string) {
	if p.cb < 0 {
		return
	}
	sm := statusLine.FindStringSubmatch(line)
	if sm == nil {
		if errorLine.MatchString(strings.TrimSpace(line)) {
			p.errText = strings.TrimSpace(line)
		}
		return
	}
	// A test_part inside a callback such as test_imports.
	t := p.t
	part := Part{Name: sm[2], Status: Status(sm[1]), Message: strings.TrimSpace(sm[3])}
	_, test, _ := strings.Cut(part.Name, "::")
	if s := p.starts[test]; len(s) > 0 {
		p.begun[len(t.Parts)] = s[len(s)-1]
		p.starts[test] = s[:len(s)-1]
		p.pending = append(p.pending, len(t.Parts))
	}
	t.Parts = append(t.Parts, part)
	if part.Status == Failed && t.Parts[p.cb].Status != Failed {
		t.Parts[p.cb].Status = Failed
		t.Parts[p.cb].Message = part.Name + ": " + part.Message
	}
}

func (p *installParser) endCallback(at time.Time) {
	if p.cb < 0 {
		return
	}
	p.t.Parts[p.cb].Seconds = duration(p.cbStart, at)
	p.lastErr = p.errText
	p.cb, p.cbStart, p.errText = -1, time.Time{}, ""
}

// blame marks, after a failed install, the callback that was running when the log
// ended (running), or failing that the last one, as failed, unless one already
// failed.
func (p *installParser) blame(running int) {
	var callbacks []int
	failed := false
	for i, part := range p.t.Parts {
		if !strings.Contains(part.Name, "::") {
			callbacks = append(callbacks, i)
			failed = failed || part.Status == Failed
		}
	}
	if len(callbacks) == 0 || failed {
		return
	}
	last := callbacks[len(callbacks)-1]
	if running >= 0 {
		last = running
	}
	p.t.Parts[last].Status = Failed
	p.t.Parts[last].Message = p.lastErr
	if p.t.Parts[last].Message == "" {
		p.t.Parts[last].Message = "the install failed while or after running this test"
	}
}

// duration is the time from one log timestamp to another, 0 when either is unknown.
// Spack's timestamps have microseconds; it keeps no more.
func duration(from, to time.Time) float64 {
	if from.IsZero() || to.IsZero() || from.After(to) {
		return 0
	}
	return math.Round(to.Sub(from).Seconds()*1e6) / 1e6
}
