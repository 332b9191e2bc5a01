package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	gh "github.com/google/go-github/v50/github"
)

// UpdatePR is one pull request of the update bot: a branch with one commit on top of
// the base branch that changes some files.
type UpdatePR struct {
	// Base is the branch to merge into, e.g. "main".
	Base string
	// Branch is the head branch to create, e.g. "update/zlib/zlib-1.3.1". It names the
	// update, so a pull request from it, open or rejected, is this update.
	Branch string
	// Title is the pull request's title, e.g. "zlib: update zlib to 1.3.1".
	Title string
	// Body is the pull request's description (Markdown).
	Body string
	// Message is the commit message; the title when empty. An existing branch whose
	// head commit has this message is taken as the bot's own and reused.
	Message string
	// Files are the new contents of the files the commit changes.
	Files []File
}

// File is a file's path in the repository and its new contents.
type File struct {
	Path    string
	Content []byte
}

// UpdatePRResult says what OpenUpdatePR did.
type UpdatePRResult struct {
	// Number and URL are the pull request opened; zero when skipped.
	Number int
	URL    string
	// Skipped says why no pull request was opened, e.g. "open pull request #12 has
	// this branch"; empty when one was.
	Skipped string
}

func (u *UpdatePR) validate() error {
	switch {
	case u.Base == "":
		return errors.New("update pull request: base branch is empty")
	case !validBranch(u.Branch):
		return fmt.Errorf("update pull request: bad branch name %q", u.Branch)
	case u.Title == "":
		return errors.New("update pull request: title is empty")
	case len(u.Files) == 0:
		return errors.New("update pull request: no files")
	}
	for _, f := range u.Files {
		if f.Path == "" || path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || strings.HasPrefix(f.Path, "../") {
			return fmt.Errorf("update pull request: bad file path %q", f.Path)
		}
	}
	return nil
}

// validBranch checks a branch name against git's ref rules, as far as an update
// branch can break them.
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

// OpenUpdatePR opens the pull request u in owner/repo unless it would duplicate one: an
// open pull request from u.Branch or with u.Title means it is open already, and a
// closed, unmerged one from u.Branch means someone rejected this update. Then it
// returns why in Skipped and changes nothing.
//
// Otherwise it commits u.Files on top of u.Base with the Git Data API, points u.Branch
// at the commit and opens the pull request. If u.Branch exists already (a run that
// stopped before opening its pull request) and its head commit has u.Message, the
// branch is the bot's and is moved to the new commit; a branch with other commits is
// left alone and skipped.
func (c *Client) OpenUpdatePR(ctx context.Context, owner, repo string, u UpdatePR) (UpdatePRResult, error) {
	if err := u.validate(); err != nil {
		return UpdatePRResult{}, err
	}
	if u.Message == "" {
		u.Message = u.Title
	}
	if skip, err := c.duplicateUpdatePR(ctx, owner, repo, u); err != nil || skip != "" {
		return UpdatePRResult{Skipped: skip}, err
	}

	// One commit with the new files on top of the base branch.
	var base *gh.Reference
	err := c.call(ctx, fmt.Sprintf("reading branch %s of %s/%s", u.Base, owner, repo), func() (resp *gh.Response, err error) {
		base, resp, err = c.gh.Git.GetRef(ctx, owner, repo, "heads/"+u.Base)
		return resp, err
	})
	if err != nil {
		return UpdatePRResult{}, err
	}
	baseSHA := base.GetObject().GetSHA()
	var baseCommit *gh.Commit
	err = c.call(ctx, fmt.Sprintf("reading commit %s of %s/%s", baseSHA, owner, repo), func() (resp *gh.Response, err error) {
		baseCommit, resp, err = c.gh.Git.GetCommit(ctx, owner, repo, baseSHA)
		return resp, err
	})
	if err != nil {
		return UpdatePRResult{}, err
	}
	entries := make([]*gh.TreeEntry, len(u.Files))
	for i, f := range u.Files {
		entries[i] = &gh.TreeEntry{Path: gh.String(f.Path), Mode: gh.String("100644"), Type: gh.String("blob"), Content: gh.String(string(f.Content))}
	}
	var tree *gh.Tree
	err = c.call(ctx, fmt.Sprintf("creating tree in %s/%s", owner, repo), func() (resp *gh.Response, err error) {
		tree, resp, err = c.gh.Git.CreateTree(ctx, owner, repo, baseCommit.GetTree().GetSHA(), entries)
		return resp, err
	})
	if err != nil {
		return UpdatePRResult{}, err
	}
	var commit *gh.Commit
	err = c.call(ctx, fmt.Sprintf("creating commit in %s/%s", owner, repo), func() (resp *gh.Response, err error) {
		commit, resp, err = c.gh.Git.CreateCommit(ctx, owner, repo, &gh.Commit{
			Message: gh.String(u.Message),
			Tree:    &gh.Tree{SHA: tree.SHA},
			Parents: []*gh.Commit{{SHA: gh.String(baseSHA)}},
		})
		return resp, err
	})
	if err != nil {
		return UpdatePRResult{}, err
	}

	skip, err := c.pointBranch(ctx, owner, repo, u, commit.GetSHA())
	if err != nil || skip != "" {
		return UpdatePRResult{Skipped: skip}, err
	}

	var pr *gh.PullRequest
	err = c.call(ctx, fmt.Sprintf("opening pull request %q in %s/%s", u.Title, owner, repo), func() (resp *gh.Response, err error) {
		pr, resp, err = c.gh.PullRequests.Create(ctx, owner, repo, &gh.NewPullRequest{
			Title:               gh.String(u.Title),
			Head:                gh.String(u.Branch),
			Base:                gh.String(u.Base),
			Body:                gh.String(u.Body),
			MaintainerCanModify: gh.Bool(true),
		})
		return resp, err
	})
	if err != nil {
		return UpdatePRResult{}, err
	}
	return UpdatePRResult{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}, nil
}

