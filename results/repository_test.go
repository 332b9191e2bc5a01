package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memRepo is a results repository held in memory: the files of one commit.
type memRepo map[string][]byte

func (m memRepo) ReadFile(_ context.Context, name string) ([]byte, error) {
	data, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("reading %s: %w", name, fs.ErrNotExist)
	}
	return data, nil
}

func (m memRepo) Exists(_ context.Context, name string) (bool, error) {
	for p := range m {
		if p == name || strings.HasPrefix(p, name+"/") {
			return true, nil
		}
	}
	return false, nil
}

// push plans adding ups to repo and applies the update.
func push(t *testing.T, repo memRepo, ups ...Upload) *Update {
	t.Helper()
	u, err := PlanUpdate(t.Context(), repo, ups)
	require.NoError(t, err)
	for name, data := range u.Files {
		repo[name] = data
	}
	return u
}

// upload makes an upload of mkRun's run, with a log per spec.
func upload(t *testing.T, env, id string, day int, specs ...string) Upload {
	t.Helper()
	r := mkRun(env, id, day, specs...)
	data, err := json.Marshal(r)
	require.NoError(t, err)
	files := map[string][]byte{FileName: data, JUnitFile: []byte("<testsuites/>\n")}
	for _, s := range r.Specs {
		files[s.Log] = []byte(s.Name + ": " + string(s.Status) + "\n")
	}
	return Upload{Run: r, Files: files}
}

func TestPlanUpdate(t *testing.T) {
	uploads, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	repo := memRepo{}
	u := push(t, repo, uploads[:2]...)
	assert.Equal(t, []string{"compression/20261101T100000Z-1a2b3c4", "compression/20261108T100000Z-5d6e7f8"}, u.Added)
	assert.Empty(t, u.Present)
	assert.Equal(t, "Add results of 2 runs\n\n"+
		"- compression/20261101T100000Z-1a2b3c4: 3 passed, 1 failed, 1 skipped, 0 without tests\n"+
		"- compression/20261108T100000Z-5d6e7f8: 3 passed, 1 failed, 1 skipped, 0 without tests; 1 regression, 1 fix\n", u.Message)
	dir := "runs/compression/2026/11/20261101T100000Z-1a2b3c4/"
	for _, name := range []string{
		"layout.json", "index/compression.json", "index/compression/2026/11/01.json", "index/compression/2026/11/08.json",
		dir + "results.json", dir + "logs/stand-alone/zlib-1.3.1-gcubvwh-test-out.txt.gz",
	} {
		assert.Contains(t, u.Files, name)
	}
	assert.NotContains(t, u.Files, dir+"junit.xml", "drawn from results.json, not kept")
	assert.NotContains(t, u.Files, dir+"summary.md", "drawn from results.json, not kept")
	assert.NotContains(t, u.Files, "index/python.json", "only the environments pushed")
	assert.JSONEq(t, string(uploads[0].Files[FileName]), string(u.Files[dir+FileName]), "results.json as the pipeline wrote it")
	assert.Less(t, len(u.Files[dir+FileName]), len(uploads[0].Files[FileName])*3/4, "without its indentation")
	name, log, err := sourceName("x.gz", u.Files[dir+"logs/stand-alone/zlib-1.3.1-gcubvwh-test-out.txt.gz"])
	require.NoError(t, err)
	assert.Equal(t, "x", name)
	assert.Equal(t, uploads[0].Files["logs/stand-alone/zlib-1.3.1-gcubvwh-test-out.txt"], log)

	sum, err := ParseEnvSummary("s", repo["index/compression.json"])
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Runs)
	assert.Equal(t, "20261101T100000Z-1a2b3c4", sum.First.ID)
	assert.Equal(t, "20261108T100000Z-5d6e7f8", sum.Last.ID)
	assert.Equal(t, 1, sum.Last.Regressions)

	// The same runs again, and a duplicate in one call: nothing to write.
	u = push(t, repo, append(uploads[:2:2], uploads[0])...)
	assert.Empty(t, u.Files)
	assert.Empty(t, u.Added)
	assert.Equal(t, []string{"compression/20261101T100000Z-1a2b3c4", "compression/20261108T100000Z-5d6e7f8"}, u.Present)
}

