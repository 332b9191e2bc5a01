// Package pkgpy reads Spack's package.py files without running Python: the one owner
// of that format in spack-ghcr.
//
// One tokenizer (lex.go) splits a file into Python's logical lines; everything else
// reads those lines:
//
//   - Read and Parse give a Package: its version(...) directives (with Spack's version
//     order from package spack, for the update bot), its license(...) directives (SPDX
//     expressions, for an SBOM) and where its source comes from (homepage, url, urls,
//     git, list_url). ReadInherited gives the same for a package of a spack.Repo with
//     what its class inherits from other packages' classes, as Spack sees it.
//   - AnalyzeTests reads every package.py and build system module of a spack.Repo,
//     resolves classes across them as Python's method resolution order would, and
//     classifies each package's stand-alone and build-time tests (the stats command).
//
// Only literals are evaluated. What a package computes (versions in a loop, or changes
// in __init__) is not in its Package; see Package.Dynamic.
package pkgpy
