package results

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// buildCtx is what every environment's drawing shares.
type buildCtx struct {
	site *Site
	out  *countingSink
	// runFiles is where pages link to run files (see WithRunFiles); copyFiles says
	// whether the site holds copies of them there.
	runFiles  string
	copyFiles bool
	// cutoff: runs started before it have no page and no files (WithKeepMonths).
	cutoff time.Time
}

// fileSet names the files of a run the site holds; nil means all of them.
type fileSet map[string]bool

func (f fileSet) has(name string) bool { return f == nil || f[name] }

// shown is a run as the site shows it.
type shown struct {
	// run has its specs without test parts once its own page is drawn.
	run   *Run
	entry IndexEntry
	files fileSet
	page  bool
}

// fileHref links a page at depth to file of the run, "" when the site lacks it.
func (bc *buildCtx) fileHref(depth int, sh *shown, file string) string {
	if file == "" || !filepath.IsLocal(filepath.FromSlash(file)) || !sh.files.has(file) {
		return ""
	}
	return path.Join(up(depth), bc.runFiles, sh.run.Environment, sh.run.ID, file)
}

// runHref links a page at depth to the run's page, "" when it has none.
func runHref(depth int, sh *shown) string {
	if sh == nil || !sh.page {
		return ""
	}
	return up(depth) + RunPage(sh.run.Environment, sh.run.ID)
}

