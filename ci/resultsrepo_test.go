package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/results"
)

// TestResultsPushLayout1: a repository in the old layout is refused, with what to do.
func TestResultsPushLayout1(t *testing.T) {
	resultsEnv(t)
	srv := ghtest.NewServer(t)
	repo := srv.CreateRepo("o", "results")
	repo.Commit("main", map[string][]byte{"index.json": []byte(`{"schema":1,"runs":[]}`)}, "layout 1")
	out := t.TempDir()
	writeRun(t, out, "zlib", "r1", 1, "zlib=PASSED")
	t.Setenv("GITHUB_TOKEN", testToken)
	err := run(t.Context(), []string{"results", "push", "-repo", "o/results", "-from", out, "-api-url", srv.URL()}, &bytes.Buffer{})
	require.ErrorIs(t, err, results.ErrLayout1)
	assert.Contains(t, err.Error(), "migrate it with `results migrate`")
	assert.Len(t, repo.Log("main"), 1, "nothing written")
}

// TestResultsMigrate converts a layout 1 checkout in place; a push then lands on it.
func TestResultsMigrate(t *testing.T) {
	logs := resultsEnv(t)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("../results/testdata/layout1")))
	require.NoError(t, run(t.Context(), []string{"results", "migrate", "-from", dir}, &bytes.Buffer{}))
	assert.Contains(t, logs.String(), "migrated 5 run(s) in "+dir)
	assert.Contains(t, logs.String(), "git -C "+dir+" add -A && git -C "+dir+" commit -m 'Migrate the results to layout 2'")
	assert.NoFileExists(t, filepath.Join(dir, "index.json"))
	assert.NoDirExists(t, filepath.Join(dir, "site"))
	assert.FileExists(t, filepath.Join(dir, "runs", "python", "2026", "11", "20261115T120000Z-9a8b7c6", "results.json"))
	assert.Contains(t, siteOf(t, dir)["index.html"], "5 runs")

	err := run(t.Context(), []string{"results", "migrate", "-from", dir}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "results migrate: "+dir+" has layout.json: it is in layout 2 already")
}

func TestResultsPrune(t *testing.T) {
	logs := resultsEnv(t)
	out := t.TempDir()
	writeRun(t, out, "zlib", "r1", 1, "zlib=PASSED")
	writeRun(t, out, "zlib", "r2", 2, "zlib=FAILED")
	dir := checkout(t, pushOut(t, out))
	require.NoError(t, run(t.Context(), []string{"results", "prune", "-from", dir, "-months", "1"}, &bytes.Buffer{}))
	assert.Contains(t, logs.String(), "removed 0 log file(s), 0 bytes, of 0 run(s) started before 2026-10-02 10:00 UTC")
	assert.FileExists(t, filepath.Join(dir, "runs", "zlib", "2026", "11", "r1", "logs", "zlib.txt.gz"))

	err := run(t.Context(), []string{"results", "prune", "-from", dir, "-months", "0"}, &bytes.Buffer{})
	assert.ErrorIs(t, err, errUsage)
	err = run(t.Context(), []string{"results", "prune", "-from", out}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "prune works on a results repository in layout 2")
}

// TestResultsPagesWorkflow lints the workflow a results repository uses, and checks
// that docs/results.md shows it as the command prints it.
func TestResultsPagesWorkflow(t *testing.T) {
	var stdout bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"results", "pages-workflow"}, &stdout))
	workflow := stdout.String()
	for _, want := range []string{
		"branches: [main]", "github.com/spack-ghcr/spack-ghcr/ci@main", "-max-runs 30 -keep-months 3",
		"actions/upload-pages-artifact@", "actions/deploy-pages@", "pages: write", "id-token: write",
	} {
		assert.Contains(t, workflow, want)
	}

	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	file := filepath.Join(dir, "pages.yml")
	require.NoError(t, os.WriteFile(file, stdout.Bytes(), 0o644))
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	require.NoError(t, err)
	errs, err := linter.LintFiles([]string{file}, nil)
	require.NoError(t, err)
	for _, e := range errs {
		assert.Failf(t, "actionlint", "%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
	for _, line := range strings.Split(workflow, "\n") {
		if _, ref, ok := strings.Cut(line, "uses: "); ok {
			assert.Regexp(t, `^[a-z-]+/[a-z-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`, ref, "actions are pinned by commit")
		}
	}

	doc, err := os.ReadFile("../docs/results.md")
	require.NoError(t, err)
	assert.Contains(t, string(doc), "```yaml\n"+workflow+"```", "docs/results.md shows the workflow as printed")

	stdout.Reset()
	err = run(t.Context(), []string{"results", "pages-workflow", "-branch", "main; rm -rf /"}, &stdout)
	assert.ErrorIs(t, err, errUsage)
	assert.Empty(t, stdout.String())
}
