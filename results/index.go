package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// IndexFile is the name of the index at the root of a results repository.
const IndexFile = "index.json"

// IndexSchema is the version of the index.json layout; docs/results.md documents it.
const IndexSchema = 1

// Index lists every run in a results repository, one entry per run directory, so that
// readers (the site, scripts, the push itself) need not open each results.json.
type Index struct {
	Schema int `json:"schema"`
	// Runs is sorted by environment, then start time, then id.
	Runs []IndexEntry `json:"runs"`
}

// IndexEntry summarises one run.
type IndexEntry struct {
	Environment string `json:"environment"`
	ID          string `json:"id"`
	// Path is the run's directory relative to the repository root: "<env>/<run-id>".
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

// RunPath is the directory of r relative to the root of out/ or of a results
// repository: "<env>/<run-id>".
func RunPath(r *Run) string { return path.Join(r.Environment, r.ID) }

// NewIndex returns the index of runs.
func NewIndex(runs []*Run) *Index {
	x := &Index{Schema: IndexSchema, Runs: []IndexEntry{}}
	for _, h := range Histories(runs, 0) {
		x.Add(h)
	}
	return x
}

// Add puts the runs of h into the index, replacing the entries of runs already listed.
// Regressions and fixes are counted against the run before each one; when h did not
// have the run before its oldest one, that run keeps the counts the index had.
func (x *Index) Add(h *History) {
	for i, r := range h.Runs {
		e := IndexEntry{
			Environment: r.Environment,
			ID:          r.ID,
			Path:        RunPath(r),
			Started:     r.Started,
			Finished:    r.Finished,
			Spack:       r.Spack.Version,
			Image:       r.Image,
			Counts:      CountSpecs(r.Specs),
			Regressions: len(h.Changed(i, Regression)),
			Fixes:       len(h.Changed(i, Fix)),
		}
		if i == 0 && !h.comparedOldest {
			if old, ok := x.Get(r.Environment, r.ID); ok {
				e.Regressions, e.Fixes = old.Regressions, old.Fixes
			}
		}
		if i := slices.IndexFunc(x.Runs, func(o IndexEntry) bool { return o.Path == e.Path }); i >= 0 {
			x.Runs[i] = e
		} else {
			x.Runs = append(x.Runs, e)
		}
	}
	x.sort()
}

func (x *Index) sort() {
	slices.SortStableFunc(x.Runs, func(a, b IndexEntry) int {
		if c := strings.Compare(a.Environment, b.Environment); c != 0 {
			return c
		}
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Get returns the entry of the run env/id.
func (x *Index) Get(env, id string) (IndexEntry, bool) {
	i := slices.IndexFunc(x.Runs, func(e IndexEntry) bool { return e.Environment == env && e.ID == id })
	if i < 0 {
		return IndexEntry{}, false
	}
	return x.Runs[i], true
}

// Environments returns the names of the environments with runs, sorted.
func (x *Index) Environments() []string {
	var envs []string
	for _, e := range x.Runs {
		if len(envs) == 0 || envs[len(envs)-1] != e.Environment {
			envs = append(envs, e.Environment)
		}
	}
	return envs
}

// Of returns the entries of env, oldest first.
func (x *Index) Of(env string) []IndexEntry {
	var out []IndexEntry
	for _, e := range x.Runs {
		if e.Environment == env {
			out = append(out, e)
		}
	}
	return out
}

// ParseIndex decodes and checks an index.json; name is used in errors.
func ParseIndex(name string, data []byte) (*Index, error) {
	var x Index
	if err := json.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", name, err)
	}
	if err := x.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if x.Runs == nil {
		x.Runs = []IndexEntry{}
	}
	x.sort()
	return &x, nil
}

func (x *Index) validate() error {
	switch {
	case x.Schema == 0:
		return errors.New("schema is missing")
	case x.Schema > IndexSchema:
		return fmt.Errorf("schema %d is newer than this reader's %d", x.Schema, IndexSchema)
	}
	for i, e := range x.Runs {
		switch {
		case !validName.MatchString(e.Environment):
			return fmt.Errorf("runs[%d]: environment %q is not a valid environment name", i, e.Environment)
		case !validName.MatchString(e.ID):
			return fmt.Errorf("runs[%d]: id %q is not a valid run id", i, e.ID)
		case e.Path != e.Environment+"/"+e.ID:
			return fmt.Errorf("runs[%d]: path %q is not %q", i, e.Path, e.Environment+"/"+e.ID)
		}
	}
	return nil
}

// Marshal encodes the index as indented JSON with a final newline, so that the file
// diffs well in the results repository.
func (x *Index) Marshal() ([]byte, error) {
	return marshalJSON(x)
}

func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