// build draws the site of src into out, environments in parallel, and the overview
// last.
func (s *Site) build(ctx context.Context, src source, out sink, runFiles string, copyFiles bool) (*BuildReport, error) {
	envs, err := src.environments(ctx)
	if err != nil {
		return nil, err
	}
	bc := &buildCtx{site: s, out: &countingSink{sink: out}, runFiles: runFiles, copyFiles: copyFiles}
	if s.opts.keepMonths > 0 {
		newest, err := src.newest(ctx)
		if err != nil {
			return nil, err
		}
		bc.cutoff = newest.AddDate(0, -s.opts.keepMonths, 0)
	}
	done := make([]*envBuilder, len(envs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, env := range envs {
		g.Go(func() error {
			b := &envBuilder{buildCtx: bc, env: env}
			if err := src.each(gctx, env, b.add); err != nil {
				return err
			}
			done[i] = b
			return b.finish()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	report := &BuildReport{}
	var sums []envSummary
	var recent []*shown
	for _, b := range done {
		if b.count == 0 {
			continue
		}
		sums = append(sums, envSummary{name: b.env, runs: b.count, last: b.last})
		recent = append(recent, b.recent...)
		report.Environments++
		report.Runs += b.count
		report.RunPages += b.runPages
	}
	if report.Runs == 0 {
		return nil, ErrNoRuns
	}
	slices.SortStableFunc(recent, compareRecent)
	if err := bc.overview(sums, recent[:min(len(recent), recentRuns)], report.Runs); err != nil {
		return nil, err
	}
	report.Files, report.Bytes = int(bc.out.files.Load()), bc.out.bytes.Load()
	return report, nil
}

// ErrNoRuns is returned when there are no runs to draw a site of.
var ErrNoRuns = errors.New("no runs")

// recentRuns is how many of the newest runs the overview lists.
const recentRuns = 10

// compareRecent orders runs newest first, then by environment and id.
func compareRecent(a, b *shown) int {
	return cmp.Or(b.entry.Started.Compare(a.entry.Started),
		strings.Compare(a.entry.Environment, b.entry.Environment), strings.Compare(a.entry.ID, b.entry.ID))
}

type countingSink struct {
	sink
	files atomic.Int64
	bytes atomic.Int64
}

func (c *countingSink) write(name string, data []byte) error {
	c.files.Add(1)
	c.bytes.Add(int64(len(data)))
	return c.sink.write(name, data)
}

// envBuilder draws one environment as its runs stream past, oldest first: each run's
// page at once, each full page of history as the next run arrives, and the front page
// of the newest runs at the end. It holds the newest maxRuns+1 runs and the page being
// filled, without their test parts.
type envBuilder struct {
	*buildCtx
	env      string
	count    int
	runPages int
	last     *shown
	recent   []*shown // the environment's newest runs, newest first
	window   []*shown // the newest maxRuns+1 runs, oldest first
	pageRuns []*shown // the archive page being filled
	pagePrev *shown   // the run before pageRuns[0]
	pageNo   int      // archive pages drawn
}

func (b *envBuilder) add(sr storedRun) error {
	r := sr.run
	sh := &shown{run: r, page: !r.Started.Before(b.cutoff), files: fileSet{}}
	var prev *Run
	if b.last != nil {
		prev = b.last.run
	}
	sh.entry = NewEntry(r, prev)
	if sh.page {
		if err := b.drawRun(sr, sh); err != nil {
			return err
		}
	}
	c := *r
	c.Specs = slices.Clone(r.Specs)
	for i := range c.Specs {
		c.Specs[i].Parts = nil
	}
	sh.run = &c

	if m := b.site.opts.maxRuns; len(b.pageRuns) == m {
		// The page is full and a newer run exists: it will not change again.
		b.pageNo++
		if err := b.archivePage(b.pageNo, false); err != nil {
			return err
		}
		b.pagePrev, b.pageRuns = b.pageRuns[m-1], nil
	}
	b.pageRuns = append(b.pageRuns, sh)
	b.window = append(b.window, sh)
	if len(b.window) > b.site.opts.maxRuns+1 {
		b.window = slices.Delete(b.window, 0, 1)
	}
	b.recent = append(b.recent, sh)
	slices.SortStableFunc(b.recent, compareRecent)
	b.recent = b.recent[:min(len(b.recent), recentRuns)]
	b.last = sh
	b.count++
	return nil
}

// drawRun copies the run's files when the site keeps copies, and draws its page.
func (b *envBuilder) drawRun(sr storedRun, sh *shown) error {
	sh.files = nil
	if b.copyFiles {
		files, err := b.copyRun(sr)
		if err != nil {
			return err
		}
		sh.files = files
	}
	page, err := b.runPage(sh, b.last)
	if err != nil {
		return err
	}
	b.runPages++
	return b.out.write(RunPage(b.env, sr.run.ID), page)
}

// copyRun writes the run's files into the site: results.json as stored, junit.xml and
// summary.md drawn from it, and every other file (the logs) as the pipeline wrote it.
func (b *envBuilder) copyRun(sr storedRun) (fileSet, error) {
	r := sr.run
	dir := path.Join(copiedRuns, r.Environment, r.ID)
	files := fileSet{}
	put := func(name string, data []byte) error {
		files[name] = true
		return b.out.write(path.Join(dir, name), data)
	}
	if err := put(FileName, sr.raw); err != nil {
		return nil, err
	}
	for name, write := range map[string]func(*bytes.Buffer, *Run) error{
		JUnitFile:   func(w *bytes.Buffer, r *Run) error { return WriteJUnit(w, r) },
		SummaryFile: func(w *bytes.Buffer, r *Run) error { return WriteSummary(w, r) },
	} {
		var buf bytes.Buffer
		if err := write(&buf, r); err != nil {
			return nil, err
		}
		if err := put(name, buf.Bytes()); err != nil {
			return nil, err
		}
	}
	if sr.files == nil {
		return files, nil
	}
	return files, sr.files(put)
}

// archivePage draws page n of the history from the runs being filled; last says it
// is the newest page, so that the next one is the front page.
func (b *envBuilder) archivePage(n int, last bool) error {
	m := b.site.opts.maxRuns
	runs := b.pageRuns
	if b.pagePrev != nil {
		runs = append([]*shown{b.pagePrev}, runs...)
	}
	pg := pager{Number: n, From: (n-1)*m + 1, To: (n-1)*m + len(b.pageRuns), Front: "../" + b.env + ".html"}
	if n > 1 {
		pg.Older = strconv.Itoa(n-1) + ".html"
	}
	pg.Newer = strconv.Itoa(n+1) + ".html"
	if last {
		pg.Newer = pg.Front
	}
	page, err := b.envPage(runs, len(b.pageRuns), 0, pg)
	if err != nil {
		return err
	}
	return b.out.write(EnvArchivePage(b.env, n), page)
}

// finish draws the last archive page and the front page of the newest runs.
func (b *envBuilder) finish() error {
	m := b.site.opts.maxRuns
	if b.count == 0 {
		return nil
	}
	var pg pager
	if b.count > m {
		b.pageNo++
		if err := b.archivePage(b.pageNo, true); err != nil {
			return err
		}
		// The page holding the run just before the front page's, and the first.
		older := (b.count-m-1)/m + 1
		pg.Older = EnvArchivePage(b.env, older)[len("env/"):]
		if older > 1 {
			pg.Oldest = EnvArchivePage(b.env, 1)[len("env/"):]
		}
	}
	page, err := b.envPage(b.window, m, b.count, pg)
	if err != nil {
		return err
	}
	b.window, b.pageRuns, b.pagePrev = nil, nil, nil
	return b.out.write(EnvPage(b.env), page)
}
