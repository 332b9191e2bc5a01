package results

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// The files of a run directory besides results.json.
const (
	JUnitFile   = "junit.xml"
	SummaryFile = "summary.md"
	// LogsDir holds the raw logs: logs/stand-alone/ is Spack's whole test suite
	// directory, logs/build-time/ one install-time-test-log per spec.
	LogsDir = "logs"
)

var shortSHA = regexp.MustCompile(`^[0-9a-f]{7,40}$`)

// NewRunID returns an id unique to one pipeline run: the UTC start time, the short
// commit the pipeline runs (or "nosha"), and a random suffix so that two runs of
// the same commit in the same second still differ, e.g.
// "20261125T105000Z-1a2b3c4-k3j9m2qa". Ids sort by time.
func NewRunID(now time.Time, sha string) string {
	sha = strings.ToLower(strings.TrimSpace(sha))
	if shortSHA.MatchString(sha) {
		sha = sha[:7]
	} else {
		sha = "nosha"
	}
	// 40 random bits: ids of one commit started in the same second collide with a
	// chance of about n²/2⁴¹ for n such runs.
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; keep the id valid anyway.
		copy(b[:], fmt.Sprint(now.UnixNano()))
	}
	suffix := strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
	return now.UTC().Format("20060102T150405Z") + "-" + sha + "-" + suffix
}

// SpecID names a concrete spec whose build-time tests are recorded.
type SpecID struct {
	Name    string
	Version string
	// Hash is the full DAG hash.
	Hash string
}

// Capture is a Run being recorded, together with the raw files it refers to. Build
// it with NewCapture, add results, then Write it.
type Capture struct {
	Run *Run
	// Files maps a path in the run directory (slash-separated, e.g. a SpecResult's
	// Log) to the file to copy there.
	Files map[string]string
}

// NewCapture starts the record of run id of environment env.
func NewCapture(id, env string, started time.Time) *Capture {
	return &Capture{
		Run:   &Run{Schema: SchemaVersion, ID: id, Environment: env, Started: started.UTC(), Specs: []SpecResult{}},
		Files: map[string]string{},
	}
}

// AddSuite records a stand-alone test suite read from dir (testlog.ReadSuite): one
// SpecResult per spec, and every file of dir copied to logs/stand-alone/.
func (c *Capture) AddSuite(dir string, s *testlog.Suite) error {
	c.Run.Suite = &Suite{ID: s.ID, Alias: s.Alias}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("capturing test suite: %w", err)
	}
	logDir := path.Join(LogsDir, string(StandAlone))
	for _, e := range entries {
		if e.Type().IsRegular() {
			c.Files[path.Join(logDir, e.Name())] = filepath.Join(dir, e.Name())
		}
	}
	for _, spec := range s.Specs {
		r := SpecResult{
			ID:       s.ID + "/" + spec.Hash,
			Phase:    StandAlone,
			Name:     spec.Name,
			Version:  spec.Version,
			Hash:     spec.Hash,
			Status:   spec.Status,
			External: spec.External,
			Seconds:  spec.Seconds,
			Message:  spec.Message,
			Parts:    parts(spec.Parts),
		}
		if spec.Log != "" {
			r.Log = path.Join(logDir, spec.Log)
		}
		c.Run.Specs = append(c.Run.Specs, r)
	}
	return nil
}

// AddBuildTime records the build-time tests of one spec, read from logFile (its
// install-time-test-log.txt; "" when there is none), which is copied to
// logs/build-time/<name>-<version>-<hash7>.txt.
func (c *Capture) AddBuildTime(spec SpecID, t *testlog.InstallTests, logFile string) {
	r := SpecResult{
		ID:      "build/" + spec.Hash,
		Phase:   BuildTime,
		Name:    spec.Name,
		Version: spec.Version,
		Hash:    spec.Hash,
		Status:  t.Status,
		Message: t.Message,
		Parts:   parts(t.Parts),
	}
	if logFile != "" {
		r.Log = path.Join(LogsDir, string(BuildTime), safeFileName(spec.Name+"-"+spec.Version+"-"+short(spec.Hash))+".txt")
		c.Files[r.Log] = logFile
	}
	// Callbacks run one after another; their sub-parts (names with "::") run inside
	// them and are not added again.
	for _, p := range t.Parts {
		if !strings.Contains(p.Name, "::") {
			r.Seconds += p.Seconds
		}
	}
	r.Seconds = math.Round(r.Seconds*1e6) / 1e6
	c.Run.Specs = append(c.Run.Specs, r)
}

func parts(ps []testlog.Part) []Part {
	var out []Part
	for _, p := range ps {
		out = append(out, Part{Name: p.Name, Status: p.Status, Seconds: p.Seconds, Message: p.Message})
	}
	return out
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._@+-]`)

func safeFileName(s string) string { return unsafeFileChars.ReplaceAllString(s, "_") }

// Failed reports whether any test of the run failed; such a run must not publish.
func (r *Run) Failed() bool {
	for _, s := range r.Specs {
		if s.Status == testlog.Failed {
			return true
		}
	}
	return false
}

// FailedSpecs names the specs whose tests failed, "name@version (phase), …", for an
// error line.
func (r *Run) FailedSpecs() string {
	var names []string
	for _, s := range r.Specs {
		if s.Status == testlog.Failed {
			names = append(names, fmt.Sprintf("%s@%s (%s)", s.Name, s.Version, s.Phase))
		}
	}
	return strings.Join(names, ", ")
}

// ErrRunExists is returned by Write when the run's directory already exists: run ids
// are unique, so this is a second write of the same run.
var ErrRunExists = errors.New("run directory already exists")

// Write writes the capture to root/<env>/<run-id>/: the raw files, junit.xml,
// summary.md, and last results.json, so that a reader never sees a run without its
// logs. It returns the run directory.
func (c *Capture) Write(root string) (_ string, err error) {
	r := c.Run
	if err := r.Validate(); err != nil {
		return "", fmt.Errorf("writing run: %w", err)
	}
	dir := filepath.Join(root, r.Environment, r.ID)
	if _, err := os.Stat(dir); err == nil {
		return "", fmt.Errorf("writing run %s: %w", dir, ErrRunExists)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("writing run: %w", err)
	}
	defer func() {
		// A half-written run would block the retry (ErrRunExists) and mislead readers.
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	for rel, src := range c.Files {
		if !fs.ValidPath(rel) || rel == FileName || rel == JUnitFile || rel == SummaryFile {
			return "", fmt.Errorf("writing run: %q is not a place for a log", rel)
		}
		if err := copyFile(filepath.Join(dir, filepath.FromSlash(rel)), src); err != nil {
			return "", fmt.Errorf("writing run: %w", err)
		}
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{JUnitFile, WriteJUnit},
		{SummaryFile, WriteSummary},
		{FileName, writeJSON},
	} {
		if err := writeFile(filepath.Join(dir, f.name), r, f.write); err != nil {
			return "", fmt.Errorf("writing run: %w", err)
		}
	}
	return dir, nil
}

func writeJSON(w io.Writer, r *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

func writeFile(name string, r *Run, write func(io.Writer, *Run) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f, r); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return out.Close()
}
