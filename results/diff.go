package results

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// DiffKind says how a spec changed between two runs.
type DiffKind string

// The kinds, in the order a Diff lists them: what needs attention first.
const (
	DiffRegression DiffKind = "regression" // passed, now fails
	DiffFix        DiffKind = "fix"        // failed, now passes
	DiffStatus     DiffKind = "status"     // any other status change, e.g. PASSED -> SKIPPED
	DiffVersion    DiffKind = "version"    // same status, another version
	DiffRebuilt    DiffKind = "rebuilt"    // same status and version, another hash
	DiffAdded      DiffKind = "added"      // only in the second run
	DiffRemoved    DiffKind = "removed"    // only in the first run
)

var kindOrder = []DiffKind{DiffRegression, DiffFix, DiffStatus, DiffVersion, DiffRebuilt, DiffAdded, DiffRemoved}

// Diff is what changed from one run to another, usually the previous run of the same
// environment.
type Diff struct {
	From, To *Run
	// Changes is sorted by kind (in the order of the DiffKind constants), then key.
	Changes []SpecDiff
}

// SpecDiff is one spec's change.
type SpecDiff struct {
	Key  SpecKey
	Kind DiffKind
	// From and To are the spec's results in each run; From is nil for DiffAdded and To
	// is nil for DiffRemoved.
	From, To *SpecResult
}

// DiffRuns compares two runs spec by spec (see SpecKey).
func DiffRuns(from, to *Run) *Diff {
	d := &Diff{From: from, To: to}
	a, b := specsByKey(from), specsByKey(to)
	for k, s := range b {
		p, ok := a[k]
		if !ok {
			d.Changes = append(d.Changes, SpecDiff{Key: k, Kind: DiffAdded, To: s})
			continue
		}
		var kind DiffKind
		switch {
		case classify(p, s.Status) == Regression:
			kind = DiffRegression
		case classify(p, s.Status) == Fix:
			kind = DiffFix
		case p.Status != s.Status:
			kind = DiffStatus
		case p.Version != s.Version:
			kind = DiffVersion
		case p.Hash != s.Hash:
			kind = DiffRebuilt
		default:
			continue
		}
		d.Changes = append(d.Changes, SpecDiff{Key: k, Kind: kind, From: p, To: s})
	}
	for k, p := range a {
		if _, ok := b[k]; !ok {
			d.Changes = append(d.Changes, SpecDiff{Key: k, Kind: DiffRemoved, From: p})
		}
	}
	slices.SortFunc(d.Changes, func(x, y SpecDiff) int {
		return cmp.Or(cmp.Compare(slices.Index(kindOrder, x.Kind), slices.Index(kindOrder, y.Kind)), compareKeys(x.Key, y.Key))
	})
	return d
}

// Count returns how many changes are of kind k.
func (d *Diff) Count(k DiffKind) int {
	n := 0
	for _, c := range d.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// Version describes the version of the change: "1.3.1", or "1.3 -> 1.3.1" when it
// changed.
func (c SpecDiff) Version() string {
	switch {
	case c.From == nil:
		return c.To.Version
	case c.To == nil || c.From.Version == c.To.Version:
		return c.From.Version
	}
	return c.From.Version + " -> " + c.To.Version
}

// Status describes the status of the change: "PASSED", or "PASSED -> FAILED".
func (c SpecDiff) Status() string {
	switch {
	case c.From == nil:
		return string(c.To.Status)
	case c.To == nil || c.From.Status == c.To.Status:
		return string(c.From.Status)
	}
	return string(c.From.Status) + " -> " + string(c.To.Status)
}

// kindWords names each kind in a summary, singular and plural.
var kindWords = map[DiffKind][2]string{
	DiffRegression: {"regression", "regressions"},
	DiffFix:        {"fix", "fixes"},
	DiffStatus:     {"other status change", "other status changes"},
	DiffVersion:    {"new version", "new versions"},
	DiffRebuilt:    {"rebuilt", "rebuilt"},
	DiffAdded:      {"added", "added"},
	DiffRemoved:    {"removed", "removed"},
}

// Summary is a one-line count of the changes, e.g. "1 regression, 2 fixes"; "no
// changes" when there are none.
func (d *Diff) Summary() string {
	var parts []string
	for _, k := range kindOrder {
		n := d.Count(k)
		if n == 0 {
			continue
		}
		word := kindWords[k][1]
		if n == 1 {
			word = kindWords[k][0]
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, word))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// WriteText writes the diff for a terminal: the two runs, one line per change, and a
// summary line.
func (d *Diff) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "from\t%s (%s)\n", RunPath(d.From), d.From.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(tw, "to\t%s (%s)\n", RunPath(d.To), d.To.Started.UTC().Format("2006-01-02 15:04 MST"))
	if a, b := d.From.Image.Digest, d.To.Image.Digest; a != b {
		fmt.Fprintf(tw, "image\t%s -> %s\n", orNone(a), orNone(b))
	}
	if a, b := d.From.Spack.Version, d.To.Spack.Version; a != b {
		fmt.Fprintf(tw, "spack\t%s -> %s\n", orNone(a), orNone(b))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(d.Changes) > 0 {
		fmt.Fprintln(w)
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range d.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Kind, c.Key.Phase, c.Key.Name, c.Version(), c.Status())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", d.Summary())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