// permutations returns every order of xs.
func permutations[T any](xs []T) [][]T {
	if len(xs) <= 1 {
		return [][]T{append([]T(nil), xs...)}
	}
	var out [][]T
	for i := range xs {
		rest := append(append([]T(nil), xs[:i]...), xs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]T{xs[i]}, p...))
		}
	}
	return out
}

// TestPlanUpdateAnyOrder pushes the fixture runs one at a time in every order: the
// repository ends the same as after one push of them all, whatever the order, and the
// site drawn from it is, byte for byte, the site `results site` draws from out/.
func TestPlanUpdateAnyOrder(t *testing.T) {
	uploads, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	require.Len(t, uploads, 5)
	once := memRepo{}
	push(t, once, uploads...)
	want := buildSite(t, fixtureRuns)

	for i, order := range permutations(uploads) {
		repo := memRepo{}
		var names []string
		for _, up := range order {
			push(t, repo, up)
			names = append(names, up.Run.ID[:11]+"-"+up.Run.Environment[:1])
		}
		if !assert.Equal(t, once, repo, "order %v", names) {
			continue
		}
		// The site is drawn from the repository, so equal repositories draw equal
		// sites; draw a few to prove the site reads the pushed layout.
		if i%40 == 0 {
			assert.Equal(t, want, buildSite(t, writeRepo(t, repo)), "order %v", names)
		}
	}
}

// writeRepo writes repo into a directory, as a checkout.
func writeRepo(t *testing.T, repo memRepo) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, Files(repo).Write(dir))
	return dir
}

// buildSite builds the site of from into a new directory and returns its files.
func buildSite(t *testing.T, from string, opts ...SiteOption) map[string]string {
	t.Helper()
	site, err := NewSite(opts...)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "public")
	_, err = site.Build(t.Context(), from, out)
	require.NoError(t, err)
	files := map[string]string{}
	for name, data := range readTree(t, out) {
		files[name] = string(data)
	}
	return files
}

// TestPlanUpdateLateRun: a run older than the newest lands last; the run after it is
// recounted against it.
func TestPlanUpdateLateRun(t *testing.T) {
	r1 := upload(t, "e", "r1", 1, "a=PASSED")
	r2 := upload(t, "e", "r2", 20, "a=FAILED")
	r3 := upload(t, "e", "r3", 40, "a=FAILED")
	repo := memRepo{}
	push(t, repo, r1)
	push(t, repo, r3)
	shard := func(day string) *Shard {
		s, err := ParseShard(day, repo["index/e/"+day+".json"])
		require.NoError(t, err)
		return s
	}
	assert.Equal(t, 1, shard("2026/12/10").Runs[0].Regressions, "r3 against r1")
	u := push(t, repo, r2)
	assert.Equal(t, 1, u.Entries[0].Regressions, "r2 against r1")
	assert.Contains(t, u.Files, "index/e/2026/12/10.json", "r3's shard is rewritten")
	assert.Equal(t, 0, shard("2026/12/10").Runs[0].Regressions, "r3 against r2")
	sum, err := ParseEnvSummary("s", repo["index/e.json"])
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Runs)
	assert.Equal(t, 0, sum.Last.Regressions)
}

// countingRepo counts the reads of a repository.
type countingRepo struct {
	memRepo
	mu           sync.Mutex
	reads, stats int
}

func (c *countingRepo) ReadFile(ctx context.Context, name string) ([]byte, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.memRepo.ReadFile(ctx, name)
}

func (c *countingRepo) Exists(ctx context.Context, name string) (bool, error) {
	c.mu.Lock()
	c.stats++
	c.mu.Unlock()
	return c.memRepo.Exists(ctx, name)
}

