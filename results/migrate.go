package results

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Migration says what Migrate did.
type Migration struct {
	// Runs counts the runs converted.
	Runs int
	// Removed lists what of layout 1 went: paths relative to the checkout.
	Removed []string
}

// layout1Files are the files and directories of a layout 1 repository besides its
// runs: the index and the committed site.
var layout1Files = []string{layout1Index, "index.html", ".nojekyll", "site"}

// Migrate converts the results repository checked out in dir from layout 1 (runs in
// <env>/<run-id>/, index.json and the site committed beside them) to layout 2, in place:
// each run is stored as a push stores it (PlanUpdate), the index is built, and the old
// files are removed. Committing the whole checkout then makes the migration one
// commit on top of the history, which stays as it was. It works one environment at a
// time; should it fail half way, `git checkout . && git clean -fd` undoes it.
func Migrate(ctx context.Context, dir string) (*Migration, error) {
	if _, err := os.Stat(filepath.Join(dir, LayoutFile)); err == nil {
		return nil, fmt.Errorf("%s has %s: it is in layout %d already", dir, LayoutFile, LayoutVersion)
	}
	if _, err := os.Stat(filepath.Join(dir, layout1Index)); err != nil {
		return nil, fmt.Errorf("%s is not a results repository in layout 1: %w", dir, err)
	}
	// Build layout 2 aside first: an environment may be named "runs" or "index".
	stage, err := os.MkdirTemp(dir, ".migrate-")
	if err != nil {
		return nil, fmt.Errorf("migrating %s: %w", dir, err)
	}
	defer os.RemoveAll(stage)

	m := &Migration{}
	src := treeSource(dir)
	envs, err := src.environments(ctx)
	if err != nil {
		return nil, err
	}
	var runDirs []string
	for _, env := range envs {
		stored, err := src.load(ctx, env)
		if err != nil {
			return nil, err
		}
		var ups []Upload
		for _, sr := range stored {
			files, err := readRunDir(filepath.Join(dir, env, sr.run.ID))
			if err != nil {
				return nil, err
			}
			ups = append(ups, Upload{Run: sr.run, Files: files})
			runDirs = append(runDirs, filepath.Join(env, sr.run.ID))
		}
		if len(ups) == 0 {
			continue
		}
		u, err := PlanUpdate(ctx, DirRepo(stage), ups)
		if err != nil {
			return nil, fmt.Errorf("migrating %s: %w", env, err)
		}
		if err := Files(u.Files).Write(stage); err != nil {
			return nil, fmt.Errorf("migrating %s: %w", env, err)
		}
		m.Runs += len(u.Added)
	}
	if m.Runs == 0 {
		return nil, fmt.Errorf("migrating %s: no runs in it", dir)
	}
	for _, p := range append(layout1Files, runDirs...) {
		if err := removeOld(dir, p, m); err != nil {
			return nil, err
		}
	}
	for _, env := range envs {
		// Directories of environments whose runs all moved; others stay as they are.
		os.Remove(filepath.Join(dir, env))
	}
	for _, name := range []string{LayoutFile, RunsDir, IndexDir} {
		if err := os.Rename(filepath.Join(stage, name), filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("migrating %s: %w", dir, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, Readme), []byte(ReadmeText), 0o644); err != nil {
		return nil, fmt.Errorf("migrating %s: %w", dir, err)
	}
	return m, nil
}

// removeOld removes the path p below dir, if it is there, and notes it.
func removeOld(dir, p string, m *Migration) error {
	full := filepath.Join(dir, p)
	if _, err := os.Lstat(full); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := os.RemoveAll(full); err != nil {
		return fmt.Errorf("migrating %s: %w", dir, err)
	}
	m.Removed = append(m.Removed, filepath.ToSlash(p))
	return nil
}
