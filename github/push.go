package github

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v50/github"
)

// pushAttempts bounds how often Commit rebuilds its change on a branch that moved.
const pushAttempts = 5

// ErrBranchMoved is returned when the branch moved (another push landed) on every
// attempt of a Commit.
var ErrBranchMoved = errors.New("branch moved during the push")

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

// Commit makes one commit on branch of owner/repo with the change build returns for
// the branch's head, through the Git Data API: blobs, a tree on top of the head's
// tree, a commit, and a fast-forward update of the branch. When another push moves the
// branch in the meantime, Commit reads the new head and builds again, up to 5
// attempts, so that concurrent pushes all land and none is lost. A branch that does
// not exist is created; an empty repository gets a first commit (WithInitialFile).
// It returns the new commit, or "" when the change was empty or the head already had
// it.
func (c *Client) Commit(ctx context.Context, owner, repo, branch string, build BuildFunc, opts ...CommitOption) (string, error) {
	full := owner + "/" + repo
	o := commitOptions{initialName: "README.md", initialContent: []byte("# " + repo + "\n")}
	for _, opt := range opts {
		opt(&o)
	}
	cache := &objectCache{trees: map[string][]*gh.TreeEntry{}, blobs: map[string][]byte{}, created: map[string]bool{}}
	initialised := false
	for attempt := 1; ; attempt++ {
		head, err := c.head(ctx, owner, repo, branch, cache)
		if errors.Is(err, errEmptyRepository) && !initialised {
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
		change, err := build(ctx, head)
		if err != nil {
			return "", err
		}
		sha, err := c.commitOn(ctx, head, branch, change)
		if sha == "" || err != nil {
			return sha, err
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

// head reads the commit branch points to. A branch that does not exist gives a
// snapshot without commit; an empty repository gives errEmptyRepository.
func (c *Client) head(ctx context.Context, owner, repo, branch string, cache *objectCache) (*Snapshot, error) {
	full := owner + "/" + repo
	s := &Snapshot{c: c, owner: owner, repo: repo, cache: cache}
	var ref *gh.Reference
	err := c.call(ctx, fmt.Sprintf("reading branch %s of %s", branch, full), func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		ref, resp, err = c.gh.Git.GetRef(ctx, owner, repo, "heads/"+branch)
		return resp, err
	})
	switch statusOf(err) {
	case 0:
		if err != nil {
			return nil, err
		}
	case http.StatusConflict:
		return nil, errEmptyRepository
	case http.StatusNotFound:
		// GitHub answers 404 both for a missing branch and for a repository that does
		// not exist or that the token cannot see; only the second is an error.
		if err := c.call(ctx, "reading repository "+full, func() (*gh.Response, error) {
			_, resp, err := c.gh.Repositories.Get(ctx, owner, repo)
			return resp, err
		}); err != nil {
			return nil, err
		}
		return s, nil
	default:
		return nil, err
	}
	s.commit = ref.GetObject().GetSHA()
	var commit *gh.Commit
	err = c.call(ctx, fmt.Sprintf("reading commit %s of %s", s.commit, full), func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		commit, resp, err = c.gh.Git.GetCommit(ctx, owner, repo, s.commit)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	s.tree = commit.GetTree().GetSHA()
	return s, nil
}

// initialise puts the first commit into an empty repository through the contents
// API, which creates branch.
func (c *Client) initialise(ctx context.Context, owner, repo, branch string, o commitOptions) error {
	return c.call(ctx, fmt.Sprintf("creating the first commit of %s/%s", owner, repo), func() (*gh.Response, error) {
		_, resp, err := c.gh.Repositories.CreateFile(ctx, owner, repo, o.initialName, &gh.RepositoryContentFileOptions{
			Message: gh.String("Create the repository"),
			Content: o.initialContent,
			Branch:  gh.String(branch),
		})
		return resp, err
	})
}

// commitOn writes the blobs, tree and commit of change on top of head and returns the
// commit, or "" when head already has every file of the change.
func (c *Client) commitOn(ctx context.Context, head *Snapshot, branch string, change *Change) (string, error) {
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
			err := c.call(ctx, fmt.Sprintf("creating blob for %s in %s", name, full), func() (*gh.Response, error) {
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
	err := c.call(ctx, "creating tree in "+full, func() (*gh.Response, error) {
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
	err = c.call(ctx, "creating commit in "+full, func() (*gh.Response, error) {
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

// moveBranch points branch at sha, which must descend from head. It returns an error
// wrapping ErrBranchMoved when the branch no longer points where head said.
func (c *Client) moveBranch(ctx context.Context, head *Snapshot, branch, sha string) error {
	full := head.owner + "/" + head.repo
	ref := &gh.Reference{Ref: gh.String("refs/heads/" + branch), Object: &gh.GitObject{SHA: gh.String(sha)}}
	var err error
	if head.commit == "" {
		err = c.call(ctx, fmt.Sprintf("creating branch %s of %s", branch, full), func() (*gh.Response, error) {
			_, resp, err := c.gh.Git.CreateRef(ctx, head.owner, head.repo, ref)
			return resp, err
		})
	} else {
		err = c.call(ctx, fmt.Sprintf("updating branch %s of %s", branch, full), func() (*gh.Response, error) {
			_, resp, err := c.gh.Git.UpdateRef(ctx, head.owner, head.repo, ref, false)
			return resp, err
		})
	}
	if statusOf(err) != http.StatusUnprocessableEntity {
		return err
	}
	// 422 is GitHub's answer to "Update is not a fast forward" and "Reference already
	// exists", but also to other refusals: retry only if the branch really moved.
	now, rerr := c.head(ctx, head.owner, head.repo, branch, head.cache)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	if now.commit != head.commit {
		return fmt.Errorf("%w: %w", ErrBranchMoved, err)
	}
	return err
}

// checkPath refuses paths Git or GitHub would refuse or misplace.
func checkPath(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, `\`) {
		return fmt.Errorf("file path %q: want a relative, slash-separated path", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." || part == ".git" {
			return fmt.Errorf("file path %q: %q is not allowed in a path", name, part)
		}
	}
	if path.Clean(name) != name {
		return fmt.Errorf("file path %q is not clean", name)
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

// objectCache keeps what a Commit read or wrote across its attempts. Git objects are
// immutable, so entries keyed by SHA never go stale.
type objectCache struct {
	mu      sync.Mutex
	trees   map[string][]*gh.TreeEntry
	blobs   map[string][]byte
	created map[string]bool
}

func (o *objectCache) wasCreated(sha string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.created[sha]
}

func (o *objectCache) markCreated(sha string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.created[sha] = true
}

// Snapshot is the tree of one commit of a repository, read lazily through the Git
// Data API: a directory listing or a file costs one request the first time. It
// implements results.RepoReader.
type Snapshot struct {
	c           *Client
	owner, repo string
	// commit and tree are "" for a branch that does not exist yet.
	commit, tree string
	cache        *objectCache
}

// Commit is the commit the snapshot shows, "" for a branch that does not exist yet.
func (s *Snapshot) Commit() string { return s.commit }

// ReadFile returns the content of the file name, or an error wrapping fs.ErrNotExist.
func (s *Snapshot) ReadFile(ctx context.Context, name string) ([]byte, error) {
	e, err := s.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	if e == nil || e.GetType() != "blob" {
		return nil, fmt.Errorf("reading %s in %s/%s: %w", name, s.owner, s.repo, fs.ErrNotExist)
	}
	sha := e.GetSHA()
	s.cache.mu.Lock()
	data, ok := s.cache.blobs[sha]
	s.cache.mu.Unlock()
	if ok {
		return data, nil
	}
	err = s.c.call(ctx, fmt.Sprintf("reading %s in %s/%s", name, s.owner, s.repo), func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		data, resp, err = s.c.gh.Git.GetBlobRaw(ctx, s.owner, s.repo, sha)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	s.cache.blobs[sha] = data
	s.cache.mu.Unlock()
	return data, nil
}

// Exists reports whether the file or directory name exists.
func (s *Snapshot) Exists(ctx context.Context, name string) (bool, error) {
	e, err := s.lookup(ctx, name)
	return e != nil, err
}

// lookup returns the tree entry at name, nil when there is none.
func (s *Snapshot) lookup(ctx context.Context, name string) (*gh.TreeEntry, error) {
	if s.tree == "" {
		return nil, nil
	}
	parts := strings.Split(name, "/")
	tree := s.tree
	for i, part := range parts {
		entries, err := s.list(ctx, tree)
		if err != nil {
			return nil, err
		}
		j := slices.IndexFunc(entries, func(e *gh.TreeEntry) bool { return e.GetPath() == part })
		if j < 0 {
			return nil, nil
		}
		if i == len(parts)-1 {
			return entries[j], nil
		}
		if entries[j].GetType() != "tree" {
			return nil, nil
		}
		tree = entries[j].GetSHA()
	}
	return nil, nil
}

// list returns the entries of one tree, not recursing: reading one directory at a
// time keeps each answer small however many runs the repository holds.
func (s *Snapshot) list(ctx context.Context, sha string) ([]*gh.TreeEntry, error) {
	s.cache.mu.Lock()
	entries, ok := s.cache.trees[sha]
	s.cache.mu.Unlock()
	if ok {
		return entries, nil
	}
	var tree *gh.Tree
	err := s.c.call(ctx, fmt.Sprintf("reading tree %s of %s/%s", sha, s.owner, s.repo), func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		tree, resp, err = s.c.gh.Git.GetTree(ctx, s.owner, s.repo, sha, false)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	if tree.GetTruncated() {
		return nil, fmt.Errorf("reading tree %s of %s/%s: GitHub truncated the listing of one directory", sha, s.owner, s.repo)
	}
	s.cache.mu.Lock()
	s.cache.trees[sha] = tree.Entries
	s.cache.mu.Unlock()
	return tree.Entries, nil
}
