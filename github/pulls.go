package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"

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
	// Title is the pull request's title, e.g. "zlib: update zlib to 1.3.1", and the
	// commit's message: an existing branch whose head commit has it is taken as the
	// bot's own and reused.
	Title string
	// Body is the pull request's description (Markdown).
	Body string
	// Files maps slash-separated paths from the repository's root to the new
	// contents of the files the commit changes.
	Files map[string][]byte
}

// UpdatePRResult says what OpenUpdatePR did.
type UpdatePRResult struct {
	// Number and URL are the pull request opened; zero when skipped.
	Number int
	URL    string
	// Skipped says why no pull request was opened, e.g. "open pull request #12 has
	// branch update/zlib/zlib-1.3.1"; empty when one was.
	Skipped string
	// Existing is the open pull request that already proposes this update, when
	// that is why it was skipped.
	Existing int
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
	for name := range u.Files {
		if err := checkPath(name); err != nil {
			return fmt.Errorf("update pull request: %w", err)
		}
	}
	return nil
}

// OpenUpdatePR opens the pull request u in owner/repo unless it would duplicate one: an
// open pull request from u.Branch or with u.Title means it is open already, and a
// closed, unmerged one from u.Branch means someone rejected this update. Then it
// returns why in Skipped and changes nothing.
//
// Otherwise it commits u.Files on top of u.Base (Commit WithBase), which creates
// u.Branch, and opens the pull request. If u.Branch exists already (a run that
// stopped before opening its pull request) and its head commit has u.Title, the
// branch is the bot's and is moved to the new commit; a branch with other commits is
// left alone and skipped. Each step may be repeated after a failure: a rerun finishes
// what a failed run left, and opens no second pull request.
func (c *Client) OpenUpdatePR(ctx context.Context, owner, repo string, u UpdatePR) (UpdatePRResult, error) {
	if err := u.validate(); err != nil {
		return UpdatePRResult{}, err
	}
	if res, err := c.duplicateUpdatePR(ctx, owner, repo, u); err != nil || res.Skipped != "" {
		return res, err
	}
	sha, err := c.PushFiles(ctx, owner, repo, u.Branch, u.Files, u.Title, WithBase(u.Base))
	switch {
	case errors.Is(err, ErrBranchTaken):
		return UpdatePRResult{Skipped: fmt.Sprintf("branch %s exists with commits the update bot did not make", u.Branch)}, nil
	case err != nil:
		return UpdatePRResult{}, err
	case sha == "":
		return UpdatePRResult{Skipped: fmt.Sprintf("branch %s has these files already", u.Base)}, nil
	}
	return c.createPull(ctx, owner, repo, u)
}

// duplicateUpdatePR says why u duplicates an existing pull request; Skipped is empty
// when it does not.
func (c *Client) duplicateUpdatePR(ctx context.Context, owner, repo string, u UpdatePR) (UpdatePRResult, error) {
	open, err := c.listPulls(ctx, owner, repo, &gh.PullRequestListOptions{State: "open"})
	if err != nil {
		return UpdatePRResult{}, err
	}
	for _, pr := range open {
		switch n := pr.GetNumber(); {
		case pr.GetHead().GetRef() == u.Branch:
			return UpdatePRResult{Skipped: fmt.Sprintf("open pull request #%d has branch %s", n, u.Branch), Existing: n}, nil
		case pr.GetTitle() == u.Title:
			return UpdatePRResult{Skipped: fmt.Sprintf("open pull request #%d has this title", n), Existing: n}, nil
		}
	}
	// The branch names the version, so a closed pull request from it is this update.
	closed, err := c.listPulls(ctx, owner, repo, &gh.PullRequestListOptions{State: "closed", Head: owner + ":" + u.Branch})
	if err != nil {
		return UpdatePRResult{}, err
	}
	for _, pr := range closed {
		if pr.GetHead().GetRef() == u.Branch && pr.MergedAt == nil {
			return UpdatePRResult{Skipped: fmt.Sprintf("closed pull request #%d for this version was not merged", pr.GetNumber())}, nil
		}
	}
	return UpdatePRResult{}, nil
}

// createPull opens u's pull request. GitHub allows one open pull request per head
// branch: after a repeated request it answers 422, and the open one is the first
// attempt's, whose answer was lost; without a repeat, another run opened it.
func (c *Client) createPull(ctx context.Context, owner, repo string, u UpdatePR) (UpdatePRResult, error) {
	attempts := 0
	var pr *gh.PullRequest
	err := c.call(ctx, fmt.Sprintf("opening pull request %q in %s/%s", u.Title, owner, repo), conditional, func() (resp *gh.Response, err error) {
		attempts++
		pr, resp, err = c.gh.PullRequests.Create(ctx, owner, repo, &gh.NewPullRequest{
			Title:               gh.String(u.Title),
			Head:                gh.String(u.Branch),
			Base:                gh.String(u.Base),
			Body:                gh.String(u.Body),
			MaintainerCanModify: gh.Bool(true),
		})
		return resp, err
	})
	if statusOf(err) == http.StatusUnprocessableEntity {
		open, lerr := c.listPulls(ctx, owner, repo, &gh.PullRequestListOptions{State: "open", Head: owner + ":" + u.Branch, Base: u.Base})
		if lerr != nil {
			return UpdatePRResult{}, errors.Join(err, lerr)
		}
		if len(open) > 0 {
			n := open[0].GetNumber()
			if attempts > 1 {
				return UpdatePRResult{Number: n, URL: open[0].GetHTMLURL()}, nil
			}
			return UpdatePRResult{Skipped: fmt.Sprintf("open pull request #%d has branch %s", n, u.Branch), Existing: n}, nil
		}
	}
	if err != nil {
		return UpdatePRResult{}, err
	}
	return UpdatePRResult{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}, nil
}

// listPulls lists all pages of pull requests matching opts.
func (c *Client) listPulls(ctx context.Context, owner, repo string, opts *gh.PullRequestListOptions) ([]*gh.PullRequest, error) {
	opts.PerPage = 100
	var all []*gh.PullRequest
	for {
		var page []*gh.PullRequest
		var resp *gh.Response
		err := c.call(ctx, fmt.Sprintf("listing %s pull requests of %s/%s", opts.State, owner, repo), read, func() (r *gh.Response, err error) {
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
