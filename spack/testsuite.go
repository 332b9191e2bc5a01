package spack

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TestStatus is the outcome of a spec's tests or of one test part, in Spack's words
// (spack.install_test.TestStatus).
type TestStatus string

const (
	TestPassed  TestStatus = "PASSED"
	TestFailed  TestStatus = "FAILED"
	TestSkipped TestStatus = "SKIPPED"
	TestNoTests TestStatus = "NO_TESTS"
)

// ParseTestStatus parses one of Spack's four status words.
func ParseTestStatus(s string) (TestStatus, error) {
	switch st := TestStatus(s); st {
	case TestPassed, TestFailed, TestSkipped, TestNoTests:
		return st, nil
	}
	return "", fmt.Errorf("unknown test status %q", s)
}

// testStatusCodes are the values Spack writes to a spec's -tested.txt file
// (TestStatus.value).
var testStatusCodes = map[int]TestStatus{2: TestPassed, 1: TestFailed, 0: TestSkipped, -1: TestNoTests}

// The files of a test suite directory, as named by spack.install_test.
const (
	testSuiteLockFile = "test_suite.lock"
	testResultsFile   = "results.txt"
	testLogSuffix     = "-test-out.txt"
	testedSuffix      = "-tested.txt"
)

// TestSuite is a `spack test run` suite as Spack leaves it in its test stage
// (~/.spack/test/<suite id>/).
type TestSuite struct {
	// ID is the suite's content hash, which names its stage directory.
	ID string
	// Alias is the name given with `spack test run --alias`, if any.
	Alias string
	// Specs are the suite's specs in the order Spack tested them.
	Specs []TestSpec
}

// TestSpec is the outcome of one concrete spec's stand-alone tests.
type TestSpec struct {
	Name      string
	Version   string
	Namespace string
	// Hash is the full DAG hash.
	Hash string
	// External is set for specs Spack did not install itself; it skips their tests
	// unless run with --externals.
	External bool
	Status   TestStatus
	Parts    []TestPart
	// Message says why the spec failed or was skipped, when the log says so.
	Message string
	// Log is the name of the spec's log file in the suite directory, "" if missing.
	Log string
	// Seconds is the duration of the spec's tests, known only from a JUnit report
	// (see ApplyJUnit).
	Seconds float64
}

// PkgID is Spack's name for the spec in a suite: name-version-hash7, the prefix of its
// files (TestSuite.test_pkg_id).
func (s TestSpec) PkgID() string {
	return pkgID(s.Name, s.Version, s.Hash)
}

