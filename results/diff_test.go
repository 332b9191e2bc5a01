package results

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiffRuns(t *testing.T) {
	tests := []struct {
		name        string
		from, to    *Run
		want        []string // "kind name (phase) version status"
		wantSummary string
	}{
		{
			name: "every kind",
			from: mkRun("e", "a", 1, "reg=PASSED", "fix=FAILED", "skip=PASSED", "ver@1.0=PASSED", "gone=PASSED", "same=PASSED", "build:same=PASSED"),
			to: func() *Run {
				r := mkRun("e", "b", 2, "reg=FAILED", "fix=PASSED", "skip=SKIPPED", "ver@1.1=PASSED", "new=NO_TESTS", "same=PASSED", "build:same=PASSED")
				r.Specs[6].Hash = "rebuilt-with-new-dependencies..."
				return r
			}(),
			want: []string{
				"regression reg (stand-alone) 1.0 PASSED -> FAILED",
				"fix fix (stand-alone) 1.0 FAILED -> PASSED",
				"status skip (stand-alone) 1.0 PASSED -> SKIPPED",
				"version ver (stand-alone) 1.0 -> 1.1 PASSED",
				"rebuilt same (build-time) 1.0 PASSED",
				"added new (stand-alone) 1.0 NO_TESTS",
				"removed gone (stand-alone) 1.0 PASSED",
			},
			wantSummary: "1 regression, 1 fix, 1 other status change, 1 new version, 1 rebuilt, 1 added, 1 removed",
		},
		{
			name:        "no changes",
			from:        mkRun("e", "a", 1, "x=PASSED"),
			to:          mkRun("e", "b", 2, "x=PASSED"),
			wantSummary: "no changes",
		},
		{
			name:        "a regression with a new version is a regression",
			from:        mkRun("e", "a", 1, "x@1=PASSED", "y=PASSED", "z=FAILED"),
			to:          mkRun("e", "b", 2, "x@2=FAILED", "y=FAILED", "z=FAILED"),
			want:        []string{"regression x (stand-alone) 1 -> 2 PASSED -> FAILED", "regression y (stand-alone) 1.0 PASSED -> FAILED"},
			wantSummary: "2 regressions",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DiffRuns(tt.from, tt.to)
			var got []string
			for _, c := range d.Changes {
				got = append(got, string(c.Kind)+" "+c.Key.String()+" "+c.Version()+" "+c.Status())
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantSummary, d.Summary())
		})
	}
}

func TestDiffWriteText(t *testing.T) {
	runs := loadFixtures(t)
	var b strings.Builder
	require.NoError(t, DiffRuns(runs[0], runs[1]).WriteText(&b))
	assert.Equal(t, `from   compression/20261101T100000Z-1a2b3c4 (2026-11-01 10:00 UTC)
to     compression/20261108T100000Z-5d6e7f8 (2026-11-08 10:00 UTC)
image  sha256:d0f631ca1ddba8db3bcfcb9e057cdc98d0379f1bee00e75a545147a27dadd982 -> sha256:9c0abe51c6e6655d81de2d044d4fb194931f058c0426c67c7285d8f5657ed64a

regression  stand-alone  zlib   1.3.1           PASSED -> FAILED
fix         stand-alone  bzip2  1.0.8           FAILED -> PASSED
version     stand-alone  xz     5.4.6 -> 5.6.3  PASSED

1 regression, 1 fix, 1 new version
`, b.String())
}
