package results

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// The site is plain HTML and one style sheet: no scripts, fonts or anything else
// fetched from the network, so that it reads the same from GitHub Pages, from a
// downloaded artifact or from file://.
//
//go:embed templates/*.html templates/style.css
var templateFS embed.FS

// Files are the files of a rendered site, keyed by slash-separated path relative to
// the site's root.
type Files map[string][]byte

// Write writes the files below dir, creating directories as needed.
func (f Files) Write(dir string) error {
	for _, name := range slices.Sorted(maps.Keys(f)) {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return fmt.Errorf("writing site: %w", err)
		}
		if err := os.WriteFile(file, f[name], 0o644); err != nil {
			return fmt.Errorf("writing site: %w", err)
		}
	}
	return nil
}

// Paths of the site's pages and data, relative to its root.
const (
	siteIndex = "index.html"
	siteStyle = "style.css"
)

// EnvPage is the path of env's page in the site.
func EnvPage(env string) string { return "env/" + env + ".html" }

// RunPage is the path of r's page in the site.
func RunPage(env, id string) string { return "run/" + env + "/" + id + ".html" }

// HistoryDataFile is the path of env's history data (HistoryData) in the site.
func HistoryDataFile(env string) string { return "data/" + env + ".json" }

type siteOptions struct {
	runFiles string
	maxRuns  int
}

// SiteOption configures a Site.
type SiteOption func(*siteOptions) error

