package slim

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Tree is a directory on the local disk that holds files at the paths they will have in
// the image: Host/opt/software/x/bin/y is the image's /opt/software/x/bin/y.
type Tree struct {
	Host    string
	entries map[string]entry
}

type entry struct {
	link string // the symlink's target, or "" for a regular file
	size int64
	dir  bool
}

// Scan reads the file list of the tree rooted at host.
func Scan(host string) (*Tree, error) {
	t := &Tree{Host: host, entries: map[string]entry{}}
	err := filepath.WalkDir(host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(host, p)
		if err != nil {
			return err
		}
		img := path.Join("/", filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			t.entries[img] = entry{link: target}
		case d.IsDir():
			t.entries[img] = entry{dir: true}
		case d.Type().IsRegular():
			t.entries[img] = entry{size: info.Size()}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning %s: %w", host, err)
	}
	return t, nil
}

// Filter returns the part of t whose paths keep accepts; the files stay where they
// are on the local disk.
func (t *Tree) Filter(keep func(p string) bool) *Tree {
	out := &Tree{Host: t.Host, entries: map[string]entry{}}
	for p, e := range t.entries {
		if keep(p) {
			out.entries[p] = e
		}
	}
	return out
}

// ParseListing reads `find DIR -type f -printf '%s %P\n'`, DIR standing for the
// image's root: a tree of file sizes only, for measuring files that never leave the
// engine.
func ParseListing(out string) (*Tree, error) {
	t := &Tree{entries: map[string]entry{}}
	for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		size, p, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("file listing line %d: %q: want SIZE PATH", i+1, line)
		}
		t.entries[path.Join("/", p)] = entry{size: n}
	}
	return t, nil
}

