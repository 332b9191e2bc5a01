// Package slim decides what of a Spack install tree a runtime image ships: which files
// no program needs at run time (headers, static libraries, docs, build metadata) and,
// from the ELF files that remain, which compiler-runtime and OS libraries they load.
//
// It works on a copy of the files on the local disk and never talks to the engine.
package slim

// Profile chooses what the runtime image keeps of each prefix.
type Profile string

const (
	// Runtime keeps only what programs need to run.
	Runtime Profile = "runtime"
	// Devel also keeps headers, static libraries and pkg-config/CMake files, for images
	// that compile against the environment.
	Devel Profile = "devel"
)

// ParseProfile checks a profile name from a flag.
func ParseProfile(s string) (Profile, bool) {
	switch p := Profile(s); p {
	case Runtime, Devel:
		return p, true
	}
	return "", false
}

// develOnly are the files only a compiler or build system reads.
var develOnly = []string{
	"include",
	"**/*.a",
	"**/*.la",
	"lib/pkgconfig", "lib64/pkgconfig", "share/pkgconfig",
	"lib/cmake", "lib64/cmake", "share/cmake",
	"share/aclocal",
}

// neverNeeded are files no program reads at run time in either profile: documentation
// and Spack's own build metadata (logs, spec.json, the package.py copy).
var neverNeeded = []string{
	".spack",
	"share/doc", "share/man", "share/info", "share/gtk-doc", "share/devhelp",
	"doc", "man",
}

// Excludes returns the patterns, relative to an install prefix, of what the profile
// leaves out; they follow the Dockerfile .dockerignore syntax Dagger uses.
func Excludes(p Profile) []string {
	out := append([]string(nil), neverNeeded...)
	if p != Devel {
		out = append(out, develOnly...)
	}
	return out
}

// CompilerRuntimes are Spack packages that carry a compiler's runtime libraries
// (libgcc_s, libstdc++, libgfortran, libgomp …). Spack links every compiled package to
// one, but most programs load few or none of its libraries, so they ship file by file.
var CompilerRuntimes = map[string]bool{
	"gcc-runtime":          true,
	"llvm-runtime":         true,
	"intel-oneapi-runtime": true,
	"aocc-runtime":         true,
	"nvhpc-runtime":        true,
}
