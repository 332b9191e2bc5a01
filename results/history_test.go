package results

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// mkRun makes a run of env on day with specs given as "name=STATUS" or
// "name@version=STATUS" (stand-alone) or "build:name=STATUS" (build-time).
func mkRun(env, id string, day int, specs ...string) *Run {
	r := &Run{Schema: SchemaVersion, ID: id, Environment: env, Started: time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC), Spack: SpackInfo{Version: "1.1.0"}}
	for _, s := range specs {
		phase := StandAlone
		if rest, ok := strings.CutPrefix(s, "build:"); ok {
			phase, s = BuildTime, rest
		}
		name, status, _ := strings.Cut(s, "=")
		name, version, ok := strings.Cut(name, "@")
		if !ok {
			version = "1.0"
		}
		r.Specs = append(r.Specs, SpecResult{
			ID: "s/" + name, Phase: phase, Name: name, Version: version,
			Hash: fmt.Sprintf("%-32s", name+version), Status: testlog.Status(status), Log: "logs/" + name + ".txt",
		})
	}
	return r
}

// cells renders a history row as "STATUS:change" per run, oldest first; "-" for absent.
func cells(row HistoryRow) string {
	var out []string
	for _, c := range row.Cells {
		switch {
		case c.Spec == nil:
			out = append(out, "-")
		case c.Change != Unchanged:
			out = append(out, string(c.Spec.Status)+":"+string(c.Change))
		case c.NewVersion:
			out = append(out, string(c.Spec.Status)+":new-version")
		default:
			out = append(out, string(c.Spec.Status))
		}
	}
	return strings.Join(out, " ")
}

func TestNewHistory(t *testing.T) {
	runs := []*Run{
		// Out of order on purpose: the history sorts by start time.
		mkRun("e", "r3", 3, "a=PASSED", "b=PASSED", "c=FAILED", "build:a=PASSED"),
		mkRun("e", "r1", 1, "a=PASSED", "b=FAILED", "c=PASSED", "d=SKIPPED"),
		mkRun("other", "x", 2, "a=FAILED"),
		mkRun("e", "r2", 2, "a=FAILED", "b=PASSED", "c@2.0=PASSED", "d=NO_TESTS"),
	}
	tests := []struct {
		name      string
		max       int
		wantRuns  []string
		wantRows  map[string]string
		wantTotal int
	}{
		{
			name:     "all runs",
			wantRuns: []string{"r1", "r2", "r3"},
			wantRows: map[string]string{
				"a (build-time)":  "- - PASSED",
				"a (stand-alone)": "PASSED FAILED:regression PASSED:fix",
				"b (stand-alone)": "FAILED PASSED:fix PASSED",
				"c (stand-alone)": "PASSED PASSED:new-version FAILED:regression",
				"d (stand-alone)": "SKIPPED NO_TESTS -",
			},
			wantTotal: 3,
		},
		{
			name:     "the newest two, the oldest still compared with the run before",
			max:      2,
			wantRuns: []string{"r2", "r3"},
			wantRows: map[string]string{
				"a (build-time)":  "- PASSED",
				"a (stand-alone)": "FAILED:regression PASSED:fix",
				"b (stand-alone)": "PASSED:fix PASSED",
				"c (stand-alone)": "PASSED:new-version FAILED:regression",
				"d (stand-alone)": "NO_TESTS -",
			},
			wantTotal: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory("e", runs, tt.max)
			var ids []string
			for _, r := range h.Runs {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, tt.wantRuns, ids)
			assert.Equal(t, tt.wantTotal, h.Total)
			got := map[string]string{}
			var order []string
			for _, row := range h.Rows {
				got[row.Key.String()] = cells(row)
				order = append(order, row.Key.String())
			}
			assert.Equal(t, tt.wantRows, got)
			assert.IsIncreasing(t, order, "rows sorted by name, then phase")
			assert.Equal(t, "r3", h.Latest().ID)
		})
	}
}

