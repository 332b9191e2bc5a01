package results

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"
)

// A results repository (layout 2, docs/results.md) only ever gains files: a push adds
// the directory of each new run and the small index files that name it. Nothing whose
// size grows with the history is rewritten, so a push costs the same after ten runs
// as after a hundred thousand.
//
//	README.md                               written when the repository is created
//	layout.json                             {"layout": 2}
//	runs/<env>/<YYYY>/<MM>/<run-id>/         one run, by the UTC month it started in
//	    results.json                        as the pipeline wrote it, compacted
//	    logs/....gz                         every other file, gzip-compressed
//	index/<env>.json                        EnvSummary: first and last run, how many
//	index/<env>/<YYYY>/<MM>/<DD>.json       Shard: the runs of env started that UTC day
//
// junit.xml and summary.md are not kept: they are drawn from results.json (WriteJUnit,
// WriteSummary), and the site draws them again.
const (
	// LayoutVersion is the layout this package writes and reads.
	LayoutVersion = 2
	// LayoutFile marks a results repository and names its layout.
	LayoutFile = "layout.json"
	// Readme is the name of the README written when the repository is created.
	Readme = "README.md"
	// RunsDir holds the runs, IndexDir the index.
	RunsDir  = "runs"
	IndexDir = "index"
	// compressedExt ends the name of every stored file but results.json.
	compressedExt = ".gz"
	// layout1Index is the index.json of a layout 1 repository, which had its site
	// committed beside the runs; Migrate converts one.
	layout1Index = "index.json"
)

// ReadmeText is the README of a new results repository.
const ReadmeText = `# Test results of spack-ghcr

Written by ` + "`go run ./ci results push`" + `; see docs/results.md in spack-ghcr.

- ` + "`runs/<env>/<YYYY>/<MM>/<run-id>/`" + `: each run's results.json, and its logs (gzip).
- ` + "`index/<env>.json`" + `, ` + "`index/<env>/<YYYY>/<MM>/<DD>.json`" + `: which runs there are.
- The HTML site is not committed: a workflow draws it with ` + "`results site`" + ` and
  deploys it to GitHub Pages.
`

// ErrLayout1 is returned by PlanUpdate for a repository in layout 1, with its index.json
// and site/ committed on every push: it must be migrated first (Migrate).
var ErrLayout1 = errors.New("results repository is in layout 1: migrate it with `results migrate` (docs/results.md)")

// layoutDoc is the content of layout.json.
type layoutDoc struct {
	Layout int    `json:"layout"`
	Docs   string `json:"docs,omitempty"`
}

func layoutJSON() []byte {
	data, _ := marshalJSON(layoutDoc{Layout: LayoutVersion, Docs: "https://github.com/spack-ghcr/spack-ghcr/blob/main/docs/results.md"}, "  ")
	return data
}

// parseLayout checks a layout.json; name is used in errors.
func parseLayout(name string, data []byte) error {
	var d layoutDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("%s: decoding: %w", name, err)
	}
	switch {
	case d.Layout > LayoutVersion:
		return fmt.Errorf("%s: layout %d is newer than this reader's %d", name, d.Layout, LayoutVersion)
	case d.Layout < LayoutVersion:
		return fmt.Errorf("%s: layout %d is not %d", name, d.Layout, LayoutVersion)
	}
	return nil
}

// RunDir is the directory of the run env/id, started at started, in a results
// repository: "runs/<env>/<YYYY>/<MM>/<id>". A month's directory stops changing when
// the month is over, so no directory of the repository grows without end.
func RunDir(env, id string, started time.Time) string {
	return path.Join(RunsDir, env, started.UTC().Format("2006/01"), id)
}

// SummaryPath is where env's EnvSummary is kept.
func SummaryPath(env string) string { return path.Join(IndexDir, env+".json") }

// ShardPath is where the Shard of env's runs started on day (UTC) is kept.
func ShardPath(env string, day time.Time) string {
	return path.Join(IndexDir, env, day.UTC().Format("2006/01/02")+".json")
}

// storedName is the name a run's file takes in the repository, and whether it is kept
// at all: results.json as it is (compacted: storeRun), the derived junit.xml and
// summary.md not at all, any other file compressed.
func storedName(name string) (string, bool) {
	switch name {
	case FileName:
		return name, true
	case JUnitFile, SummaryFile:
		return "", false
	}
	return name + compressedExt, true
}

// sourceName undoes storedName: the name and content of a file as the pipeline wrote it.
func sourceName(stored string, data []byte) (string, []byte, error) {
	name, ok := strings.CutSuffix(stored, compressedExt)
	if !ok {
		return stored, data, nil
	}
	zr, _ := gunzips.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(data))
	} else {
		err = zr.Reset(bytes.NewReader(data))
	}
	if err != nil {
		return "", nil, fmt.Errorf("decompressing %s: %w", stored, err)
	}
	defer gunzips.Put(zr)
	out, err := io.ReadAll(zr)
	if err != nil {
		return "", nil, fmt.Errorf("decompressing %s: %w", stored, err)
	}
	return name, out, nil
}

// gzips and gunzips keep compressors for reuse: a site draws thousands of logs, and
// a new compressor's tables cost more than a log.
var gzips, gunzips sync.Pool

// compactJSON removes the insignificant white space of a JSON document and ends it
// with a newline: results.json is the one file of a run stored uncompressed, since Git
// compresses it and GitHub shows it, and its indentation is a third of it.
func compactJSON(data []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// compress gzips data without a name or time in the header, so that the same log
// always gives the same blob.
func compress(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzips.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	} else {
		zw.Reset(&b)
	}
	zw.Write(data)
	zw.Close()
	gzips.Put(zw)
	return b.Bytes()
}
