package results

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
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
	// run has its specs without test parts once its own page is drawn; it is nil
	// when the site shows only the run's entry.
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
	return path.Join(up(depth), bc.runFiles, sh.entry.Environment, sh.entry.ID, file)
}

// runHref links a page at depth to the run's page, "" when it has none.
func runHref(depth int, sh *shown) string {
	if sh == nil || !sh.page {
		return ""
	}
	return up(depth) + RunPage(sh.entry.Environment, sh.entry.ID)
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
			b, err := bc.buildEnv(gctx, src, env)
			done[i] = b
			return err
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

// envBuilder draws one environment as its runs stream past, oldest first: each kept
// run's page at once, each full page of history as the next run arrives, and the
// front page of the newest runs at the end. It reads the results of a run only when
// a page shows its specs; otherwise the index entry is enough. It holds the newest
// maxRuns+1 runs and the page being filled, without their test parts.
type envBuilder struct {
	*buildCtx
	env      string
	count    int
	full     int // the runs from this one on have their results read
	runPages int
	last     *shown
	recent   []*shown // the environment's newest runs, newest first
	window   []*shown // the newest maxRuns+1 runs, oldest first
	pageRuns []*shown // the archive page being filled
	pagePrev *shown   // the run before pageRuns[0]
	pageNo   int      // archive pages drawn
}

// buildEnv draws the pages of env.
func (bc *buildCtx) buildEnv(ctx context.Context, src source, env string) (*envBuilder, error) {
	b := &envBuilder{buildCtx: bc, env: env}
	er, err := src.open(ctx, env)
	if err != nil {
		return b, err
	}
	b.full = bc.firstFull(er.entries)
	for i := range er.entries {
		if err := ctx.Err(); err != nil {
			return b, err
		}
		if err := b.add(ctx, er, i); err != nil {
			return b, err
		}
	}
	return b, b.finish()
}

// firstFull returns the first of entries whose results the site reads: from the run
// before the first history page that shows a kept run, and at least the front page's
// runs and the one before them. Older pages only list their runs' counts.
func (bc *buildCtx) firstFull(entries []IndexEntry) int {
	m, total := bc.site.opts.maxRuns, len(entries)
	full := max(0, total-m-1)
	for start := 0; start < total; start += m {
		if newest := entries[min(start+m, total)-1]; !newest.Started.Before(bc.cutoff) {
			return min(full, max(0, start-1))
		}
	}
	return full
}

func (b *envBuilder) add(ctx context.Context, er *envRuns, i int) error {
	e := er.entries[i]
	sh := &shown{entry: e, page: !e.Started.Before(b.cutoff), files: fileSet{}}
	if i >= b.full {
		sr, err := er.load(ctx, i)
		if err != nil {
			return err
		}
		sh.run = sr.run
		if sh.page {
			if err := b.drawRun(sr, sh); err != nil {
				return err
			}
		}
		c := *sr.run
		c.Specs = slices.Clone(c.Specs)
		for i := range c.Specs {
			c.Specs[i].Parts = nil
		}
		sh.run = &c
	}

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
	var prev *shown
	if b.last != nil && b.last.run != nil {
		prev = b.last
	}
	page, err := b.runPage(sh, prev)
	if err != nil {
		return err
	}
	b.runPages++
	return b.out.write(RunPage(b.env, sr.run.ID), page)
}

// copyRun writes the logs of the specs that failed into the site, as the pipeline
// wrote them. results.json and the other logs stay in the results repository, where
// the run's page says they are: its page shows all of results.json, a failure's log
// is what a reader comes for, and copying every file (and decompressing every log)
// would make the site as large and as slow to draw as the logs themselves.
func (b *envBuilder) copyRun(sr storedRun) (fileSet, error) {
	r := sr.run
	dir := path.Join(copiedRuns, r.Environment, r.ID)
	files := fileSet{}
	put := func(name string, data []byte) error {
		files[name] = true
		return b.out.write(path.Join(dir, name), data)
	}
	if sr.file == nil {
		return files, nil
	}
	for _, spec := range r.Specs {
		if spec.Status != testlog.Failed || spec.Log == "" || files[spec.Log] {
			continue
		}
		data, err := sr.file(spec.Log)
		if errors.Is(err, fs.ErrNotExist) {
			continue // pruned, or never captured
		}
		if err != nil {
			return nil, err
		}
		if err := put(spec.Log, data); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// archivePage draws page n of the history from the runs being filled; last says it
// is the newest page, so that the next one is the front page. A page whose runs all
// have their results read shows their specs; an older one lists the runs.
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
	var page []byte
	var err error
	if runs[0].run != nil {
		page, err = b.envPage(runs, len(b.pageRuns), 0, pg)
	} else {
		page, err = b.listPage(b.pageRuns, pg)
	}
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
