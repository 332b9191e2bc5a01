package spack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sixPython = "'/opt/spack/opt/spack/linux-x86_64_v4/python-3.11.9-q4rhwcmkn2pxzf5ktbxlhwjy6c4pdt2e/bin/python3.11' '-c' 'import six.moves'"

func TestReadTestSuite(t *testing.T) {
	tests := []struct {
		name    string
		input   string // directory under testdata/testsuite
		want    *TestSuite
		wantErr string
	}{
		{
			name:  "one spec passed (real)",
			input: "single",
			want: &TestSuite{
				ID:    "5o3qjemcqogvp7yvf2r43k3bdjijg7bj",
				Alias: "sigsegv-dirty",
				Specs: []TestSpec{{
					Name: "libsigsegv", Version: "2.14", Namespace: "builtin",
					Hash:   "schcyed2vssh3cadn7uxx55dm3dchbwu",
					Status: TestPassed,
					Parts:  []TestPart{{Name: "Libsigsegv::test_smoke_test", Status: TestPassed, Seconds: 0.055723}},
					Log:    "libsigsegv-2.14-schcyed-test-out.txt",
				}},
			},
		},
		{
			name:  "environment with externals and specs without tests (real)",
			input: "env",
			want: &TestSuite{
				ID:    "qhxcfquu5xmykw72mt4dkeluejhkr3mc",
				Alias: "run1",
				Specs: []TestSpec{
					{
						Name: "libsigsegv", Version: "2.14", Namespace: "builtin",
						Hash: "azwbgwtsg6xceo33u5kjq6lc5cmcmlae", Status: TestPassed,
						Parts: []TestPart{{Name: "Libsigsegv::test_smoke_test", Status: TestPassed, Seconds: 0.047845}},
						Log:   "libsigsegv-2.14-azwbgwt-test-out.txt",
					},
					{
						Name: "compiler-wrapper", Version: "1.0", Namespace: "builtin",
						Hash: "gurfv6m3c6kc4fvl3my364a2ae24sp2t", Status: TestNoTests,
						Parts:   []TestPart{{Name: "CompilerWrapper::compiler-wrapper", Status: TestNoTests}},
						Message: "No tests to run",
						Log:     "compiler-wrapper-1.0-gurfv6m-test-out.txt",
					},
					{
						Name: "gcc", Version: "12.2.0", Namespace: "builtin", External: true,
						Hash: "2piry453r4ujwneqffiwxpflvkz6bsro", Status: TestSkipped,
						Parts:   []TestPart{{Name: "Gcc::gcc", Status: TestSkipped}},
						Message: "Skipped tests for external package",
						Log:     "gcc-12.2.0-2piry45-test-out.txt",
					},
					{
						Name: "gcc-runtime", Version: "12.2.0", Namespace: "builtin",
						Hash: "uetbtlo5yobcgprdwflxunpfozgfoktw", Status: TestNoTests,
						Parts:   []TestPart{{Name: "GccRuntime::gcc-runtime", Status: TestNoTests}},
						Message: "No tests to run",
						Log:     "gcc-runtime-12.2.0-uetbtlo-test-out.txt",
					},
					{
						Name: "glibc", Version: "2.36", Namespace: "builtin", External: true,
						Hash: "2dxfl3zus4n6g2gz4iarmmuluwuxaqmn", Status: TestSkipped,
						Parts:   []TestPart{{Name: "Glibc::glibc", Status: TestSkipped}},
						Message: "Skipped tests for external package",
						Log:     "glibc-2.36-2dxfl3z-test-out.txt",
					},
					{
						Name: "gmake", Version: "4.3", Namespace: "builtin", External: true,
						Hash: "fsqmw7bsnm77ejkvztpl7sifz6w5ki64", Status: TestSkipped,
						Parts:   []TestPart{{Name: "Gmake::gmake", Status: TestSkipped}},
						Message: "Skipped tests for external package",
						Log:     "gmake-4.3-fsqmw7b-test-out.txt",
					},
				},
			},
		},
		{
			name:  "a failing part fails the spec",
			input: "failed",
			want: &TestSuite{
				ID:    "5o3qjemcqogvp7yvf2r43k3bdjijg7bj",
				Alias: "sigsegv-dirty",
				Specs: []TestSpec{{
					Name: "libsigsegv", Version: "2.14", Namespace: "builtin",
					Hash:    "schcyed2vssh3cadn7uxx55dm3dchbwu",
					Status:  TestFailed,
					Parts:   []TestPart{{Name: "Libsigsegv::test_smoke_test", Status: TestFailed, Seconds: 0.020943, Message: "'CC'"}},
					Message: "Libsigsegv::test_smoke_test: 'CC'",
					Log:     "libsigsegv-2.14-schcyed-test-out.txt",
				}},
			},
		},
		{
			name:  "multi-spec suite with sub-parts, a failure and an interrupted spec",
			input: "multi",
			want: &TestSuite{
				ID:    "kawa6ybk543c2fekm4mxidhtqbeatzql",
				Alias: "20261125T105000Z-1a2b3c4-k3j9",
				Specs: []TestSpec{
					{
						Name: "zlib-ng", Version: "2.2.1", Namespace: "builtin",
						Hash: "3mfcw6ykyv2mdkxyjhqvnhpo4jofmbdd", Status: TestPassed,
						Parts: []TestPart{
							{Name: "ZlibNg::test_example", Status: TestPassed, Seconds: 1.5},
							{Name: "ZlibNg::test_minigzip_compress", Status: TestPassed, Seconds: 0.5},
							{Name: "ZlibNg::test_minigzip_decompress", Status: TestSkipped, Seconds: 0.5, Message: "minigzip -d is not installed"},
							{Name: "ZlibNg::test_minigzip", Status: TestPassed, Seconds: 1.1},
						},
						Log: "zlib-ng-2.2.1-3mfcw6y-test-out.txt",
					},
					{
						Name: "py-six", Version: "1.16.0", Namespace: "builtin",
						Hash: "vbqfzvnfwoqh3v4tc6dsyt2kkh2zr4e4", Status: TestFailed,
						Parts: []TestPart{
							{Name: "PySix::test_imports_six", Status: TestPassed, Seconds: 0.1995},
							{Name: "PySix::test_imports_six.moves", Status: TestFailed, Seconds: 0.7,
								Message: "Command " + sixPython + " returned non-zero exit status 1."},
							{Name: "PySix::test_imports", Status: TestFailed, Seconds: 0.9},
						},
						Message: "PySix::test_imports_six.moves: Command " + sixPython + " returned non-zero exit status 1.",
						Log:     "py-six-1.16.0-vbqfzvn-test-out.txt",
					},
					{
						Name: "hdf5", Version: "1.14.5", Namespace: "builtin",
						Hash: "ezh3k2bq7dkpuq6ipn3kvbf5x3bbpcqh", Status: TestFailed,
						Parts:   []TestPart{{Name: "Hdf5::test_h5dump", Status: TestPassed, Seconds: 0.1}},
						Message: "no result recorded: the test run stopped before this spec finished",
						Log:     "hdf5-1.14.5-ezh3k2b-test-out.txt",
					},
				},
			},
		},
		{name: "truncated lock", input: "garbage/truncated-lock", wantErr: "test_suite.lock: decoding: unexpected end of JSON input"},
		{name: "lock without specs", input: "garbage/empty-lock", wantErr: "test_suite.lock: no specs"},
		{name: "no lock", input: "garbage/no-lock", wantErr: "open test_suite.lock: no such file"},
		{name: "truncated results", input: "garbage/truncated-results", wantErr: `results.txt:4: "gcc-" has no status`},
		{name: "truncated log", input: "garbage/truncated-log", wantErr: "libsigsegv-2.14-schcyed-test-out.txt: line 12: summary block has no totals line (truncated log?)"},
		{name: "unknown status in results", input: "garbage/unknown-status-results", wantErr: `results.txt:1: unknown test status "BROKEN"`},
		{name: "unknown status in summary", input: "garbage/unknown-status-summary", wantErr: `libsigsegv-2.14-schcyed-test-out.txt: line 12: unknown test status "OK"`},
		{name: "unknown status number", input: "garbage/unknown-tested", wantErr: "libsigsegv-2.14-schcyed-tested.txt: unknown test status 7"},
		{name: "result for a spec not in the suite", input: "garbage/stranger", wantErr: `results.txt:2: spec "zlib-1.3.1-abcdefg" is not in test_suite.lock`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTestSuite(filepath.Join("testdata/testsuite", tt.input))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestReadTestSuiteHashDir checks that, like Spack, a directory named by a suite hash
// gives the suite its id, even when the lock would hash differently.
func TestReadTestSuiteHashDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "aaaabbbbccccddddeeeeffffgggghhhh")
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/testsuite/single")))
	got, err := ReadTestSuite(dir)
	require.NoError(t, err)
	assert.Equal(t, "aaaabbbbccccddddeeeeffffgggghhhh", got.ID)
}

func TestTestSuiteID(t *testing.T) {
	lock, err := os.ReadFile("testdata/testsuite/env/test_suite.lock")
	require.NoError(t, err)
	// The hash directory Spack created for this suite in the real run.
	assert.Equal(t, "qhxcfquu5xmykw72mt4dkeluejhkr3mc", TestSuiteID(lock))
}

func TestParseTestSuiteWithoutResults(t *testing.T) {
	lock, err := os.ReadFile("testdata/testsuite/single/test_suite.lock")
	require.NoError(t, err)
	log, err := os.ReadFile("testdata/testsuite/single/libsigsegv-2.14-schcyed-test-out.txt")
	require.NoError(t, err)

	tests := []struct {
		name  string
		input fstest.MapFS
		want  TestStatus
	}{
		{
			name: "status from the tested file",
			input: fstest.MapFS{
				"test_suite.lock":                    {Data: lock},
				"libsigsegv-2.14-schcyed-tested.txt": {Data: []byte("1\n")},
			},
			want: TestFailed,
		},
		{
			name: "an empty tested file means no tests",
			input: fstest.MapFS{
				"test_suite.lock":                    {Data: lock},
				"libsigsegv-2.14-schcyed-tested.txt": {Data: nil},
			},
			want: TestNoTests,
		},
		{
			name: "status from a finished log",
			input: fstest.MapFS{
				"test_suite.lock":                      {Data: lock},
				"libsigsegv-2.14-schcyed-test-out.txt": {Data: log},
			},
			want: TestPassed,
		},
		{
			name:  "nothing but the lock: the run stopped",
			input: fstest.MapFS{"test_suite.lock": {Data: lock}},
			want:  TestFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTestSuite(tt.input)
			require.NoError(t, err)
			require.Len(t, got.Specs, 1)
			assert.Equal(t, tt.want, got.Specs[0].Status)
			assert.Equal(t, "5o3qjemcqogvp7yvf2r43k3bdjijg7bj", got.ID)
		})
	}
}

