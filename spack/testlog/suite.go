package testlog

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// The files of a test suite directory, as named by spack.install_test.
const (
	testSuiteLockFile = "test_suite.lock"
	testResultsFile   = "results.txt"
	testLogSuffix     = "-test-out.txt"
	testedSuffix      = "-tested.txt"
)

// Suite is a `spack test run` suite as Spack leaves it in its test stage
// (~/.spack/test/<suite id>/).
type Suite struct {
	// ID is the suite's content hash, which names its stage directory.
	ID string
	// Alias is the name given with `spack test run --alias`, if any.
	Alias string
	// Specs are the suite's specs in the order Spack tested them.
	Specs []Spec
}

// Spec is the outcome of one concrete spec's stand-alone tests.
type Spec struct {
	Name      string
	Version   string
	Namespace string
	// Hash is the full DAG hash.
	Hash string
	// External is set for specs Spack did not install itself; it skips their tests
	// unless run with --externals.
	External bool
	Status   Status
	Parts    []Part
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
func (s Spec) PkgID() string {
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

// suiteIDPattern is what a suite's content hash looks like: base32 of a SHA-1.
var suiteIDPattern = regexp.MustCompile(`^[a-z2-7]{32}$`)

// SuiteID computes a suite's id from its test_suite.lock the way Spack does
// (TestSuite.content_hash): the lowercase base32 SHA-1 of the lock's JSON text.
func SuiteID(lock []byte) string {
	sum := sha1.Sum(lock)
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))
}

// ReadSuite reads the suite directory dir. Like Spack (TestSuite.from_file), it
// takes the suite id from the directory's name when that is a suite hash, and computes
// it from test_suite.lock otherwise (e.g. after the directory was copied elsewhere).
func ReadSuite(dir string) (*Suite, error) {
	suite, err := ParseSuite(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("reading test suite %s: %w", dir, err)
	}
	if base := filepath.Base(dir); suiteIDPattern.MatchString(base) {
		suite.ID = base
	}
	return suite, nil
}

// ParseSuite reads a suite directory as Spack leaves it: test_suite.lock (the
// specs and the alias), results.txt (one "<pkg id> STATUS" line per tested spec), and
// per spec <pkg id>-tested.txt (the status as a number) and <pkg id>-test-out.txt (the
// log). The suite id is computed from test_suite.lock.
//
// A spec with no result in results.txt takes its status from its -tested.txt, else
// from its log's SUMMARY block; a spec with none of these failed (the run stopped
// before it finished).
func ParseSuite(fsys fs.FS) (*Suite, error) {
	lock, err := fs.ReadFile(fsys, testSuiteLockFile)
	if err != nil {
		return nil, err
	}
	suite, err := parseSuiteLock(lock)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", testSuiteLockFile, err)
	}
	suite.ID = SuiteID(lock)

	results, err := readResults(fsys, suite.Specs)
	if err != nil {
		return nil, err
	}
	for i := range suite.Specs {
		if err := readSpec(fsys, &suite.Specs[i], results); err != nil {
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

func parseSuiteLock(data []byte) (*Suite, error) {
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
	suite := &Suite{Alias: doc.Alias}
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
		suite.Specs = append(suite.Specs, Spec{
			Name:      root.Name,
			Version:   root.Version,
			Namespace: root.Namespace,
			Hash:      root.Hash,
			External:  len(ext) > 0 && !bytes.Equal(ext, []byte("null")),
		})
	}
	return suite, nil
}

// readResults reads results.txt into a map from pkg id to status. A missing file
// is not an error: the run may have stopped before the first spec finished.
func readResults(fsys fs.FS, specs []Spec) (map[string]Status, error) {
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
	results := make(map[string]Status)
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
		status, err := ParseStatus(word)
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

// readSpec fills in one spec's status, parts and log.
func readSpec(fsys fs.FS, spec *Spec, results map[string]Status) error {
	id := spec.PkgID()
	var out *Output
	logName := id + testLogSuffix
	f, err := fsys.Open(logName)
	switch {
	case err == nil:
		out, err = ParseOutput(f)
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
		spec.Status = Failed
		spec.Message = "no result recorded: the test run stopped before this spec finished"
	}
	if out != nil && spec.Message == "" {
		spec.Message = out.message(spec.Status)
	}
	return nil
}

// readTested reads a -tested.txt file: the spec's status as Spack's number. A missing
// file gives "". An empty file means NO_TESTS, as in TestSuite.test_status.
func readTested(fsys fs.FS, name string) (Status, error) {
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	value := strings.TrimSpace(string(data))
	if value == "" {
		return NoTests, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return "", fmt.Errorf("%s: status %q is not a number", name, value)
	}
	status, ok := statusCodes[n]
	if !ok {
		return "", fmt.Errorf("%s: unknown test status %d", name, n)
	}
	return status, nil
}
