package testlog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNoSuite says that a test stage holds no suite: `spack test run` stopped before
// it wrote one.
var ErrNoSuite = errors.New("no test suite")

// ReadStage reads what `spack test run` left in its test stage dir (config:test_stage):
// the suite in its directory, with each spec's duration from Spack's JUnit report, the
// file junit in dir, when there is one. It returns the suite's directory too.
func ReadStage(dir, junit string) (suiteDir string, suite *Suite, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		suiteDir = filepath.Join(dir, e.Name())
		if suite, err = ReadSuite(suiteDir); err != nil {
			return "", nil, err
		}
		// The JUnit report has each spec's duration, which the suite files lack.
		if f, err := os.Open(filepath.Join(dir, junit)); err == nil {
			cases, err := ParseJUnit(f)
			f.Close()
			if err != nil {
				return "", nil, fmt.Errorf("%s: %w", junit, err)
			}
			suite.ApplyJUnit(cases)
		}
		return suiteDir, suite, nil
	}
	return "", nil, ErrNoSuite
}
