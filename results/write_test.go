package results

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// update (-update) is declared in site_test.go; it rewrites testdata/golden too.

const testRunID = "20261125T105000Z-1a2b3c4-k3j9m2qa"

// captureFixture builds the capture of testdata/capture/<name>: a stand-alone suite
// and the build-time log of its libsigsegv.
func captureFixture(t *testing.T, name string) *Capture {
	t.Helper()
	dir := filepath.Join("testdata/capture", name)
	c := NewCapture(testRunID, "libsigsegv", time.Date(2026, 11, 25, 10, 50, 0, 0, time.UTC))
	c.Run.Finished = time.Date(2026, 11, 25, 10, 58, 0, 0, time.UTC)
	c.Run.Tests = "root"
	c.Run.Spack = SpackInfo{Version: "1.1.0", Commit: "2e907202bcc8209a6a62243aab50c179b524cc3b"}
	c.Run.Packages = RepoInfo{Namespace: "builtin", Commit: "0dd45961cbeac4f8e00d1ea4d45d4bd86890072b"}
	c.Run.Image = ImageInfo{Ref: "ghcr.io/spack-ghcr/libsigsegv:2.14", Digest: "sha256:" + strings.Repeat("ab", 32)}

	suite, err := testlog.ReadSuite(filepath.Join(dir, "suite"))
	require.NoError(t, err)
	if f, err := os.Open(filepath.Join(dir, "sigsegv-junit.xml")); err == nil {
		cases, err := testlog.ParseJUnit(f)
		f.Close()
		require.NoError(t, err)
		suite.ApplyJUnit(cases)
	}
	root := suite.Specs[0]

	logFile := filepath.Join(dir, "install-time-test-log.txt")
	f, err := os.Open(logFile)
	require.NoError(t, err)
	defer f.Close()
	bt, err := testlog.ParseInstallLog(f, name == "passing")
	require.NoError(t, err)
	c.AddBuildTime(SpecID{Name: root.Name, Version: root.Version, Hash: root.Hash}, bt, logFile)
	require.NoError(t, c.AddSuite(filepath.Join(dir, "suite"), suite))
	return c
}

func TestCaptureWrite(t *testing.T) {
	tests := []struct {
		name       string
		wantFailed bool
		wantLogs   []string
	}{
		{
			name: "passing",
			wantLogs: []string{
				"logs/build-time/libsigsegv-2.14-azwbgwt.txt",
				"logs/stand-alone/compiler-wrapper-1.0-gurfv6m-test-out.txt",
				"logs/stand-alone/gcc-12.2.0-2piry45-test-out.txt",
				"logs/stand-alone/gcc-runtime-12.2.0-uetbtlo-test-out.txt",
				"logs/stand-alone/glibc-2.36-2dxfl3z-test-out.txt",
				"logs/stand-alone/gmake-4.3-fsqmw7b-test-out.txt",
				"logs/stand-alone/libsigsegv-2.14-azwbgwt-test-out.txt",
				"logs/stand-alone/libsigsegv-2.14-azwbgwt-tested.txt",
				"logs/stand-alone/results.txt",
				"logs/stand-alone/test_suite.lock",
			},
		},
		{
			name:       "failing",
			wantFailed: true,
			wantLogs: []string{
				"logs/build-time/libsigsegv-2.14-schcyed.txt",
				"logs/stand-alone/libsigsegv-2.14-schcyed-test-out.txt",
				"logs/stand-alone/libsigsegv-2.14-schcyed-tested.txt",
				"logs/stand-alone/results.txt",
				"logs/stand-alone/test_suite.lock",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := captureFixture(t, tt.name)
			assert.Equal(t, tt.wantFailed, c.Run.Failed())

			root := t.TempDir()
			dir, err := c.Write(root)
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(root, "libsigsegv", testRunID), dir)

			var logs []string
			require.NoError(t, filepath.WalkDir(filepath.Join(dir, LogsDir), func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					logs = append(logs, filepath.ToSlash(rel))
				}
				return err
			}))
			sort.Strings(logs)
			assert.Equal(t, tt.wantLogs, logs)
			for _, s := range c.Run.Specs {
				if s.Log != "" {
					assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(s.Log)), "log of %s", s.ID)
				}
			}

			for _, name := range []string{FileName, JUnitFile, SummaryFile} {
				got, err := os.ReadFile(filepath.Join(dir, name))
				require.NoError(t, err)
				golden := filepath.Join("testdata/golden", tt.name, name)
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
					require.NoError(t, os.WriteFile(golden, got, 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err, "run with -update to create the golden files")
				assert.Equal(t, string(want), string(got), name)
			}

			loaded, err := LoadRun(dir)
			require.NoError(t, err)
			assert.Equal(t, c.Run, loaded, "results.json reads back as written")

			_, err = c.Write(root)
			assert.ErrorIs(t, err, ErrRunExists)
		})
	}
}

