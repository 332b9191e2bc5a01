// Package testlog reads what Spack leaves behind when it tests specs: the stand-alone
// test suite of `spack test run` (test_suite.lock, results.txt and one log per spec),
// the build-time test log of `spack install --test` (install-time-test-log.txt), and
// Spack's JUnit report. It owns Status, the test status every other package uses.
//
// Like package spack, it reads bytes and returns values: no engine, no network.
package testlog
