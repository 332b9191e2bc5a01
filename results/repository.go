package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// A results repository keeps every run's files and the site drawn from them
// (docs/results.md):
//
//	README.md              written when the repository is created
//	index.html, .nojekyll  send GitHub Pages (served from the root) to site/
//	index.json             the Index of all runs
//	<env>/<run-id>/...     each run's files as the pipeline wrote them
//	site/...               the Site; site/data/<env>.json holds its HistoryData
const (
	SiteDir = "site"
	// Readme is the name of the README written when the repository is created.
	Readme = "README.md"
)

// ReadmeText is the README of a new results repository.
const ReadmeText = `# Test results of spack-ghcr

Written by ` + "`go run ./ci results push`" + `; see docs/results.md in spack-ghcr.

- ` + "`index.json`" + `: every run, with its counts and image digest.
- ` + "`<env>/<run-id>/`" + `: each run's results.json, junit.xml, summary.md and logs.
- ` + "`site/`" + `: the HTML site (GitHub Pages from the root of this branch).
`

// pagesRedirect sends a visitor of the repository's GitHub Pages root to the site.
const pagesRedirect = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=site/index.html">
<link rel="icon" href="data:,">
<title>Test results</title>
</head>
<body><p><a href="site/index.html">Test results</a></p></body>
</html>
`

// HistorySchema is the version of the HistoryData layout.
const HistorySchema = 1

// HistoryData is site/data/<env>.json: the runs an environment's page was drawn from,
// and the run before the oldest of them (to tell its regressions), without test parts.
// A push redraws the page from it and the new runs instead of reading every
// results.json in the repository.
type HistoryData struct {
	Schema      int    `json:"schema"`
	Environment string `json:"environment"`
	// Runs is oldest first.
	Runs []*Run `json:"runs"`
}

func newHistoryData(h *History, all []*Run) *HistoryData {
	var mine []*Run
	for _, r := range all {
		if r.Environment == h.Environment {
			mine = append(mine, r)
		}
	}
	sortRuns(mine)
	mine = mine[max(0, len(mine)-len(h.Runs)-1):]
	d := &HistoryData{Schema: HistorySchema, Environment: h.Environment, Runs: make([]*Run, len(mine))}
	for i, r := range mine {
		c := *r
		c.Specs = slices.Clone(r.Specs)
		for j := range c.Specs {
			c.Specs[j].Parts = nil
		}
		d.Runs[i] = &c
	}
	return d
}

func (d *HistoryData) marshal() ([]byte, error) { return marshalJSON(d) }

// ParseHistoryData decodes and checks a site/data/<env>.json; name is used in errors.
func ParseHistoryData(name string, data []byte) (*HistoryData, error) {
	d := new(HistoryData)
	if err := json.Unmarshal(data, d); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", name, err)
	}
	switch {
	case d.Schema == 0:
		return nil, fmt.Errorf("%s: schema is missing", name)
	case d.Schema > HistorySchema:
		return nil, fmt.Errorf("%s: schema %d is newer than this reader's %d", name, d.Schema, HistorySchema)
	case !validName.MatchString(d.Environment):
		return nil, fmt.Errorf("%s: environment %q is not a valid environment name", name, d.Environment)
	}
	for i, r := range d.Runs {
		if r == nil {
			return nil, fmt.Errorf("%s: runs[%d] is null", name, i)
		}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("%s: runs[%d]: %w", name, i, err)
		}
		if r.Environment != d.Environment {
			return nil, fmt.Errorf("%s: runs[%d]: environment %q is not %q", name, i, r.Environment, d.Environment)
		}
	}
	return d, nil
}

// RepoReader reads a results repository at one commit.
type RepoReader interface {
	// ReadFile returns the content of the file name, a slash-separated path from the
	// repository's root, or an error wrapping fs.ErrNotExist when there is none.
	ReadFile(ctx context.Context, name string) ([]byte, error)
	// Exists reports whether the file or directory name exists.
	Exists(ctx context.Context, name string) (bool, error)
}

// Upload is one run to add to a results repository.
type Upload struct {
	Run *Run
	// Files holds the files of the run's directory, keyed by slash-separated path
	// relative to it; results.json is one of them.
	Files map[string][]byte
}

// LoadUploads reads every run below dir (see LoadTree) with the files of its directory.
// A directory without runs is an error: it is almost always the wrong directory.
func LoadUploads(dir string) ([]Upload, error) {
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		return nil, fmt.Errorf("%s is a run directory: pass the directory holding <env>/<run-id>/", dir)
	}
	runs, err := LoadTree(dir)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no runs in %s: want %s", dir, filepath.Join(dir, "<env>", "<run-id>", FileName))
	}
	ups := make([]Upload, len(runs))
	for i, r := range runs {
		files, err := readRunDir(filepath.Join(dir, r.Environment, r.ID))
		if err != nil {
			return nil, err
		}
		ups[i] = Upload{Run: r, Files: files}
	}
	return ups, nil
}

// readRunDir reads the regular files below dir. Links are refused: the results
// repository stores files, and a link could point anywhere on the machine.
func readRunDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading run files: %w", err)
	}
	return files, nil
}

// Update is one commit's worth of changes to a results repository.
type Update struct {
	// Files holds the files to write, keyed by slash-separated path from the
	// repository's root. It is empty when there is nothing to write.
	Files map[string][]byte
	// Added and Present list the runs ("<env>/<run-id>") that are written, and those
	// that the repository already has and are left as they are.
	Added, Present []string
	// Message is the commit message.
	Message string
}

// PlanUpdate works out what adding uploads to the repository at hand takes: the new
// runs' files, index.json, and the site pages the new runs change (the overview, their
// environments' pages and their own pages). Runs the repository already has are not
// written again; when all are present the update is empty.
func PlanUpdate(ctx context.Context, repo RepoReader, uploads []Upload, opts ...SiteOption) (*Update, error) {
	site, err := NewSite(opts...)
	if err != nil {
		return nil, err
	}
	idx, err := readIndex(ctx, repo)
	if err != nil {
		return nil, err
	}
	u := &Update{Files: map[string][]byte{}}
	byEnv := map[string][]*Run{}
	seen := map[string]bool{}
	for _, up := range uploads {
		p := RunPath(up.Run)
		if seen[p] {
			continue
		}
		seen[p] = true
		if _, ok := up.Files[FileName]; !ok {
			return nil, fmt.Errorf("run %s: its files lack %s", p, FileName)
		}
		ok, err := repo.Exists(ctx, path.Join(p, FileName))
		if err != nil {
			return nil, fmt.Errorf("looking for run %s: %w", p, err)
		}
		if ok {
			u.Present = append(u.Present, p)
			continue
		}
		u.Added = append(u.Added, p)
		for name, data := range up.Files {
			if !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(name, `\`) {
				return nil, fmt.Errorf("run %s: file name %q leaves the run directory", p, name)
			}
			u.Files[path.Join(p, name)] = data
		}
		byEnv[up.Run.Environment] = append(byEnv[up.Run.Environment], up.Run)
	}
	if len(u.Added) == 0 {
		return u, nil
	}

	for _, env := range slices.Sorted(maps.Keys(byEnv)) {
		fresh := byEnv[env]
		runs, err := readHistory(ctx, repo, env)
		if err != nil {
			return nil, err
		}
		// A run in the data and in the upload can only be one the repository lost;
		// the upload wins.
		runs = slices.DeleteFunc(runs, func(r *Run) bool {
			return slices.ContainsFunc(fresh, func(f *Run) bool { return f.ID == r.ID })
		})
		runs = append(runs, fresh...)
		sortRuns(runs)
		h := NewHistory(env, runs, site.MaxRuns())
		idx.Add(h)
		h.Total = len(idx.Of(env))
		files, err := site.Environment(h, runs)
		if err != nil {
			return nil, err
		}
		addSite(u.Files, files)
		for i, r := range runs {
			if !slices.Contains(fresh, r) {
				continue
			}
			var prev *Run
			if i > 0 {
				prev = runs[i-1]
			}
			files, err := site.Run(r, prev)
			if err != nil {
				return nil, err
			}
			addSite(u.Files, files)
		}
	}
	files, err := site.Overview(idx)
	if err != nil {
		return nil, err
	}
	addSite(u.Files, files)
	if u.Files[IndexFile], err = idx.Marshal(); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", IndexFile, err)
	}
	u.Files["index.html"] = []byte(pagesRedirect)
	u.Files[".nojekyll"] = []byte{}
	u.Message = commitMessage(idx, u.Added)
	return u, nil
}

func addSite(dst map[string][]byte, files Files) {
	for name, data := range files {
		dst[path.Join(SiteDir, name)] = data
	}
}

func readIndex(ctx context.Context, repo RepoReader) (*Index, error) {
	data, err := repo.ReadFile(ctx, IndexFile)
	if errors.Is(err, fs.ErrNotExist) {
		return NewIndex(nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", IndexFile, err)
	}
	return ParseIndex(IndexFile, data)
}

func readHistory(ctx context.Context, repo RepoReader, env string) ([]*Run, error) {
	name := path.Join(SiteDir, HistoryDataFile(env))
	data, err := repo.ReadFile(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	d, err := ParseHistoryData(name, data)
	if err != nil {
		return nil, err
	}
	if d.Environment != env {
		return nil, fmt.Errorf("%s: environment %q is not %q", name, d.Environment, env)
	}
	return d.Runs, nil
}

func commitMessage(idx *Index, added []string) string {
	var b strings.Builder
	if len(added) == 1 {
		fmt.Fprintf(&b, "Add results of %s\n\n", added[0])
	} else {
		fmt.Fprintf(&b, "Add results of %d runs\n\n", len(added))
	}
	for _, p := range added {
		env, id, _ := strings.Cut(p, "/")
		e, _ := idx.Get(env, id)
		fmt.Fprintf(&b, "- %s: %d passed, %d failed, %d skipped, %d without tests", p, e.Counts.Passed, e.Counts.Failed, e.Counts.Skipped, e.Counts.NoTests)
		if e.Regressions > 0 || e.Fixes > 0 {
			fmt.Fprintf(&b, "; %s, %s", plural(e.Regressions, "regression", "regressions"), plural(e.Fixes, "fix", "fixes"))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