func TestHistoryChanged(t *testing.T) {
	h := NewHistory("e", []*Run{
		mkRun("e", "r1", 1, "a=PASSED", "b=FAILED"),
		mkRun("e", "r2", 2, "a=FAILED", "b=PASSED"),
	}, 0)
	keys := func(rows []HistoryRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.Key.Name)
		}
		return out
	}
	assert.Equal(t, []string{"a"}, keys(h.Changed(1, Regression)))
	assert.Equal(t, []string{"b"}, keys(h.Changed(1, Fix)))
	assert.Empty(t, keys(h.Changed(0, Regression)), "the first run has nothing to regress from")
	assert.Empty(t, keys(h.Changed(5, Regression)), "out of range")
	assert.Nil(t, NewHistory("none", nil, 0).Latest())
}

func TestClassify(t *testing.T) {
	tests := []struct {
		prev *SpecResult
		now  testlog.Status
		want Change
	}{
		{prev: &SpecResult{Status: testlog.Passed}, now: testlog.Failed, want: Regression},
		{prev: &SpecResult{Status: testlog.Failed}, now: testlog.Passed, want: Fix},
		{prev: nil, now: testlog.Failed, want: Unchanged},
		{prev: &SpecResult{Status: testlog.Passed}, now: testlog.Skipped, want: Unchanged},
		{prev: &SpecResult{Status: testlog.Skipped}, now: testlog.Failed, want: Unchanged},
		{prev: &SpecResult{Status: testlog.NoTests}, now: testlog.Passed, want: Unchanged},
		{prev: &SpecResult{Status: testlog.Failed}, now: testlog.Failed, want: Unchanged},
	}
	for _, tt := range tests {
		prev := "absent"
		if tt.prev != nil {
			prev = string(tt.prev.Status)
		}
		t.Run(prev+"->"+string(tt.now), func(t *testing.T) {
			assert.Equal(t, tt.want, classify(tt.prev, tt.now))
		})
	}
}

func TestSpecsByKeyDuplicateNames(t *testing.T) {
	r := mkRun("e", "r1", 1, "python@3.12=PASSED", "python@3.13=FAILED", "build:python@3.13=PASSED")
	m := specsByKey(r)
	require.Len(t, m, 3)
	assert.Equal(t, testlog.Passed, m[SpecKey{StandAlone, "python@3.12"}].Status)
	assert.Equal(t, testlog.Failed, m[SpecKey{StandAlone, "python@3.13"}].Status)
	assert.Equal(t, testlog.Passed, m[SpecKey{BuildTime, "python"}].Status, "unique within its phase")
}

func TestNewEntry(t *testing.T) {
	runs := loadFixtures(t)
	e := NewEntry(runs[2], runs[1])
	assert.Equal(t, IndexEntry{
		Environment: "compression", ID: "20261115T100000Z-9a8b7c6", Path: "runs/compression/2026/11/20261115T100000Z-9a8b7c6",
		Started: time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC), Finished: time.Date(2026, 11, 15, 10, 19, 0, 0, time.UTC),
		Spack:  "1.1.0",
		Image:  ImageInfo{Ref: "ghcr.io/spack-ghcr/compression:20261115", Digest: "sha256:7c1c97df17c066924822b0af09a65251554962c61e23329aed04cd19020dc3b8"},
		Counts: Counts{Passed: 3, Failed: 1, NoTests: 1}, Regressions: 1, Fixes: 1,
	}, e)
	assert.Equal(t, 5, e.Counts.Total())
	first := NewEntry(runs[0], nil)
	assert.Zero(t, first.Regressions+first.Fixes, "the first run has nothing to regress from")

	shard := &Shard{Schema: IndexSchema, Environment: "compression", Day: "2026-11-15", Runs: []IndexEntry{e}}
	data, err := shard.Marshal()
	require.NoError(t, err)
	back, err := ParseShard("15.json", data)
	require.NoError(t, err)
	assert.Equal(t, shard, back)

	empty, err := (&Shard{Schema: IndexSchema, Environment: "e", Day: "2026-11-15", Runs: []IndexEntry{}}).Marshal()
	require.NoError(t, err)
	assert.JSONEq(t, `{"schema":1,"environment":"e","day":"2026-11-15","runs":[]}`, string(empty))
}

