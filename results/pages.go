package results

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// envSummary is what the overview shows of one environment.
type envSummary struct {
	name string
	runs int
	last *shown
}

// overview draws the site's front page and the style sheet.
func (bc *buildCtx) overview(envs []envSummary, recent []*shown, runs int) error {
	type envRow struct {
		Name, Href  string
		Runs        int
		Last        IndexEntry
		LastHref    string
		Class       string
		ImageDigest string
	}
	type recentRow struct {
		Env, EnvHref string
		Entry        IndexEntry
		Href         string
		Class        string
	}
	var body struct {
		Envs   []envRow
		Recent []recentRow
		Runs   int
	}
	body.Runs = runs
	for _, e := range envs {
		body.Envs = append(body.Envs, envRow{
			Name: e.name, Href: EnvPage(e.name), Runs: e.runs, Last: e.last.entry,
			LastHref: runHref(0, e.last), Class: entryClass(e.last.entry),
			ImageDigest: shortDigest(e.last.entry.Image.Digest),
		})
	}
	for _, sh := range recent {
		body.Recent = append(body.Recent, recentRow{
			Env: sh.entry.Environment, EnvHref: EnvPage(sh.entry.Environment), Entry: sh.entry,
			Href: runHref(0, sh), Class: entryClass(sh.entry),
		})
	}
	html, err := bc.site.render("overview.html", page{Title: "Test results", Body: body})
	if err != nil {
		return err
	}
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return fmt.Errorf("reading style sheet: %w", err)
	}
	if err := bc.out.write(siteIndex, html); err != nil {
		return err
	}
	return bc.out.write(siteStyle, css)
}

// entryClass is the CSS class that colours a run by its worst news.
func entryClass(e IndexEntry) string {
	switch {
	case e.Regressions > 0:
		return "regression"
	case e.Counts.Failed > 0:
		return "failed"
	}
	return "passed"
}

func shortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return algo + ":" + hex[:12]
}

func shortHash(h string) string { return h[:min(len(h), 7)] }

// pager links a history page to the others; hrefs are relative to the page, "" when
// there is no such page.
type pager struct {
	// Number is the archive page's number, 0 for the front page.
	Number int
	// From and To number the runs an archive page shows, from 1 for the oldest.
	From, To             int
	Older, Newer, Oldest string
	Front                string
}

// historyColumn is one run of a history page.
type historyColumn struct {
	Run         *Run
	Href        string
	Date, Time  string
	Counts      Counts
	Regressions int
	Fixes       int
}

type historyCell struct {
	Class, Text, Mark, Title, Href, Version string
}

type historyRow struct {
	Name, Phase, Version string
	Cells                []historyCell
}

type historyChange struct {
	Name, Phase, Version, Href string
}

// envBody is what env.html renders: the front page of an environment (Page.Number 0)
// or one of its archive pages.
type envBody struct {
	Env          string
	Shown, Total int
	Page         pager
	Latest       *Run
	LatestHref   string
	ImageDigest  string
	Regressions  []historyChange
	Fixes        []historyChange
	Failing      []historyChange
	Columns      []historyColumn
	Rows         []historyRow
}

// envPage draws a history page of runs (oldest first), showing the newest n of them;
// the one before those, if given, only tells their regressions. total is the
// environment's number of runs on the front page, 0 on an archive page.
func (bc *buildCtx) envPage(runs []*shown, n, total int, pg pager) ([]byte, error) {
	env := runs[0].run.Environment
	depth := 1
	if pg.Number > 0 {
		depth = 2
	}
	info := make(map[*Run]*shown, len(runs))
	plain := make([]*Run, len(runs))
	for i, sh := range runs {
		info[sh.run], plain[i] = sh, sh.run
	}
	h := NewHistory(env, plain, n)
	body := envBody{Env: env, Shown: len(h.Runs), Total: total, Page: pg}
	last := len(h.Runs) - 1
	// Newest run first: what changed last is what a reader came for.
	for i := last; i >= 0; i-- {
		r := h.Runs[i]
		body.Columns = append(body.Columns, historyColumn{
			Run: r, Href: runHref(depth, info[r]),
			Date: r.Started.UTC().Format("2006-01-02"), Time: r.Started.UTC().Format("15:04"),
			Counts: CountSpecs(r.Specs), Regressions: len(h.Changed(i, Regression)), Fixes: len(h.Changed(i, Fix)),
		})
	}
	for _, hr := range h.Rows {
		body.Rows = append(body.Rows, bc.historyRow(depth, h, hr, info))
	}
	if pg.Number == 0 {
		latest := info[h.Latest()]
		body.Latest, body.LatestHref = latest.run, runHref(depth, latest)
		body.ImageDigest = shortDigest(latest.run.Image.Digest)
		for _, hr := range h.Rows {
			bc.lastChange(&body, depth, hr.Key, hr.Cells[last], latest)
		}
	}
	title, crumbs := env, []link{{Text: env, Href: up(depth) + EnvPage(env)}}
	if pg.Number > 0 {
		title = fmt.Sprintf("%s, runs %d to %d", env, pg.From, pg.To)
		crumbs = append(crumbs, link{Text: fmt.Sprintf("runs %d–%d", pg.From, pg.To), Href: up(depth) + EnvArchivePage(env, pg.Number)})
	}
	return bc.site.render("env.html", page{Title: title, Root: up(depth), Crumbs: crumbs, Body: body})
}

