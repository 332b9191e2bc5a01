package results

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// Paths of the site's pages, relative to its root.
const (
	siteIndex = "index.html"
	siteStyle = "style.css"
	// copiedRuns is where a site that stands alone keeps the files of its runs.
	copiedRuns = "runs"
)

// EnvPage is the path of env's page in the site: its newest runs.
func EnvPage(env string) string { return "env/" + env + ".html" }

// EnvArchivePage is the path of page n (from 1, oldest first) of env's history. Page
// n holds runs (n-1)·max+1 to n·max, so a full page never changes again.
func EnvArchivePage(env string, n int) string { return "env/" + env + "/" + strconv.Itoa(n) + ".html" }

// RunPage is the path of r's page in the site.
func RunPage(env, id string) string { return "run/" + env + "/" + id + ".html" }

type siteOptions struct {
	runFiles   string
	maxRuns    int
	keepMonths int
}

// SiteOption configures a Site.
type SiteOption func(*siteOptions) error

// WithRunFiles sets where Render's pages link to the run directories (results.json,
// JUnit XML, logs): a slash-separated path relative to the site's root, under which
// runs are laid out as <env>/<run-id>/. The default is "..": out/'s layout, with the
// site in out/site/. Build decides for itself.
func WithRunFiles(rel string) SiteOption {
	return func(o *siteOptions) error {
		if rel == "" || path.IsAbs(rel) || strings.Contains(rel, "://") || strings.Contains(rel, `\`) {
			return fmt.Errorf("run files path %q: want a relative, slash-separated path", rel)
		}
		o.runFiles = path.Clean(rel)
		return nil
	}
}

// DefaultMaxRuns is how many runs a history page shows unless WithMaxRuns says
// otherwise.
const DefaultMaxRuns = 30

// WithMaxRuns sets how many runs a history page shows: an environment's page its
// newest n, and each older page n more. The default is DefaultMaxRuns.
func WithMaxRuns(n int) SiteOption {
	return func(o *siteOptions) error {
		if n <= 0 {
			return errors.New("max runs must be greater than zero")
		}
		o.maxRuns = n
		return nil
	}
}

// DefaultKeepMonths is how many months of runs have pages and files on the site
// unless WithKeepMonths says otherwise; `results prune` keeps logs as long.
const DefaultKeepMonths = 3

// WithKeepMonths sets the site's retention: runs that started n months or less
// before the newest run have a page and their files (results.json, junit.xml,
// summary.md, logs) on the site; older runs appear in the history pages and counts
// only. 0 keeps every run. The default is DefaultKeepMonths. The newest run, not the
// clock, sets the limit, so that the same runs always draw the same site.
func WithKeepMonths(n int) SiteOption {
	return func(o *siteOptions) error {
		if n < 0 {
			return errors.New("months kept must not be negative")
		}
		o.keepMonths = n
		return nil
	}
}

// Site renders the static site over a set of runs: an overview of every environment,
// each environment's history in pages of a bounded number of runs, and one page per
// run. Rendering is deterministic (no clock, sorted input): the same runs draw the
// same bytes, whatever order they were pushed in.
type Site struct {
	opts  siteOptions
	pages map[string]*template.Template
}

// NewSite parses the templates and applies opts.
func NewSite(opts ...SiteOption) (*Site, error) {
	o := siteOptions{runFiles: "..", maxRuns: DefaultMaxRuns, keepMonths: DefaultKeepMonths}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	s := &Site{opts: o, pages: map[string]*template.Template{}}
	for _, name := range []string{"overview.html", "env.html"} {
		t, err := template.ParseFS(templateFS, "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parsing site templates: %w", err)
		}
		s.pages[name] = t
	}
	return s, nil
}

// Render renders the whole site over runs held in memory; pages link to the runs'
// files as WithRunFiles says. It is Build for runs at hand, e.g. in tests.
func (s *Site) Render(runs []*Run) (Files, error) {
	out := &memSink{files: Files{}}
	if _, err := s.build(context.Background(), memSource(runs), out, s.opts.runFiles, false); err != nil {
		return nil, err
	}
	return out.files, nil
}

// BuildReport counts what Build wrote.
type BuildReport struct {
	Environments, Runs int
	// RunPages counts the runs with a page (within WithKeepMonths).
	RunPages int
	// Files and Bytes count every file written, pages and run files.
	Files int
	Bytes int64
}

// Build draws the site of the runs in from into the directory out. from is a results
// repository checkout (layout 2), out/ or a layout 1 checkout. A site right inside an
// out/-style from (out = from/site) links to the runs' files where they are; any other
// site holds a copy of the logs it links to (decompressed), so that it stands alone,
// e.g. as a GitHub Pages artifact. From a repository it reads an environment's index,
// then the results of the runs it shows in full, one at a time; it holds two pages'
// worth of runs per environment being drawn, and draws as many environments at once
// as there are CPUs.
func (s *Site) Build(ctx context.Context, from, out string) (*BuildReport, error) {
	src, err := openSource(from)
	if err != nil {
		return nil, err
	}
	absFrom, err := filepath.Abs(from)
	if err != nil {
		return nil, err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if absOut == absFrom {
		return nil, fmt.Errorf("site directory %s is the runs' directory", out)
	}
	_, isTree := src.(treeSource)
	runFiles, copyFiles := copiedRuns, true
	if isTree && filepath.Dir(absOut) == absFrom {
		runFiles, copyFiles = "..", false
	}
	if err := clearSite(out); err != nil {
		return nil, err
	}
	return s.build(ctx, src, &dirSink{root: out}, runFiles, copyFiles)
}

// generatorMark is in the head of every page: a directory whose index.html has it
// holds a site drawn here, whose pages a new build may remove.
const generatorMark = `<meta name="generator" content="spack-ghcr results site">`

// clearSite removes the pages and run files of a previous site in dir, so that pages
// of runs that left the site (WithKeepMonths) do not linger. It touches nothing in a
// directory that does not hold a site.
func clearSite(dir string) error {
	index, err := os.ReadFile(filepath.Join(dir, siteIndex))
	if err != nil || !bytes.Contains(index, []byte(generatorMark)) {
		return nil
	}
	for _, sub := range []string{"env", "run", copiedRuns} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("clearing the previous site: %w", err)
		}
	}
	return nil
}

// sink receives the site's files; Build's writes to a directory.
type sink interface {
	write(name string, data []byte) error
}

type memSink struct {
	mu    sync.Mutex
	files Files
}

func (m *memSink) write(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = data
	return nil
}

type dirSink struct {
	root string
	dirs sync.Map // directories made so far
}

func (d *dirSink) write(name string, data []byte) error {
	file := filepath.Join(d.root, filepath.FromSlash(name))
	dir := filepath.Dir(file)
	if _, ok := d.dirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("writing site: %w", err)
		}
		d.dirs.Store(dir, true)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return fmt.Errorf("writing site: %w", err)
	}
	return nil
}

// page is a page of the site: the frame (writeFrame) around its body.
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

// render draws a page whose body the template name draws.
func (s *Site) render(name string, p page) ([]byte, error) {
	var body bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&body, "content", p.Body); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", p.Title, err)
	}
	return framed(p, body.Bytes()), nil
}

// framed puts body in the frame every page shares: head, breadcrumbs, footer. It is
// written by hand, as the run pages are (htmlWriter): the site has as many frames as
// pages.
func framed(p page, body []byte) []byte {
	var w htmlWriter
	w.Grow(len(body) + 1024)
	w.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", generatorMark, "\n<title>")
	w.text(p.Title)
	w.raw(" · spack-ghcr test results</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"")
	w.url(p.Root)
	w.raw("style.css\">\n</head>\n<body>\n<header class=\"top\">\n<nav><a class=\"brand\" href=\"")
	w.url(p.Root)
	w.raw("index.html\">spack-ghcr test results</a>")
	for _, c := range p.Crumbs {
		w.raw(`<span class="sep">/</span>`)
		w.link(c.Href, c.Text)
	}
	w.raw("</nav>\n</header>\n<main>\n")
	w.Write(body)
	w.raw("\n</main>\n<footer>Drawn by <code>go run ./ci results site</code> from the runs' <code>results.json</code>. ",
		"Statuses are Spack's: PASSED, FAILED, SKIPPED, NO_TESTS.</footer>\n</body>\n</html>\n")
	return w.Bytes()
}

// up is the relative path from a page at depth depth to the site's root.
func up(depth int) string { return strings.Repeat("../", depth) }
