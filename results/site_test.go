package results

import (
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/site")

// fixtureRuns are three runs of "compression" (the second has a regression and a fix,
// the third a regression, a fix, a new spec and a removed one) and two of "python".
const fixtureRuns = "testdata/runs"

func loadFixtures(t *testing.T) []*Run {
	t.Helper()
	runs, err := LoadTree(fixtureRuns)
	require.NoError(t, err)
	require.Len(t, runs, 5)
	return runs
}

func TestSiteGolden(t *testing.T) {
	site, err := NewSite()
	require.NoError(t, err)
	files, err := site.Render(loadFixtures(t))
	require.NoError(t, err)

	const golden = "testdata/site"
	if *update {
		require.NoError(t, os.RemoveAll(golden))
		for name, data := range files {
			file := filepath.Join(golden, filepath.FromSlash(name)+".golden")
			require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
			require.NoError(t, os.WriteFile(file, data, 0o644))
		}
	}
	var want []string
	require.NoError(t, filepath.WalkDir(golden, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(golden, p)
		want = append(want, strings.TrimSuffix(filepath.ToSlash(rel), ".golden"))
		return nil
	}))
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(files)), "the site's files (run with -update to accept)")
	for _, name := range want {
		data, err := os.ReadFile(filepath.Join(golden, filepath.FromSlash(name)+".golden"))
		require.NoError(t, err)
		assert.Equal(t, string(data), string(files[name]), "%s differs from its golden file (run with -update to accept)", name)
	}
}

var hrefRE = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// TestSiteLinks follows every link of every page: each must reach a page of the site or
// a file of a run, as laid out in out/ (site/ beside <env>/<run-id>/).
func TestSiteLinks(t *testing.T) {
	site, err := NewSite()
	require.NoError(t, err)
	files, err := site.Render(loadFixtures(t))
	require.NoError(t, err)

	links := 0
	for name, data := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		for _, m := range hrefRE.FindAllStringSubmatch(string(data), -1) {
			href := m[1]
			if href == "data:," {
				continue
			}
			require.NotContains(t, href, "://", "%s links outside the site", name)
			target := path.Join("site", path.Dir(name), href)
			if rest, ok := strings.CutPrefix(target, "site/"); ok {
				assert.Contains(t, files, rest, "%s links to %s, which the site lacks", name, href)
			} else {
				assert.FileExists(t, filepath.Join(fixtureRuns, filepath.FromSlash(target)), "%s links to %s", name, href)
			}
			links++
		}
	}
	assert.Greater(t, links, 100)
}

func TestSiteMarksRegressionsAndFixes(t *testing.T) {
	site, err := NewSite()
	require.NoError(t, err)
	files, err := site.Render(loadFixtures(t))
	require.NoError(t, err)

	page := string(files[EnvPage("compression")])
	_, tbody, ok := strings.Cut(page, "<tbody>")
	require.True(t, ok)
	rows := map[string]string{}
	for _, row := range regexp.MustCompile(`(?s)<tr><th class="spec">(.*?)</tr>`).FindAllStringSubmatch(tbody, -1) {
		name, _, _ := strings.Cut(row[1], " ")
		phase := regexp.MustCompile(`class="phase">([^<]*)<`).FindStringSubmatch(row[1])[1]
		var cells []string
		for _, c := range regexp.MustCompile(`<td class="([^"]*)"`).FindAllStringSubmatch(row[1], -1) {
			cells = append(cells, c[1])
		}
		rows[name+" "+phase] = strings.Join(cells, ",")
	}
	// Newest run first.
	assert.Equal(t, map[string]string{
		"bzip2 stand-alone": "passed,passed fix,failed",
		"gmake stand-alone": "absent,skipped,skipped",
		"xz stand-alone":    "failed regression,passed,passed",
		"zlib build-time":   "passed,passed,passed",
		"zlib stand-alone":  "passed fix,failed regression,passed",
		"zstd stand-alone":  "no-tests,absent,absent",
	}, rows)
	assert.Contains(t, page, "▼ 1 regressed in the last run")
	assert.Contains(t, page, "▲ 1 fixed in the last run")

	overview := string(files["index.html"])
	assert.Contains(t, overview, `<a class="env" href="env/compression.html">compression</a>`)
	assert.Contains(t, overview, "sha256:7c1c97df17c0", "the overview shows the last image digest")
	assert.Contains(t, overview, "▼ 1 regressed")
	for name, data := range files {
		assert.NotContains(t, string(data), "<script", "%s has a script", name)
	}
}

func TestSiteOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []SiteOption
		wantErr string
	}{
		{name: "defaults"},
		{name: "run files", opts: []SiteOption{WithRunFiles("runs"), WithMaxRuns(3)}},
		{name: "absolute run files", opts: []SiteOption{WithRunFiles("/srv/runs")}, wantErr: `run files path "/srv/runs": want a relative`},
		{name: "url run files", opts: []SiteOption{WithRunFiles("https://example.com/runs")}, wantErr: "want a relative"},
		{name: "empty run files", opts: []SiteOption{WithRunFiles("")}, wantErr: "want a relative"},
		{name: "zero max runs", opts: []SiteOption{WithMaxRuns(0)}, wantErr: "max runs must be greater than zero"},
		{name: "keep every run", opts: []SiteOption{WithKeepMonths(0)}},
		{name: "negative months", opts: []SiteOption{WithKeepMonths(-1)}, wantErr: "months kept must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSite(tt.opts...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestSiteRunFilesAndMaxRuns(t *testing.T) {
	site, err := NewSite(WithRunFiles("runs"), WithMaxRuns(2))
	require.NoError(t, err)
	files, err := site.Render(loadFixtures(t))
	require.NoError(t, err)
	page := string(files[EnvPage("compression")])
	assert.Contains(t, page, "the last 2 of 3 runs")
	assert.Contains(t, page, `href="../runs/compression/20261115T100000Z-9a8b7c6/logs/stand-alone/xz-5.6.3-4wqprxc-test-out.txt"`)
	assert.NotContains(t, page, "20261101T100000Z-1a2b3c4", "the oldest run is left out")
	// The oldest run shown is still compared with the one before it.
	assert.Contains(t, page, `passed fix`)
	assert.Equal(t, 2, strings.Count(page, `<th class="run">`))

	// Older runs are on pages of 2, oldest first, each linked to the next.
	assert.Contains(t, page, `<a href="compression/1.html">← older runs</a>`)
	first, last := string(files[EnvArchivePage("compression", 1)]), string(files[EnvArchivePage("compression", 2)])
	assert.Equal(t, 2, strings.Count(first, `<th class="run">`))
	assert.Contains(t, first, "runs 1 to 2 of the environment")
	assert.Contains(t, first, `<a href="2.html">newer runs →</a>`)
	assert.Contains(t, first, `href="../../run/compression/20261101T100000Z-1a2b3c4.html"`)
	assert.Equal(t, 1, strings.Count(last, `<th class="run">`))
	assert.Contains(t, last, "failed regression", "the page's first run compares with the last of the page before")
	assert.Contains(t, last, `<a href="1.html">← older runs</a>`)
	assert.Contains(t, last, `<a href="../compression.html">newer runs →</a>`)
	assert.NotContains(t, files, EnvArchivePage("python", 1), "two runs fit the front page")
}

// TestSiteKeepMonths: runs older than the kept months have no page and no links to
// their files, but stay in the history.
func TestSiteKeepMonths(t *testing.T) {
	runs := []*Run{
		mkRun("e", "r1", 1, "a=PASSED"),
		mkRun("e", "r2", 2, "a=FAILED"),
		mkRun("e", "r3", 3, "a=PASSED"),
	}
	runs[0].Started = runs[0].Started.AddDate(0, -7, 0)
	site, err := NewSite(WithKeepMonths(6))
	require.NoError(t, err)
	files, err := site.Render(runs)
	require.NoError(t, err)
	assert.NotContains(t, files, RunPage("e", "r1"))
	assert.Contains(t, files, RunPage("e", "r2"))
	env := string(files[EnvPage("e")])
	assert.Equal(t, 3, strings.Count(env, `<th class="run">`), "the old run is in the history")
	assert.NotContains(t, env, "r1.html")
	assert.NotContains(t, env, "../../e/r1/", "no link to the old run's log")
	assert.Contains(t, env, "../../e/r2/logs/a.txt")
	assert.Contains(t, string(files[RunPage("e", "r2")]), "Since r1: 1 regression", "the run before is named, not linked")

	all, err := NewSite(WithKeepMonths(0))
	require.NoError(t, err)
	files, err = all.Render(runs)
	require.NoError(t, err)
	assert.Contains(t, files, RunPage("e", "r1"))
}

func TestFilesWrite(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Files{"a/b/c.html": []byte("x"), "style.css": []byte("y")}.Write(dir))
	got, err := os.ReadFile(filepath.Join(dir, "a", "b", "c.html"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
	assert.FileExists(t, filepath.Join(dir, "style.css"))
}

// edgeRuns are runs with what a page must escape or leave out: markup and quotes in
// messages and names, odd log paths, a link with a scheme, no suite, no image, and a
// run without changes.
func edgeRuns() []*Run {
	a := mkRun("edge", "r1", 1, "a=PASSED", "b=FAILED", "build:c=SKIPPED", "d=NO_TESTS")
	a.Suite = nil
	a.Spack.Commit = "é2e907202bcc8209a6a6"
	a.Packages.Commit = "short"
	a.Tests = "all"
	a.Specs[0].Parts = []Part{{Name: "A::t<1>", Status: testlog.Passed, Seconds: 1.25}, {Name: "A::t+2", Status: testlog.Failed, Seconds: 0.05, Message: "m"}}
	a.Specs[1].Message = "boom <here> & 'there' \"x\" +1 \x00 é"
	a.Specs[1].External = true
	a.Specs[1].Log = "logs/we ird#%41%zz?x=1&y=2.txt"
	a.Specs[2].Log = "javascript:alert(1)"
	b := mkRun("edge", "r2", 2, "a=FAILED", "b=PASSED", "build:c=SKIPPED", "e@2.0=PASSED")
	b.Finished = b.Started.Add(time.Hour)
	b.Image = ImageInfo{Ref: "ghcr.io/x/y:1+2", Digest: "sha256:abc"}
	b.Suite = &Suite{ID: "sid", Alias: "al<i>as"}
	c := mkRun("edge", "r3", 3, "a=FAILED", "b=PASSED", "build:c=SKIPPED", "e@2.0=PASSED")
	c.Specs = b.Specs
	return []*Run{a, b, c}
}

// TestSiteEdgeGolden pins how the pages drawn without html/template (run pages,
// history tables) escape: the golden files were drawn by the templates they replace.
func TestSiteEdgeGolden(t *testing.T) {
	site, err := NewSite(WithMaxRuns(2))
	require.NoError(t, err)
	files, err := site.Render(edgeRuns())
	require.NoError(t, err)
	const golden = "testdata/site-edge"
	if *update {
		require.NoError(t, os.RemoveAll(golden))
		require.NoError(t, Files(files).Write(golden))
	}
	want := readTree(t, golden)
	assert.Len(t, files, len(want))
	for name, data := range want {
		assert.Equal(t, string(data), string(files[name]), "%s differs from its golden file (run with -update to accept)", name)
	}
	page := string(files[RunPage("edge", "r1")])
	assert.Contains(t, page, "boom &lt;here&gt; &amp; &#39;there&#39; &#34;x&#34; &#43;1 \uFFFD é")
	assert.Contains(t, page, `href="../../../edge/r1/logs/we%20ird#%41%25zz?x=1&amp;y=2.txt"`)
	assert.Contains(t, page, `href="../../../edge/r1/javascript:alert%281%29"`, "a log's path stays in its run's directory")
}

// TestSiteListsOldRuns: history pages whose runs are all older than the kept months
// list the runs with their counts instead of their specs, and read no results.
func TestSiteListsOldRuns(t *testing.T) {
	var runs []*Run
	for i := range 9 {
		r := mkRun("e", fmt.Sprintf("r%d", i+1), 1+20*i, "a=PASSED", fmt.Sprintf("b=%s", []string{"PASSED", "FAILED"}[i%2]))
		runs = append(runs, r)
	}
	site, err := NewSite(WithMaxRuns(2), WithKeepMonths(2))
	require.NoError(t, err)
	files, err := site.Render(runs)
	require.NoError(t, err)
	// Every 20 days from November 1st: r9 started on 2027-04-10, so the runs from
	// 2027-02-10 on (r7 to r9) keep their pages.
	for i, r := range runs {
		assert.Equal(t, i >= 6, files[RunPage("e", r.ID)] != nil, "page of %s", r.ID)
	}
	first, third, fourth := string(files[EnvArchivePage("e", 1)]), string(files[EnvArchivePage("e", 3)]), string(files[EnvArchivePage("e", 4)])
	assert.Contains(t, first, "older than the site keeps pages and logs for")
	assert.Contains(t, first, "<td>r2</td>")
	assert.Contains(t, first, `<span class="tag regression">▼ 1</span>`, "r2 regressed against r1, as the index says")
	assert.NotContains(t, first, `class="history"`)
	assert.NotContains(t, third, `class="history"`, "r5 and r6 are older than kept")
	assert.Contains(t, fourth, `class="history"`, "r7 is kept: its page shows specs")
	assert.Contains(t, fourth, "passed fix", "r7's fix counts against r6, read for it")
	assert.NotContains(t, fourth, ">r6<")
}