func pkgID(name, version, hash string) string {
	if len(hash) > 7 {
		hash = hash[:7]
	}
	// format_path drops path separators that a version (e.g. a git branch) carries.
	version = strings.NewReplacer("/", "_", `\`, "_").Replace(version)
	return name + "-" + version + "-" + hash
}

// TestPart is one test part, e.g. "Libsigsegv::test_smoke_test".
type TestPart struct {
	Name   string
	Status TestStatus
	// Seconds is the time from the part's "test:" line to the first log line after its
	// status, from the log's timestamps; 0 when the log does not tell.
	Seconds float64
	// Message is what Spack printed after the part's status, e.g. why it failed.
	Message string
}

// suiteIDPattern is what a suite's content hash looks like: base32 of a SHA-1.
var suiteIDPattern = regexp.MustCompile(`^[a-z2-7]{32}$`)

// TestSuiteID computes a suite's id from its test_suite.lock the way Spack does
// (TestSuite.content_hash): the lowercase base32 SHA-1 of the lock's JSON text.
func TestSuiteID(lock []byte) string {
	sum := sha1.Sum(lock)
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))
}

// ReadTestSuite reads the suite directory dir. Like Spack (TestSuite.from_file), it
// takes the suite id from the directory's name when that is a suite hash, and computes
// it from test_suite.lock otherwise (e.g. after the directory was copied elsewhere).
func ReadTestSuite(dir string) (*TestSuite, error) {
	suite, err := ParseTestSuite(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("reading test suite %s: %w", dir, err)
	}
	if base := filepath.Base(dir); suiteIDPattern.MatchString(base) {
		suite.ID = base
	}
	return suite, nil
}

// ParseTestSuite reads a suite directory as Spack leaves it: test_suite.lock (the
// specs and the alias), results.txt (one "<pkg id> STATUS" line per tested spec), and
// per spec <pkg id>-tested.txt (the status as a number) and <pkg id>-test-out.txt (the
// log). The suite id is computed from test_suite.lock.
//
// A spec with no result in results.txt takes its status from its -tested.txt, else
// from its log's SUMMARY block; a spec with none of these failed (the run stopped
// before it finished).
func ParseTestSuite(fsys fs.FS) (*TestSuite, error) {
	lock, err := fs.ReadFile(fsys, testSuiteLockFile)
	if err != nil {
		return nil, err
	}
	suite, err := parseTestSuiteLock(lock)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", testSuiteLockFile, err)
	}
	suite.ID = TestSuiteID(lock)

	results, err := readTestResults(fsys, suite.Specs)
	if err != nil {
		return nil, err
	}
	for i := range suite.Specs {
		if err := readTestSpec(fsys, &suite.Specs[i], results); err != nil {
			return nil, err
		}
	}
	return suite, nil
}

// lockNode is the part of a spec node (spec.to_dict) a suite needs.
type lockNode struct {
	Name      string          `json:"name"`
	Version   string          `json:"version"`
	Namespace string          `json:"namespace"`
	Hash      string          `json:"hash"`
	External  json.RawMessage `json:"external"`
}

func parseTestSuiteLock(data []byte) (*TestSuite, error) {
	var doc struct {
		Specs []struct {
			Spec struct {
				Nodes []lockNode `json:"nodes"`
			} `json:"spec"`
		} `json:"specs"`
		Alias string `json:"alias"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if doc.Specs == nil {
		return nil, errors.New("no specs")
	}
	suite := &TestSuite{Alias: doc.Alias}
	for i, s := range doc.Specs {
		// A spec's nodes start with its root (Spec.to_dict traverses from the root).
		if len(s.Spec.Nodes) == 0 {
			return nil, fmt.Errorf("specs[%d]: no nodes", i)
		}
		root := s.Spec.Nodes[0]
		if root.Name == "" || root.Hash == "" {
			return nil, fmt.Errorf("specs[%d]: root node lacks a name or hash", i)
		}
		ext := bytes.TrimSpace(root.External)
		suite.Specs = append(suite.Specs, TestSpec{
			Name:      root.Name,
			Version:   root.Version,
			Namespace: root.Namespace,
			Hash:      root.Hash,
			External:  len(ext) > 0 && !bytes.Equal(ext, []byte("null")),
		})
	}
	return suite, nil
}

// readTestResults reads results.txt into a map from pkg id to status. A missing file
// is not an error: the run may have stopped before the first spec finished.
func readTestResults(fsys fs.FS, specs []TestSpec) (map[string]TestStatus, error) {
	data, err := fs.ReadFile(fsys, testResultsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(specs))
	for _, s := range specs {
		known[s.PkgID()] = true
	}
	results := make(map[string]TestStatus)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		id, word, ok := cutLast(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q has no status", testResultsFile, n, line)
		}
		status, err := ParseTestStatus(word)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", testResultsFile, n, err)
		}
		if !known[id] {
			return nil, fmt.Errorf("%s:%d: spec %q is not in %s", testResultsFile, n, id, testSuiteLockFile)
		}
		// Spack appends; a re-run of the same suite appends again, and the last line wins.
		results[id] = status
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", testResultsFile, err)
	}
	return results, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return strings.TrimSpace(s[:i]), s[i+len(sep):], true
}

// readTestSpec fills in one spec's status, parts and log.
func readTestSpec(fsys fs.FS, spec *TestSpec, results map[string]TestStatus) error {
	id := spec.PkgID()
	var out *TestOutput
	logName := id + testLogSuffix
	f, err := fsys.Open(logName)
	switch {
	case err == nil:
		out, err = ParseTestOutput(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", logName, err)
		}
		spec.Log = logName
		spec.Parts = out.Parts
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}

	tested, err := readTested(fsys, id+testedSuffix)
	if err != nil {
		return err
	}
	switch {
	case results[id] != "":
		spec.Status = results[id]
	case tested != "":
		spec.Status = tested
	case out != nil && out.Summary:
		spec.Status = overallStatus(out.Parts)
	default:
		// Without a result or a finished log the run stopped during this spec (or
		// before it), so what the log shows so far cannot be trusted as a pass.
		spec.Status = TestFailed
		spec.Message = "no result recorded: the test run stopped before this spec finished"
	}
	if out != nil && spec.Message == "" {
		spec.Message = out.message(spec.Status)
	}
	return nil
}

