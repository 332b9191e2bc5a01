package spack

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustVersion(t testing.TB, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	require.NoError(t, err, s)
	return v
}

// TestVersionOrder holds ordered pairs lo < hi, most of them ported from Spack 1.1.0's
// lib/spack/spack/test/versions.py (which took many from RPM's tests).
func TestVersionOrder(t *testing.T) {
	tests := []struct{ lo, hi string }{
		// numbers compare as numbers, not as text: the bug this exists to avoid
		{"3", "17"},
		{"1.3", "1.17"},
		{"1.9.4", "1.10.0"},
		{"2.9", "2.10"},
		{"1.0", "2.0"},
		{"2.0", "2.0.1"},
		{"1.2", "1.2.1"},
		{"1.2", "1.2.0"},
		{"4.999.9", "5.0"},
		{"10.0001", "10.0039"},
		{"20101121", "20101122"},
		{"2025.06.0", "2025.11.0"},
		{"99999999999999999999", "100000000000000000000"},
		{"xsdk-0.2.0", "xsdk-0.3"},
		// letters
		{"2.0.1", "2.0.1a"},
		{"5.5p1", "5.5p2"},
		{"5.5p1", "5.5p10"},
		{"5.5p2", "5.6p1"},
		{"5.6p1", "6.5p1"},
		{"10xyz", "10.1xyz"},
		{"xyz10", "xyz10.1"},
		{"xyz.4", "8"},
		{"xyz.4", "2"},
		{"10a1", "10b2"},
		{"10a2", "10b2"},
		{"1.0a", "1.0aa"},
		{"1b.fc17", "1.fc17"},
		{"1.fc17", "1g.fc17"},
		{"1.2a", "1.2.1"},
		{"R2016a", "R2016b"},
		{"A", "a"},
		{"1.2string3", "1.2.0"},
		// pre-releases sort below the release, in alpha < beta < rc order
		{"6.0alpha", "6.0alpha0"},
		{"6.0alpha0", "6.0alpha1"},
		{"6.0alpha1", "6.0alpha2"},
		{"6.0alpha2", "6.0beta"},
		{"6.0beta", "6.0beta0"},
		{"6.0beta0", "6.0beta1"},
		{"6.0beta1", "6.0beta2"},
		{"6.0beta2", "6.0rc"},
		{"6.0rc", "6.0rc0"},
		{"6.0rc0", "6.0rc1"},
		{"6.0rc1", "6.0rc2"},
		{"6.0rc2", "6.0"},
		{"6.0rc9", "6.0rc10"},
		{"1.2.0rc3", "1.2.0"},
		{"1.2", "1.2.0alpha1"},
		{"3.13.0rc1", "3.13.0"},
		{"3.12.9", "3.13.0rc1"},
		{"1.0", "1.0final1"},
		// other suffixes sort above the release
		{"2.0", "2.0.post1"},
		{"1.2.3", "1.2.3-patch"},
		{"4.7", "4.7v6"},
		// infinity words sort above every number, in their own order
		{"1.0", "develop"},
		{"9.0", "stable"},
		{"stable", "nightly"},
		{"nightly", "trunk"},
		{"trunk", "head"},
		{"head", "master"},
		{"master", "main"},
		{"main", "develop"},
		{"9.0", "trunk"},
		{"999999", "master"},
		{"1.1", "1.develop"},
		{"1.0", "1.develop"},
		{"0.5", "0.5.develop"},
		{"1.develop", "2.1"},
		{"1.develop.1", "1.develop.2"},
		{"develop.1", "develop.2"},
		{"system", "9.0"},
		{"mydevelopmentnightmare", "1.1"},
		{"1.mydevelopmentnightmare", "1.1"},
		{"developer.1", "develop"},
	}
	require.GreaterOrEqual(t, len(tests), 60)
	for _, tt := range tests {
		t.Run(tt.lo+"<"+tt.hi, func(t *testing.T) {
			lo, hi := mustVersion(t, tt.lo), mustVersion(t, tt.hi)
			assert.Equal(t, -1, lo.Compare(hi))
			assert.Equal(t, 1, hi.Compare(lo))
			assert.True(t, lo.Less(hi))
			assert.False(t, hi.Less(lo))
			assert.False(t, lo.Equal(hi))
		})
	}
}

func TestVersionEqual(t *testing.T) {
	tests := []struct{ a, b string }{
		{"1.0", "1.0"},
		{"2.0", "2_0"},
		{"2-0", "2_0"},
		{"1.2.3", "1-2_3"},
		{"10.0001", "10.1"},
		{"1.0", "1.0final"},
		{"6.0rc1", "6.0-rc-1"},
		{".1", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"="+tt.b, func(t *testing.T) {
			a, b := mustVersion(t, tt.a), mustVersion(t, tt.b)
			assert.Equal(t, 0, a.Compare(b))
			assert.True(t, a.Equal(b))
			assert.Equal(t, tt.a, a.String(), "String keeps the spelling")
		})
	}
}

func TestVersionZeroIsLowest(t *testing.T) {
	for _, s := range []string{"0", "A", "alpha", "1alpha", ".", "develop"} {
		assert.True(t, Version{}.Less(mustVersion(t, s)), s)
	}
}

func TestParseVersionErrors(t *testing.T) {
	for _, s := range []string{"", " ", "foo 1.2.0", "!", "1!2", "=1.2.0", "1.2+3", "ref=1.2", "1.2é"} {
		t.Run(s, func(t *testing.T) {
			_, err := ParseVersion(s)
			assert.Error(t, err)
		})
	}
}

