package github

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"

	gh "github.com/google/go-github/v50/github"
)

// head reads the commit branch points to. A branch that does not exist gives a
// snapshot without commit; an empty repository gives errEmptyRepository.
func (c *Client) head(ctx context.Context, owner, repo, branch string, cache *objectCache) (*Snapshot, error) {
	full := owner + "/" + repo
	s := &Snapshot{c: c, owner: owner, repo: repo, cache: cache}
	var ref *gh.Reference
	err := c.call(ctx, fmt.Sprintf("reading branch %s of %s", branch, full), read, func() (*gh.Response, error) {
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
		if err := c.call(ctx, "reading repository "+full, read, func() (*gh.Response, error) {
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
	err = c.call(ctx, fmt.Sprintf("reading commit %s of %s", s.commit, full), read, func() (*gh.Response, error) {
		var resp *gh.Response
		var err error
		commit, resp, err = c.gh.Git.GetCommit(ctx, owner, repo, s.commit)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	s.tree, s.message = commit.GetTree().GetSHA(), commit.GetMessage()
	return s, nil
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
	// commit, tree and message are "" for a branch that does not exist yet.
	commit, tree, message string
	cache                 *objectCache
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
	err = s.c.call(ctx, fmt.Sprintf("reading %s in %s/%s", name, s.owner, s.repo), read, func() (*gh.Response, error) {
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
	err := s.c.call(ctx, fmt.Sprintf("reading tree %s of %s/%s", sha, s.owner, s.repo), read, func() (*gh.Response, error) {
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
