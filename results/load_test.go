package results

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

func TestLoadRun(t *testing.T) {
	run, err := LoadRun("testdata/tree/zlib/20261125T105000Z-1a2b3c4-k3j9")
	require.NoError(t, err)
	assert.Equal(t, "20261125T105000Z-1a2b3c4-k3j9", run.ID)
	assert.Equal(t, "zlib", run.Environment)
	assert.Equal(t, "root", run.Tests)
	assert.Equal(t, time.Date(2026, 11, 25, 10, 50, 0, 0, time.UTC), run.Started)
	require.NotNil(t, run.Suite)
	assert.Equal(t, Suite{ID: "qhxcfquu5xmykw72mt4dkeluejhkr3mc", Alias: run.ID}, *run.Suite)
	require.Len(t, run.Specs, 1)
	assert.Equal(t, SpecResult{
		ID: "qhxcfquu5xmykw72mt4dkeluejhkr3mc/azwbgwtsg6xceo33u5kjq6lc5cmcmlae", Phase: StandAlone,
		Name: "libsigsegv", Version: "2.14", Hash: "azwbgwtsg6xceo33u5kjq6lc5cmcmlae", Status: testlog.Passed,
		Parts: []Part{{Name: "Libsigsegv::test_smoke_test", Status: testlog.Passed}},
		Log:   "logs/stand-alone/libsigsegv-2.14-azwbgwt-test-out.txt",
	}, run.Specs[0])
}

func TestLoadRunErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string // file under testdata/bad, copied to results.json; "" for none
		wantErr string
	}{
		{name: "missing", input: "", wantErr: "no such file"},
		{name: "truncated", input: "truncated.json", wantErr: "results.json: decoding: unexpected end of JSON input"},
		{name: "newer schema", input: "newer.json", wantErr: "results.json: schema 2 is newer than this reader's 1"},
		{name: "no id", input: "noid.json", wantErr: "results.json: id is missing"},
		{name: "unsafe id", input: "badid.json", wantErr: `results.json: id "../x" is not a valid run id`},
		{name: "unknown status", input: "status.json", wantErr: `results.json: specs[0]: status "BROKEN" is not one of`},
		{name: "unknown phase", input: "phase.json", wantErr: `results.json: specs[0]: phase "test" is not`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.input != "" {
				data, err := os.ReadFile(filepath.Join("testdata/bad", tt.input))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), data, 0o644))
			}
			run, err := LoadRun(dir)
			assert.Nil(t, run)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			if tt.input != "" {
				assert.Contains(t, err.Error(), filepath.Join(dir, FileName), "the error names the file")
			}
		})
	}
}

func TestLoadTree(t *testing.T) {
	runs, err := LoadTree("testdata/tree")
	require.NoError(t, err)
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.Environment+"/"+r.ID)
	}
	assert.Equal(t, []string{
		"zlib/20261125T105000Z-1a2b3c4-k3j9",
		"zlib/20261126T090000Z-5d6e7f8-a1b2",
	}, ids)
}

func TestLoadTreeSkipsAndMismatches(t *testing.T) {
	good, err := os.ReadFile("testdata/tree/zlib/20261125T105000Z-1a2b3c4-k3j9/results.json")
	require.NoError(t, err)
	write := func(t *testing.T, root, rel string, data []byte) {
		t.Helper()
		file := filepath.Join(root, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, data, 0o644))
	}
	tests := []struct {
		name    string
		files   map[string][]byte
		want    int
		wantErr string
	}{
		{
			name: "dirs without results and stray files are skipped",
			files: map[string][]byte{
				"zlib/20261125T105000Z-1a2b3c4-k3j9/results.json": good,
				"zlib/not-a-run/junit.xml":                        []byte("<testsuites/>"),
				"zlib/README.md":                                  []byte("hi"),
				".git/x/results.json":                             []byte("not json"),
			},
			want: 1,
		},
		{
			name:    "environment differs from its directory",
			files:   map[string][]byte{"lz4/20261125T105000Z-1a2b3c4-k3j9/results.json": good},
			wantErr: `environment "zlib" does not match its directory "lz4"`,
		},
		{
			name:    "id differs from its directory",
			files:   map[string][]byte{"zlib/other/results.json": good},
			wantErr: `id "20261125T105000Z-1a2b3c4-k3j9" does not match its directory "other"`,
		},
		{
			name:    "a broken run is an error, not skipped",
			files:   map[string][]byte{"zlib/r1/results.json": []byte("{")},
			wantErr: filepath.Join("zlib", "r1", "results.json") + ": decoding",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for rel, data := range tt.files {
				write(t, root, rel, data)
			}
			runs, err := LoadTree(root)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Len(t, runs, tt.want)
		})
	}
}
