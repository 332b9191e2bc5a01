package updates

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// releaseTag is a spack-packages release tag.
var releaseTag = regexp.MustCompile(`^v[0-9]{4}\.[0-9]{2}\.[0-9]+$`)

// PinUpdate decides whether pins.yaml (at path) should move to the newest vYYYY.MM.N
// tag of spack-packages, by Spack's version order. listTags lists the remote's tags
// with the commit each points to (ParseTags); it is not called when the ignore list
// ignores spack-packages. Any problem is a failed row.
func PinUpdate(path string, ignore IgnoreList, listTags func() (map[string]string, error)) Row {
	row := Row{Env: PinsEnv, Package: "spack-packages", Current: "-", Newest: "-"}
	pins, err := spack.LoadPins(path)
	if err != nil {
		row.Fail("pins.yaml unreadable", err)
		return row
	}
	pin := pins.Packages
	row.Current = pin.Tag
	if ignore.IgnoresPackage("spack-packages") {
		row.Action = "ignored"
		return row
	}
	current, err := spack.ParseVersion(strings.TrimPrefix(pin.Tag, "v"))
	if err != nil {
		row.Fail("tag is no version", fmt.Errorf("%s: spack-packages.tag %q: %w", path, pin.Tag, err))
		return row
	}
	tags, err := listTags()
	if err != nil {
		row.Fail("listing tags", err)
		return row
	}
	exclude := ignore.Excludes("spack-packages")
	var best string
	var bestV spack.Version
	for tag := range tags {
		v, err := spack.ParseVersion(strings.TrimPrefix(tag, "v"))
		if err != nil || !releaseTag.MatchString(tag) || exclude != nil && exclude(v) {
			continue
		}
		if best == "" || bestV.Less(v) {
			best, bestV = tag, v
		}
	}
	if best == "" {
		row.Action = "skip: no vYYYY.MM.N tag at remote"
		return row
	}
	row.Newest = best
	if !current.Less(bestV) {
		row.Action = "up to date"
		return row
	}
	content, err := pins.SetPackages(best, tags[best])
	if err != nil {
		row.Fail("pins.yaml not editable", err)
		return row
	}
	row.Action = "update"
	row.Update = &Update{File: path, Content: content, Homepage: compareURL(pin.Git, pin.Tag, best)}
	return row
}

// compareURL links the changes between two tags on GitHub, or says where they are.
func compareURL(git, from, to string) string {
	if u, ok := strings.CutPrefix(git, "https://github.com/"); ok {
		return fmt.Sprintf("Changes: https://github.com/%s/compare/%s...%s", strings.TrimSuffix(u, ".git"), from, to)
	}
	return fmt.Sprintf("Changes: %s %s...%s", git, from, to)
}

// RemoteTags lists the tags of a git remote (a URL or a path) with the commit each
// points to, by `git ls-remote`, which never prompts for credentials here.
func RemoteTags(ctx context.Context, remote string) (map[string]string, error) {
	if strings.HasPrefix(remote, "-") {
		return nil, fmt.Errorf("listing tags of %q: not a git remote", remote)
	}
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--tags", remote)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s: %w: %s", remote, err, strings.TrimSpace(stderr.String()))
	}
	return ParseTags(out), nil
}

// ParseTags reads `git ls-remote --tags` output into each tag's commit; an annotated
// tag's commit comes from its peeled "^{}" line.
func ParseTags(out []byte) map[string]string {
	tags := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		sha, ref, ok := strings.Cut(sc.Text(), "\t")
		tag, isTag := strings.CutPrefix(ref, "refs/tags/")
		if !ok || !isTag {
			continue
		}
		if t, peeled := strings.CutSuffix(tag, "^{}"); peeled {
			tags[t] = sha
		} else if _, seen := tags[tag]; !seen {
			tags[tag] = sha
		}
	}
	return tags
}
