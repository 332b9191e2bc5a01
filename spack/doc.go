// Package spack holds the Spack domain in pure Go: environments (spack.yaml), specs and
// versions, lockfiles (spack.lock), package repositories and test results.
//
// It reads bytes and returns values. It never talks to a container engine or to GitHub, so
// everything here is tested without either.
package spack
