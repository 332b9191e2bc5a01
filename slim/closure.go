package slim

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Prefix is an install prefix of the runtime closure. A compiler runtime's
// (CompilerRuntimes) ships file by file: only the libraries some shipped ELF file
// loads. Every other prefix ships whole, pruned by the profile.
type Prefix struct {
	Name string // the package
	Path string
}

func (p Prefix) runtime() bool { return CompilerRuntimes[p.Name] }

// Closure is the runtime closure's files, as exported from the builder, analysed:
// what ships, the ELF files that do, and the library path.
type Closure struct {
	// Shipped are the files of the prefixes that ship whole.
	Shipped *Tree
	// Plan says which compiler-runtime files ship, and which libraries the OS must
	// provide.
	Plan *Plan
	// ELFs are the shipped ELF files, the compiler-runtime ones included.
	ELFs []ELF
	// LibPath is the image's LD_LIBRARY_PATH so far: the shipped prefixes' library
	// directories, then the compiler-runtime files' directories.
	LibPath []string
	whole   []string // the prefixes that ship whole, in the closure's order
}

// AnalyseClosure splits all, the closure's prefixes as exported, into the prefixes
// that ship whole and the compiler runtimes, plans which compiler-runtime libraries
// ship (PlanLibraries), and reads the ELF files that ship.
func AnalyseClosure(all *Tree, prefixes []Prefix) (*Closure, error) {
	isRuntime := func(p string) bool {
		return slices.ContainsFunc(prefixes, func(pr Prefix) bool { return pr.runtime() && strings.HasPrefix(p, pr.Path+"/") })
	}
	c := &Closure{Shipped: all.Filter(func(p string) bool { return !isRuntime(p) })}
	for _, p := range prefixes {
		if !p.runtime() {
			c.whole = append(c.whole, p.Path)
		}
	}
	c.LibPath = LibraryDirs(c.Shipped, c.whole)
	// The shipped files are read once: for the plan, and as the ELF files that ship.
	elfs, err := c.Shipped.ELFs()
	if err != nil {
		return nil, fmt.Errorf("planning libraries: %w", err)
	}
	plan, err := planLibraries(slices.Clone(elfs), c.Shipped, all.Filter(isRuntime), c.LibPath)
	if err != nil {
		return nil, fmt.Errorf("planning libraries: %w", err)
	}
	c.Plan, c.ELFs = plan, elfs
	for _, p := range plan.RuntimeFiles {
		if e, err := ReadELF(filepath.Join(all.Host, p), p); err == nil {
			c.ELFs = append(c.ELFs, *e)
		}
	}
	c.LibPath = AppendUnique(c.LibPath, DirsOf(plan.RuntimeFiles)...)
	return c, nil
}

// RuntimeIncludes are the compiler-runtime files that ship, relative to the root, as
// include patterns.
func (c *Closure) RuntimeIncludes() []string {
	var include []string
	for _, p := range c.Plan.RuntimeFiles {
		include = append(include, strings.TrimPrefix(p, "/"))
	}
	return include
}

// Ships reports whether prefix p has files in the image: all but the compiler
// runtimes none of whose libraries is loaded.
func (c *Closure) Ships(p Prefix) bool {
	return !p.runtime() || slices.ContainsFunc(c.Plan.RuntimeFiles, func(f string) bool { return strings.HasPrefix(f, p.Path+"/") })
}

// Exists reports whether path p ships.
func (c *Closure) Exists(p string) bool {
	return c.Shipped.Exists(p) || slices.Contains(c.Plan.RuntimeFiles, p)
}

// BinDirs are the bin directories of the prefixes that ship whole (BinDirs).
func (c *Closure) BinDirs() []string { return BinDirs(c.Shipped, c.whole) }
