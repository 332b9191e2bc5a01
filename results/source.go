package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// storedRun is one run as a source holds it.
type storedRun struct {
	run *Run
	// file reads another file of the run's directory, named and as the pipeline
	// wrote it; nil when the source has no files.
	file func(name string) ([]byte, error)
}

// envRuns are the runs of one environment in a source.
type envRuns struct {
	// entries summarise the runs, oldest first.
	entries []IndexEntry
	// load reads the run of entries[i].
	load func(ctx context.Context, i int) (storedRun, error)
}

// source is a set of runs the site is drawn from, one environment at a time.
type source interface {
	// environments lists the environments with runs, sorted.
	environments(ctx context.Context) ([]string, error)
	// newest returns the start of the newest run, zero when there is none.
	newest(ctx context.Context) (time.Time, error)
	// open returns the runs of env.
	open(ctx context.Context, env string) (*envRuns, error)
}

// openSource opens dir: a results repository checkout in layout 2 (it has
// layout.json), else a tree of run directories laid out as <env>/<run-id>/ (out/, or
// a layout 1 checkout).
func openSource(dir string) (source, error) {
	data, err := os.ReadFile(filepath.Join(dir, LayoutFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("loading runs: %w", err)
		}
		return treeSource(dir), nil
	case err != nil:
		return nil, fmt.Errorf("loading runs: %w", err)
	}
	if err := parseLayout(filepath.Join(dir, LayoutFile), data); err != nil {
		return nil, err
	}
	return repoSource(dir), nil
}

// Walk calls fn with every run in dir (a layout 2 checkout, out/ or a layout 1
// checkout), environment by environment, each oldest first, reading one run at a time
// from a repository.
func Walk(ctx context.Context, dir string, fn func(*Run) error) error {
	src, err := openSource(dir)
	if err != nil {
		return err
	}
	envs, err := src.environments(ctx)
	if err != nil {
		return err
	}
	for _, env := range envs {
		er, err := src.open(ctx, env)
		if err != nil {
			return err
		}
		for i := range er.entries {
			sr, err := er.load(ctx, i)
			if err != nil {
				return err
			}
			if err := fn(sr.run); err != nil {
				return err
			}
		}
	}
	return nil
}

// entriesOf summarises runs, sorted oldest first, each against the one before.
func entriesOf(runs []*Run) []IndexEntry {
	entries := make([]IndexEntry, len(runs))
	for i, r := range runs {
		var prev *Run
		if i > 0 {
			prev = runs[i-1]
		}
		entries[i] = NewEntry(r, prev)
	}
	return entries
}

// memSource serves runs held in memory, without files.
type memSource []*Run

func (m memSource) environments(context.Context) ([]string, error) {
	var envs []string
	for _, r := range m {
		if !slices.Contains(envs, r.Environment) {
			envs = append(envs, r.Environment)
		}
	}
	slices.Sort(envs)
	return envs, nil
}

func (m memSource) newest(context.Context) (time.Time, error) {
	var t time.Time
	for _, r := range m {
		if r.Started.After(t) {
			t = r.Started
		}
	}
	return t, nil
}

func (m memSource) open(_ context.Context, env string) (*envRuns, error) {
	var mine []*Run
	for _, r := range m {
		if r.Environment == env {
			mine = append(mine, r)
		}
	}
	sortRuns(mine)
	return &envRuns{entries: entriesOf(mine), load: func(_ context.Context, i int) (storedRun, error) {
		return storedRun{run: mine[i]}, nil
	}}, nil
}

