package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// SourceDate is the date the image carries and the revision it names. The date is
// recorded (verify's) when given, else $SOURCE_DATE_EPOCH, else the commit time of the
// last change to the environment or what it includes; the revision is revision when
// given, else that commit. Outside git the date is 0, 1970-01-01, and err says why
// there is no commit; the date and revision returned hold either way.
func SourceDate(env *spack.Environment, revision string, recorded *int64, getenv func(string) string) (epoch int64, rev string, err error) {
	commit, when, err := LastChange(env)
	if err != nil {
		when = 0
	}
	rev = revision
	if rev == "" {
		rev = commit
	}
	if recorded != nil {
		return *recorded, rev, err
	}
	if s, perr := strconv.ParseInt(getenv("SOURCE_DATE_EPOCH"), 10, 64); perr == nil {
		return s, rev, err
	}
	return when, rev, err
}

// LastChange is the commit, and its time, that last changed the environment's folder
// or anything it includes.
func LastChange(env *spack.Environment) (commit string, epoch int64, err error) {
	args := []string{"-C", env.Root, "log", "-1", "--format=%H %ct", "--", env.RelDir}
	for _, inc := range env.Includes {
		args = append(args, inc.Rel)
	}
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return "", 0, fmt.Errorf("git log in %s: %w", env.Root, err)
	}
	commit, when, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok {
		return "", 0, fmt.Errorf("git log in %s: %s is not committed", env.Root, env.RelDir)
	}
	if epoch, err = strconv.ParseInt(when, 10, 64); err != nil {
		return commit, 0, fmt.Errorf("git log in %s: commit time %q: %w", env.Root, when, err)
	}
	// A shallow clone's oldest commits stand for all the history cut off: a last change
	// found there may be older, and its date is the cut's, so the image would change
	// with every push.
	if shallowBoundary(env.Root, commit) {
		return commit, epoch, fmt.Errorf("git log in %s: the clone is shallow and its history ends at %s, so the last change to %s may be older: fetch the whole history (actions/checkout with fetch-depth: 0)", env.Root, commit[:min(12, len(commit))], env.RelDir)
	}
	return commit, epoch, nil
}

// shallowBoundary reports whether commit is where a shallow clone's history was cut.
func shallowBoundary(root, commit string) bool {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--git-path", "shallow").Output()
	if err != nil {
		return false
	}
	p := strings.TrimSpace(string(out))
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	return slices.Contains(strings.Fields(string(data)), commit)
}

// PackagesCommit names the package repository's commit: the pin, or the local
// checkout's HEAD when there is one ("" when it is no git checkout).
func PackagesCommit(dir string, pins *spack.Pins) string {
	if dir == "" {
		return pins.Packages.Commit
	}
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// PackagesIdentity names the package repository's content: the pin, or a local
// checkout's HEAD with a hash of its local changes. It is "" when a local directory
// is no git checkout: its content is then unknown.
func PackagesIdentity(dir string, pins *spack.Pins) string {
	commit := PackagesCommit(dir, pins)
	if dir == "" || commit == "" {
		return commit
	}
	status, err := exec.Command("git", "-C", dir, "status", "--porcelain", "-z", "--untracked-files=all").Output()
	if err != nil {
		return ""
	}
	if len(status) == 0 {
		return commit
	}
	h := sha256.New()
	h.Write(status)
	diff := exec.Command("git", "-C", dir, "diff", "HEAD", "--binary")
	diff.Stdout = h
	if diff.Run() != nil {
		return ""
	}
	for _, entry := range strings.Split(string(status), "\x00") {
		if p, ok := strings.CutPrefix(entry, "?? "); ok {
			sum, err := fileSHA256(filepath.Join(dir, p))
			if err != nil {
				return ""
			}
			fmt.Fprintf(h, "%s %s\n", p, sum)
		}
	}
	return commit + "+dirty." + hex.EncodeToString(h.Sum(nil))[:16]
}

// repositoryPath is the git work tree holding dir, and dir relative to it.
func repositoryPath(dir string) (top, rel string, err error) {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "", "", fmt.Errorf("%s is not in a git repository", dir)
	}
	top = strings.TrimSpace(string(out))
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	rel, err = filepath.Rel(top, abs)
	return top, rel, err
}

// gitExtract writes the repository's tree at revision into dir.
func gitExtract(top, revision, dir string) error {
	archive := exec.Command("git", "-C", top, "archive", "--format=tar", revision)
	untar := exec.Command("tar", "-x", "-C", dir)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	var stderr strings.Builder
	archive.Stderr = &stderr
	if err := archive.Start(); err != nil {
		return err
	}
	untarErr := untar.Run()
	if err := archive.Wait(); err != nil {
		return fmt.Errorf("revision %s is not in %s: %s", revision, top, strings.TrimSpace(stderr.String()))
	}
	return untarErr
}
