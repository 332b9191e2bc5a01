package testlog

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stage copies the suite testdata/testsuite/single into a test stage, with junit as
// its JUnit report ("" for none).
func stage(t *testing.T, junit string) string {
	t.Helper()
	dir := t.TempDir()
	suite := filepath.Join(dir, "schcyed2vssh3cadn7uxx55dm3dchbwu")
	require.NoError(t, os.CopyFS(suite, os.DirFS("testdata/testsuite/single")))
	if junit != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "spack-junit.xml"), []byte(junit), 0o644))
	}
	return dir
}

func TestReadStage(t *testing.T) {
	report, err := os.ReadFile("testdata/junit/sigsegv-junit.xml")
	require.NoError(t, err)
	tests := []struct {
		name        string
		dir         string
		wantSeconds float64
		wantErr     string
	}{
		{name: "suite and JUnit report", dir: stage(t, string(report)), wantSeconds: 0.1927018165588379},
		{name: "suite alone", dir: stage(t, "")},
		{name: "a broken JUnit report", dir: stage(t, "<testsuites><testsuite"), wantErr: "spack-junit.xml: decoding junit report"},
		{name: "no suite", dir: t.TempDir(), wantErr: ErrNoSuite.Error()},
		{name: "no stage", dir: filepath.Join(t.TempDir(), "none"), wantErr: "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, suite, err := ReadStage(tt.dir, "spack-junit.xml")
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(tt.dir, "schcyed2vssh3cadn7uxx55dm3dchbwu"), dir)
			require.Len(t, suite.Specs, 1)
			assert.Equal(t, "libsigsegv", suite.Specs[0].Name)
			assert.Equal(t, tt.wantSeconds, suite.Specs[0].Seconds)
		})
	}
}
