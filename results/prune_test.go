package results

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrune(t *testing.T) {
	repo := memRepo{}
	started := map[string]time.Time{} // run directory -> start
	add := func(up Upload) {
		push(t, repo, up)
		started[RunDir(up.Run.Environment, up.Run.ID, up.Run.Started)] = up.Run.Started
	}
	// Every 9 days from November 1st 2026 to May 18th 2027 (day 199).
	for day := 1; day <= 200; day += 9 {
		add(upload(t, "e", "r"+time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC).Format("20060102"), day, "a=PASSED", "b=FAILED"))
	}
	add(upload(t, "f", "f1", 1, "a=PASSED"))
	dir := writeRepo(t, repo)

	p, err := Prune(t.Context(), dir, 3)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2027, 2, 18, 10, 0, 0, 0, time.UTC), p.Cutoff, "3 months before the newest run, of 2027-05-18")
	after := readTree(t, dir)
	var kept, pruned int
	for name := range repo {
		_, still := after[name]
		if !strings.HasSuffix(name, ".gz") {
			assert.True(t, still, "%s: data is kept", name)
			continue
		}
		run, _, _ := strings.Cut(name, "/logs/")
		old := started[run].Before(p.Cutoff)
		assert.Equal(t, !old, still, "%s: kept unless its run is older than the cutoff", name)
		if still {
			kept++
		} else {
			pruned++
		}
	}
	assert.Equal(t, pruned, p.Files)
	assert.Equal(t, 14, p.Runs, "e's runs up to February 14th, and f's")
	assert.Positive(t, kept)

	again, err := Prune(t.Context(), dir, 3)
	require.NoError(t, err)
	assert.Zero(t, again.Files, "pruning twice removes nothing more")

	site := buildSite(t, dir, WithKeepMonths(3))
	for name, page := range site {
		assert.NotContains(t, page, "r20261101/logs", "%s links to a pruned log", name)
	}

	_, err = Prune(t.Context(), fixtureRuns, 3)
	assert.ErrorContains(t, err, "prune works on a results repository in layout 2")
	_, err = Prune(t.Context(), dir, 0)
	assert.ErrorContains(t, err, "months must be greater than zero")
}
