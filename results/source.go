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
	"time"
)

// storedRun is one run as a source holds it.
type storedRun struct {
	run *Run
	// raw is results.json as stored; nil when the source has no files.
	raw []byte
	// files calls fn with every other file of the run's directory, named and as the
	// pipeline wrote it; nil when the source has no files.
	files func(fn func(name string, data []byte) error) error
}

// source is a set of runs the site is drawn from, read one environment at a time so
// that memory stays bounded however many runs there are.
type source interface {
	// environments lists the environments with runs, sorted.
	environments(ctx context.Context) ([]string, error)
	// newest returns the start of the newest run, zero when there is none.
	newest(ctx context.Context) (time.Time, error)
	// each calls fn with each run of env, oldest first.
	each(ctx context.Context, env string, fn func(storedRun) error) error
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
// checkout), environment by environment, each oldest first; it holds one environment's
// runs at a time at most.
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
		if err := src.each(ctx, env, func(sr storedRun) error { return fn(sr.run) }); err != nil {
			return err
		}
	}
	return nil
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

func (m memSource) each(ctx context.Context, env string, fn func(storedRun) error) error {
	var mine []*Run
	for _, r := range m {
		if r.Environment == env {
			mine = append(mine, r)
		}
	}
	sortRuns(mine)
	for _, r := range mine {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(storedRun{run: r}); err != nil {
			return err
		}
	}
	return nil
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

// loadStored reads the run in dir; ok is false when dir has no results.json.
func loadStored(dir string) (sr storedRun, ok bool, err error) {
	file := filepath.Join(dir, FileName)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return storedRun{}, false, nil
	}
	if err != nil {
		return storedRun{}, false, fmt.Errorf("loading run: %w", err)
	}
	r, err := decodeRun(data)
	if err != nil {
		return storedRun{}, false, fmt.Errorf("%s: %w", file, err)
	}
	sr = storedRun{run: r, raw: data, files: func(fn func(string, []byte) error) error {
		return eachFile(dir, fn)
	}}
	return sr, true, nil
}

// eachFile calls fn with every regular file below dir but results.json and the files
// the site draws itself, as the pipeline wrote them (decompressing stored logs).
func eachFile(dir string, fn func(name string, data []byte) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if _, keep := storedName(name); !keep || name == FileName {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading run files: %w", err)
		}
		name, data, err = sourceName(name, data)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		return fn(name, data)
	})
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
			var probe struct {
				Started time.Time `json:"started"`
			}
			data, err := os.ReadFile(filepath.Join(string(t), env, id, FileName))
			if errors.Is(err, fs.ErrNotExist) || err == nil && json.Unmarshal(data, &probe) != nil {
				continue // each reports broken runs
			}
			if err != nil {
				return newest, fmt.Errorf("loading runs: %w", err)
			}
			if probe.Started.After(newest) {
				newest = probe.Started
			}
		}
	}
	return newest, nil
}

func (t treeSource) each(ctx context.Context, env string, fn func(storedRun) error) error {
	runs, err := t.load(ctx, env)
	if err != nil {
		return err
	}
	for _, sr := range runs {
		if err := fn(sr); err != nil {
			return err
		}
	}
	return nil
}

// load reads the runs of env, sorted: the tree does not say their order, so all of
// an environment's runs are read before the first is served.
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

// repoSource is a results repository checkout in layout 2. Runs live in one directory
// per month, so it reads one month of an environment at a time.
type repoSource string

func (r repoSource) environments(context.Context) ([]string, error) {
	return readDirs(filepath.Join(string(r), RunsDir))
}

// months lists env's month directories, "YYYY/MM", oldest first.
func (r repoSource) months(env string) ([]string, error) {
	years, err := readDirs(filepath.Join(string(r), RunsDir, env))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, y := range years {
		ms, err := readDirs(filepath.Join(string(r), RunsDir, env, y))
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out = append(out, y+"/"+m)
		}
	}
	return out, nil
}

// month reads the runs of env started in month ("YYYY/MM"), sorted.
func (r repoSource) month(ctx context.Context, env, month string) ([]storedRun, error) {
	dir := filepath.Join(string(r), RunsDir, env, filepath.FromSlash(month))
	ids, err := readDirs(dir)
	if err != nil {
		return nil, err
	}
	var runs []storedRun
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sr, ok, err := loadStored(filepath.Join(dir, id))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		file := filepath.Join(dir, id, FileName)
		if err := checkPlace(sr.run, file, env, id); err != nil {
			return nil, err
		}
		if want := RunDir(env, id, sr.run.Started); want != path.Join(RunsDir, env, month, id) {
			return nil, fmt.Errorf("%s: the run belongs in %s", file, want)
		}
		runs = append(runs, sr)
	}
	slices.SortStableFunc(runs, func(a, b storedRun) int {
		return compareRuns(a.run.Started, a.run.ID, b.run.Started, b.run.ID)
	})
	return runs, nil
}

func (r repoSource) newest(ctx context.Context) (time.Time, error) {
	var newest time.Time
	envs, err := r.environments(ctx)
	if err != nil {
		return newest, err
	}
	for _, env := range envs {
		months, err := r.months(env)
		if err != nil || len(months) == 0 {
			if err != nil {
				return newest, err
			}
			continue
		}
		runs, err := r.month(ctx, env, months[len(months)-1])
		if err != nil {
			return newest, err
		}
		if n := len(runs); n > 0 && runs[n-1].run.Started.After(newest) {
			newest = runs[n-1].run.Started
		}
	}
	return newest, nil
}

func (r repoSource) each(ctx context.Context, env string, fn func(storedRun) error) error {
	months, err := r.months(env)
	if err != nil {
		return err
	}
	for _, m := range months {
		runs, err := r.month(ctx, env, m)
		if err != nil {
			return err
		}
		for _, sr := range runs {
			if err := fn(sr); err != nil {
				return err
			}
		}
	}
	return nil
}
