package pkgpy

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

var update = flag.Bool("update", false, "rewrite golden files from the spack-packages checkout in $SPACK_PACKAGES")

// pinnedCommit is spack-packages v2025.11.0, the pin of pins.yaml the figures below
// (and in docs/spack-tests.md and docs/updates.md) were measured at.
const pinnedCommit = "119680aeee8ea802c6111b7167583bddef97e82f"

// realRepo opens $SPACK_PACKAGES and tells whether it is checked out at pinnedCommit.
func realRepo(t *testing.T) (*spack.Repo, []spack.RepoPackage, bool) {
	t.Helper()
	dir := os.Getenv("SPACK_PACKAGES")
	if dir == "" {
		t.Skip("needs SPACK_PACKAGES: a spack-packages checkout")
	}
	repo, err := spack.OpenRepo(dir)
	require.NoError(t, err)
	pkgs, err := repo.Packages()
	require.NoError(t, err)
	head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	return repo, pkgs, err == nil && strings.TrimSpace(string(head)) == pinnedCommit
}

// TestRealRepository reads every package.py of the checkout: none may fail. At the
// pinned commit the figures must be those the docs quote, and the packages with
// stand-alone tests those of testdata/spack-test-list.txt: the list `stats` gave
// there before this package existed, which docs/spack-tests.md records as equal, name
// for name, to what `spack test list --all` of Spack 1.1.0 printed. -update rewrites
// it; check a new one against Spack before committing it.
func TestRealRepository(t *testing.T) {
	repo, pkgs, pinned := realRepo(t)
	var versions, dynamic, licensed, directives, spdx, inherited int
	for _, p := range pkgs {
		pkg, err := Read(p.File)
		require.NoError(t, err)
		full, err := ReadInherited(repo, p.Name)
		require.NoError(t, err)
		if len(full.Licenses) > 0 {
			inherited++
		}
		versions += len(pkg.Versions)
		dynamic += pkg.Dynamic
		if len(pkg.Licenses) > 0 {
			licensed++
		}
		for _, l := range pkg.Licenses {
			directives++
			if _, err := l.SPDX(); err == nil {
				spdx++
			}
		}
	}
	cat, err := AnalyzeTests(context.Background(), repo)
	require.NoError(t, err)
	stats := cat.Stats(nil)
	t.Logf("%d package.py, %d versions (%d computed), %d with a license (%d directives, %d SPDX; %d with inherited ones); %d packages, stand-alone %d, build-time %d, spack test list %d",
		len(pkgs), versions, dynamic, licensed, directives, spdx, inherited, stats.Packages, stats.StandAlone.Any, stats.BuildTime.Any, stats.StandAlone.Spack)

	golden := filepath.Join("testdata", "spack-test-list.txt")
	list := strings.Join(cat.SpackTestList(), "\n") + "\n"
	if *update && pinned {
		require.NoError(t, os.WriteFile(golden, []byte(list), 0o644))
	}
	if !pinned {
		t.Skipf("figures are for spack-packages %s; %s is at another commit", pinnedCommit, repo.Root)
	}
	assert.Equal(t, 8615, len(pkgs))
	assert.Equal(t, 40625, versions)
	assert.Equal(t, 60, dynamic)
	assert.Equal(t, 6388, licensed)
	assert.Equal(t, 6400, directives)
	assert.Equal(t, 6261, spdx)
	assert.Equal(t, 6392, inherited)
	assert.Equal(t, 8611, stats.Packages)
	assert.Equal(t, 3547, stats.StandAlone.Any)
	assert.Equal(t, 6744, stats.BuildTime.Any)
	assert.Equal(t, 3518, stats.StandAlone.Spack)
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), list, "the packages `spack test list --all` lists")
}

// TestAgainstPython reads every package.py of the checkout with Python's own ast and
// tokenize modules (testdata/readpkgs.py) and checks that this package agrees: where
// each logical line starts, the license directives and the source attributes.
func TestAgainstPython(t *testing.T) {
	_, pkgs, _ := realRepo(t)
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("needs python3 to check against Python's own parser")
	}
	out := t.TempDir()
	cmd := exec.Command(python, filepath.Join("testdata", "readpkgs.py"), os.Getenv("SPACK_PACKAGES"), out)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)

	var facts, lines bytes.Buffer
	for _, p := range pkgs {
		data, err := os.ReadFile(p.File)
		require.NoError(t, err)
		pkg, err := Parse(p.File, data)
		require.NoError(t, err)
		writeFacts(&facts, p.Name, pkg)
		ll, _ := logicalLines(data)
		starts := make([]string, len(ll))
		for i, l := range ll {
			starts[i] = fmt.Sprintf("%d:%d", l.num, l.indent)
		}
		fmt.Fprintf(&lines, "%s %s\n", p.Name, strings.Join(starts, " "))
	}
	for file, got := range map[string]string{"facts.txt": facts.String(), "lines.txt": lines.String()} {
		want, err := os.ReadFile(filepath.Join(out, file))
		require.NoError(t, err)
		wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := range min(len(wantLines), len(gotLines)) {
			require.Equal(t, wantLines[i], gotLines[i], "%s line %d: Python, then pkgpy", file, i+1)
		}
		require.Equal(t, len(wantLines), len(gotLines), file)
	}
}

// writeFacts writes what readpkgs.py writes for a package.
func writeFacts(b *bytes.Buffer, name string, p *Package) {
	fmt.Fprintf(b, "%s\thomepage=%s\turl=%s\turls=%s\tgit=%s\tlist_url=%s\n",
		name, pyQuote(p.Homepage), pyQuote(p.URL), pyQuoteList(p.URLs), pyQuote(p.Git), pyQuote(p.ListURL))
	for _, l := range p.Licenses {
		fmt.Fprintf(b, "  license %s when=%s by=%s line=%d\n", pyQuote(l.Expression), pyQuote(l.When), pyQuoteList(l.CheckedBy), l.Line)
	}
}

var pyQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)

func pyQuote(s string) string { return `"` + pyQuoter.Replace(s) + `"` }

func pyQuoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = pyQuote(s)
	}
	return "[" + strings.Join(q, " ") + "]"
}
