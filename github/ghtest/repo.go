package ghtest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// Repo is one repository of a Server.
type Repo struct {
	s                   *Server
	owner, name         string
	defaultBranch       string
	blobs               map[string][]byte
	trees               map[string][]entry
	commits             map[string]commit
	refs                map[string]string // "refs/heads/main" -> commit
	pulls               []Pull            // pull request n is pulls[n-1]
	lastCommitTimestamp int64
}

type entry struct {
	name, mode, typ, sha string
}

type commit struct {
	tree    string
	parents []string
	message string
}

// Head returns the commit branch points to, "" when there is no such branch.
func (r *Repo) Head(branch string) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.refs["refs/heads/"+branch]
}

// Files returns every file of the tree branch points to, keyed by path; nil when
// there is no such branch.
func (r *Repo) Files(branch string) map[string][]byte {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	head, ok := r.refs["refs/heads/"+branch]
	if !ok {
		return nil
	}
	files := map[string][]byte{}
	r.walk(r.commits[head].tree, "", func(p string, e entry) {
		if e.typ == "blob" {
			files[p] = r.blobs[e.sha]
		}
	})
	return files
}

// Log returns the messages of the commits of branch, newest first, following first
// parents.
func (r *Repo) Log(branch string) []string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var msgs []string
	for sha := r.refs["refs/heads/"+branch]; sha != ""; {
		c := r.commits[sha]
		msgs = append(msgs, c.message)
		sha = ""
		if len(c.parents) > 0 {
			sha = c.parents[0]
		}
	}
	return msgs
}

// Parents returns the parents of commit sha.
func (r *Repo) Parents(sha string) []string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return slices.Clone(r.commits[sha].parents)
}

// Commit writes files on top of branch (creating the branch if needed) and moves the
// branch, as another client pushing would. It returns the new commit.
func (r *Repo) Commit(branch string, files map[string][]byte, message string) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	ref := "refs/heads/" + branch
	var base string
	var parents []string
	if head, ok := r.refs[ref]; ok {
		base = r.commits[head].tree
		parents = []string{head}
	}
	var changes []change
	for p, data := range files {
		changes = append(changes, change{path: p, mode: "100644", typ: "blob", sha: r.putBlob(data)})
	}
	tree, err := r.applyTree(base, changes)
	if err != nil {
		panic(fmt.Sprintf("ghtest: %v", err)) // files from the test itself
	}
	sha := r.putCommit(tree, parents, message)
	r.refs[ref] = sha
	return sha
}

// walk calls fn for each entry below tree, depth first, with its path.
func (r *Repo) walk(tree, prefix string, fn func(string, entry)) {
	for _, e := range r.trees[tree] {
		p := path.Join(prefix, e.name)
		fn(p, e)
		if e.typ == "tree" {
			r.walk(e.sha, p, fn)
		}
	}
}

// lookup returns the object at path p below tree, "" when there is none.
func (r *Repo) lookup(tree, p string) string {
	sha := ""
	r.walk(tree, "", func(q string, e entry) {
		if q == p {
			sha = e.sha
		}
	})
	return sha
}

// Git object hashing: "<type> <size>\x00<content>".
func hashObject(typ string, content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func (r *Repo) putBlob(data []byte) string {
	sha := hashObject("blob", data)
	r.blobs[sha] = bytes.Clone(data)
	return sha
}

// putTree stores a tree, sorted as Git sorts it (a tree's name compares as if it
// ended in "/").
func (r *Repo) putTree(entries []entry) string {
	slices.SortFunc(entries, func(a, b entry) int {
		ka, kb := a.name, b.name
		if a.typ == "tree" {
			ka += "/"
		}
		if b.typ == "tree" {
			kb += "/"
		}
		return strings.Compare(ka, kb)
	})
	sha := hashObject("tree", treeContent(entries))
	r.trees[sha] = entries
	return sha
}

func (r *Repo) putCommit(tree string, parents []string, message string) string {
	// Distinct timestamps keep two commits of the same tree and parent distinct, as
	// two real pushes a second apart would be.
	ts := max(time.Now().Unix(), r.lastCommitTimestamp+1)
	r.lastCommitTimestamp = ts
	sha := hashObject("commit", commitContent(tree, parents, ts, message))
	r.commits[sha] = commit{tree: tree, parents: slices.Clone(parents), message: message}
	return sha
}

// treeContent encodes a tree as Git does.
func treeContent(entries []entry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		mode := e.mode
		if mode == "040000" {
			mode = "40000"
		}
		raw, _ := hex.DecodeString(e.sha)
		fmt.Fprintf(&b, "%s %s\x00", mode, e.name)
		b.Write(raw)
	}
	return b.Bytes()
}

// commitContent encodes a commit as Git does.
func commitContent(tree string, parents []string, ts int64, message string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, p := range parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author ghtest <ghtest@example.com> %d +0000\n", ts)
	fmt.Fprintf(&b, "committer ghtest <ghtest@example.com> %d +0000\n\n%s", ts, message)
	return b.Bytes()
}

// change is one entry of a "create a tree" request; sha "" deletes the path.
type change struct {
	path, mode, typ, sha string
}

// applyTree returns the tree base (or an empty tree when base is "") with changes
// applied, creating and replacing subtrees along each path.
func (r *Repo) applyTree(base string, changes []change) (string, error) {
	var entries []entry
	if base != "" {
		es, ok := r.trees[base]
		if !ok {
			return "", fmt.Errorf("base_tree %s is not a tree", base)
		}
		entries = slices.Clone(es)
	}
	here := map[string][]change{}
	var order []string
	for _, c := range changes {
		first, rest, nested := strings.Cut(c.path, "/")
		if first == "" || first == "." || first == ".." {
			return "", fmt.Errorf("tree.path %q is not a valid path", c.path)
		}
		if !nested {
			i := slices.IndexFunc(entries, func(e entry) bool { return e.name == first })
			if c.sha == "" {
				if i >= 0 {
					entries = slices.Delete(entries, i, i+1)
				}
				continue
			}
			e := entry{name: first, mode: c.mode, typ: c.typ, sha: c.sha}
			if i >= 0 {
				entries[i] = e
			} else {
				entries = append(entries, e)
			}
			continue
		}
		if _, ok := here[first]; !ok {
			order = append(order, first)
		}
		c.path = rest
		here[first] = append(here[first], c)
	}
	for _, dir := range order {
		i := slices.IndexFunc(entries, func(e entry) bool { return e.name == dir })
		sub := ""
		if i >= 0 && entries[i].typ == "tree" {
			sub = entries[i].sha
		}
		sha, err := r.applyTree(sub, here[dir])
		if err != nil {
			return "", err
		}
		e := entry{name: dir, mode: "040000", typ: "tree", sha: sha}
		switch {
		case len(r.trees[sha]) == 0 && i >= 0:
			entries = slices.Delete(entries, i, i+1)
		case len(r.trees[sha]) == 0:
		case i >= 0:
			entries[i] = e
		default:
			entries = append(entries, e)
		}
	}
	return r.putTree(entries), nil
}

// isAncestor reports whether commit a is c or an ancestor of c.
func (r *Repo) isAncestor(a, c string) bool {
	seen := map[string]bool{}
	stack := []string{c}
	for len(stack) > 0 {
		sha := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if sha == a {
			return true
		}
		if seen[sha] {
			continue
		}
		seen[sha] = true
		stack = append(stack, r.commits[sha].parents...)
	}
	return false
}
