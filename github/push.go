package github

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	gh "github.com/google/go-github/v50/github"
)

// pushAttempts bounds how often Commit rebuilds its change on a branch that moved.
const pushAttempts = 5

// ErrBranchMoved is returned when the branch moved (another push landed) on every
// attempt of a Commit.
var ErrBranchMoved = errors.New("branch moved during the push")

// ErrBranchTaken is returned by a Commit WithBase when its branch exists with commits
// that are not an earlier attempt at the same change.
var ErrBranchTaken = errors.New("branch exists with other commits")

// Change is what one commit writes.
type Change struct {
	// Files maps slash-separated paths from the repository's root to contents. Files
	// that the head has with the same content are left out of the commit.
	Files map[string][]byte
	// Message is the commit message.
	Message string
}

// BuildFunc computes the change to commit on top of head. It runs once per attempt,
// each time on the branch's newer head, so it must derive everything from head and
// its own inputs. A nil or empty change makes no commit.
type BuildFunc func(ctx context.Context, head *Snapshot) (*Change, error)

type commitOptions struct {
	initialName    string
	initialContent []byte
	base           string
}

// CommitOption configures Commit.
type CommitOption func(*commitOptions)

// WithInitialFile sets the file that Commit creates in an empty repository first: the
// Git Data API refuses to work on a repository without commits (409 "Git Repository
// is empty"), so the first commit goes through the contents API. The default is a
// README.md holding the repository's name.
func WithInitialFile(name string, content []byte) CommitOption {
	return func(o *commitOptions) {
		o.initialName, o.initialContent = name, content
	}
}

// WithBase makes Commit build on the head of base instead of the branch it commits
// to, as for a pull request, and create the branch at the new commit. A branch that
// exists already is moved to the new commit if its head commit has the change's
// message, being an earlier attempt at the same change that stopped before it
// finished; any other branch is left alone, and Commit returns ErrBranchTaken. The
// base branch must exist.
func WithBase(base string) CommitOption {
	return func(o *commitOptions) { o.base = base }
}

