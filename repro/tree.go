package repro

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// tree is a file system as layers leave it, by absolute path. A path a layer deletes
// is an entry of type whiteout; a directory a layer empties of what lower layers put
// there has an entry of type opaque at "<dir>/" besides its own.
type tree struct {
	entries map[string]*Entry
	// spool, when set, keeps the regular files' contents, at offsets by path.
	spool  *os.File
	offset map[string]int64
	end    int64
}

func newTree(spool *os.File) *tree {
	return &tree{entries: map[string]*Entry{}, spool: spool, offset: map[string]int64{}}
}

// clone copies the entries; the copy keeps no contents.
func (t *tree) clone() *tree {
	c := newTree(nil)
	c.entries = maps.Clone(t.entries)
	return c
}

func (t *tree) apply(layers []v1.Layer) error {
	for i, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			return fmt.Errorf("reading layer %d: %w", i, err)
		}
		err = t.applyLayer(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("reading layer %d: %w", i, err)
		}
	}
	return nil
}

func (t *tree) applyLayer(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		p := path.Clean("/" + hdr.Name)
		dir, base := path.Split(p)
		dir = path.Clean(dir)
		if base == ".wh..wh..opq" {
			t.remove(dir, false)
			t.entries[strings.TrimSuffix(dir, "/")+"/"] = &Entry{Path: strings.TrimSuffix(dir, "/") + "/", Type: opaque}
			continue
		}
		if name, ok := strings.CutPrefix(base, ".wh."); ok {
			gone := path.Join(dir, name)
			t.remove(gone, true)
			t.entries[gone] = &Entry{Path: gone, Type: whiteout}
			continue
		}
		e := &Entry{
			Path: p, Type: hdr.Typeflag, Mode: hdr.Mode, Uid: hdr.Uid, Gid: hdr.Gid, Link: hdr.Linkname,
			Devmajor: hdr.Devmajor, Devminor: hdr.Devminor, Xattrs: xattrLines(hdr.PAXRecords),
		}
		if hdr.Typeflag == tar.TypeReg {
			if err := t.content(e, tr); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		t.entries[p] = e
	}
}

// content hashes a regular file, and keeps it in the spool when there is one.
func (t *tree) content(e *Entry, r io.Reader) error {
	h := sha256.New()
	var w io.Writer = h
	if t.spool != nil {
		t.offset[e.Path] = t.end
		w = io.MultiWriter(h, t.spool)
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return err
	}
	t.end += n
	e.Size, e.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// remove drops what is below p, and p itself when self is set.
func (t *tree) remove(p string, self bool) {
	prefix := strings.TrimSuffix(p, "/") + "/"
	for k := range t.entries {
		if (self && k == p) || strings.HasPrefix(k, prefix) {
			delete(t.entries, k)
		}
	}
}

// xattrLines are the extended attributes of PAX records as "name=hex(value)" lines
// in name order (values are bytes: file capabilities are binary).
func xattrLines(pax map[string]string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(pax)) {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			lines = append(lines, name+"="+hex.EncodeToString([]byte(pax[k])))
		}
	}
	return strings.Join(lines, "\n")
}

// paxXattrs turns xattrLines back into PAX records, nil for none.
func paxXattrs(lines string) (map[string]string, error) {
	if lines == "" {
		return nil, nil
	}
	pax := map[string]string{}
	for _, l := range strings.Split(lines, "\n") {
		name, value, _ := strings.Cut(l, "=")
		b, err := hex.DecodeString(value)
		if err != nil {
			return nil, fmt.Errorf("extended attribute %s: %w", name, err)
		}
		pax["SCHILY.xattr."+name] = string(b)
	}
	return pax, nil
}