func TestParseTestOutput(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    *TestOutput
		wantErr string
	}{
		{
			name:  "empty",
			input: "",
			want:  &TestOutput{},
		},
		{
			name: "no tests",
			input: "==> Testing package compiler-wrapper-1.0-gurfv6m\n" +
				"NO_TESTS: CompilerWrapper::compiler-wrapper\n" +
				"==> [2026-11-25-10:50:38.190786] No tests to run\n",
			want: &TestOutput{
				PkgID: "compiler-wrapper-1.0-gurfv6m",
				Parts: []TestPart{{Name: "CompilerWrapper::compiler-wrapper", Status: TestNoTests}},
				Note:  "No tests to run",
			},
		},
		{
			name: "long ids have a summary banner without padding",
			input: "==> Testing package a\n" +
				" SUMMARY: py-a-very-long-package-name-that-fills-the-line-1.0.0.dev0-abcdefg \n" +
				"PyAVeryLong::test_imports .. PASSED\n" +
				"=== 1 passed of 1 parts ===\n",
			want: &TestOutput{
				PkgID:   "a",
				Parts:   []TestPart{{Name: "PyAVeryLong::test_imports", Status: TestPassed}},
				Summary: true,
			},
		},
		{
			name: "colour codes are ignored",
			input: "\x1b[1;34m==>\x1b[0m Testing package x-1-abcdefg\n" +
				"\x1b[0;32mPASSED\x1b[0m: X::test_a\n",
			want: &TestOutput{
				PkgID: "x-1-abcdefg",
				Parts: []TestPart{{Name: "X::test_a", Status: TestPassed}},
			},
		},
		{
			name: "test output that looks like a status is kept out of parts",
			input: "ERROR: X::test_a: this is what the program printed\n" +
				"PASSED: not a part\n",
			want: &TestOutput{},
		},
		{
			name:    "stray line in summary",
			input:   "==== SUMMARY: x-1-abcdefg ====\nX::test_a .. PASSED\nsomething else\n",
			wantErr: `line 3: "something else" is not a summary line`,
		},
		{
			name:    "summary cut off",
			input:   "==== SUMMARY: x-1-abcdefg ====\nX::test_a .. PASSED\n",
			wantErr: "line 2: summary block has no totals line",
		},
		{
			name:    "unknown status in summary",
			input:   "==== SUMMARY: x-1-abcdefg ====\nX::test_a .. MAYBE\n==== 1 maybe of 1 parts ====\n",
			wantErr: `line 2: unknown test status "MAYBE"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTestOutput(strings.NewReader(tt.input))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseJUnitReport(t *testing.T) {
	f, err := os.Open("testdata/junit/sigsegv-junit.xml")
	require.NoError(t, err)
	defer f.Close()
	got, err := ParseJUnitReport(f)
	require.NoError(t, err)
	assert.Equal(t, []JUnitCase{{
		Name: "libsigsegv", Hash: "schcyed2vssh3cadn7uxx55dm3dchbwu",
		Seconds: 0.1927018165588379, Status: TestPassed,
	}}, got)

	suite, err := ReadTestSuite("testdata/testsuite/single")
	require.NoError(t, err)
	assert.Equal(t, 1, suite.ApplyJUnit(got))
	assert.Equal(t, 0.1927018165588379, suite.Specs[0].Seconds)
}

func TestParseJUnitReportCases(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    []JUnitCase
		wantErr string
	}{
		{
			name: "failure, error, skipped, no time",
			input: `<testsuites><testsuite name="a">
<testcase classname="a" name="aaaa" time="1.5"><failure message="boom">trace</failure></testcase>
<testcase classname="b" name="bbbb" time="None"><error message="oops">trace</error></testcase>
<testcase classname="c" name="cccc" time="0.0"><skipped /></testcase>
</testsuite></testsuites>`,
			want: []JUnitCase{
				{Name: "a", Hash: "aaaa", Seconds: 1.5, Status: TestFailed, Message: "boom"},
				{Name: "b", Hash: "bbbb", Status: TestFailed, Message: "oops"},
				{Name: "c", Hash: "cccc", Status: TestSkipped},
			},
		},
		{name: "no suites", input: `<testsuites></testsuites>`, want: nil},
		{name: "truncated", input: `<testsuites><testsuite name="a"><testcase`, wantErr: "decoding junit report"},
		{name: "testcase without hash", input: `<testsuites><testsuite><testcase classname="a"/></testsuite></testsuites>`, wantErr: `testcase of "a" has no name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJUnitReport(strings.NewReader(tt.input))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseTestStatus(t *testing.T) {
	for _, s := range []string{"PASSED", "FAILED", "SKIPPED", "NO_TESTS"} {
		got, err := ParseTestStatus(s)
		require.NoError(t, err)
		assert.Equal(t, TestStatus(s), got)
	}
	for _, s := range []string{"", "passed", "OK", "NOTESTS"} {
		_, err := ParseTestStatus(s)
		assert.Error(t, err, s)
	}
}

// FuzzParseTestOutput checks that no log makes the parser panic, and that what it
// returns is well formed.
func FuzzParseTestOutput(f *testing.F) {
	for _, dir := range []string{"single", "env", "failed", "multi"} {
		files, _ := filepath.Glob(filepath.Join("testdata/testsuite", dir, "*-test-out.txt"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(f, err)
			f.Add(data)
		}
	}
	f.Add([]byte("==== SUMMARY: x ====\nX::a .. PASSED\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := ParseTestOutput(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, p := range out.Parts {
			if _, err := ParseTestStatus(string(p.Status)); err != nil {
				t.Errorf("part %q has status %q", p.Name, p.Status)
			}
			if p.Seconds < 0 {
				t.Errorf("part %q has negative duration %v", p.Name, p.Seconds)
			}
		}
	})
}

// FuzzParseTestSuite feeds fuzzed results.txt, tested and log files next to a real
// lock.
func FuzzParseTestSuite(f *testing.F) {
	lock, err := os.ReadFile("testdata/testsuite/single/test_suite.lock")
	require.NoError(f, err)
	log, err := os.ReadFile("testdata/testsuite/failed/libsigsegv-2.14-schcyed-test-out.txt")
	require.NoError(f, err)
	f.Add([]byte("libsigsegv-2.14-schcyed PASSED\n"), []byte("2\n"), log, lock[:100])
	f.Add([]byte("libsigsegv-2.14-schcyed FAILED"), []byte(""), []byte(""), lock)
	f.Fuzz(func(t *testing.T, results, tested, out, lk []byte) {
		fsys := fstest.MapFS{
			"test_suite.lock":                      {Data: lk},
			"results.txt":                          {Data: results},
			"libsigsegv-2.14-schcyed-tested.txt":   {Data: tested},
			"libsigsegv-2.14-schcyed-test-out.txt": {Data: out},
		}
		suite, err := ParseTestSuite(fsys)
		if err != nil {
			return
		}
		for _, s := range suite.Specs {
			if _, err := ParseTestStatus(string(s.Status)); err != nil {
				t.Errorf("spec %s has status %q", s.PkgID(), s.Status)
			}
		}
	})
}
