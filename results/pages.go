package results

import (
	"fmt"
	"html/template"
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
	// Table is the history of the page's runs, one row per spec (historyTable).
	Table template.HTML
	// List says the page lists runs without their specs (listPage), in ListTable.
	List      bool
	ListTable template.HTML
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
	var cols []historyColumn
	for i := last; i >= 0; i-- {
		r := h.Runs[i]
		cols = append(cols, historyColumn{
			Run: r, Href: runHref(depth, info[r]),
			Date: r.Started.UTC().Format("2006-01-02"), Time: r.Started.UTC().Format("15:04"),
			Regressions: len(h.Changed(i, Regression)), Fixes: len(h.Changed(i, Fix)),
		})
	}
	var rows []historyRow
	for _, hr := range h.Rows {
		rows = append(rows, bc.historyRow(depth, h, hr, info))
	}
	body.Table = historyTable(cols, rows)
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

// listPage draws an archive page of runs whose specs the site no longer shows
// (WithKeepMonths): one row per run, newest first, with its counts from the index.
func (bc *buildCtx) listPage(runs []*shown, pg pager) ([]byte, error) {
	const depth = 2
	env := runs[0].entry.Environment
	body := envBody{Env: env, Shown: len(runs), Page: pg, List: true}
	var w htmlWriter
	w.raw(`<table class="list">`, "\n", `<thead><tr><th>Started (UTC)</th><th>Run</th><th class="num">Passed</th><th class="num">Failed</th><th class="num">Skipped</th><th class="num nowrap">No tests</th><th>Changes</th><th>Image</th></tr></thead>`, "\n<tbody>\n")
	for i := len(runs) - 1; i >= 0; i-- {
		e := runs[i].entry
		w.raw(`<tr class="`, entryClass(e), `"><td class="nowrap">`, e.Started.UTC().Format("2006-01-02 15:04"), "</td><td>")
		w.text(e.ID)
		for j, n := range []int{e.Counts.Passed, e.Counts.Failed, e.Counts.Skipped, e.Counts.NoTests} {
			w.raw(`</td><td class="num`)
			if j == 1 && n > 0 {
				w.raw(" bad")
			}
			w.raw(`">`)
			w.int(n)
		}
		w.raw("</td><td>")
		if e.Regressions > 0 {
			w.raw(`<span class="tag regression">▼ `)
			w.int(e.Regressions)
			w.raw("</span> ")
		}
		if e.Fixes > 0 {
			w.raw(`<span class="tag fix">▲ `)
			w.int(e.Fixes)
			w.raw("</span>")
		}
		w.raw("</td><td>")
		if d := shortDigest(e.Image.Digest); d != "" {
			w.raw(`<code class="muted">`)
			w.text(d)
			w.raw("</code>")
		}
		w.raw("</td></tr>\n")
	}
	w.raw("</tbody>\n</table>")
	body.ListTable = template.HTML(w.String())
	title := fmt.Sprintf("%s, runs %d to %d", env, pg.From, pg.To)
	crumbs := []link{{Text: env, Href: up(depth) + EnvPage(env)}, {Text: fmt.Sprintf("runs %d–%d", pg.From, pg.To), Href: up(depth) + EnvArchivePage(env, pg.Number)}}
	return bc.site.render("env.html", page{Title: title, Root: up(depth), Crumbs: crumbs, Body: body})
}

// historyTable writes the history of a page's runs: a column per run, newest first,
// and a row per spec.
func historyTable(cols []historyColumn, rows []historyRow) template.HTML {
	var w htmlWriter
	w.raw("<table class=\"history\">\n<thead>\n<tr><th class=\"spec\">Spec</th>")
	for _, c := range cols {
		w.raw(`<th class="run">`)
		if c.Href != "" {
			w.raw(`<a href="`)
			w.url(c.Href)
			w.raw(`" title="`)
		} else {
			w.raw(`<span title="`)
		}
		w.text(c.Run.ID)
		w.raw(`">`, c.Date, `<br><span class="muted">`, c.Time, "</span>")
		if c.Href != "" {
			w.raw("</a>")
		} else {
			w.raw("</span>")
		}
		if c.Regressions > 0 {
			w.raw(`<br><span class="tag regression" title="`)
			w.int(c.Regressions)
			w.raw(` regressed">▼`)
			w.int(c.Regressions)
			w.raw("</span>")
		}
		if c.Fixes > 0 {
			w.raw(`<br><span class="tag fix" title="`)
			w.int(c.Fixes)
			w.raw(` fixed">▲`)
			w.int(c.Fixes)
			w.raw("</span>")
		}
		w.raw("</th>")
	}
	w.raw("</tr>\n</thead>\n<tbody>\n")
	for _, r := range rows {
		w.raw(`<tr><th class="spec">`)
		w.text(r.Name)
		w.raw(` <span class="version">`)
		w.text(r.Version)
		w.raw(`</span><br><span class="phase">`)
		w.text(r.Phase)
		w.raw("</span></th>")
		for _, c := range r.Cells {
			w.raw(`<td class="`)
			w.text(c.Class)
			w.raw(`" title="`)
			w.text(c.Title)
			w.raw(`">`)
			w.link(c.Href, c.Mark+c.Text)
			if c.Version != "" {
				w.raw(`<span class="v">`)
				w.text(c.Version)
				w.raw("</span>")
			}
			w.raw("</td>")
		}
		w.raw("</tr>\n")
	}
	w.raw("</tbody>\n</table>")
	return template.HTML(w.String())
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
