package results

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// IndexSchema is the version of the index files' layout (Shard, EnvSummary);
// docs/results.md documents it.
const IndexSchema = 1

// IndexEntry summarises one run.
type IndexEntry struct {
	Environment string `json:"environment"`
	ID          string `json:"id"`
	// Path is the run's directory relative to the repository's root (RunDir).
	Path     string    `json:"path"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	// Spack is the version of Spack that ran the tests.
	Spack  string    `json:"spack,omitempty"`
	Image  ImageInfo `json:"image,omitzero"`
	Counts Counts    `json:"counts"`
	// Regressions and Fixes count the specs that went from PASSED to FAILED, and from
	// FAILED to PASSED, since the previous run of the environment.
	Regressions int `json:"regressions"`
	Fixes       int `json:"fixes"`
}

// NewEntry summarises run r; prev is the run before it in its environment, nil for
// the first.
func NewEntry(r, prev *Run) IndexEntry {
	e := IndexEntry{
		Environment: r.Environment,
		ID:          r.ID,
		Path:        RunDir(r.Environment, r.ID, r.Started),
		Started:     r.Started,
		Finished:    r.Finished,
		Spack:       r.Spack.Version,
		Image:       r.Image,
		Counts:      CountSpecs(r.Specs),
	}
	if prev != nil {
		d := DiffRuns(prev, r)
		e.Regressions, e.Fixes = d.Count(DiffRegression), d.Count(DiffFix)
	}
	return e
}

// Counts is how many spec results of a run ended in each status.
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	NoTests int `json:"no_tests"`
}

// Total is the number of spec results counted.
func (c Counts) Total() int { return c.Passed + c.Failed + c.Skipped + c.NoTests }

// CountSpecs counts specs by status.
func CountSpecs(specs []SpecResult) Counts {
	var c Counts
	for _, s := range specs {
		switch s.Status {
		case testlog.Passed:
			c.Passed++
		case testlog.Failed:
			c.Failed++
		case testlog.Skipped:
			c.Skipped++
		case testlog.NoTests:
			c.NoTests++
		}
	}
	return c
}

// RunPath names run r across environments: "<env>/<run-id>", also its directory in
// out/.
func RunPath(r *Run) string { return path.Join(r.Environment, r.ID) }

// compareRuns orders runs by start time, then id: the order of an environment's
// history.
func compareRuns(aStarted time.Time, aID string, bStarted time.Time, bID string) int {
	return cmp.Or(aStarted.Compare(bStarted), strings.Compare(aID, bID))
}

func compareEntries(a, b IndexEntry) int { return compareRuns(a.Started, a.ID, b.Started, b.ID) }

// Shard lists the runs of one environment that started on one UTC day
// (index/<env>/<YYYY>/<MM>/<DD>.json). A push rewrites only the shard of its run's
// day, so shards stop changing once their day is over.
type Shard struct {
	Schema      int    `json:"schema"`
	Environment string `json:"environment"`
	// Day is the UTC date, "2006-01-02".
	Day string `json:"day"`
	// Runs is sorted by start time, then id.
	Runs []IndexEntry `json:"runs"`
}

const dayLayout = "2006-01-02"

// put adds e, or replaces the entry of the same run.
func (s *Shard) put(e IndexEntry) {
	i, found := slices.BinarySearchFunc(s.Runs, e, compareEntries)
	if found {
		s.Runs[i] = e
		return
	}
	s.Runs = slices.Insert(s.Runs, i, e)
}

// ParseShard decodes and checks a shard; name is used in errors.
func ParseShard(name string, data []byte) (*Shard, error) {
	var s Shard
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", name, err)
	}
	if err := checkSchema(s.Schema); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !validName.MatchString(s.Environment) {
		return nil, fmt.Errorf("%s: environment %q is not a valid environment name", name, s.Environment)
	}
	if _, err := time.Parse(dayLayout, s.Day); err != nil {
		return nil, fmt.Errorf("%s: day %q is not a date", name, s.Day)
	}
	for i, e := range s.Runs {
		if err := e.validate(s.Environment); err != nil {
			return nil, fmt.Errorf("%s: runs[%d]: %w", name, i, err)
		}
		if day := e.Started.UTC().Format(dayLayout); day != s.Day {
			return nil, fmt.Errorf("%s: runs[%d]: started on %s, not %s", name, i, day, s.Day)
		}
	}
	if s.Runs == nil {
		s.Runs = []IndexEntry{}
	}
	slices.SortStableFunc(s.Runs, compareEntries)
	return &s, nil
}

// Marshal encodes the shard as JSON on one line: shards are many and small, and a
// push writes one per run.
func (s *Shard) Marshal() ([]byte, error) { return marshalCompact(s) }

// EnvSummary is index/<env>.json: how many runs an environment has, and its first
// and last. It has a fixed size, so rewriting it on every push costs the same however
// long the history. It finds the run before a new one without a search, and bounds
// the search through the shards when an older run lands late.
type EnvSummary struct {
	Schema      int        `json:"schema"`
	Environment string     `json:"environment"`
	Runs        int        `json:"runs"`
	First       RunKey     `json:"first"`
	Last        IndexEntry `json:"last"`
}

// RunKey names a run of an environment and places it in the environment's history.
type RunKey struct {
	ID      string    `json:"id"`
	Started time.Time `json:"started"`
}

// ParseEnvSummary decodes and checks an environment's summary; name is used in errors.
func ParseEnvSummary(name string, data []byte) (*EnvSummary, error) {
	var s EnvSummary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", name, err)
	}
	if err := checkSchema(s.Schema); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case !validName.MatchString(s.Environment):
		return nil, fmt.Errorf("%s: environment %q is not a valid environment name", name, s.Environment)
	case s.Runs < 1:
		return nil, fmt.Errorf("%s: runs is %d, want at least 1", name, s.Runs)
	}
	if !validName.MatchString(s.First.ID) || s.First.Started.IsZero() {
		return nil, fmt.Errorf("%s: first: want a run id and its start, got %q at %s", name, s.First.ID, s.First.Started.Format(time.RFC3339))
	}
	if err := s.Last.validate(s.Environment); err != nil {
		return nil, fmt.Errorf("%s: last: %w", name, err)
	}
	if compareRuns(s.First.Started, s.First.ID, s.Last.Started, s.Last.ID) > 0 {
		return nil, fmt.Errorf("%s: first run %s is after the last, %s", name, s.First.ID, s.Last.ID)
	}
	return &s, nil
}

// Marshal encodes the summary as JSON on one line: a push rewrites it every time.
func (s *EnvSummary) Marshal() ([]byte, error) { return marshalCompact(s) }

func checkSchema(schema int) error {
	switch {
	case schema == 0:
		return errors.New("schema is missing")
	case schema > IndexSchema:
		return fmt.Errorf("schema %d is newer than this reader's %d", schema, IndexSchema)
	}
	return nil
}

// validate checks an entry of environment env.
func (e *IndexEntry) validate(env string) error {
	switch {
	case e.Environment != env:
		return fmt.Errorf("environment %q is not %q", e.Environment, env)
	case !validName.MatchString(e.ID):
		return fmt.Errorf("id %q is not a valid run id", e.ID)
	case e.Started.IsZero():
		return errors.New("started is missing")
	}
	if want := RunDir(e.Environment, e.ID, e.Started); e.Path != want {
		return fmt.Errorf("path %q is not %q", e.Path, want)
	}
	return nil
}

// marshalCompact encodes v as JSON on one line, with a final newline.
func marshalCompact(v any) ([]byte, error) { return marshalJSON(v, "") }

// marshalJSON encodes v as JSON indented by indent ("" for none), with a final newline.
func marshalJSON(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
