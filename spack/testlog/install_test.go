package testlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInstallLog(t *testing.T) {
	const six = "PySix::test_imports_six"
	tests := []struct {
		name      string
		input     string // file under testdata/installtest
		installed bool
		want      *InstallTests
	}{
		{
			name: "autotools check and installcheck passed", input: "autotools-passed.txt", installed: true,
			want: &InstallTests{
				PkgID: "libsigsegv-2.14-azwbgwt", Status: Passed,
				Parts: []Part{{Name: "check", Status: Passed}, {Name: "installcheck", Status: Passed}},
			},
		},
		{
			// Written by Spack 1.1.0 on the test bed (go run ./ci build libsigsegv).
			name: "real spack 1.1.0 log", input: "real-libsigsegv-1.1.0.txt", installed: true,
			want: &InstallTests{
				PkgID: "libsigsegv-2.14-d42lzjg", Status: Passed,
				Parts: []Part{{Name: "check", Status: Passed}, {Name: "installcheck", Status: Passed}},
			},
		},
		{
			name: "the install failed after the last callback started", input: "autotools-passed.txt", installed: false,
			want: &InstallTests{
				PkgID: "libsigsegv-2.14-azwbgwt", Status: Failed,
				Parts: []Part{
					{Name: "check", Status: Passed},
					{Name: "installcheck", Status: Failed, Message: "the install failed while or after running this test"},
				},
				Message: "installcheck: the install failed while or after running this test",
			},
		},
		{
			name: "make check failed", input: "autotools-failed.txt", installed: false,
			want: &InstallTests{
				PkgID: "libsigsegv-2.14-azwbgwt", Status: Failed,
				Parts:   []Part{{Name: "check", Status: Failed, Message: "make: *** [Makefile:407: check-recursive] Error 1"}},
				Message: "check: make: *** [Makefile:407: check-recursive] Error 1",
			},
		},
		{
			name: "python import tests passed", input: "python-passed.txt", installed: true,
			want: &InstallTests{
				PkgID: "py-six-1.16.0-vbqfzvn", Status: Passed,
				Parts: []Part{
					{Name: "test_imports", Status: Passed, Seconds: 0.5},
					{Name: six, Status: Passed, Seconds: 0.2498},
					{Name: six + ".moves", Status: Passed, Seconds: 0.2501},
				},
			},
		},
		{
			name: "a python import failed", input: "python-failed.txt", installed: false,
			want: &InstallTests{
				PkgID: "py-six-1.16.0-vbqfzvn", Status: Failed,
				Parts: []Part{
					{Name: "test_imports", Status: Failed, Seconds: 0.5, Message: six + ".moves: Command exited with status 1"},
					{Name: six, Status: Passed, Seconds: 0.2498},
					{Name: six + ".moves", Status: Failed, Seconds: 0.2501, Message: "Command exited with status 1"},
				},
				Message: "test_imports: " + six + ".moves: Command exited with status 1",
			},
		},
		{
			name: "callback not implemented", input: "not-implemented.txt", installed: false,
			want: &InstallTests{
				PkgID: "zlib-1.3.1-abcdefg", Status: Failed,
				Parts:   []Part{{Name: "check_install", Status: Failed, Message: "method not implemented"}},
				Message: "check_install: method not implemented",
			},
		},
		{
			name: "empty log", input: "empty.txt", installed: true,
			want: &InstallTests{Status: NoTests},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata/installtest", tt.input))
			require.NoError(t, err)
			defer f.Close()
			got, err := ParseInstallLog(f, tt.installed)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzParseInstallTestLog checks that no log makes the parser panic and that the
// result is well formed.
func FuzzParseInstallLog(f *testing.F) {
	files, _ := filepath.Glob("testdata/installtest/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data, true)
		f.Add(data, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, installed bool) {
		got, err := ParseInstallLog(strings.NewReader(string(data)), installed)
		if err != nil {
			return
		}
		if _, err := ParseStatus(string(got.Status)); err != nil {
			t.Errorf("status %q", got.Status)
		}
		for _, p := range got.Parts {
			if _, err := ParseStatus(string(p.Status)); err != nil || p.Seconds < 0 {
				t.Errorf("part %+v", p)
			}
		}
		if !installed && len(got.Parts) > 0 && got.Status != Failed {
			t.Errorf("a failed install with tests must fail them, got %s", got.Status)
		}
	})
}