// duplicateUpdatePR returns why u duplicates an existing pull request, or "".
func (c *Client) duplicateUpdatePR(ctx context.Context, owner, repo string, u UpdatePR) (string, error) {
	open, err := c.listPulls(ctx, owner, repo, &gh.PullRequestListOptions{State: "open"})
	if err != nil {
		return "", err
	}
	for _, pr := range open {
		switch {
		case pr.GetHead().GetRef() == u.Branch:
			return fmt.Sprintf("open pull request #%d has branch %s", pr.GetNumber(), u.Branch), nil
		case pr.GetTitle() == u.Title:
			return fmt.Sprintf("open pull request #%d has this title", pr.GetNumber()), nil
		}
	}
	// The branch names the version, so a closed pull request from it is this update.
	closed, err := c.listPulls(ctx, owner, repo, &gh.PullRequestListOptions{State: "closed", Head: owner + ":" + u.Branch})
	if err != nil {
		return "", err
	}
	for _, pr := range closed {
		if pr.GetHead().GetRef() == u.Branch && pr.MergedAt == nil {
			return fmt.Sprintf("closed pull request #%d for this version was not merged", pr.GetNumber()), nil
		}
	}
	return "", nil
}

// listPulls lists all pages of pull requests matching opts.
func (c *Client) listPulls(ctx context.Context, owner, repo string, opts *gh.PullRequestListOptions) ([]*gh.PullRequest, error) {
	opts.PerPage = 100
	var all []*gh.PullRequest
	for {
		var page []*gh.PullRequest
		var resp *gh.Response
		err := c.call(ctx, fmt.Sprintf("listing %s pull requests of %s/%s", opts.State, owner, repo), func() (r *gh.Response, err error) {
			page, resp, err = c.gh.PullRequests.List(ctx, owner, repo, opts)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

// pointBranch creates u.Branch at sha. If the branch exists and is the bot's (its head
// commit has u.Message) it is moved to sha; if it is someone else's, it is left alone
// and pointBranch returns why it skipped.
func (c *Client) pointBranch(ctx context.Context, owner, repo string, u UpdatePR, sha string) (string, error) {
	ref := "refs/heads/" + u.Branch
	err := c.call(ctx, fmt.Sprintf("creating branch %s in %s/%s", u.Branch, owner, repo), func() (resp *gh.Response, err error) {
		_, resp, err = c.gh.Git.CreateRef(ctx, owner, repo, &gh.Reference{Ref: gh.String(ref), Object: &gh.GitObject{SHA: gh.String(sha)}})
		return resp, err
	})
	var er *gh.ErrorResponse
	if err == nil || !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return "", err
	}

	// 422: the reference exists already. Whose is it?
	var existing *gh.Reference
	err = c.call(ctx, fmt.Sprintf("reading branch %s of %s/%s", u.Branch, owner, repo), func() (resp *gh.Response, err error) {
		existing, resp, err = c.gh.Git.GetRef(ctx, owner, repo, "heads/"+u.Branch)
		return resp, err
	})
	if err != nil {
		return "", fmt.Errorf("creating branch %s in %s/%s: %w", u.Branch, owner, repo, err)
	}
	headSHA := existing.GetObject().GetSHA()
	var head *gh.Commit
	err = c.call(ctx, fmt.Sprintf("reading commit %s of %s/%s", headSHA, owner, repo), func() (resp *gh.Response, err error) {
		head, resp, err = c.gh.Git.GetCommit(ctx, owner, repo, headSHA)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if head.GetMessage() != u.Message {
		return fmt.Sprintf("branch %s exists with commits the update bot did not make", u.Branch), nil
	}
	err = c.call(ctx, fmt.Sprintf("moving branch %s of %s/%s", u.Branch, owner, repo), func() (resp *gh.Response, err error) {
		_, resp, err = c.gh.Git.UpdateRef(ctx, owner, repo, &gh.Reference{Ref: gh.String(ref), Object: &gh.GitObject{SHA: gh.String(sha)}}, true)
		return resp, err
	})
	return "", err
}
