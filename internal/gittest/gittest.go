// Package gittest makes git repositories for tests: files written, commits made at
// chosen times.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Repo is a repository in a test's temporary directory.
type Repo struct {
	t   testing.TB
	Dir string
}

// New makes an empty repository on branch main, or skips without git.
func New(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Git runs git in the repository, with an identity and no signing, and returns its
// trimmed output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.run(nil, args...)
}

func (r *Repo) run(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.Dir,
		"-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgSign=false"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

// Write writes files, slash-separated paths to content; "" deletes the file.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if content == "" {
			require.NoError(r.t, os.RemoveAll(p))
			continue
		}
		require.NoError(r.t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(r.t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// Commit writes files and commits everything, at the time at unless it is zero, and
// returns the commit. A commit that changes nothing is made all the same.
func (r *Repo) Commit(at time.Time, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "-A")
	var env []string
	if !at.IsZero() {
		date := at.UTC().Format(time.RFC3339)
		env = []string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}
	}
	r.run(env, "commit", "-q", "--allow-empty", "-m", "change")
	return r.Git("rev-parse", "HEAD")
}