// WithRunFiles sets where pages link to the run directories (results.json, JUnit XML,
// logs): a slash-separated path relative to the site's root, under which runs are laid
// out as <env>/<run-id>/. The default is "..", the results repository's layout, where
// the site is the directory site/ beside the environments' directories.
func WithRunFiles(rel string) SiteOption {
	return func(o *siteOptions) error {
		if rel == "" || path.IsAbs(rel) || strings.Contains(rel, "://") || strings.Contains(rel, `\`) {
			return fmt.Errorf("run files path %q: want a relative, slash-separated path", rel)
		}
		o.runFiles = path.Clean(rel)
		return nil
	}
}

// DefaultMaxRuns is how many runs an environment's page shows unless WithMaxRuns says
// otherwise.
const DefaultMaxRuns = 30

// WithMaxRuns sets how many of an environment's newest runs its page shows. The
// default is DefaultMaxRuns.
func WithMaxRuns(n int) SiteOption {
	return func(o *siteOptions) error {
		if n <= 0 {
			return errors.New("max runs must be greater than zero")
		}
		o.maxRuns = n
		return nil
	}
}

// Site renders the static site over a results repository: an overview of every
// environment, one page per environment with the history of each spec's tests, and
// one page per run. Rendering is deterministic (no clock, sorted input), so a page that
// did not change renders to the same bytes and a push does not rewrite it.
type Site struct {
	opts  siteOptions
	pages map[string]*template.Template
}

// NewSite parses the templates and applies opts.
func NewSite(opts ...SiteOption) (*Site, error) {
	o := siteOptions{runFiles: "..", maxRuns: DefaultMaxRuns}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	base, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parsing site templates: %w", err)
	}
	s := &Site{opts: o, pages: map[string]*template.Template{}}
	for _, name := range []string{"overview.html", "env.html", "run.html"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parsing site templates: %w", err)
		}
		s.pages[name] = t
	}
	return s, nil
}

// MaxRuns is how many runs an environment's page shows.
func (s *Site) MaxRuns() int { return s.opts.maxRuns }

// Render renders the whole site over runs: what `results site` writes.
func (s *Site) Render(runs []*Run) (Files, error) {
	files, err := s.Overview(NewIndex(runs))
	if err != nil {
		return nil, err
	}
	for _, h := range Histories(runs, 0) {
		shown := NewHistory(h.Environment, h.Runs, s.opts.maxRuns)
		env, err := s.Environment(shown, h.Runs)
		if err != nil {
			return nil, err
		}
		maps.Copy(files, env)
		for i, r := range h.Runs {
			var prev *Run
			if i > 0 {
				prev = h.Runs[i-1]
			}
			page, err := s.Run(r, prev)
			if err != nil {
				return nil, err
			}
			maps.Copy(files, page)
		}
	}
	return files, nil
}

// page is what the layout template renders: the frame around every page.
type page struct {
	Title string
	// Root is the relative path from the page to the site's root: "", "../", ...
	Root   string
	Crumbs []link
	Body   any
}

type link struct {
	Text, Href string
}

func (s *Site) render(name string, p page) ([]byte, error) {
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", p.Title, err)
	}
	return b.Bytes(), nil
}

// runFile is the link from a page at depth depth (0 for the site's root) to file in
// the directory of run env/id; "" when file is empty or would leave that directory.
func (s *Site) runFile(depth int, env, id, file string) string {
	if file == "" || !filepath.IsLocal(filepath.FromSlash(file)) {
		return ""
	}
	return path.Join(up(depth), s.opts.runFiles, env, id, file)
}

// up is the relative path from a page at depth depth to the site's root.
func up(depth int) string { return strings.Repeat("../", depth) }

// Overview renders the site's front page from the index, and the style sheet.
func (s *Site) Overview(idx *Index) (Files, error) {
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
	body.Runs = len(idx.Runs)
	for _, env := range idx.Environments() {
		runs := idx.Of(env)
		last := runs[len(runs)-1]
		body.Envs = append(body.Envs, envRow{
			Name: env, Href: EnvPage(env), Runs: len(runs), Last: last,
			LastHref: RunPage(env, last.ID), Class: entryClass(last),
			ImageDigest: shortDigest(last.Image.Digest),
		})
	}
	recent := slices.Clone(idx.Runs)
	slices.SortStableFunc(recent, func(a, b IndexEntry) int { return b.Started.Compare(a.Started) })
	for _, e := range recent[:min(len(recent), 10)] {
		body.Recent = append(body.Recent, recentRow{
			Env: e.Environment, EnvHref: EnvPage(e.Environment), Entry: e,
			Href: RunPage(e.Environment, e.ID), Class: entryClass(e),
		})
	}
	html, err := s.render("overview.html", page{Title: "Test results", Body: body})
	if err != nil {
		return nil, err
	}
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return nil, fmt.Errorf("reading style sheet: %w", err)
	}
	return Files{siteIndex: html, siteStyle: css}, nil
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

// Environment renders the page of h's environment and its history data. all is every
// run of the environment that is at hand, oldest first; the data keeps the runs shown
// and the one before them (see HistoryData).
func (s *Site) Environment(h *History, all []*Run) (Files, error) {
	const depth = 1
	type column struct {
		Run         *Run
		Href        string
		Date, Time  string
		Counts      Counts
		Regressions int
		Fixes       int
	}
	type cell struct {
		Class, Text, Mark, Title, Href, Version string
	}
	type row struct {
		Name, Phase, Version string
		Cells                []cell
	}
	type change struct {
		Name, Phase, Version, Href string
	}
	var body struct {
		Env          string
		Shown, Total int
		Latest       *Run
		LatestHref   string
		ImageDigest  string
		Regressions  []change
		Fixes        []change
		Failing      []change
		Columns      []column
		Rows         []row
	}
	body.Env, body.Shown, body.Total = h.Environment, len(h.Runs), h.Total
	n := len(h.Runs)
	if n > 0 {
		body.Latest = h.Latest()
		body.LatestHref = up(depth) + RunPage(h.Environment, body.Latest.ID)
		body.ImageDigest = shortDigest(body.Latest.Image.Digest)
	}
	// Newest run first: what changed last is what a reader came for.
	for i := n - 1; i >= 0; i-- {
		r := h.Runs[i]
		body.Columns = append(body.Columns, column{
			Run: r, Href: up(depth) + RunPage(r.Environment, r.ID),
			Date: r.Started.UTC().Format("2006-01-02"), Time: r.Started.UTC().Format("15:04"),
			Counts: CountSpecs(r.Specs), Regressions: len(h.Changed(i, Regression)), Fixes: len(h.Changed(i, Fix)),
		})
	}
	for _, hr := range h.Rows {
		rw := row{Name: hr.Key.Name, Phase: string(hr.Key.Phase)}
		for i := n - 1; i >= 0; i-- {
			c := hr.Cells[i]
			if c.Spec == nil {
				rw.Cells = append(rw.Cells, cell{Class: "absent", Text: "–", Title: "not in this run"})
				continue
			}
			if rw.Version == "" {
				rw.Version = c.Spec.Version
			}
			r := h.Runs[i]
			out := cell{
				Class: statusClass(c.Spec.Status),
				Text:  statusText(c.Spec.Status),
				Href:  s.runFile(depth, r.Environment, r.ID, c.Spec.Log),
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
		body.Rows = append(body.Rows, rw)
		if n == 0 {
			continue
		}
		if last := hr.Cells[n-1]; last.Spec != nil {
			ch := change{
				Name: hr.Key.Name, Phase: string(hr.Key.Phase), Version: last.Spec.Version,
				Href: s.runFile(depth, h.Environment, h.Latest().ID, last.Spec.Log),
			}
			switch {
			case last.Change == Regression:
				body.Regressions = append(body.Regressions, ch)
			case last.Change == Fix:
				body.Fixes = append(body.Fixes, ch)
			case last.Spec.Status == testlog.Failed:
				body.Failing = append(body.Failing, ch)
			}
		}
	}
	html, err := s.render("env.html", page{
		Title: h.Environment, Root: up(depth),
		Crumbs: []link{{Text: h.Environment, Href: up(depth) + EnvPage(h.Environment)}},
		Body:   body,
	})
	if err != nil {
		return nil, err
	}
	data, err := newHistoryData(h, all).marshal()
	if err != nil {
		return nil, fmt.Errorf("encoding history of %s: %w", h.Environment, err)
	}
	return Files{EnvPage(h.Environment): html, HistoryDataFile(h.Environment): data}, nil
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

// Run renders the page of run r; prev is the run before it in its environment, nil
// for the first.
func (s *Site) Run(r, prev *Run) (Files, error) {
	const depth = 2
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
		Run         *Run
		Started     string
		Finished    string
		Counts      Counts
		Files       []file
		EnvHref     string
		Prev        *Run
		PrevHref    string
		Diff        *Diff
		Specs       []spec
		ImageDigest string
	}
	body.Run, body.Counts = r, CountSpecs(r.Specs)
	body.Started = r.Started.UTC().Format("2006-01-02 15:04:05 MST")
	if !r.Finished.IsZero() {
		body.Finished = r.Finished.UTC().Format("2006-01-02 15:04:05 MST")
	}
	body.EnvHref = up(depth) + EnvPage(r.Environment)
	body.ImageDigest = r.Image.Digest
	for _, name := range []string{FileName, "junit.xml", "summary.md"} {
		body.Files = append(body.Files, file{name, s.runFile(depth, r.Environment, r.ID, name)})
	}
	if prev != nil {
		body.Prev, body.PrevHref = prev, up(depth)+RunPage(prev.Environment, prev.ID)
		body.Diff = DiffRuns(prev, r)
	}
	specs := make([]*SpecResult, len(r.Specs))
	for i := range r.Specs {
		specs[i] = &r.Specs[i]
	}
	// Failures first, then by name: the reader opens this page to see what broke.
	slices.SortStableFunc(specs, func(a, b *SpecResult) int {
		if (a.Status == testlog.Failed) != (b.Status == testlog.Failed) {
			if a.Status == testlog.Failed {
				return -1
			}
			return 1
		}
		return compareKeys(SpecKey{a.Phase, a.Name}, SpecKey{b.Phase, b.Name})
	})
	for _, sp := range specs {
		v := spec{Spec: sp, Class: statusClass(sp.Status), Hash: shortHash(sp.Hash), LogHref: s.runFile(depth, r.Environment, r.ID, sp.Log)}
		for _, p := range sp.Parts {
			v.Parts = append(v.Parts, part{Name: p.Name, Class: statusClass(p.Status), Status: p.Status, Seconds: p.Seconds})
			if p.Status == testlog.Failed {
				v.Failed++
			}
		}
		body.Specs = append(body.Specs, v)
	}
	html, err := s.render("run.html", page{
		Title: r.Environment + " " + r.ID, Root: up(depth),
		Crumbs: []link{
			{Text: r.Environment, Href: body.EnvHref},
			{Text: r.ID, Href: up(depth) + RunPage(r.Environment, r.ID)},
		},
		Body: body,
	})
	if err != nil {
		return nil, err
	}
	return Files{RunPage(r.Environment, r.ID): html}, nil
}
