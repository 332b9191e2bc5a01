package results

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"
)

// Pruned says what Prune removed.
type Pruned struct {
	// Cutoff is the limit: logs of runs started before it went.
	Cutoff time.Time
	// Runs counts the runs whose logs went; Files and Bytes what that removed.
	Runs, Files int
	Bytes       int64
}

// Prune applies the retention policy to the results repository checked out in dir:
// it removes the logs of runs that started more than months months before the newest
// run, and keeps everything else (results.json and the index: the data). Committing
// the checkout then makes one ordinary commit: history is not rewritten, so clones
// and forks stay valid, and a pruned log is still in the commits before it
// (`git log --all -- <path>`). The site keeps logs as long by default
// (WithKeepMonths), so that it never links to a pruned one.
func Prune(ctx context.Context, dir string, months int) (*Pruned, error) {
	if months <= 0 {
		return nil, errors.New("months must be greater than zero")
	}
	src, err := openSource(dir)
	if err != nil {
		return nil, err
	}
	repo, ok := src.(repoSource)
	if !ok {
		return nil, fmt.Errorf("%s has no %s: prune works on a results repository in layout %d", dir, LayoutFile, LayoutVersion)
	}
	newest, err := repo.newest(ctx)
	if err != nil {
		return nil, err
	}
	p := &Pruned{Cutoff: newest.AddDate(0, -months, 0)}
	envs, err := repo.environments(ctx)
	if err != nil {
		return nil, err
	}
	for _, env := range envs {
		er, err := repo.open(ctx, env)
		if err != nil {
			return nil, err
		}
		for _, e := range er.entries {
			if !e.Started.Before(p.Cutoff) {
				break // oldest first
			}
			if err := p.prune(filepath.Join(dir, filepath.FromSlash(e.Path))); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// prune removes everything in the run directory dir but results.json.
func (p *Pruned) prune(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("pruning: %w", err)
	}
	removed := false
	for _, e := range entries {
		if e.Name() == FileName {
			continue
		}
		full := filepath.Join(dir, e.Name())
		err := filepath.WalkDir(full, func(_ string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			p.Files++
			p.Bytes += info.Size()
			return nil
		})
		if err == nil {
			err = os.RemoveAll(full)
		}
		if err != nil {
			return fmt.Errorf("pruning %s: %w", path.Base(dir), err)
		}
		removed = true
	}
	if removed {
		p.Runs++
	}
	return nil
}