// TestPlanUpdateCostIsFlat: the files a push reads and writes do not grow with the
// history.
func TestPlanUpdateCostIsFlat(t *testing.T) {
	repo := &countingRepo{memRepo: memRepo{}}
	type cost struct{ reads, stats, files, bytes int }
	var costs []cost
	for night := 1; night <= 120; night++ {
		status := []string{"a=PASSED", "b=PASSED"}
		if night%7 == 0 {
			status[1] = "b=FAILED"
		}
		repo.reads, repo.stats = 0, 0
		u, err := PlanUpdate(t.Context(), repo, []Upload{upload(t, "e", fmt.Sprintf("r%03d", night), night, status...)})
		require.NoError(t, err)
		c := cost{reads: repo.reads, stats: repo.stats, files: len(u.Files)}
		for name, data := range u.Files {
			repo.memRepo[name] = data
			c.bytes += len(data)
		}
		costs = append(costs, c)
	}
	// Night 2 against night 100 (both the 2nd to 10th of a month... of their own).
	second, late := costs[1], costs[99]
	assert.Equal(t, second.reads, late.reads, "files read")
	assert.Equal(t, second.stats, late.stats, "lookups")
	assert.Equal(t, second.files, late.files, "files written")
	assert.InDelta(t, second.bytes, late.bytes, 0.02*float64(second.bytes), "bytes written")
	assert.LessOrEqual(t, late.reads, 4, "layout.json, the summary, the run before, the day's shard")
}

func TestPlanUpdateErrors(t *testing.T) {
	good, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	up := good[0]
	noResults := Upload{Run: up.Run, Files: map[string][]byte{"junit.xml": nil}}
	escaping := Upload{Run: up.Run, Files: map[string][]byte{FileName: up.Files[FileName], "../x": nil}}
	later := good[1]
	tests := []struct {
		name    string
		repo    memRepo
		uploads []Upload
		wantErr string
		is      error
	}{
		{name: "no results.json", repo: memRepo{}, uploads: []Upload{noResults}, wantErr: "run compression/20261101T100000Z-1a2b3c4: its files lack results.json"},
		{name: "file leaves the run", repo: memRepo{}, uploads: []Upload{escaping}, wantErr: `file name "../x" leaves the run directory`},
		{name: "layout 1", repo: memRepo{"index.json": []byte(`{"schema":1}`)}, uploads: []Upload{up}, is: ErrLayout1},
		{name: "newer layout", repo: memRepo{"layout.json": []byte(`{"layout":3}`)}, uploads: []Upload{up}, wantErr: "layout.json: layout 3 is newer than this reader's 2"},
		{name: "broken summary", repo: memRepo{"layout.json": layoutJSON(), "index/compression.json": []byte("{")}, uploads: []Upload{up}, wantErr: "index/compression.json: decoding"},
		{name: "summary of another environment", repo: memRepo{"layout.json": layoutJSON(), "index/compression.json": summaryOf(t, "python")}, uploads: []Upload{up}, wantErr: `environment "python" is not "compression"`},
		{name: "previous run missing", repo: memRepo{"layout.json": layoutJSON(), "index/compression.json": summaryOf(t, "compression")}, uploads: []Upload{later}, wantErr: "reading runs/compression/2026/11/20261101T100000Z-1a2b3c4/results.json"},
		{name: "failing reader", repo: nil, uploads: []Upload{up}, wantErr: "reading layout.json: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var repo RepoReader = tt.repo
			if tt.repo == nil {
				repo = failingRepo{}
			}
			_, err := PlanUpdate(t.Context(), repo, tt.uploads)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
				return
			}
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// summaryOf is the summary of env after its fixture run of November 1st.
func summaryOf(t *testing.T, env string) []byte {
	t.Helper()
	e := IndexEntry{Environment: env, ID: "20261101T100000Z-1a2b3c4", Started: loadFixtures(t)[0].Started}
	e.Path = RunDir(env, e.ID, e.Started)
	data, err := (&EnvSummary{Schema: IndexSchema, Environment: env, Runs: 1, First: RunKey{e.ID, e.Started}, Last: e}).Marshal()
	require.NoError(t, err)
	return data
}

type failingRepo struct{}

func (failingRepo) ReadFile(context.Context, string) ([]byte, error) { return nil, errors.New("boom") }
func (failingRepo) Exists(context.Context, string) (bool, error)     { return false, errors.New("boom") }

func TestLoadUploads(t *testing.T) {
	ups, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	up := ups[0]
	assert.Equal(t, "compression/20261101T100000Z-1a2b3c4", RunPath(up.Run))
	assert.Contains(t, up.Files, "logs/stand-alone/zlib-1.3.1-gcubvwh-test-out.txt")
	assert.Contains(t, up.Files, "junit.xml")
	assert.Len(t, up.Files, 8)

	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(fixtureRuns)))
	run := filepath.Join(dir, "python", "20261108T120000Z-5d6e7f8")
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(run, "passwd")))
	_, err = LoadUploads(dir)
	assert.ErrorContains(t, err, filepath.Join(run, "passwd")+": not a regular file")

	_, err = LoadUploads(run)
	assert.ErrorContains(t, err, "is a run directory")
	_, err = LoadUploads(t.TempDir())
	assert.ErrorContains(t, err, "no runs in")
}

