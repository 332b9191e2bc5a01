package testlog

import "fmt"

// Status is the outcome of a spec's tests or of one test part, in Spack's words
// (spack.install_test.TestStatus). The results package records it as is, so a status
// read from a log needs no conversion on its way into results.json.
type Status string

const (
	Passed  Status = "PASSED"
	Failed  Status = "FAILED"
	Skipped Status = "SKIPPED"
	NoTests Status = "NO_TESTS"
)

// ParseStatus parses one of Spack's four status words.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("unknown test status %q", s)
}

// Valid reports whether s is one of the four statuses Spack uses.
func (s Status) Valid() bool {
	switch s {
	case Passed, Failed, Skipped, NoTests:
		return true
	}
	return false
}

// statusCodes are the values Spack writes to a spec's -tested.txt file
// (TestStatus.value).
var statusCodes = map[int]Status{2: Passed, 1: Failed, 0: Skipped, -1: NoTests}

// Part is one test part, e.g. "Libsigsegv::test_smoke_test".
type Part struct {
	Name   string
	Status Status
	// Seconds is the time from the part's "test:" line to the first log line after its
	// status, from the log's timestamps; 0 when the log does not tell.
	Seconds float64
	// Message is what Spack printed after the part's status, e.g. why it failed.
	Message string
}

// overallStatus is Spack's status of a spec from its parts (write_tested_status): any
// failure fails it, all skipped skips it, any pass passes it, else there were no tests.
func overallStatus(parts []Part) Status {
	var passed, skipped int
	for _, p := range parts {
		switch p.Status {
		case Failed:
			return Failed
		case Skipped:
			skipped++
		case Passed:
			passed++
		}
	}
	switch {
	case skipped > 0 && skipped == len(parts):
		return Skipped
	case passed > 0:
		return Passed
	}
	return NoTests
}