// historyRow draws one spec's row, newest run first.
func (bc *buildCtx) historyRow(depth int, h *History, hr HistoryRow, info map[*Run]*shown) historyRow {
	rw := historyRow{Name: hr.Key.Name, Phase: string(hr.Key.Phase)}
	for i := len(h.Runs) - 1; i >= 0; i-- {
		c := hr.Cells[i]
		if c.Spec == nil {
			rw.Cells = append(rw.Cells, historyCell{Class: "absent", Text: "–", Title: "not in this run"})
			continue
		}
		if rw.Version == "" {
			rw.Version = c.Spec.Version
		}
		out := historyCell{
			Class: statusClass(c.Spec.Status),
			Text:  statusText(c.Spec.Status),
			Href:  bc.fileHref(depth, info[h.Runs[i]], c.Spec.Log),
			Title: fmt.Sprintf("%s@%s /%s: %s", c.Spec.Name, c.Spec.Version, shortHash(c.Spec.Hash), c.Spec.Status),
		}
		if c.NewVersion {
			out.Version = c.Spec.Version
		}
		switch c.Change {
		case Regression:
			out.Class += " regression"
			out.Mark = "▼"
			out.Title += " (regression: passed in the previous run)"
		case Fix:
			out.Class += " fix"
			out.Mark = "▲"
			out.Title += " (fixed: failed in the previous run)"
		}
		if c.Spec.Message != "" {
			out.Title += ": " + c.Spec.Message
		}
		rw.Cells = append(rw.Cells, out)
	}
	return rw
}

// lastChange files a spec's cell in the latest run under the front page's callouts.
func (bc *buildCtx) lastChange(body *envBody, depth int, key SpecKey, c Cell, latest *shown) {
	if c.Spec == nil {
		return
	}
	ch := historyChange{Name: key.Name, Phase: string(key.Phase), Version: c.Spec.Version, Href: bc.fileHref(depth, latest, c.Spec.Log)}
	switch {
	case c.Change == Regression:
		body.Regressions = append(body.Regressions, ch)
	case c.Change == Fix:
		body.Fixes = append(body.Fixes, ch)
	case c.Spec.Status == testlog.Failed:
		body.Failing = append(body.Failing, ch)
	}
}

func statusClass(s testlog.Status) string {
	switch s {
	case testlog.Passed:
		return "passed"
	case testlog.Failed:
		return "failed"
	case testlog.Skipped:
		return "skipped"
	}
	return "no-tests"
}

func statusText(s testlog.Status) string {
	switch s {
	case testlog.Passed:
		return "pass"
	case testlog.Failed:
		return "FAIL"
	case testlog.Skipped:
		return "skip"
	}
	return "none"
}

// runPage draws the page of the run sh; prev is the run before it, nil for the first.
func (bc *buildCtx) runPage(sh, prev *shown) ([]byte, error) {
	const depth = 2
	r := sh.run
	type part struct {
		Name, Class string
		Status      testlog.Status
		Seconds     float64
	}
	type spec struct {
		Spec    *SpecResult
		Class   string
		Hash    string
		LogHref string
		Parts   []part
		Failed  int
	}
	type file struct{ Name, Href string }
	var body struct {
		Run               *Run
		Started, Finished string
		Counts            Counts
		Files             []file
		EnvHref           string
		Prev              *Run
		PrevHref          string
		Diff              *Diff
		Specs             []spec
		ImageDigest       string
	}
	body.Run, body.Counts = r, CountSpecs(r.Specs)
	body.Started = r.Started.UTC().Format("2006-01-02 15:04:05 MST")
	if !r.Finished.IsZero() {
		body.Finished = r.Finished.UTC().Format("2006-01-02 15:04:05 MST")
	}
	body.EnvHref = up(depth) + EnvPage(r.Environment)
	body.ImageDigest = r.Image.Digest
	for _, name := range []string{FileName, JUnitFile, SummaryFile} {
		if href := bc.fileHref(depth, sh, name); href != "" {
			body.Files = append(body.Files, file{name, href})
		}
	}
	if prev != nil {
		body.Prev, body.PrevHref = prev.run, runHref(depth, prev)
		body.Diff = DiffRuns(prev.run, r)
	}
	for _, sp := range failuresFirst(r.Specs) {
		v := spec{Spec: sp, Class: statusClass(sp.Status), Hash: shortHash(sp.Hash), LogHref: bc.fileHref(depth, sh, sp.Log)}
		for _, p := range sp.Parts {
			v.Parts = append(v.Parts, part{Name: p.Name, Class: statusClass(p.Status), Status: p.Status, Seconds: p.Seconds})
			if p.Status == testlog.Failed {
				v.Failed++
			}
		}
		body.Specs = append(body.Specs, v)
	}
	return bc.site.render("run.html", page{
		Title: r.Environment + " " + r.ID, Root: up(depth),
		Crumbs: []link{
			{Text: r.Environment, Href: body.EnvHref},
			{Text: r.ID, Href: up(depth) + RunPage(r.Environment, r.ID)},
		},
		Body: body,
	})
}

// failuresFirst orders specs failures first, then by name: the reader opens a run's
// page to see what broke.
func failuresFirst(specs []SpecResult) []*SpecResult {
	out := make([]*SpecResult, len(specs))
	for i := range specs {
		out[i] = &specs[i]
	}
	slices.SortStableFunc(out, func(a, b *SpecResult) int {
		if (a.Status == testlog.Failed) != (b.Status == testlog.Failed) {
			if a.Status == testlog.Failed {
				return -1
			}
			return 1
		}
		return compareKeys(SpecKey{a.Phase, a.Name}, SpecKey{b.Phase, b.Name})
	})
	return out
}