// readTested reads a -tested.txt file: the spec's status as Spack's number. A missing
// file gives "". An empty file means NO_TESTS, as in TestSuite.test_status.
func readTested(fsys fs.FS, name string) (TestStatus, error) {
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	value := strings.TrimSpace(string(data))
	if value == "" {
		return TestNoTests, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return "", fmt.Errorf("%s: status %q is not a number", name, value)
	}
	status, ok := testStatusCodes[n]
	if !ok {
		return "", fmt.Errorf("%s: unknown test status %d", name, n)
	}
	return status, nil
}

// overallStatus is Spack's status of a spec from its parts (write_tested_status): any
// failure fails it, all skipped skips it, any pass passes it, else there were no tests.
func overallStatus(parts []TestPart) TestStatus {
	var passed, skipped int
	for _, p := range parts {
		switch p.Status {
		case TestFailed:
			return TestFailed
		case TestSkipped:
			skipped++
		case TestPassed:
			passed++
		}
	}
	switch {
	case skipped > 0 && skipped == len(parts):
		return TestSkipped
	case passed > 0:
		return TestPassed
	}
	return TestNoTests
}

// TestOutput is what a test log (<pkg id>-test-out.txt, or the stand-alone part of
// install-time-test-log.txt) says.
type TestOutput struct {
	// PkgID is the spec from the log's "Testing package" line.
	PkgID string
	// Parts are the test parts in the order they finished. They come from the log's
	// SUMMARY block when there is one, which has the final status of parts with
	// sub-parts, else from the "STATUS: Part" lines.
	Parts []TestPart
	// Summary reports whether the log had a complete SUMMARY block.
	Summary bool
	// Failure is the text after "Test failure:", which Spack appends when a spec fails.
	Failure string
	// Note is the last Spack message that says why nothing ran, e.g. "Skipped tests
	// for external package" or "No tests to run".
	Note string
}

func (o *TestOutput) message(status TestStatus) string {
	switch status {
	case TestFailed:
		var msgs []string
		for _, p := range o.Parts {
			if p.Status == TestFailed && p.Message != "" {
				msgs = append(msgs, p.Name+": "+p.Message)
			}
		}
		if len(msgs) > 0 {
			return strings.Join(msgs, "; ")
		}
		return o.Failure
	case TestSkipped, TestNoTests:
		return o.Note
	}
	return ""
}

var (
	// spackLine is a Spack message; the timestamp is there when Spack logs in debug
	// mode, which it does while testing (llnl.util.tty.get_timestamp, with ", pid" at
	// debug level 2).
	spackLine = regexp.MustCompile(`^==> (?:\[([0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9:.]+)(?:, [0-9]+)?\] )?(.*)$`)
	// statusLine is printed as each part ends (PackageTest.status).
	statusLine = regexp.MustCompile(`^(PASSED|FAILED|SKIPPED|NO_TESTS): (\S+::\S+?)(?:: (.*))?$`)
	// summaryStart and summaryEnd frame the SUMMARY block (PackageTest.summarize): a
	// banner centred in 80 columns of "=" (none when the text is longer), then
	// "<part> .. <STATUS>" lines, then a totals banner.
	summaryStart = regexp.MustCompile(`^=* SUMMARY: (\S+) =*$`)
	summaryEnd   = regexp.MustCompile(`^=* (?:[0-9]+ [a-z_]+(?:, [0-9]+ [a-z_]+)* )?of [0-9]+ parts? =*$`)
	summaryPart  = regexp.MustCompile(`^(\S+) \.\. (\S+)$`)
	// ansiEscape is a terminal colour code, in case a log was written with colour on.
	ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)
)

const spackTimeLayout = "2006-01-02-15:04:05.000000"

