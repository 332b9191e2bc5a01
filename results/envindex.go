package results

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

// envIndex is the index of one environment while a push is planned: its summary and
// the shards read or written so far. It finds a run's neighbours by walking the shards
// from the run's day, skipping years and months that have none, so that it reads only
// the few shards near the run, never the whole history.
type envIndex struct {
	repo    RepoReader
	env     string
	summary *EnvSummary // nil while the environment has no runs
	shards  map[string]*Shard
	dirty   map[string]bool
}

func loadEnvIndex(ctx context.Context, repo RepoReader, env string) (*envIndex, error) {
	x := &envIndex{repo: repo, env: env, shards: map[string]*Shard{}, dirty: map[string]bool{}}
	name := SummaryPath(env)
	data, err := repo.ReadFile(ctx, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return x, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if x.summary, err = ParseEnvSummary(name, data); err != nil {
		return nil, err
	}
	if x.summary.Environment != env {
		return nil, fmt.Errorf("%s: environment %q is not %q", name, x.summary.Environment, env)
	}
	return x, nil
}

// shard returns the shard of day, nil when there is none.
func (x *envIndex) shard(ctx context.Context, day time.Time) (*Shard, error) {
	name := ShardPath(x.env, day)
	if s, ok := x.shards[name]; ok {
		return s, nil
	}
	data, err := x.repo.ReadFile(ctx, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		x.shards[name] = nil
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	s, err := ParseShard(name, data)
	if err != nil {
		return nil, err
	}
	if s.Environment != x.env || s.Day != day.UTC().Format(dayLayout) {
		return nil, fmt.Errorf("%s: holds %s of %s", name, s.Environment, s.Day)
	}
	x.shards[name] = s
	return s, nil
}

// has reports whether the index directory dir (a year's or a month's) holds a shard,
// in the repository or among the shards this push writes.
func (x *envIndex) has(ctx context.Context, dir string) (bool, error) {
	for name, s := range x.shards {
		if s != nil && strings.HasPrefix(name, dir+"/") {
			return true, nil
		}
	}
	ok, err := x.repo.Exists(ctx, dir)
	if err != nil {
		return false, fmt.Errorf("looking for %s: %w", dir, err)
	}
	return ok, nil
}

// neighbour returns the entry nearest to the run (started, id) on one side (dir -1
// for the run before it, +1 for the run after); ok is false when there is none.
func (x *envIndex) neighbour(ctx context.Context, started time.Time, id string, dir int) (e IndexEntry, ok bool, err error) {
	s := x.summary
	if s == nil {
		return IndexEntry{}, false, nil
	}
	first := compareRuns(s.First.Started, s.First.ID, started, id)
	last := compareRuns(s.Last.Started, s.Last.ID, started, id)
	// The summary answers at once for a run beyond either end, the usual case.
	switch {
	case dir < 0 && last < 0:
		return s.Last, true, nil
	case dir < 0 && first >= 0, dir > 0 && last <= 0:
		return IndexEntry{}, false, nil
	}
	// Otherwise a neighbour lies between the run and that end (or is the first run,
	// which the summary names but does not hold): walk to it.
	end := startOfDay(s.First.Started)
	if dir > 0 {
		end = startOfDay(s.Last.Started)
	}
	for day := startOfDay(started); dir*day.Compare(end) <= 0; day = day.AddDate(0, 0, dir) {
		month := path.Dir(ShardPath(x.env, day))
		if ok, err := x.has(ctx, path.Dir(month)); err != nil {
			return IndexEntry{}, false, err
		} else if !ok {
			day = endOfYear(day, dir)
			continue
		}
		if ok, err := x.has(ctx, month); err != nil {
			return IndexEntry{}, false, err
		} else if !ok {
			day = endOfMonth(day, dir)
			continue
		}
		sh, err := x.shard(ctx, day)
		if err != nil {
			return IndexEntry{}, false, err
		}
		if e := sh.nearest(started, id, dir); e != nil {
			return *e, true, nil
		}
	}
	return IndexEntry{}, false, fmt.Errorf("%s: no shard holds the run next to %s that it implies", SummaryPath(x.env), id)
}

// nearest returns the entry of s nearest to (started, id) on side dir, nil if none.
func (s *Shard) nearest(started time.Time, id string, dir int) *IndexEntry {
	if s == nil {
		return nil
	}
	i, found := slices.BinarySearchFunc(s.Runs, IndexEntry{Started: started, ID: id}, compareEntries)
	if dir < 0 {
		i--
	} else if found {
		i++
	}
	if i < 0 || i >= len(s.Runs) {
		return nil
	}
	return &s.Runs[i]
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// endOfMonth is the last day of day's month going in direction dir: its last day
// forwards, its first backwards.
func endOfMonth(day time.Time, dir int) time.Time {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	if dir < 0 {
		return first
	}
	return first.AddDate(0, 1, -1)
}

// endOfYear is as endOfMonth for day's year.
func endOfYear(day time.Time, dir int) time.Time {
	if dir < 0 {
		return time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(day.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
}

// put records e: in its day's shard, and in the summary (counted when isNew).
func (x *envIndex) put(ctx context.Context, e IndexEntry, isNew bool) error {
	sh, err := x.shard(ctx, e.Started)
	if err != nil {
		return err
	}
	name := ShardPath(x.env, e.Started)
	if sh == nil {
		sh = &Shard{Schema: IndexSchema, Environment: x.env, Day: e.Started.UTC().Format(dayLayout), Runs: []IndexEntry{}}
		x.shards[name] = sh
	}
	sh.put(e)
	x.dirty[name] = true

	s := x.summary
	if s == nil {
		x.summary = &EnvSummary{Schema: IndexSchema, Environment: x.env, Runs: 1, First: RunKey{e.ID, e.Started}, Last: e}
		return nil
	}
	if isNew {
		s.Runs++
	}
	if compareRuns(e.Started, e.ID, s.First.Started, s.First.ID) <= 0 {
		s.First = RunKey{e.ID, e.Started}
	}
	if compareEntries(e, s.Last) >= 0 {
		s.Last = e
	}
	return nil
}

// files returns the index files this push writes.
func (x *envIndex) files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range slices.Sorted(maps.Keys(x.dirty)) {
		data, err := x.shards[name].Marshal()
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", name, err)
		}
		out[name] = data
	}
	if x.summary != nil {
		data, err := x.summary.Marshal()
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", SummaryPath(x.env), err)
		}
		out[SummaryPath(x.env)] = data
	}
	return out, nil
}
