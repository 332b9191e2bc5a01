package actions

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendSummary(t *testing.T) {
	file := filepath.Join(t.TempDir(), "summary.md")
	require.NoError(t, AppendSummary(file, []byte("# zlib\n")))
	require.NoError(t, AppendSummary(file, []byte("# lz4\n")))
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "# zlib\n\n# lz4\n\n", string(got), "each run's summary is appended, then a blank line")

	assert.NoError(t, AppendSummary("", []byte("x")), "no summary file: nothing to do")
	assert.ErrorContains(t, AppendSummary(filepath.Join(t.TempDir(), "no", "dir"), []byte("x")), "writing job summary")
}
