package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v50/github"
)

// refUpdate is how setRef points a branch at a commit.
type refUpdate int

const (
	createRef   refUpdate = iota // the branch must not exist
	fastForward                  // the commit must descend from the branch's head
	forceRef                     // whatever the branch points to
)

// setRef points branch of the repository of s at sha. When GitHub refuses (422), it
// reads the branch again: a branch at sha took a first attempt whose answer was lost,
// which is success; otherwise it returns the branch's head with the refusal, for the
// caller to tell a branch that moved or belongs to someone else from other refusals.
// now is nil when there is no refusal to look into.
func (c *Client) setRef(ctx context.Context, s *Snapshot, branch, sha string, how refUpdate) (now *Snapshot, err error) {
	full := s.owner + "/" + s.repo
	ref := &gh.Reference{Ref: gh.String("refs/heads/" + branch), Object: &gh.GitObject{SHA: gh.String(sha)}}
	what, kind := fmt.Sprintf("updating branch %s of %s", branch, full), conditional
	switch how {
	case createRef:
		what = fmt.Sprintf("creating branch %s of %s", branch, full)
	case forceRef:
		what, kind = fmt.Sprintf("moving branch %s of %s", branch, full), idempotent
	}
	err = c.call(ctx, what, kind, func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		if how == createRef {
			_, resp, err = c.gh.Git.CreateRef(ctx, s.owner, s.repo, ref)
		} else {
			_, resp, err = c.gh.Git.UpdateRef(ctx, s.owner, s.repo, ref, how == forceRef)
		}
		return resp, err
	})
	if statusOf(err) != http.StatusUnprocessableEntity {
		return nil, err
	}
	now, rerr := c.head(ctx, s.owner, s.repo, branch, s.cache)
	switch {
	case rerr != nil:
		return nil, errors.Join(err, rerr)
	case now.commit == sha:
		return nil, nil
	}
	return now, err
}

// moveBranch points branch at sha, which must descend from head. It returns an error
// wrapping ErrBranchMoved when the branch no longer points where head said.
func (c *Client) moveBranch(ctx context.Context, head *Snapshot, branch, sha string) error {
	how := fastForward
	if head.commit == "" {
		how = createRef
	}
	// 422 is GitHub's answer to "Update is not a fast forward" and "Reference already
	// exists", but also to other refusals: retry only if the branch really moved.
	now, err := c.setRef(ctx, head, branch, sha, how)
	if now != nil && now.commit != head.commit {
		return fmt.Errorf("%w: %w", ErrBranchMoved, err)
	}
	return err
}

// pointBranch creates branch at sha for a Commit WithBase. A branch that exists is
// moved if its head commit has message (an earlier attempt at the same change), and
// left alone with ErrBranchTaken if not.
func (c *Client) pointBranch(ctx context.Context, base *Snapshot, branch, sha, message string) error {
	now, err := c.setRef(ctx, base, branch, sha, createRef)
	switch {
	case now == nil || now.commit == "":
		return err // done, or not there after all: some other refusal
	case now.message != message:
		return fmt.Errorf("creating branch %s of %s/%s: %w", branch, base.owner, base.repo, ErrBranchTaken)
	}
	// The branch is this change's, and its old commit sits on an older base: move it
	// whatever it points to now.
	_, err = c.setRef(ctx, base, branch, sha, forceRef)
	return err
}

// validBranch checks a branch name against git's ref rules, as far as a branch
// named from user input can break them.
func validBranch(b string) bool {
	if b == "" || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") || strings.HasSuffix(b, ".lock") ||
		strings.Contains(b, "..") || strings.Contains(b, "//") || strings.Contains(b, "@{") {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c == 0x7f || strings.ContainsRune("~^:?*[\\", c) {
			return false
		}
	}
	return true
}