func TestWriteJUnitCases(t *testing.T) {
	c := captureFixture(t, "failing")
	var buf bytes.Buffer
	require.NoError(t, WriteJUnit(&buf, c.Run))
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.Suites, 2)
	assert.Equal(t, "libsigsegv build-time", doc.Suites[0].Name)
	assert.Equal(t, "libsigsegv stand-alone", doc.Suites[1].Name)
	assert.Equal(t, 2, doc.Failures, "the failed check and the failed smoke test")
	for _, s := range doc.Suites {
		for _, tc := range s.Cases {
			assert.Equal(t, "libsigsegv@2.14/schcyed", tc.Classname)
		}
	}
	assert.Equal(t, "Libsigsegv::test_smoke_test", doc.Suites[1].Cases[0].Name)
}

func TestSpecCases(t *testing.T) {
	tests := []struct {
		name  string
		input SpecResult
		want  []string // "name status"
	}{
		{
			name:  "parts only",
			input: SpecResult{Name: "a", Status: testlog.Passed, Parts: []Part{{Name: "A::test_x", Status: testlog.Passed}, {Name: "A::test_y", Status: testlog.Skipped}}},
			want:  []string{"A::test_x PASSED", "A::test_y SKIPPED"},
		},
		{
			name:  "no parts: the spec stands for itself",
			input: SpecResult{Name: "a", Status: testlog.NoTests},
			want:  []string{"(spec) NO_TESTS"},
		},
		{
			name:  "failed without a failed part (interrupted run)",
			input: SpecResult{Name: "a", Status: testlog.Failed, Message: "no result", Parts: []Part{{Name: "A::test_x", Status: testlog.Passed}}},
			want:  []string{"A::test_x PASSED", "(spec) FAILED"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range specCases(tt.input) {
				st := "PASSED"
				switch {
				case c.Failure != nil:
					st = c.Failure.Type
				case c.Skipped != nil:
					st = c.Skipped.Type
				}
				got = append(got, c.Name+" "+st)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCaptureWriteRejectsInvalidRuns(t *testing.T) {
	c := NewCapture("../escape", "zlib", time.Now())
	c.Run.Spack.Version = "1.1.0"
	_, err := c.Write(t.TempDir())
	assert.ErrorContains(t, err, `id "../escape" is not a valid run id`)

	c = NewCapture(testRunID, "zlib", time.Now())
	c.Run.Spack.Version = "1.1.0"
	c.Files["../outside.txt"] = "testdata/capture/passing/install-time-test-log.txt"
	root := t.TempDir()
	_, err = c.Write(root)
	assert.ErrorContains(t, err, `"../outside.txt" is not a place for a log`)
	assert.NoDirExists(t, filepath.Join(root, "zlib", testRunID), "a failed write leaves nothing behind")
}

func TestNewRunID(t *testing.T) {
	now := time.Date(2026, 11, 25, 11, 50, 0, 0, time.FixedZone("CET", 3600))
	id := NewRunID(now, "1A2B3C4D5E6F")
	assert.Regexp(t, `^20261125T105000Z-1a2b3c4-[a-z2-7]{8}$`, id)
	assert.Regexp(t, `^20261125T105000Z-nosha-[a-z2-7]{8}$`, NewRunID(now, ""))
	assert.Regexp(t, `^20261125T105000Z-nosha-`, NewRunID(now, "not/a sha"))
	assert.True(t, validName.MatchString(id))

	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewRunID(now, "1a2b3c4")
		assert.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
	}
}

func TestOneLine(t *testing.T) {
	assert.Equal(t, `a b \| c`, oneLine("a\n  b | c"))
	long := strings.Repeat("é", 400)
	got := oneLine(long)
	assert.Len(t, []rune(got), 300)
	assert.True(t, regexp.MustCompile(`\.\.\.$`).MatchString(got))
}
