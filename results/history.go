package results

import (
	"cmp"
	"slices"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// SpecKey identifies a spec across the runs of an environment: the phase of its tests
// and its package name. Versions and hashes change from run to run; the key does not.
// When one run holds two specs of the same name and phase (two versions of a package
// in one environment), each of them is keyed "name@version" instead.
type SpecKey struct {
	Phase Phase
	Name  string
}

func (k SpecKey) String() string { return k.Name + " (" + string(k.Phase) + ")" }

func compareKeys(a, b SpecKey) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(string(a.Phase), string(b.Phase)))
}

// Change classifies a spec's status in a run against the previous run of the same
// environment.
type Change string

const (
	// Unchanged covers everything that is neither a regression nor a fix, including a
	// spec that is new in the run.
	Unchanged Change = ""
	// Regression: the spec passed in the previous run and fails now.
	Regression Change = "regression"
	// Fix: the spec failed in the previous run and passes now.
	Fix Change = "fix"
)

// classify compares the status of a spec in the previous run (nil when the spec was
// not in it) with its status now.
func classify(prev *SpecResult, now testlog.Status) Change {
	switch {
	case prev == nil:
		return Unchanged
	case prev.Status == testlog.Passed && now == testlog.Failed:
		return Regression
	case prev.Status == testlog.Failed && now == testlog.Passed:
		return Fix
	}
	return Unchanged
}

// specsByKey indexes the specs of r by key.
func specsByKey(r *Run) map[SpecKey]*SpecResult {
	seen := make(map[SpecKey]int, len(r.Specs))
	for _, s := range r.Specs {
		seen[SpecKey{s.Phase, s.Name}]++
	}
	m := make(map[SpecKey]*SpecResult, len(r.Specs))
	for i := range r.Specs {
		s := &r.Specs[i]
		k := SpecKey{s.Phase, s.Name}
		if seen[k] > 1 {
			k.Name += "@" + s.Version
		}
		m[k] = s
	}
	return m
}

// History is the test status of every spec of one environment across its runs.
type History struct {
	Environment string
	// Runs holds the runs shown, oldest first.
	Runs []*Run
	// Total is how many runs the environment has; it exceeds len(Runs) when older
	// runs were left out.
	Total int
	// Rows holds one row per spec key seen in Runs, sorted by name, then phase.
	Rows []HistoryRow
}

// HistoryRow is one spec's status in each run of a History.
type HistoryRow struct {
	Key SpecKey
	// Cells is parallel to History.Runs.
	Cells []Cell
}

// Cell is a spec's result in one run.
type Cell struct {
	// Spec is nil when the run did not test the spec.
	Spec *SpecResult
	// Change compares the status with the previous run of the environment. The oldest
	// run shown is compared with nothing, so its cells are Unchanged.
	Change Change
	// NewVersion is set when the version differs from the one in the previous run.
	NewVersion bool
}

// NewHistory builds the history of the runs of one environment. Runs of other
// environments are ignored. When max is positive, only the newest max runs are shown,
// but regressions in the oldest one shown still compare with the run before it.
func NewHistory(env string, runs []*Run, max int) *History {
	var mine []*Run
	for _, r := range runs {
		if r.Environment == env {
			mine = append(mine, r)
		}
	}
	sortRuns(mine)
	h := &History{Environment: env, Total: len(mine)}
	first := 0
	if max > 0 && len(mine) > max {
		first = len(mine) - max
	}
	h.Runs = mine[first:]

	byRun := make([]map[SpecKey]*SpecResult, len(mine))
	keys := map[SpecKey]bool{}
	for i, r := range mine {
		byRun[i] = specsByKey(r)
		if i >= first {
			for k := range byRun[i] {
				keys[k] = true
			}
		}
	}
	for k := range keys {
		row := HistoryRow{Key: k, Cells: make([]Cell, len(h.Runs))}
		for i := first; i < len(mine); i++ {
			s := byRun[i][k]
			if s == nil {
				continue
			}
			c := Cell{Spec: s}
			if i > 0 {
				prev := byRun[i-1][k]
				c.Change = classify(prev, s.Status)
				c.NewVersion = prev != nil && prev.Version != s.Version
			}
			row.Cells[i-first] = c
		}
		h.Rows = append(h.Rows, row)
	}
	slices.SortFunc(h.Rows, func(a, b HistoryRow) int { return compareKeys(a.Key, b.Key) })
	return h
}

// Latest returns the newest run, or nil for an empty history.
func (h *History) Latest() *Run {
	if len(h.Runs) == 0 {
		return nil
	}
	return h.Runs[len(h.Runs)-1]
}

// Changed returns the rows whose cell in run i (an index into Runs) has change c.
func (h *History) Changed(i int, c Change) []HistoryRow {
	var out []HistoryRow
	for _, row := range h.Rows {
		if i >= 0 && i < len(row.Cells) && row.Cells[i].Spec != nil && row.Cells[i].Change == c {
			out = append(out, row)
		}
	}
	return out
}

// sortRuns orders runs by start time, then id, oldest first.
func sortRuns(runs []*Run) {
	slices.SortStableFunc(runs, func(a, b *Run) int {
		return cmp.Or(a.Started.Compare(b.Started), strings.Compare(a.ID, b.ID))
	})
}
