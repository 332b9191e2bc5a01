package slim

import (
	"path"
	"slices"
	"strings"
)

// LibraryDirs are the lib and lib64 directories of prefixes that hold shared libraries
// in t: the image's LD_LIBRARY_PATH, for programs that dlopen what they do not link.
func LibraryDirs(t *Tree, prefixes []string) []string {
	has := t.dirsHolding(func(name string) bool { return strings.Contains(name, ".so") })
	var dirs []string
	for _, p := range prefixes {
		for _, sub := range []string{"lib", "lib64"} {
			if d := path.Join(p, sub); has[d] {
				dirs = append(dirs, d)
			}
		}
	}
	return dirs
}

// BinDirs are the bin directories of prefixes that hold files in t, in the order given
// (roots first, as Spack's view would shadow them).
func BinDirs(t *Tree, prefixes []string) []string {
	has := t.dirsHolding(func(string) bool { return true })
	var dirs []string
	for _, p := range prefixes {
		if d := path.Join(p, "bin"); has[d] {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// dirsHolding is the set of directories with at least one file whose name matches.
func (t *Tree) dirsHolding(match func(name string) bool) map[string]bool {
	dirs := map[string]bool{}
	for _, p := range t.Paths() {
		if match(path.Base(p)) {
			dirs[path.Dir(p)] = true
		}
	}
	return dirs
}

// RunEnvironment keeps of Spack's run environment (`spack load --sh`) what makes sense
// in the image: PATH and LD_LIBRARY_PATH are computed from what ships, Spack's
// bookkeeping (SPACK_*) stays behind, and path entries into root (the install tree)
// whose files were pruned (MANPATH, PKG_CONFIG_PATH in the runtime profile …) are
// dropped, with the variables that then point into the install tree no more.
func RunEnvironment(spackEnv map[string]string, root string, exists func(string) bool) map[string]string {
	out := map[string]string{}
	root = strings.TrimSuffix(root, "/") + "/"
	for k, v := range spackEnv {
		if k == "PATH" || k == "LD_LIBRARY_PATH" || strings.HasPrefix(k, "SPACK_") {
			continue
		}
		if !strings.Contains(v, root) {
			out[k] = v
			continue
		}
		var keep []string
		keptOurs := false
		for _, p := range strings.Split(v, ":") {
			ours := strings.HasPrefix(p, root)
			if p == "" || (ours && !exists(p)) {
				continue
			}
			keptOurs = keptOurs || ours
			keep = append(keep, p)
		}
		// A variable that was there for pruned files only (MANPATH) goes with them.
		if keptOurs {
			out[k] = strings.Join(keep, ":")
		}
	}
	return out
}

// AppendUnique appends the items not in list yet.
func AppendUnique(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// DirsOf are the distinct directories of paths, in order.
func DirsOf(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = AppendUnique(out, path.Dir(p))
	}
	return out
}
