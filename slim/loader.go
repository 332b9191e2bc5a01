package slim

import (
	"debug/elf"
	"regexp"
)

// MissingLib is a library an ELF file in the image needs and the loader cannot find.
type MissingLib struct {
	File, Library string
}

// notFoundRE matches the loader's line for an unresolved library ("libgomp.so.1 => not
// found"); cannotLoadRE its error when it stops at the first one, as it does for an
// executable it was asked to list.
var (
	notFoundRE   = regexp.MustCompile(`(?m)^\s*(\S+) => not found\s*$`)
	cannotLoadRE = regexp.MustCompile(`error while loading shared libraries: ([^:\s]+): cannot open shared object file`)
)

// ParseLoaderList reads the output of `ld.so --list FILE`, stdout and stderr.
func ParseLoaderList(file, out string) []MissingLib {
	var missing []MissingLib
	for _, m := range notFoundRE.FindAllStringSubmatch(out, -1) {
		missing = append(missing, MissingLib{File: file, Library: m[1]})
	}
	if len(missing) == 0 {
		for _, m := range cannotLoadRE.FindAllStringSubmatch(out, -1) {
			missing = append(missing, MissingLib{File: file, Library: m[1]})
		}
	}
	return missing
}

// MachineOf is the machine most of the ELF files are for; x86-64 when there are none.
func MachineOf(elfs []ELF) elf.Machine {
	count := map[elf.Machine]int{}
	best := elf.EM_X86_64
	for _, e := range elfs {
		if count[e.Machine]++; count[e.Machine] > count[best] {
			best = e.Machine
		}
	}
	return best
}

// DefaultLoader is the loader that checks shared libraries, which name no interpreter
// of their own, on a machine.
func DefaultLoader(m elf.Machine) string {
	switch m {
	case elf.EM_AARCH64:
		return "/lib/ld-linux-aarch64.so.1"
	case elf.EM_PPC64:
		return "/lib64/ld64.so.2"
	}
	return "/lib64/ld-linux-x86-64.so.2"
}