// readDirs returns the names of the directories in dir that are valid names, sorted.
func readDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("loading runs: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && validName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// loadStored reads the run in dir (LoadRun); ok is false when dir has no results.json.
func loadStored(dir string) (sr storedRun, ok bool, err error) {
	r, err := LoadRun(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return storedRun{}, false, nil
	}
	if err != nil {
		return storedRun{}, false, err
	}
	return storedRun{run: r, file: func(name string) ([]byte, error) {
		return readStored(dir, name)
	}}, true, nil
}

// readStored reads the file name of the run directory dir as the pipeline wrote it:
// from name, or compressed from name.gz in a repository.
func readStored(dir, name string) ([]byte, error) {
	if !fs.ValidPath(name) || name == FileName {
		return nil, fmt.Errorf("%s: %q is not a file of the run", dir, name)
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		if stored, keep := storedName(name); keep && stored != name {
			var zerr error
			if data, zerr = os.ReadFile(p + compressedExt); zerr == nil {
				_, data, err = sourceName(stored, data)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading run files: %w", err)
	}
	return data, nil
}

// treeSource is a directory of runs laid out as <env>/<run-id>/.
type treeSource string

func (t treeSource) environments(context.Context) ([]string, error) { return readDirs(string(t)) }

func (t treeSource) newest(ctx context.Context) (time.Time, error) {
	var newest time.Time
	envs, err := t.environments(ctx)
	if err != nil {
		return newest, err
	}
	for _, env := range envs {
		ids, err := readDirs(filepath.Join(string(t), env))
		if err != nil {
			return newest, err
		}
		for _, id := range ids {
			data, err := os.ReadFile(filepath.Join(string(t), env, id, FileName))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return newest, fmt.Errorf("loading runs: %w", err)
			}
			var probe struct {
				Started time.Time `json:"started"`
			}
			// A broken results.json is open's to report, with its file and reason.
			if json.Unmarshal(data, &probe) == nil && probe.Started.After(newest) {
				newest = probe.Started
			}
		}
	}
	return newest, nil
}

// open reads every run of env: the tree does not say their order, so all of an
// environment's runs are read before the first is served.
func (t treeSource) open(ctx context.Context, env string) (*envRuns, error) {
	stored, err := t.load(ctx, env)
	if err != nil {
		return nil, err
	}
	runs := make([]*Run, len(stored))
	for i, sr := range stored {
		runs[i] = sr.run
	}
	return &envRuns{entries: entriesOf(runs), load: func(_ context.Context, i int) (storedRun, error) {
		return stored[i], nil
	}}, nil
}

// load reads the runs of env, sorted.
func (t treeSource) load(ctx context.Context, env string) ([]storedRun, error) {
	ids, err := readDirs(filepath.Join(string(t), env))
	if err != nil {
		return nil, err
	}
	var runs []storedRun
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir := filepath.Join(string(t), env, id)
		sr, ok, err := loadStored(dir)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := checkPlace(sr.run, filepath.Join(dir, FileName), env, id); err != nil {
			return nil, err
		}
		runs = append(runs, sr)
	}
	slices.SortStableFunc(runs, func(a, b storedRun) int {
		return compareRuns(a.run.Started, a.run.ID, b.run.Started, b.run.ID)
	})
	return runs, nil
}

// checkPlace checks that run r, read from file, is in the directory of env and id.
func checkPlace(r *Run, file, env, id string) error {
	if r.Environment != env {
		return fmt.Errorf("%s: environment %q does not match its directory %q", file, r.Environment, env)
	}
	if r.ID != id {
		return fmt.Errorf("%s: id %q does not match its directory %q", file, r.ID, id)
	}
	return nil
}

// repoSource is a results repository checkout in layout 2. Its index lists each
// environment's runs in order, with their counts: the site reads a run's
// results.json only when it draws the run's specs.
type repoSource string

func (r repoSource) environments(context.Context) ([]string, error) {
	return readDirs(filepath.Join(string(r), RunsDir))
}

func (r repoSource) newest(ctx context.Context) (time.Time, error) {
	var newest time.Time
	envs, err := r.environments(ctx)
	if err != nil {
		return newest, err
	}
	for _, env := range envs {
		data, err := os.ReadFile(filepath.Join(string(r), filepath.FromSlash(SummaryPath(env))))
		if err != nil {
			return newest, fmt.Errorf("loading runs: %w", err)
		}
		s, err := ParseEnvSummary(SummaryPath(env), data)
		if err != nil {
			return newest, err
		}
		if s.Last.Started.After(newest) {
			newest = s.Last.Started
		}
	}
	return newest, nil
}

// open reads env's shards, index/<env>/<YYYY>/<MM>/<DD>.json, in order.
func (r repoSource) open(ctx context.Context, env string) (*envRuns, error) {
	er := &envRuns{}
	root := filepath.Join(string(r), IndexDir, env)
	years, err := readDirs(root)
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		months, err := readDirs(filepath.Join(root, y))
		if err != nil {
			return nil, err
		}
		for _, m := range months {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := r.readShards(er, env, path.Join(y, m)); err != nil {
				return nil, err
			}
		}
	}
	er.load = func(_ context.Context, i int) (storedRun, error) {
		e := er.entries[i]
		dir := filepath.Join(string(r), filepath.FromSlash(e.Path))
		sr, ok, err := loadStored(dir)
		switch {
		case err != nil:
			return storedRun{}, err
		case !ok:
			return storedRun{}, fmt.Errorf("%s: the index lists run %s, which has no %s", SummaryPath(env), e.ID, FileName)
		}
		return sr, checkPlace(sr.run, filepath.Join(dir, FileName), env, e.ID)
	}
	return er, nil
}

// readShards appends the entries of the shards of one month ("YYYY/MM") of env.
func (r repoSource) readShards(er *envRuns, env, month string) error {
	dir := filepath.Join(string(r), IndexDir, env, filepath.FromSlash(month))
	days, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("loading runs: %w", err)
	}
	for _, d := range days {
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".json") {
			continue
		}
		name := path.Join(IndexDir, env, month, d.Name())
		data, err := os.ReadFile(filepath.Join(dir, d.Name()))
		if err != nil {
			return fmt.Errorf("loading runs: %w", err)
		}
		s, err := ParseShard(name, data)
		if err != nil {
			return err
		}
		if s.Environment != env {
			return fmt.Errorf("%s: environment %q is not %q", name, s.Environment, env)
		}
		er.entries = append(er.entries, s.Runs...)
	}
	return nil
}
