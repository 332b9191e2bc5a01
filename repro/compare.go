package repro

import (
	"archive/tar"
	"fmt"
	"maps"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Entry is a path of an image's file system as its layers leave it.
type Entry struct {
	Path string
	// Type is the tar type flag; whiteout marks a path a layer deletes and opaque
	// a directory a layer empties.
	Type     byte
	Mode     int64
	Uid, Gid int
	Size     int64
	// SHA256 is a regular file's content hash, in hex.
	SHA256 string
	// Link is a symbolic or hard link's target.
	Link               string
	Devmajor, Devminor int64
	// Xattrs are the extended attributes (file capabilities…), "name=hex(value)"
	// lines in name order.
	Xattrs string
}

// Marks for the entries whiteout files leave.
const (
	whiteout byte = 'W'
	opaque   byte = 'O'
)

// String describes the entry for a one-line report.
func (e *Entry) String() string {
	if e == nil {
		return "absent"
	}
	switch e.Type {
	case tar.TypeReg:
		return fmt.Sprintf("%d bytes, sha256 %s, mode %o", e.Size, short(e.SHA256), e.Mode)
	case tar.TypeSymlink:
		return "symlink to " + e.Link
	case tar.TypeLink:
		return "hard link to " + e.Link
	case tar.TypeDir:
		return fmt.Sprintf("directory, mode %o", e.Mode)
	case whiteout:
		return "deleted"
	case opaque:
		return "emptied"
	}
	return fmt.Sprintf("type %q, mode %o", e.Type, e.Mode)
}

func short(h string) string { return h[:min(len(h), 12)] }

// FileDiff is a path whose entries differ; A or B is nil where the path is missing.
type FileDiff struct {
	Path string
	A, B *Entry
}

// Differences are where two images differ: files in path order, then the config.
type Differences struct {
	Files  []FileDiff
	Config []string
}

// None reports whether the images hold the same files and config.
func (d *Differences) None() bool { return len(d.Files) == 0 && len(d.Config) == 0 }

// Compare reads both images' file systems and configs. Layers the two share at the
// bottom (the base, usually) are read once. Times do not count: Normalize gives every
// file the same one; the config's created date does.
func Compare(a, b v1.Image) (*Differences, error) {
	la, err := a.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	lb, err := b.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	common := 0
	for common < min(len(la), len(lb)) && sameLayer(la[common], lb[common]) {
		common++
	}
	shared := newTree(nil)
	if err := shared.apply(la[:common]); err != nil {
		return nil, err
	}
	ta, tb := shared.clone(), shared.clone()
	if err := ta.apply(la[common:]); err != nil {
		return nil, err
	}
	if err := tb.apply(lb[common:]); err != nil {
		return nil, err
	}
	d := &Differences{}
	for _, p := range keysOfBoth(ta.entries, tb.entries) {
		ea, eb := ta.entries[p], tb.entries[p]
		if ea == nil || eb == nil || *ea != *eb {
			d.Files = append(d.Files, FileDiff{Path: p, A: ea, B: eb})
		}
	}
	ca, err := a.ConfigFile()
	if err != nil {
		return nil, err
	}
	cb, err := b.ConfigFile()
	if err != nil {
		return nil, err
	}
	d.Config = compareConfig(ca, cb)
	return d, nil
}

func sameLayer(a, b v1.Layer) bool {
	da, errA := a.DiffID()
	db, errB := b.DiffID()
	return errA == nil && errB == nil && da == db
}

// keysOfBoth are the keys of a and b, sorted, each once.
func keysOfBoth[V any](a, b map[string]V) []string {
	keys := slices.AppendSeq(slices.Collect(maps.Keys(a)), maps.Keys(b))
	slices.Sort(keys)
	return slices.Compact(keys)
}

// compareConfig lists the config fields that differ, labels one by one.
func compareConfig(a, b *v1.ConfigFile) []string {
	var out []string
	diff := func(field string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, fmt.Sprintf("%s: %v vs %v", field, x, y))
		}
	}
	diff("created", a.Created.UTC(), b.Created.UTC())
	diff("platform", a.OS+"/"+a.Architecture+a.Variant, b.OS+"/"+b.Architecture+b.Variant)
	diff("env", a.Config.Env, b.Config.Env)
	diff("entrypoint", a.Config.Entrypoint, b.Config.Entrypoint)
	diff("cmd", a.Config.Cmd, b.Config.Cmd)
	diff("workdir", a.Config.WorkingDir, b.Config.WorkingDir)
	diff("user", a.Config.User, b.Config.User)
	for _, k := range keysOfBoth(a.Config.Labels, b.Config.Labels) {
		x, okA := a.Config.Labels[k]
		y, okB := b.Config.Labels[k]
		if x != y || okA != okB {
			out = append(out, fmt.Sprintf("label %s: %q vs %q", k, x, y))
		}
	}
	return out
}