// Paths lists the tree's regular files and symlinks, sorted.
func (t *Tree) Paths() []string {
	var out []string
	for p, e := range t.entries {
		if !e.dir {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Size is the total size of the regular files at or below image path prefix ("/" for
// all): the bytes the files add to an image, symlinks and directories aside.
func (t *Tree) Size(prefix string) int64 {
	var n int64
	for p, e := range t.entries {
		if p == prefix || prefix == "/" || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/") {
			n += e.size
		}
	}
	return n
}

// resolve follows symlinks inside the tree and returns the chain of paths visited, the
// last being a regular file; ok is false if the path leads outside the tree or nowhere.
func (t *Tree) resolve(p string) (chain []string, ok bool) {
	p = path.Clean(p)
	for range 40 {
		// A symlinked directory on the way (lib64 -> lib) counts too.
		p = t.resolveDirs(p)
		e, found := t.entries[p]
		if !found || e.dir {
			return chain, false
		}
		chain = append(chain, p)
		if e.link == "" {
			return chain, true
		}
		if path.IsAbs(e.link) {
			p = path.Clean(e.link)
		} else {
			p = path.Join(path.Dir(p), e.link)
		}
	}
	return chain, false
}

func (t *Tree) resolveDirs(p string) string {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
	for i, part := range parts {
		next := path.Join(cur, part)
		if e, ok := t.entries[next]; ok && e.link != "" && i < len(parts)-1 {
			if path.IsAbs(e.link) {
				next = path.Clean(e.link)
			} else {
				next = path.Join(cur, e.link)
			}
		}
		cur = next
	}
	return cur
}

// Exists reports whether image path p is in the tree at all: a file, a symlink or a
// directory.
func (t *Tree) Exists(p string) bool {
	_, ok := t.entries[t.resolveDirs(path.Clean(p))]
	return ok
}

// Has reports whether image path p exists in the tree as a file or a symlink to one.
func (t *Tree) Has(p string) bool {
	_, ok := t.resolve(p)
	return ok
}

// ELF is what the dynamic loader needs to know about one ELF file.
type ELF struct {
	// Path is the file's path in the image.
	Path string
	// Needed are its DT_NEEDED entries, in order.
	Needed []string
	// SearchPath is DT_RUNPATH, else DT_RPATH, with $ORIGIN expanded.
	SearchPath []string
	// Interp is the program interpreter (the loader) of an executable, else "".
	Interp string
	// Machine is the ELF machine, e.g. EM_X86_64.
	Machine elf.Machine
}

// ELFs parses every ELF file of the tree (not following symlinks, so each file once).
func (t *Tree) ELFs() ([]ELF, error) {
	var out []ELF
	for _, p := range t.Paths() {
		if t.entries[p].link != "" {
			continue
		}
		e, err := t.readELF(p)
		if errors.Is(err, errNotELF) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}

var errNotELF = errors.New("not an ELF file")

func (t *Tree) readELF(img string) (*ELF, error) {
	host := filepath.Join(t.Host, filepath.FromSlash(img))
	f, err := os.Open(host)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || !bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		return nil, errNotELF
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		// Object files of other formats, firmware blobs or truncated files: a loader
		// would not load them either.
		return nil, errNotELF
	}
	defer ef.Close()
	return parseELF(img, ef)
}

func parseELF(img string, ef *elf.File) (*ELF, error) {
	e := &ELF{Path: img, Machine: ef.Machine}
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return nil, errNotELF
	}
	for _, prog := range ef.Progs {
		if prog.Type == elf.PT_INTERP {
			b, err := io.ReadAll(prog.Open())
			if err != nil {
				return nil, fmt.Errorf("%s: reading interpreter: %w", img, err)
			}
			e.Interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if ef.Section(".dynamic") == nil {
		return e, nil // static executable
	}
	var err error
	if e.Needed, err = ef.DynString(elf.DT_NEEDED); err != nil {
		return nil, fmt.Errorf("%s: reading DT_NEEDED: %w", img, err)
	}
	paths, _ := ef.DynString(elf.DT_RUNPATH)
	if len(paths) == 0 {
		paths, _ = ef.DynString(elf.DT_RPATH)
	}
	origin := path.Dir(img)
	for _, list := range paths {
		for _, dir := range strings.Split(list, ":") {
			if dir == "" {
				continue
			}
			dir = strings.NewReplacer("$ORIGIN", origin, "${ORIGIN}", origin).Replace(dir)
			e.SearchPath = append(e.SearchPath, path.Clean(dir))
		}
	}
	return e, nil
}

// ReadELF parses one ELF file on the local disk, as it will be at image path img.
func ReadELF(host, img string) (*ELF, error) {
	t := &Tree{Host: "/"}
	e, err := t.readELF(host)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", img, err)
	}
	e.Path = img
	return e, nil
}

// Plan says which libraries the shipped ELF files load from outside their own prefixes.
type Plan struct {
	// RuntimeFiles are the compiler-runtime files to ship (with the symlinks leading to
	// them), as image paths.
	RuntimeFiles []string
	// OS maps a library that neither the shipped files nor the compiler runtime
	// provide to the shipped files that need it: the runtime image's OS must have it.
	OS map[string][]string
	// Interpreters are the loaders the shipped executables name.
	Interpreters []string
}

// PlanLibraries resolves the DT_NEEDED entries of every ELF file in shipped the way the
// loader will: in each file's RUNPATH/RPATH, then in libPath (the image's
// LD_LIBRARY_PATH). A library found in runtimes (the compiler-runtime prefixes) is
// shipped, with what it needs in turn; one found nowhere is left to the OS.
func PlanLibraries(shipped, runtimes *Tree, libPath []string) (*Plan, error) {
	elfs, err := shipped.ELFs()
	if err != nil {
		return nil, err
	}
	return planLibraries(elfs, shipped, runtimes, libPath)
}

// planLibraries is PlanLibraries over shipped's ELF files as already read; it takes
// elfs over as its work list.
func planLibraries(elfs []ELF, shipped, runtimes *Tree, libPath []string) (*Plan, error) {
	plan := &Plan{OS: map[string][]string{}}
	keep := map[string]bool{}
	interps := map[string]bool{}
	done := map[string]bool{}
	for len(elfs) > 0 {
		e := elfs[0]
		elfs = elfs[1:]
		if done[e.Path] {
			continue
		}
		done[e.Path] = true
		if e.Interp != "" {
			interps[e.Interp] = true
		}
	needed:
		for _, lib := range e.Needed {
			dirs := append(append([]string(nil), e.SearchPath...), libPath...)
			if strings.Contains(lib, "/") {
				dirs = []string{""}
			}
			for _, dir := range dirs {
				p := path.Join(dir, lib)
				if shipped.Has(p) {
					continue needed
				}
				if runtimes == nil {
					continue
				}
				chain, ok := runtimes.resolve(p)
				if !ok {
					continue
				}
				for _, c := range chain {
					keep[c] = true
				}
				target := chain[len(chain)-1]
				if !done[target] {
					re, err := runtimes.readELF(target)
					if err != nil && !errors.Is(err, errNotELF) {
						return nil, err
					}
					if re != nil {
						elfs = append(elfs, *re)
					}
				}
				continue needed
			}
			plan.OS[lib] = append(plan.OS[lib], e.Path)
		}
	}
	for p := range keep {
		plan.RuntimeFiles = append(plan.RuntimeFiles, p)
	}
	sort.Strings(plan.RuntimeFiles)
	for p := range interps {
		plan.Interpreters = append(plan.Interpreters, p)
	}
	sort.Strings(plan.Interpreters)
	return plan, nil
}

// OSLibraryDirs are where Debian keeps shared libraries for a machine, in the order the
// loader searches them.
func OSLibraryDirs(m elf.Machine) []string {
	triplet := map[elf.Machine]string{
		elf.EM_X86_64:  "x86_64-linux-gnu",
		elf.EM_AARCH64: "aarch64-linux-gnu",
		elf.EM_PPC64:   "powerpc64le-linux-gnu",
	}[m]
	dirs := []string{}
	if triplet != "" {
		dirs = append(dirs, "/lib/"+triplet, "/usr/lib/"+triplet)
	}
	return append(dirs, "/lib64", "/usr/lib64", "/lib", "/usr/lib")
}