// Commit makes one commit on branch of owner/repo with the change build returns for
// the branch's head, through the Git Data API: blobs, a tree on top of the head's
// tree, a commit, and a fast-forward update of the branch. When another push moves the
// branch in the meantime, Commit reads the new head and builds again, up to 5
// attempts, so that concurrent pushes all land and none is lost. A branch that does
// not exist is created; an empty repository gets a first commit (WithInitialFile).
// WithBase builds on another branch's head instead, for a pull request. It returns
// the new commit, or "" when the change was empty or the head already had it.
//
// Every request of a Commit may be repeated after a transient failure (see call): a
// branch found at the new commit after a refused update is taken as this Commit's own
// first attempt, whose answer was lost.
func (c *Client) Commit(ctx context.Context, owner, repo, branch string, build BuildFunc, opts ...CommitOption) (string, error) {
	full := owner + "/" + repo
	o := commitOptions{initialName: "README.md", initialContent: []byte("# " + repo + "\n")}
	for _, opt := range opts {
		opt(&o)
	}
	if !validBranch(branch) {
		return "", fmt.Errorf("pushing to %s: bad branch name %q", full, branch)
	}
	if o.base != "" && !validBranch(o.base) {
		return "", fmt.Errorf("pushing to %s: bad base branch name %q", full, o.base)
	}
	from := cmp.Or(o.base, branch)
	cache := &objectCache{trees: map[string][]*gh.TreeEntry{}, blobs: map[string][]byte{}, created: map[string]bool{}}
	initialised := false
	for attempt := 1; ; attempt++ {
		head, err := c.head(ctx, owner, repo, from, cache)
		if errors.Is(err, errEmptyRepository) && !initialised && o.base == "" {
			if err := c.initialise(ctx, owner, repo, branch, o); err != nil {
				return "", err
			}
			initialised = true
			attempt--
			continue
		}
		if err != nil {
			return "", err
		}
		if o.base != "" && head.commit == "" {
			return "", fmt.Errorf("reading branch %s of %s: not found (404): the base branch does not exist", o.base, full)
		}
		change, err := build(ctx, head)
		if err != nil {
			return "", err
		}
		sha, err := c.commitOn(ctx, head, change)
		if sha == "" || err != nil {
			return sha, err
		}
		if o.base != "" {
			return sha, c.pointBranch(ctx, head, branch, sha, change.Message)
		}
		err = c.moveBranch(ctx, head, branch, sha)
		if !errors.Is(err, ErrBranchMoved) {
			return sha, err
		}
		if attempt == pushAttempts {
			return "", fmt.Errorf("pushing to %s of %s: %w on each of %d attempts", branch, full, ErrBranchMoved, pushAttempts)
		}
		// Two pushes retrying in step would collide again: wait a random while.
		wait := time.Duration(rand.Int64N(int64(100*time.Millisecond)) * int64(attempt))
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("pushing to %s of %s: %w", branch, full, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// PushFiles commits files on branch of owner/repo (see Commit).
func (c *Client) PushFiles(ctx context.Context, owner, repo, branch string, files map[string][]byte, message string, opts ...CommitOption) (string, error) {
	return c.Commit(ctx, owner, repo, branch, func(context.Context, *Snapshot) (*Change, error) {
		return &Change{Files: files, Message: message}, nil
	}, opts...)
}

var errEmptyRepository = errors.New("git repository is empty")

// statusOf returns the HTTP status of a GitHub error response, 0 for other errors.
func statusOf(err error) int {
	var e *gh.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

// initialise puts the first commit into an empty repository through the contents
// API, which creates branch. A 422 means the file exists: another push, or this one's
// first attempt, initialised the repository, and the caller reads the head again.
func (c *Client) initialise(ctx context.Context, owner, repo, branch string, o commitOptions) error {
	err := c.call(ctx, fmt.Sprintf("creating the first commit of %s/%s", owner, repo), conditional, func() (*gh.Response, error) {
		_, resp, err := c.gh.Repositories.CreateFile(ctx, owner, repo, o.initialName, &gh.RepositoryContentFileOptions{
			Message: gh.String("Create the repository"),
			Content: o.initialContent,
			Branch:  gh.String(branch),
		})
		return resp, err
	})
	if statusOf(err) == http.StatusUnprocessableEntity {
		return nil
	}
	return err
}

// commitOn writes the blobs, tree and commit of change on top of head and returns the
// commit, or "" when head already has every file of the change.
func (c *Client) commitOn(ctx context.Context, head *Snapshot, change *Change) (string, error) {
	if change == nil {
		return "", nil
	}
	full := head.owner + "/" + head.repo
	var entries []*gh.TreeEntry
	for _, name := range slices.Sorted(maps.Keys(change.Files)) {
		if err := checkPath(name); err != nil {
			return "", err
		}
		data := change.Files[name]
		sha := blobSHA(data)
		old, err := head.lookup(ctx, name)
		if err != nil {
			return "", err
		}
		if old != nil && old.GetType() == "blob" && old.GetSHA() == sha {
			continue
		}
		if !head.cache.wasCreated(sha) {
			var blob *gh.Blob
			err := c.call(ctx, fmt.Sprintf("creating blob for %s in %s", name, full), idempotent, func() (*gh.Response, error) {
				var resp *gh.Response
				var err error
				blob, resp, err = c.gh.Git.CreateBlob(ctx, head.owner, head.repo, &gh.Blob{
					Content:  gh.String(base64.StdEncoding.EncodeToString(data)),
					Encoding: gh.String("base64"),
				})
				return resp, err
			})
			if err != nil {
				return "", err
			}
			sha = blob.GetSHA()
			head.cache.markCreated(sha)
		}
		entries = append(entries, &gh.TreeEntry{Path: gh.String(name), Mode: gh.String("100644"), Type: gh.String("blob"), SHA: gh.String(sha)})
	}
	if len(entries) == 0 {
		return "", nil
	}
	var tree *gh.Tree
	err := c.call(ctx, "creating tree in "+full, idempotent, func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		tree, resp, err = c.gh.Git.CreateTree(ctx, head.owner, head.repo, head.tree, entries)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	commit := &gh.Commit{Message: gh.String(change.Message), Tree: &gh.Tree{SHA: tree.SHA}}
	if head.commit != "" {
		commit.Parents = []*gh.Commit{{SHA: gh.String(head.commit)}}
	}
	var created *gh.Commit
	err = c.call(ctx, "creating commit in "+full, idempotent, func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		created, resp, err = c.gh.Git.CreateCommit(ctx, head.owner, head.repo, commit)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return created.GetSHA(), nil
}

// checkPath refuses paths Git or GitHub would refuse or misplace.
func checkPath(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, `\`) {
		return fmt.Errorf("bad file path %q: want a relative, slash-separated path", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." || part == ".git" {
			return fmt.Errorf("bad file path %q: %q is not allowed in a path", name, part)
		}
	}
	if path.Clean(name) != name {
		return fmt.Errorf("bad file path %q: not clean", name)
	}
	return nil
}

// blobSHA is the Git object id of a blob holding data.
func blobSHA(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
