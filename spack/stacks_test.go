package spack

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStacksMatchSpack reads every spack.yaml of spack-packages' stacks/ (with their
// includes) and compares the root specs with what Spack 1.1.0 made of the same files
// (testdata/stacks-v2025.11.0.txt): same specs, same order, same text.
func TestStacksMatchSpack(t *testing.T) {
	packages := os.Getenv("SPACK_PACKAGES")
	if packages == "" {
		t.Skip("needs SPACK_PACKAGES: a spack-packages checkout at v2025.11.0")
	}
	if _, err := os.Stat(filepath.Join(packages, "stacks", "e4s", "spack.yaml")); err != nil {
		t.Skip("SPACK_PACKAGES has no stacks/e4s/spack.yaml")
	}
	want := readStackSpecs(t, filepath.Join("testdata", "stacks-v2025.11.0.txt"))
	require.Len(t, want, 28)
	total := 0
	for name, specs := range want {
		t.Run(name, func(t *testing.T) {
			env, err := LoadEnvironment(filepath.Join(packages, "stacks", name),
				WithImages("example.org/spack:1.1.0", ""), WithBuilderOS("debian12"), WithTarget("x86_64_v3"))
			if len(specs) == 1 && strings.HasPrefix(specs[0], "error: ") {
				// Spack could not fetch the URL it includes; spack-ghcr refuses URLs.
				require.Error(t, err)
				assert.Contains(t, err.Error(), "URLs are not supported")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, specs, env.Specs)
			total += len(env.Specs)
		})
	}
	assert.Equal(t, 1217, total)
}

func readStackSpecs(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]string{}
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "# "):
		case strings.HasPrefix(line, "### "):
			cur = line[4:]
			out[cur] = []string{}
		default:
			out[cur] = append(out[cur], line)
		}
	}
	require.NoError(t, sc.Err())
	return out
}