// ParseTestOutput reads a test log. It fails only on a malformed SUMMARY block (an
// unknown status word, a stray line, or a block cut off before its totals); any other
// line is test output and is passed over, so a log cut off elsewhere still gives the
// parts that finished.
func ParseTestOutput(r io.Reader) (*TestOutput, error) {
	p := outputParser{out: &TestOutput{}, starts: map[string][]time.Time{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.Contains(line, "\x1b[") {
			line = ansiEscape.ReplaceAllString(line, "")
		}
		if err := p.line(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading test log: %w", err)
	}
	if p.inSummary {
		return nil, fmt.Errorf("line %d: summary block has no totals line (truncated log?)", n)
	}
	return p.finish(), nil
}

// outputParser is the state of ParseTestOutput between lines.
type outputParser struct {
	out       *TestOutput
	seen      []TestPart  // from status lines, with messages and durations
	begun     []time.Time // start of seen[i], zero if unknown
	ending    []int       // parts of seen whose end is the next timestamp
	starts    map[string][]time.Time
	summary   []TestPart
	inSummary bool
	inFailure bool
	failure   []string
}

func (p *outputParser) line(line string) error {
	if p.inSummary {
		if summaryEnd.MatchString(line) {
			p.inSummary = false
			p.out.Summary = true
			return nil
		}
		m := summaryPart.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("%q is not a summary line", line)
		}
		status, err := ParseTestStatus(m[2])
		if err != nil {
			return err
		}
		p.summary = append(p.summary, TestPart{Name: m[1], Status: status})
		return nil
	}
	if summaryStart.MatchString(line) {
		p.inSummary, p.summary, p.out.Summary = true, nil, false
		return nil
	}

	if m := spackLine.FindStringSubmatch(line); m != nil {
		p.inFailure = false
		p.spackMessage(m[1], m[2])
		return nil
	}

	if m := statusLine.FindStringSubmatch(line); m != nil {
		p.inFailure = false
		part := TestPart{Name: m[2], Status: TestStatus(m[1]), Message: strings.TrimSpace(m[3])}
		var begun time.Time
		_, test, _ := strings.Cut(part.Name, "::")
		if s := p.starts[test]; len(s) > 0 {
			// Sub-parts nest, so the latest open start of this name is this part's.
			begun = s[len(s)-1]
			p.starts[test] = s[:len(s)-1]
			p.ending = append(p.ending, len(p.seen))
		}
		p.seen = append(p.seen, part)
		p.begun = append(p.begun, begun)
		return nil
	}

	if rest, ok := strings.CutPrefix(line, "Test failure: "); ok {
		p.inFailure = true
		p.failure = append(p.failure, rest)
		return nil
	}
	if p.inFailure {
		p.failure = append(p.failure, line)
	}
	return nil
}

// spackMessage handles a "==> [time] msg" line: it ends the parts waiting for a
// timestamp and notes starts of parts and reasons for not testing.
func (p *outputParser) spackMessage(stamp, msg string) {
	var at time.Time
	if stamp != "" {
		at, _ = time.Parse(spackTimeLayout, padMicros(stamp))
	}
	if !at.IsZero() {
		for _, i := range p.ending {
			if b := p.begun[i]; !b.IsZero() && !b.After(at) {
				// Spack's timestamps have microseconds; keep no more.
				p.seen[i].Seconds = math.Round(at.Sub(b).Seconds()*1e6) / 1e6
			}
		}
		p.ending = p.ending[:0]
	}
	switch {
	case strings.HasPrefix(msg, "Testing package "):
		p.out.PkgID = strings.TrimSpace(strings.TrimPrefix(msg, "Testing package "))
	case strings.HasPrefix(msg, "test: "):
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "test: "), ":")
		if !at.IsZero() {
			name = strings.TrimSpace(name)
			p.starts[name] = append(p.starts[name], at)
		}
	case strings.HasPrefix(msg, "Skipped "), msg == "No tests to run":
		p.out.Note = msg
	}
}

func (p *outputParser) finish() *TestOutput {
	out := p.out
	out.Failure = firstParagraph(strings.Join(p.failure, "\n"))
	out.Parts = p.seen
	if out.Summary {
		// The summary has the final word on status (a part with failed sub-parts is
		// FAILED there); the status lines add messages and durations.
		out.Parts = mergeParts(p.summary, p.seen)
	}
	return out
}

// padMicros makes Spack's timestamp fraction six digits long, as the layout wants.
func padMicros(ts string) string {
	i := strings.LastIndexByte(ts, '.')
	if i < 0 {
		return ts + ".000000"
	}
	frac := ts[i+1:]
	for len(frac) < 6 {
		frac += "0"
	}
	return ts[:i+1] + frac[:6]
}

// firstParagraph keeps a "Test failure:" text short: its first lines up to a blank
// line, at most three, joined by spaces.
func firstParagraph(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			if len(keep) > 1 {
				break
			}
			continue
		}
		keep = append(keep, l)
		if len(keep) == 3 {
			break
		}
	}
	return strings.Join(keep, " ")
}

// mergeParts takes names and statuses from the summary and messages and durations from
// the status lines, matching repeated names in order.
func mergeParts(summary, seen []TestPart) []TestPart {
	used := make([]bool, len(seen))
	parts := make([]TestPart, len(summary))
	for i, p := range summary {
		parts[i] = p
		for j, s := range seen {
			if !used[j] && s.Name == p.Name {
				used[j] = true
				parts[i].Seconds = s.Seconds
				parts[i].Message = s.Message
				break
			}
		}
	}
	return parts
}