func TestDirRepo(t *testing.T) {
	repo := memRepo{}
	push(t, repo, upload(t, "e", "r1", 1, "a=PASSED"))
	d := DirRepo(writeRepo(t, repo))
	data, err := d.ReadFile(t.Context(), "index/e.json")
	require.NoError(t, err)
	assert.Equal(t, repo["index/e.json"], data)
	_, err = d.ReadFile(t.Context(), "index/nope.json")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	for name, want := range map[string]bool{"index": true, "runs/e/2026/11/r1/results.json": true, "runs/f": false} {
		ok, err := d.Exists(t.Context(), name)
		require.NoError(t, err)
		assert.Equal(t, want, ok, name)
	}
	_, err = d.ReadFile(t.Context(), "../etc/passwd")
	assert.ErrorContains(t, err, `path "../etc/passwd": want a slash-separated path inside the repository`)
}

// TestSiteFromRepositoryMatchesOut: over months of runs pushed out of order, the site
// drawn from the repository, whose oldest pages come from the index alone, is the
// site drawn from out/, which counts everything from the runs.
func TestSiteFromRepositoryMatchesOut(t *testing.T) {
	var ups []Upload
	for i := range 14 {
		status := []string{"PASSED", "FAILED", "PASSED", "SKIPPED"}
		ups = append(ups,
			upload(t, "e", fmt.Sprintf("e%02d", i), 1+13*i, "a="+status[i%4], "b="+status[(i+1)%3]),
			upload(t, "f", fmt.Sprintf("f%02d", i), 3+11*i, "a="+status[(i+2)%4]))
	}
	out := t.TempDir()
	for _, up := range ups {
		files := Files{}
		for name, data := range up.Files {
			files[RunPath(up.Run)+"/"+name] = data
		}
		require.NoError(t, files.Write(out))
	}
	opts := []SiteOption{WithMaxRuns(3), WithKeepMonths(2)}
	want := buildSite(t, out, opts...)
	require.Contains(t, want["env/e/1.html"], "older than the site keeps pages and logs for")

	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
		repo := memRepo{}
		// Three pushes of interleaved thirds: later runs land before earlier ones.
		for _, part := range order {
			var batch []Upload
			for i := part; i < len(ups); i += 3 {
				batch = append(batch, ups[i])
			}
			push(t, repo, batch...)
		}
		assert.Equal(t, want, buildSite(t, writeRepo(t, repo), opts...), "order %v", order)
	}
}
