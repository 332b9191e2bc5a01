package ghtest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

// Stats counts a repository's Git objects and their sizes as Git hashes them (the
// content after the "<type> <size>\x00" header), for measuring what pushes add.
type Stats struct {
	Blobs, Trees, Commits             int
	BlobBytes, TreeBytes, CommitBytes int64
	// Stored is the size of all objects zlib-compressed, as Git stores loose
	// objects; packs, with deltas between objects, are smaller still. Only StoredSize
	// computes it.
	Stored int64
}

// Stats returns the counts and raw sizes of the repository's objects so far. It
// sizes trees and commits without encoding them, so that it stays cheap enough to
// call after every push.
func (r *Repo) Stats() Stats {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	st := Stats{Blobs: len(r.blobs), Trees: len(r.trees), Commits: len(r.commits)}
	for _, data := range r.blobs {
		st.BlobBytes += int64(len(data))
	}
	for _, entries := range r.trees {
		for _, e := range entries {
			// "<mode> <name>\x00" and the 20-byte object id; Git writes 40000 for trees.
			st.TreeBytes += int64(len(strings.TrimPrefix(e.mode, "0")) + len(e.name) + 2 + 20)
		}
	}
	for _, c := range r.commits {
		st.CommitBytes += int64(len(r.commitContent(c)))
	}
	return st
}

// StoredSize is Stats with Stored computed: every object compressed, which takes a
// while for a large repository.
func (r *Repo) StoredSize() Stats {
	st := r.Stats()
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	r.objects(func(typ string, content []byte) {
		buf.Reset()
		zw.Reset(&buf)
		fmt.Fprintf(zw, "%s %d\x00", typ, len(content))
		zw.Write(content)
		zw.Close()
		st.Stored += int64(buf.Len())
	})
	return st
}

// objects calls fn with the content of every object, encoded as Git encodes it. A
// commit's content is rebuilt with a timestamp of the same width as the one it was
// hashed with.
func (r *Repo) objects(fn func(typ string, content []byte)) {
	for _, data := range r.blobs {
		fn("blob", data)
	}
	for _, entries := range r.trees {
		fn("tree", treeContent(entries))
	}
	for _, c := range r.commits {
		fn("commit", r.commitContent(c))
	}
}

// commitContent rebuilds a commit as putCommit hashed it, with a timestamp of the
// same width: commits do not keep theirs.
func (r *Repo) commitContent(c commit) []byte {
	return commitContent(c.tree, c.parents, r.lastCommitTimestamp, c.message)
}

// CountRequests counts the requests so far whose "METHOD /path" starts with prefix.
func (s *Server) CountRequests(prefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// Start starts a server outside a test, e.g. in a benchmark command, and returns it
// with the function that stops it. NewServer needs its testing.TB only to stop the
// server when the test ends.
func Start() (s *Server, stop func()) {
	var tb standalone
	s = NewServer(&tb)
	return s, func() {
		for i := len(tb.cleanups) - 1; i >= 0; i-- {
			tb.cleanups[i]()
		}
	}
}

// standalone is the testing.TB of Start: it keeps the cleanups NewServer registers.
// The embedded TB is nil, so any other method panics: NewServer calls none.
type standalone struct {
	testing.TB
	cleanups []func()
}

func (s *standalone) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }
