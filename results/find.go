package results

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// FindRuns finds the runs named ids ("RUN-ID" or "ENV/RUN-ID") in one pass over from
// (as Walk reads it), holding only the matches and the newest few runs for the error
// message. A pipeline run gives all its environments the same id, so a bare id may be
// ambiguous: that is an error naming the candidates.
func FindRuns(ctx context.Context, from string, ids []string) ([]*Run, error) {
	const shown = 5
	found := make([][]*Run, len(ids))
	var newest []*Run
	total := 0
	err := Walk(ctx, from, func(r *Run) error {
		total++
		for i, id := range ids {
			if id == r.ID || id == RunPath(r) {
				found[i] = append(found[i], r)
			}
		}
		newest = append(newest, r)
		slices.SortStableFunc(newest, func(a, b *Run) int {
			return cmp.Or(b.Started.Compare(a.Started), strings.Compare(a.Environment, b.Environment), strings.Compare(a.ID, b.ID))
		})
		newest = newest[:min(len(newest), shown)]
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Run, len(ids))
	for i, id := range ids {
		switch len(found[i]) {
		case 1:
			out[i] = found[i][0]
			continue
		case 0:
			if total == 0 {
				return nil, fmt.Errorf("no run %q in %s: it holds no runs", id, from)
			}
			var known []string
			for _, r := range newest {
				known = append(known, RunPath(r))
			}
			if total > shown {
				known = append(known, "...")
			}
			return nil, fmt.Errorf("no run %q in %s; it holds, newest first: %s", id, from, strings.Join(known, ", "))
		}
		var paths []string
		for _, r := range found[i] {
			paths = append(paths, RunPath(r))
		}
		return nil, fmt.Errorf("run id %q is in several environments (%s): name one as ENV/RUN-ID", id, strings.Join(paths, ", "))
	}
	return out, nil
}
