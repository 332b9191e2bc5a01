package testlog

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

func TestReadSuite(t *testing.T) {
	tests := []struct {
		name    string
		input   string // directory under testdata/testsuite
		want    *Suite
		wantErr string
	}{
		{
			name:  "one spec passed (real)",
			input: "single",
			want: &Suite{
				ID:    "5o3qjemcqogvp7yvf2r43k3bdjijg7bj",
				Alias: "sigsegv-dirty",
				Specs: []Spec{{
					Name: "libsigsegv", Version: "2.14", Namespace: "builtin",
					Hash:   "schcyed2vssh3cadn7uxx55dm3dchbwu",
					Status: Passed,
					Parts:  []Part{{Name: "Libsigsegv::test_smoke_test", Status: Passed, Seconds: 0.055723}},
					Log:    "libsigsegv-2.14-schcyed-test-out.txt",
				}},
			},
		},
		{
			name:  "environment with externals and specs without tests (real)",
			input: "env",
			want: &Suite{
				ID:    "qhxcfquu5xmykw72mt4dkeluejhkr3mc",
				Alias: "run1",
				Specs: []Spec{
					{
						Name: "libsigsegv", Version: "2.14", Namespace: "builtin",
						Hash: "azwbgwtsg6xceo33u5kjq6lc5cmcmlae", Status: Passed,
						Parts: []Part{{Name: "Libsigsegv::test_smoke_test", Status: Passed, Seconds: 0.047845}},
						Log:   "libsigsegv-2.14-azwbgwt-test-out.txt",
					},
					{
						Name: "compiler-wrapper", Version: "1.0", Namespace: "builtin",
						Hash: "gurfv6m3c6kc4fvl3my364a2ae24sp2t", Status: NoTests,
						Parts:   []Part{{Name: "CompilerWrapper::compiler-wrapper", Status: NoTests}},
						Message: "No tests to run",
						Log:     "compiler-wrapper-1.0-gurfv6m-test-out.txt",
					},
					{
						Name: "gcc", Version: "12.2.0", Namespace: "builtin", External: true,
						Hash: "2piry453r4ujwneqffiwxpflvkz6bsro", Status: Skipped,
						Parts:   []Part{{Name: "Gcc::gcc", Status: Skipped}},
						Message: "Skipped tests for external package",
						Log:     "gcc-12.2.0-2piry45-test-out.txt",
					},
					{
						Name: "gcc-runtime", Version: "12.2.0", Namespace: "builtin",
						Hash: "uetbtlo5yobcgprdwflxunpfozgfoktw", Status: NoTests,
						Parts:   []Part{{Name: "GccRuntime::gcc-runtime", Status: NoTests}},
						Message: "No tests to run",
						Log:     "gcc-runtime-12.2.0-uetbtlo-test-out.txt",
					},
					{
						Name: "glibc", Version: "2.36", Namespace: "builtin", External: true,
						Hash: "2dxfl3zus4n6g2gz4iarmmuluwuxaqmn", Status: Skipped,
						Parts:   []Part{{Name: "Glibc::glibc", Status: Skipped}},
						Message: "Skipped tests for external package",
						Log:     "glibc-2.36-2dxfl3z-test-out.txt",
					},
					{
						Name: "gmake", Version: "4.3", Namespace: "builtin", External: true,
						Hash: "fsqmw7bsnm77ejkvztpl7sifz6w5ki64", Status: Skipped,
						Parts:   []Part{{Name: "Gmake::gmake", Status: Skipped}},
						Message: "Skipped tests for external package",
						Log:     "gmake-4.3-fsqmw7b-test-out.txt",
					},
				},
			},
		},
		{
			name:  "a failing part fails the spec",
			input: "failed",
			want: &Suite{
				ID:    "5o3qjemcqogvp7yvf2r43k3bdjijg7bj",
				Alias: "sigsegv-dirty",
				Specs: []Spec{{
					Name: "libsigsegv", Version: "2.14", Namespace: "builtin",
					Hash:    "schcyed2vssh3cadn7uxx55dm3dchbwu",
					Status:  Failed,
					Parts:   []Part{{Name: "Libsigsegv::test_smoke_test", Status: Failed, Seconds: 0.020943, Message: "'CC'"}},
					Message: "Libsigsegv::test_smoke_test: 'CC'",
					Log:     "libsigsegv-2.14-schcyed-test-out.txt",
				}},
			},
		},
		{
			name:  "multi-spec suite with sub-parts, a failure and an interrupted spec",
			input: "multi",
			want: &Suite{
				ID:    "kawa6ybk543c2fekm4mxidhtqbeatzql",
				Alias: "20261125T105000Z-1a2b3c4-k3j9",
				Specs: []Spec{
					{
						Name: "zlib-ng", Version: "2.2.1", Namespace: "builtin",
						Hash: "3mfcw6ykyv2mdkxyjhqvnhpo4jofmbdd", Status: Passed,
						Parts: []Part{
							{Name: "ZlibNg::test_example", Status: Passed, Seconds: 1.5},
							{Name: "ZlibNg::test_minigzip_compress", Status: Passed, Seconds: 0.5},
							{Name: "ZlibNg::test_minigzip_decompress", Status: Skipped, Seconds: 0.5, Message: "minigzip -d is not installed"},
							{Name: "ZlibNg::test_minigzip", Status: Passed, Seconds: 1.1},
						},
						Log: "zlib-ng-2.2.1-3mfcw6y-test-out.txt",
					},
					{
						Name: "py-six", Version: "1.16.0", Namespace: "builtin",
						Hash: "vbqfzvnfwoqh3v4tc6dsyt2kkh2zr4e4", Status: Failed,
						Parts: []Part{
							{Name: "PySix::test_imports_six", Status: Passed, Seconds: 0.1995},
							{Name: "PySix::test_imports_six.moves", Status: Failed, Seconds: 0.7,
								Message: "Command " + sixPython + " returned non-zero exit status 1."},
							{Name: "PySix::test_imports", Status: Failed, Seconds: 0.9},
						},
						Message: "PySix::test_imports_six.moves: Command " + sixPython + " returned non-zero exit status 1.",
						Log:     "py-six-1.16.0-vbqfzvn-test-out.txt",
					},
					{
						Name: "hdf5", Version: "1.14.5", Namespace: "builtin",
						Hash: "ezh3k2bq7dkpuq6ipn3kvbf5x3bbpcqh", Status: Failed,
						Parts:   []Part{{Name: "Hdf5::test_h5dump", Status: Passed, Seconds: 0.1}},
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
			got, err := ReadSuite(filepath.Join("testdata/testsuite", tt.input))
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
func TestReadSuiteHashDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "aaaabbbbccccddddeeeeffffgggghhhh")
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/testsuite/single")))
	got, err := ReadSuite(dir)
	require.NoError(t, err)
	assert.Equal(t, "aaaabbbbccccddddeeeeffffgggghhhh", got.ID)
}

func TestSuiteID(t *testing.T) {
	lock, err := os.ReadFile("testdata/testsuite/env/test_suite.lock")
	require.NoError(t, err)
	// The hash directory Spack created for this suite in the real run.
	assert.Equal(t, "qhxcfquu5xmykw72mt4dkeluejhkr3mc", SuiteID(lock))
}

func TestParseSuiteWithoutResults(t *testing.T) {
	lock, err := os.ReadFile("testdata/testsuite/single/test_suite.lock")
	require.NoError(t, err)
	log, err := os.ReadFile("testdata/testsuite/single/libsigsegv-2.14-schcyed-test-out.txt")
	require.NoError(t, err)

	tests := []struct {
		name  string
		input fstest.MapFS
		want  Status
	}{
		{
			name: "status from the tested file",
			input: fstest.MapFS{
				"test_suite.lock":                    {Data: lock},
				"libsigsegv-2.14-schcyed-tested.txt": {Data: []byte("1\n")},
			},
			want: Failed,
		},
		{
			name: "an empty tested file means no tests",
			input: fstest.MapFS{
				"test_suite.lock":                    {Data: lock},
				"libsigsegv-2.14-schcyed-tested.txt": {Data: nil},
			},
			want: NoTests,
		},
		{
			name: "status from a finished log",
			input: fstest.MapFS{
				"test_suite.lock":                      {Data: lock},
				"libsigsegv-2.14-schcyed-test-out.txt": {Data: log},
			},
			want: Passed,
		},
		{
			name:  "nothing but the lock: the run stopped",
			input: fstest.MapFS{"test_suite.lock": {Data: lock}},
			want:  Failed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSuite(tt.input)
			require.NoError(t, err)
			require.Len(t, got.Specs, 1)
			assert.Equal(t, tt.want, got.Specs[0].Status)
			assert.Equal(t, "5o3qjemcqogvp7yvf2r43k3bdjijg7bj", got.ID)
		})
	}
}

func TestParseOutput(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    *Output
		wantErr string
	}{
		{
			name:  "empty",
			input: "",
			want:  &Output{},
		},
		{
			name: "no tests",
			input: "==> Testing package compiler-wrapper-1.0-gurfv6m\n" +
				"NO_TESTS: CompilerWrapper::compiler-wrapper\n" +
				"==> [2026-11-25-10:50:38.190786] No tests to run\n",
			want: &Output{
				PkgID: "compiler-wrapper-1.0-gurfv6m",
				Parts: []Part{{Name: "CompilerWrapper::compiler-wrapper", Status: NoTests}},
				Note:  "No tests to run",
			},
		},
		{
			name: "long ids have a summary banner without padding",
			input: "==> Testing package a\n" +
				" SUMMARY: py-a-very-long-package-name-that-fills-the-line-1.0.0.dev0-abcdefg \n" +
				"PyAVeryLong::test_imports .. PASSED\n" +
				"=== 1 passed of 1 parts ===\n",
			want: &Output{
				PkgID:   "a",
				Parts:   []Part{{Name: "PyAVeryLong::test_imports", Status: Passed}},
				Summary: true,
			},
		},
		{
			name: "colour codes are ignored",
			input: "\x1b[1;34m==>\x1b[0m Testing package x-1-abcdefg\n" +
				"\x1b[0;32mPASSED\x1b[0m: X::test_a\n",
			want: &Output{
				PkgID: "x-1-abcdefg",
				Parts: []Part{{Name: "X::test_a", Status: Passed}},
			},
		},
		{
			name: "test output that looks like a status is kept out of parts",
			input: "ERROR: X::test_a: this is what the program printed\n" +
				"PASSED: not a part\n",
			want: &Output{},
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
			got, err := ParseOutput(strings.NewReader(tt.input))
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

func TestParseJUnit(t *testing.T) {
	f, err := os.Open("testdata/junit/sigsegv-junit.xml")
	require.NoError(t, err)
	defer f.Close()
	got, err := ParseJUnit(f)
	require.NoError(t, err)
	assert.Equal(t, []JUnitCase{{
		Name: "libsigsegv", Hash: "schcyed2vssh3cadn7uxx55dm3dchbwu",
		Seconds: 0.1927018165588379, Status: Passed,
	}}, got)

	suite, err := ReadSuite("testdata/testsuite/single")
	require.NoError(t, err)
	assert.Equal(t, 1, suite.ApplyJUnit(got))
	assert.Equal(t, 0.1927018165588379, suite.Specs[0].Seconds)
}

func TestParseJUnitCases(t *testing.T) {
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
				{Name: "a", Hash: "aaaa", Seconds: 1.5, Status: Failed, Message: "boom"},
				{Name: "b", Hash: "bbbb", Status: Failed, Message: "oops"},
				{Name: "c", Hash: "cccc", Status: Skipped},
			},
		},
		{name: "no suites", input: `<testsuites></testsuites>`, want: nil},
		{name: "truncated", input: `<testsuites><testsuite name="a"><testcase`, wantErr: "decoding junit report"},
		{name: "testcase without hash", input: `<testsuites><testsuite><testcase classname="a"/></testsuite></testsuites>`, wantErr: `testcase of "a" has no name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJUnit(strings.NewReader(tt.input))
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

func TestParseStatus(t *testing.T) {
	for _, s := range []string{"PASSED", "FAILED", "SKIPPED", "NO_TESTS"} {
		got, err := ParseStatus(s)
		require.NoError(t, err)
		assert.Equal(t, Status(s), got)
	}
	for _, s := range []string{"", "passed", "OK", "NOTESTS"} {
		_, err := ParseStatus(s)
		assert.Error(t, err, s)
	}
}

// FuzzParseTestOutput checks that no log makes the parser panic, and that what it
// returns is well formed.
func FuzzParseOutput(f *testing.F) {
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
		out, err := ParseOutput(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, p := range out.Parts {
			if _, err := ParseStatus(string(p.Status)); err != nil {
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
func FuzzParseSuite(f *testing.F) {
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
		suite, err := ParseSuite(fsys)
		if err != nil {
			return
		}
		for _, s := range suite.Specs {
			if _, err := ParseStatus(string(s.Status)); err != nil {
				t.Errorf("spec %s has status %q", s.PkgID(), s.Status)
			}
		}
	})
}
