// Package spack holds the Spack domain in pure Go: environments (spack.yaml), specs and
// versions, lockfiles (spack.lock) and package repositories. What Spack's tests leave
// behind (suites, build-time test logs, JUnit reports) is read by package testlog.
//
// It reads bytes and returns values. It never talks to a container engine or to GitHub, so
// everything here is tested without either.
package spack