func TestParseShardErrors(t *testing.T) {
	entry := func(env, id, path, started string) string {
		return fmt.Sprintf(`{"environment":%q,"id":%q,"path":%q,"started":%q}`, env, id, path, started)
	}
	tests := []struct {
		name, input, wantErr string
	}{
		{name: "not json", input: `{`, wantErr: "15.json: decoding"},
		{name: "no schema", input: `{"runs":[]}`, wantErr: "15.json: schema is missing"},
		{name: "newer", input: `{"schema":2}`, wantErr: "15.json: schema 2 is newer than this reader's 1"},
		{name: "bad env", input: `{"schema":1,"environment":"../x","day":"2026-11-15"}`, wantErr: `environment "../x" is not a valid environment name`},
		{name: "bad day", input: `{"schema":1,"environment":"e","day":"15 Nov"}`, wantErr: `day "15 Nov" is not a date`},
		{name: "other environment", input: `{"schema":1,"environment":"e","day":"2026-11-15","runs":[` + entry("f", "r", "runs/f/2026/11/r", "2026-11-15T10:00:00Z") + `]}`, wantErr: `runs[0]: environment "f" is not "e"`},
		{name: "bad path", input: `{"schema":1,"environment":"e","day":"2026-11-15","runs":[` + entry("e", "r", "x/r", "2026-11-15T10:00:00Z") + `]}`, wantErr: `runs[0]: path "x/r" is not "runs/e/2026/11/r"`},
		{name: "other day", input: `{"schema":1,"environment":"e","day":"2026-11-15","runs":[` + entry("e", "r", "runs/e/2026/11/r", "2026-11-16T10:00:00Z") + `]}`, wantErr: "runs[0]: started on 2026-11-16, not 2026-11-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseShard("15.json", []byte(tt.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParseEnvSummaryErrors(t *testing.T) {
	entry := func(id string, day int) string {
		return fmt.Sprintf(`{"environment":"e","id":%q,"path":"runs/e/2026/11/%s","started":"2026-11-%02dT10:00:00Z"}`, id, id, day)
	}
	tests := []struct {
		name, input, wantErr string
	}{
		{name: "not json", input: `[`, wantErr: "e.json: decoding"},
		{name: "no schema", input: `{"environment":"e"}`, wantErr: "e.json: schema is missing"},
		{name: "no runs", input: `{"schema":1,"environment":"e","runs":0}`, wantErr: "runs is 0, want at least 1"},
		{name: "bad first", input: `{"schema":1,"environment":"e","runs":1,"first":{"id":""}}`, wantErr: `first: want a run id and its start, got ""`},
		{name: "bad last", input: `{"schema":1,"environment":"e","runs":1,"first":{"id":"a","started":"2026-11-01T10:00:00Z"},"last":{"environment":"e"}}`, wantErr: `last: id "" is not a valid run id`},
		{name: "first after last", input: `{"schema":1,"environment":"e","runs":2,"first":{"id":"b","started":"2026-11-02T10:00:00Z"},"last":` + entry("a", 1) + `}`, wantErr: "first run b is after the last, a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEnvSummary("e.json", []byte(tt.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func FuzzParseShard(f *testing.F) {
	f.Add([]byte(`{"schema":1,"environment":"e","day":"2026-11-15","runs":[{"environment":"e","id":"r","path":"runs/e/2026/11/r","started":"2026-11-15T10:00:00Z","counts":{"passed":1}}]}`))
	f.Add([]byte(`{"schema":1,"environment":"e","day":"2026-11-15","runs":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseShard("s.json", data)
		if err != nil {
			return
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("marshal after parse: %v", err)
		}
		if _, err := ParseShard("s.json", out); err != nil {
			t.Fatalf("a parsed shard does not parse again: %v", err)
		}
	})
}

func FuzzParseEnvSummary(f *testing.F) {
	e := `{"environment":"e","id":"r","path":"runs/e/2026/11/r","started":"2026-11-15T10:00:00Z"}`
	f.Add([]byte(`{"schema":1,"environment":"e","runs":1,"first":{"id":"r","started":"2026-11-15T10:00:00Z"},"last":` + e + `}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseEnvSummary("e.json", data)
		if err != nil {
			return
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("marshal after parse: %v", err)
		}
		if _, err := ParseEnvSummary("e.json", out); err != nil {
			t.Fatalf("a parsed summary does not parse again: %v", err)
		}
	})
}