func TestVersionPredicates(t *testing.T) {
	tests := []struct {
		input      string
		prerelease bool
		develop    bool
	}{
		{"1.2.3", false, false},
		{"6.0rc1", true, false},
		{"6.0alpha", true, false},
		{"2.0beta2", true, false},
		{"10b2", false, false}, // a letter, not "beta"
		{"rc1", false, false},  // too short to be a prerelease of anything
		{"1rc", true, false},
		{"1.0final1", false, false},
		{"develop", false, true},
		{"1.develop.2", false, true},
		{"develop.local", false, true},
		{"main", false, true},
		{"stable", false, true},
		{"1.mydevelopmentnightmare.3", false, false},
		{"Develop", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			v := mustVersion(t, tt.input)
			assert.Equal(t, tt.prerelease, v.IsPrerelease())
			assert.Equal(t, tt.develop, v.IsDevelop())
		})
	}
}

func TestVersionConstraint(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		pinned  string // "" when not a pin
		exact   bool
		in      []string
		out     []string
		wantErr string
	}{
		{name: "single", input: "1.9.4", pinned: "1.9.4", in: []string{"1.9.4", "1.9.4.1"}, out: []string{"1.9.3", "1.9.5", "1.10"}},
		{name: "exact", input: "=1.9.4", pinned: "1.9.4", exact: true, in: []string{"1.9.4", "1_9_4"}, out: []string{"1.9.4.1"}},
		{name: "series", input: "1.2", pinned: "1.2", in: []string{"1.2", "1.2.5", "1.2.0rc1"}, out: []string{"1.3", "1.1"}},
		{name: "range", input: "1.2:1.4", in: []string{"1.3", "1.2.5", "1.3.5-7", "1.4.2", "1.2.0alpha1"}, out: []string{"1.1", "1.5"}},
		{name: "range to x.y.0", input: "1.2:1.4.0", in: []string{"1.4.0"}, out: []string{"1.4.2"}},
		{name: "range from x.y.z", input: "1.5.1:", in: []string{"1.5.1", "99", "develop"}, out: []string{"1.5", "1.5.1rc3"}},
		{name: "open below", input: ":1.6", in: []string{"1.6.5", "0.1", "1.2.0rc3"}, out: []string{"1.7"}},
		{name: "open below prerelease", input: ":1.1", out: []string{"1.2.0alpha1"}},
		{name: "from prerelease", input: "1.2.0alpha1:", in: []string{"1.2.0"}},
		{name: "below rc", input: ":1.2.0rc345", out: []string{"1.2.0"}},
		{name: "all", input: ":", in: []string{"0", "1.2", "develop"}},
		{name: "list", input: "1.2,1.4", in: []string{"1.2.5", "1.4"}, out: []string{"1.3"}},
		{name: "list with spaces", input: "4.3, 4.6, 4.7", in: []string{"4.6.5.2", "4.7.3"}, out: []string{"4", "4.8.0"}},
		{name: "list with range", input: "4.2,4.3:4.8", in: []string{"4.8.2"}, out: []string{"4.9"}},
		{name: "suffix in range", input: "4.3:4.7", in: []string{"4.7b6", "4.3.0"}, out: []string{"4.8.0"}},
		{name: "git ref", input: "git.v1.2", out: []string{"1.2"}},
		{name: "git ref with version", input: "git.v1.2=1.2", out: []string{"1.2"}},
		{name: "commit", input: strings.Repeat("a", 40), out: []string{"1.2"}},
		{name: "commit with version", input: strings.Repeat("b", 40) + "=3.2"},
		{name: "empty range", input: "2:1.0", wantErr: "empty range"},
		{name: "two colons", input: "1:2:3", wantErr: "one ':'"},
		{name: "empty", input: "", wantErr: "empty"},
		{name: "empty element", input: "1.2,", wantErr: "empty element"},
		{name: "bad character", input: "1.2!", wantErr: "bad character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseVersionConstraint(tt.input)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			v, ok := c.Pinned()
			assert.Equal(t, tt.pinned != "", ok)
			if ok {
				assert.Equal(t, tt.pinned, v.String())
			}
			assert.Equal(t, tt.exact, c.Exact())
			for _, s := range tt.in {
				assert.True(t, c.Contains(mustVersion(t, s)), "%s in %s", s, tt.input)
			}
			for _, s := range tt.out {
				assert.False(t, c.Contains(mustVersion(t, s)), "%s not in %s", s, tt.input)
			}
		})
	}
}

// TestVersionOrderMatchesSpack sorts versions the way Spack 1.1.0 sorted them:
// testdata/spack-version-order.txt holds real versions from spack-packages v2025.11.0
// plus corner cases, in the order Spack's StandardVersion sort gave (one version per
// line; a line "= x" says x equals the version before it).
func TestVersionOrderMatchesSpack(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "spack-version-order.txt"))
	require.NoError(t, err)
	defer f.Close()
	var want []Version
	var equalToPrev []bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		eq := strings.HasPrefix(line, "= ")
		want = append(want, mustVersion(t, strings.TrimPrefix(line, "= ")))
		equalToPrev = append(equalToPrev, eq)
	}
	require.NoError(t, sc.Err())
	require.Greater(t, len(want), 1000)
	for i := 1; i < len(want); i++ {
		wantCmp := -1
		if equalToPrev[i] {
			wantCmp = 0
		}
		if !assert.Equal(t, wantCmp, want[i-1].Compare(want[i]), "%s vs %s", want[i-1], want[i]) {
			break
		}
	}
	// Sorting a shuffled copy gives the same sequence, up to equal elements.
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortStableFunc(got, Version.Compare)
	for i := range got {
		require.True(t, got[i].Equal(want[i]), "position %d: %s vs %s", i, got[i], want[i])
	}
}
