package results

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// runPage draws the page of the run sh; prev is the run before it, nil for the first.
func (bc *buildCtx) runPage(sh, prev *shown) ([]byte, error) {
	const depth = 2
	r := sh.run
	envHref := up(depth) + EnvPage(r.Environment)
	var w htmlWriter
	w.raw("<h1>")
	w.text(r.Environment)
	w.raw(` <span class="muted">`)
	w.text(r.ID)
	w.raw("</span></h1>\n")
	bc.runFacts(&w, sh)
	w.raw("\n<h2>Changes</h2>\n")
	if prev != nil {
		runChanges(&w, DiffRuns(prev.run, r), runHref(depth, prev))
	} else {
		w.raw(`<p class="muted">The first run of this environment.</p>`)
	}
	w.raw("\n\n<h2>Specs</h2>\n")
	bc.runSpecs(&w, sh)
	return framed(page{
		Title: r.Environment + " " + r.ID, Root: up(depth),
		Crumbs: []link{
			{Text: r.Environment, Href: envHref},
			{Text: r.ID, Href: up(depth) + RunPage(r.Environment, r.ID)},
		},
	}, w.Bytes()), nil
}

// runFacts writes what a run is: when, what it found, what it tested with and its
// files.
func (bc *buildCtx) runFacts(w *htmlWriter, sh *shown) {
	r := sh.run
	c := CountSpecs(r.Specs)
	w.raw("<dl class=\"facts\">\n<dt>Started</dt><dd>", r.Started.UTC().Format("2006-01-02 15:04:05 MST"))
	if !r.Finished.IsZero() {
		w.raw(", finished ", r.Finished.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	w.raw("</dd>\n<dt>Results</dt><dd>")
	w.int(c.Passed)
	w.raw(" passed, <span")
	if c.Failed > 0 {
		w.raw(` class="bad"`)
	}
	w.raw(">")
	w.int(c.Failed)
	w.raw(" failed</span>, ")
	w.int(c.Skipped)
	w.raw(" skipped, ")
	w.int(c.NoTests)
	w.raw(" without tests</dd>\n<dt>Image</dt><dd>")
	if r.Image.Ref != "" {
		w.raw("<code>")
		w.text(r.Image.Ref)
		w.raw("</code> ")
	}
	if r.Image.Digest != "" {
		w.raw("<code>")
		w.text(r.Image.Digest)
		w.raw("</code>")
	} else {
		w.raw(`<span class="muted">not published</span>`)
	}
	w.raw("</dd>\n<dt>Spack</dt><dd>")
	w.text(r.Spack.Version)
	if c := r.Spack.Commit; c != "" {
		w.raw(" <code>")
		w.text(truncate(c, 12))
		w.raw("</code>")
	}
	if c := r.Packages.Commit; c != "" {
		w.raw(", packages at <code>")
		w.text(truncate(c, 12))
		w.raw("</code>")
	}
	if r.Tests != "" {
		w.raw(", build-time tests: ")
		w.text(r.Tests)
	}
	w.raw("</dd>\n")
	if s := r.Suite; s != nil {
		w.raw("<dt>Test suite</dt><dd><code>")
		w.text(s.ID)
		w.raw("</code>")
		if s.Alias != "" {
			w.raw(" (")
			w.text(s.Alias)
			w.raw(")")
		}
		w.raw("</dd>")
	}
	w.raw("\n<dt>Files</dt><dd>")
	n := 0
	for _, name := range []string{FileName, JUnitFile, SummaryFile} {
		if href := bc.fileHref(2, sh, name); href != "" {
			if n > 0 {
				w.raw(" · ")
			}
			w.link(href, name)
			n++
		}
	}
	if n == 0 {
		w.raw("in the results repository, <code>")
		w.text(RunDir(r.Environment, r.ID, r.Started))
		w.raw("/</code>")
	}
	w.raw("</dd>\n</dl>\n")
}

// truncate keeps the first n runes of s, as printf's %.<n>s does.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// runChanges writes what changed since the run before, prevHref's.
func runChanges(w *htmlWriter, d *Diff, prevHref string) {
	w.raw("<p>Since ")
	w.link(prevHref, d.From.ID)
	w.raw(": ")
	w.text(d.Summary())
	w.raw(".</p>\n")
	if len(d.Changes) == 0 {
		return
	}
	w.raw("<table class=\"list\">\n<thead><tr><th>Change</th><th>Spec</th><th>Phase</th><th>Version</th><th>Status</th></tr></thead>\n<tbody>\n")
	for _, c := range d.Changes {
		kind := string(c.Kind)
		w.raw(`<tr class="`)
		w.text(kind)
		w.raw(`"><td><span class="tag `)
		w.text(kind)
		w.raw(`">`)
		w.text(kind)
		w.raw("</span></td><td>")
		w.text(c.Key.Name)
		w.raw("</td><td>")
		w.text(string(c.Key.Phase))
		w.raw("</td><td>")
		w.text(c.Version())
		w.raw("</td><td>")
		w.text(c.Status())
		w.raw("</td></tr>\n")
	}
	w.raw("</tbody>\n</table>")
}

// runSpecs writes the table of the run's specs, failures first.
func (bc *buildCtx) runSpecs(w *htmlWriter, sh *shown) {
	w.raw("<table class=\"list specs\">\n<thead><tr><th>Status</th><th>Spec</th><th>Phase</th><th>Hash</th><th>Parts</th><th>Log</th></tr></thead>\n<tbody>\n")
	for _, sp := range failuresFirst(sh.run.Specs) {
		w.raw("<tr>\n<td class=\"", statusClass(sp.Status), "\">")
		w.text(string(sp.Status))
		w.raw("</td>\n<td><strong>")
		w.text(sp.Name)
		w.raw("</strong> ")
		w.text(sp.Version)
		if sp.External {
			w.raw(` <span class="muted">external</span>`)
		}
		if sp.Message != "" {
			w.raw(`<br><span class="message">`)
			w.text(sp.Message)
			w.raw("</span>")
		}
		w.raw("</td>\n<td>")
		w.text(string(sp.Phase))
		w.raw("</td>\n<td><code title=\"")
		w.text(sp.Hash)
		w.raw("\">")
		w.text(shortHash(sp.Hash))
		w.raw("</code></td>\n<td>")
		specParts(w, sp.Parts)
		w.raw("</td>\n<td>")
		if href := bc.fileHref(2, sh, sp.Log); href != "" {
			w.link(href, "log")
		} else {
			w.raw(`<span class="muted">–</span>`)
		}
		w.raw("</td>\n</tr>\n")
	}
	w.raw("</tbody>\n</table>\n")
}

// specParts writes a spec's test parts, open when one failed.
func specParts(w *htmlWriter, parts []Part) {
	if len(parts) == 0 {
		w.raw(`<span class="muted">–</span>`)
		return
	}
	failed := 0
	for _, p := range parts {
		if p.Status == testlog.Failed {
			failed++
		}
	}
	w.raw("<details")
	if failed > 0 {
		w.raw(" open")
	}
	w.raw("><summary>")
	w.int(len(parts))
	w.raw(" part")
	if len(parts) != 1 {
		w.raw("s")
	}
	if failed > 0 {
		w.raw(", ")
		w.int(failed)
		w.raw(" failed")
	}
	w.raw(`</summary><ul class="parts">`)
	for _, p := range parts {
		w.raw(`<li><span class="`, statusClass(p.Status), `">`)
		w.text(string(p.Status))
		w.raw("</span> ")
		w.text(p.Name)
		if p.Seconds != 0 {
			w.raw(` <span class="muted">`, strconv.FormatFloat(p.Seconds, 'f', 1, 64), "s</span>")
		}
		w.raw("</li>")
	}
	w.raw("</ul></details>")
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
