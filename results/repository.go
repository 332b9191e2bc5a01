package results

import (
	"context"
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

// RepoReader reads a results repository at one commit.
type RepoReader interface {
	// ReadFile returns the content of the file name, a slash-separated path from the
	// repository's root, or an error wrapping fs.ErrNotExist when there is none.
	ReadFile(ctx context.Context, name string) ([]byte, error)
	// Exists reports whether the file or directory name exists.
	Exists(ctx context.Context, name string) (bool, error)
}

// DirRepo is a results repository checked out in a directory.
type DirRepo string

func (d DirRepo) path(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", fmt.Errorf("path %q: want a slash-separated path inside the repository", name)
	}
	return filepath.Join(string(d), filepath.FromSlash(name)), nil
}

// ReadFile implements RepoReader.
func (d DirRepo) ReadFile(_ context.Context, name string) ([]byte, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// Exists implements RepoReader.
func (d DirRepo) Exists(_ context.Context, name string) (bool, error) {
	p, err := d.path(name)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
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
	// Entries holds the index entry of each added run, in the order of Added.
	Entries []IndexEntry
	// Message is the commit message.
	Message string
}

// PlanUpdate works out what adding uploads to the repository at hand takes: each new
// run's directory, its day's index shard and its environment's summary. The run
// before each new one is found through the index and is the only one read, to count
// the new run's regressions and fixes. A run older than some already there (it landed
// late) also gets the entry of the run after it recounted, so that the index reads the
// same whatever order the runs came in. Runs the repository already has are not
// written again; when all are present the update is empty.
func PlanUpdate(ctx context.Context, repo RepoReader, uploads []Upload) (*Update, error) {
	u := &Update{Files: map[string][]byte{}}
	if err := checkLayout(ctx, repo, u.Files); err != nil {
		return nil, err
	}
	byEnv := map[string][]*Run{}
	seen := map[string]bool{}
	for _, up := range uploads {
		name := RunPath(up.Run)
		if seen[name] {
			continue
		}
		seen[name] = true
		dir := RunDir(up.Run.Environment, up.Run.ID, up.Run.Started)
		if _, ok := up.Files[FileName]; !ok {
			return nil, fmt.Errorf("run %s: its files lack %s", name, FileName)
		}
		ok, err := repo.Exists(ctx, path.Join(dir, FileName))
		if err != nil {
			return nil, fmt.Errorf("looking for run %s: %w", name, err)
		}
		if ok {
			u.Present = append(u.Present, name)
			continue
		}
		if err := storeRun(u.Files, dir, up.Files); err != nil {
			return nil, fmt.Errorf("run %s: %w", name, err)
		}
		byEnv[up.Run.Environment] = append(byEnv[up.Run.Environment], up.Run)
	}
	if len(byEnv) == 0 {
		u.Files = map[string][]byte{}
		return u, nil
	}
	entries := map[string]IndexEntry{}
	for _, env := range slices.Sorted(maps.Keys(byEnv)) {
		files, err := indexRuns(ctx, repo, env, byEnv[env], entries)
		if err != nil {
			return nil, err
		}
		maps.Copy(u.Files, files)
	}
	// Added follows the uploads' order, as the caller listed them.
	for _, up := range uploads {
		if e, ok := entries[RunPath(up.Run)]; ok && !slices.Contains(u.Added, RunPath(up.Run)) {
			u.Added = append(u.Added, RunPath(up.Run))
			u.Entries = append(u.Entries, e)
		}
	}
	u.Message = commitMessage(u.Added, u.Entries)
	return u, nil
}

// checkLayout refuses a repository of another layout, and adds layout.json to files
// for a new one.
func checkLayout(ctx context.Context, repo RepoReader, files map[string][]byte) error {
	data, err := repo.ReadFile(ctx, LayoutFile)
	if err == nil {
		return parseLayout(LayoutFile, data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", LayoutFile, err)
	}
	old, err := repo.Exists(ctx, layout1Index)
	if err != nil {
		return fmt.Errorf("looking for %s: %w", layout1Index, err)
	}
	if old {
		return ErrLayout1
	}
	files[LayoutFile] = layoutJSON()
	return nil
}

// storeRun adds the files of a run's directory to files, as the repository keeps them
// (storedName).
func storeRun(files map[string][]byte, dir string, runFiles map[string][]byte) error {
	for name, data := range runFiles {
		if !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(name, `\`) {
			return fmt.Errorf("file name %q leaves the run directory", name)
		}
		stored, keep := storedName(name)
		switch {
		case !keep:
			continue
		case name == FileName:
			compact, err := compactJSON(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			data = compact
		case stored != name:
			data = compress(data)
		}
		files[path.Join(dir, stored)] = data
	}
	return nil
}

// indexRuns enters the new runs of env into its index, oldest first, and returns the
// index files to write. Each new run's entry goes into entries, keyed by RunPath.
func indexRuns(ctx context.Context, repo RepoReader, env string, fresh []*Run, entries map[string]IndexEntry) (map[string][]byte, error) {
	x, err := loadEnvIndex(ctx, repo, env)
	if err != nil {
		return nil, err
	}
	fresh = slices.Clone(fresh)
	sortRuns(fresh)
	known := map[string]*Run{} // by directory: the new runs, and those read so far
	for _, r := range fresh {
		known[RunDir(r.Environment, r.ID, r.Started)] = r
	}
	load := func(e IndexEntry) (*Run, error) {
		if r, ok := known[e.Path]; ok {
			return r, nil
		}
		r, err := readRun(ctx, repo, e.Path)
		if err != nil {
			return nil, err
		}
		known[e.Path] = r
		return r, nil
	}
	for _, r := range fresh {
		var prev *Run
		if pe, ok, err := x.neighbour(ctx, r.Started, r.ID, -1); err != nil {
			return nil, err
		} else if ok {
			if prev, err = load(pe); err != nil {
				return nil, err
			}
		}
		e := NewEntry(r, prev)
		entries[RunPath(r)] = e
		if err := x.put(ctx, e, true); err != nil {
			return nil, err
		}
		// A run that landed late comes before one already indexed, whose regressions
		// and fixes now count against it.
		ne, ok, err := x.neighbour(ctx, r.Started, r.ID, +1)
		if err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		next, err := load(ne)
		if err != nil {
			return nil, err
		}
		if again := NewEntry(next, r); again != ne {
			if err := x.put(ctx, again, false); err != nil {
				return nil, err
			}
		}
	}
	return x.files()
}

// readRun reads and checks the results.json of the run directory dir.
func readRun(ctx context.Context, repo RepoReader, dir string) (*Run, error) {
	name := path.Join(dir, FileName)
	data, err := repo.ReadFile(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	r, err := decodeRun(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if want := RunDir(r.Environment, r.ID, r.Started); want != dir {
		return nil, fmt.Errorf("%s: the run belongs in %s", name, want)
	}
	return r, nil
}

func commitMessage(added []string, entries []IndexEntry) string {
	var b strings.Builder
	if len(added) == 1 {
		fmt.Fprintf(&b, "Add results of %s\n\n", added[0])
	} else {
		fmt.Fprintf(&b, "Add results of %d runs\n\n", len(added))
	}
	for i, p := range added {
		e := entries[i]
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
