package updates

import (
	"context"
	"errors"
	"fmt"
)

// PullResult is what opening one update's pull request did: opened (Number, URL), or
// skipped for a reason (Skipped), e.g. a closed pull request that rejected this
// version, or an open one (Existing) that proposes it already. Its fields are those of
// github.UpdatePRResult, so that one converts to the other.
type PullResult struct {
	Number   int
	URL      string
	Skipped  string
	Existing int
}

// PullRequests opens the pull requests of updates. Open does it for one row, from
// its Branch, Title, Body and Update: ci gives it the GitHub client, so that this
// package needs none.
type PullRequests struct {
	Open func(ctx context.Context, r *Row) (PullResult, error)
	// Reason shortens an error of Open for the table, e.g. "GitHub answered 502".
	Reason func(error) string
	// Max is how many pull requests one run opens at most.
	Max int
	// Logf reports each one as it is opened, skipped or failed; nil is silent.
	Logf func(format string, args ...any)
}

// OpenAll opens one pull request per update row, at most p.Max, and sets each update
// row's Action to what happened. A failed update is marked failed and the others go
// on; a rerun skips what is open already and finishes the rest.
func (p PullRequests) OpenAll(ctx context.Context, rows []Row) {
	logf := p.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	opened := 0
	for i := range rows {
		r := &rows[i]
		if r.Update == nil {
			continue
		}
		if ctx.Err() != nil {
			r.Fail("interrupted", ctx.Err())
			continue
		}
		if opened >= p.Max {
			r.Action = fmt.Sprintf("held: -max-prs %d reached", p.Max)
			continue
		}
		res, err := p.Open(ctx, r)
		switch {
		case err != nil:
			r.Fail(p.reason(err), fmt.Errorf("%s: %s %s: %w", r.Env, r.Package, r.Newest, err))
			logf("%v", r.Err)
		case res.Existing != 0:
			r.Action = fmt.Sprintf("exists #%d", res.Existing)
		case res.Skipped != "":
			r.Action = "skipped: " + res.Skipped
			logf("%s: %s %s: %s", r.Env, r.Package, r.Newest, res.Skipped)
		default:
			opened++
			r.Action = fmt.Sprintf("opened #%d", res.Number)
			logf("%s: %s %s: opened %s", r.Env, r.Package, r.Newest, res.URL)
		}
	}
}

func (p PullRequests) reason(err error) string {
	if p.Reason == nil {
		return err.Error()
	}
	return p.Reason(err)
}

// Outcome is a run's error: the updates that failed, and the environments that could
// not be read (Scanner.Unreadable), each in the table and the log already.
func Outcome(rows []Row, unreadable int) error {
	var errs []error
	failed, total := 0, 0
	for _, r := range rows {
		if r.Update != nil {
			total++
			if r.Failed() {
				failed++
			}
		}
	}
	if failed > 0 {
		errs = append(errs, fmt.Errorf("updates: %d of %d updates failed; a rerun finishes them", failed, total))
	}
	if unreadable > 0 {
		errs = append(errs, fmt.Errorf("updates: %d environment(s) could not be read; see the log", unreadable))
	}
	return errors.Join(errs...)
}
