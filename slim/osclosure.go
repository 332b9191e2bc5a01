package slim

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// OSFile is an OS library (or the loader) a distroless image needs, with its ELF
// facts; Link is set when the file is a symbolic link to Target.
type OSFile struct {
	Path   string
	Link   bool
	Target string
	ELF    *ELF
}

// OSClosure finds, for a distroless image, the OS libraries the plan leaves to the OS
// and the loaders it names, with what they load in turn. find says where a library
// name is in the builder ("" when it is not); read reads the ELF file at an image path.
func OSClosure(plan *Plan, find func(name string) string, read func(path string) (*ELF, error)) ([]OSFile, error) {
	var out []OSFile
	todo := append(sortedKeys(plan.OS), plan.Interpreters...)
	seen := map[string]bool{}
	for len(todo) > 0 {
		lib := todo[0]
		todo = todo[1:]
		if seen[lib] {
			continue
		}
		seen[lib] = true
		img := lib
		if strings.Contains(lib, "/") {
			// The loader is named by path (/lib64/ld-linux-x86-64.so.2) but lives in
			// the multiarch dir, where libc names it again: ship it once, and link.
			if p := find(path.Base(lib)); p != "" && p != lib {
				out = append(out, OSFile{Path: lib, Link: true, Target: p})
				todo = append(todo, path.Base(lib))
				continue
			}
		} else if img = find(lib); img == "" {
			return nil, fmt.Errorf("the OS library %s, needed by %s, is not in the builder image either", lib, strings.Join(plan.OS[lib], ", "))
		}
		e, err := read(img)
		if err != nil {
			return nil, err
		}
		out = append(out, OSFile{Path: img, ELF: e})
		todo = append(todo, e.Needed...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
