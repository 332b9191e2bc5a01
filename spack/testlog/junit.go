package testlog

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JUnitCase is one testcase of the JUnit report `spack test run --log-format junit`
// writes (share/spack/templates/reports/junit.xml): one per tested spec, with the
// spec's whole test time. Spack's report has no per-part times; only the CDash report
// estimates those.
type JUnitCase struct {
	// Name is the spec's package name (the testcase's classname).
	Name string
	// Hash is the spec's full DAG hash (the testcase's name).
	Hash string
	// Seconds is the spec's test time, 0 when Spack wrote none.
	Seconds float64
	// Status is PASSED for success, FAILED for a failure or error, SKIPPED for a
	// skipped spec (such as an external).
	Status Status
	// Message is the failure's or error's message attribute.
	Message string
}

type junitReport struct {
	Suites []struct {
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// ParseJUnit reads a Spack JUnit test report.
func ParseJUnit(r io.Reader) ([]JUnitCase, error) {
	var doc junitReport
	dec := xml.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding junit report: %w", err)
	}
	var cases []JUnitCase
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Name == "" {
				return nil, fmt.Errorf("junit report: testcase of %q has no name (spec hash)", c.Classname)
			}
			jc := JUnitCase{Name: c.Classname, Hash: c.Name, Status: Passed}
			// Spack writes "None" when it never timed the spec.
			if secs, err := strconv.ParseFloat(strings.TrimSpace(c.Time), 64); err == nil && secs >= 0 {
				jc.Seconds = secs
			}
			switch {
			case c.Failure != nil:
				jc.Status, jc.Message = Failed, c.Failure.Message
			case c.Error != nil:
				jc.Status, jc.Message = Failed, c.Error.Message
			case c.Skipped != nil:
				jc.Status = Skipped
			}
			cases = append(cases, jc)
		}
	}
	return cases, nil
}

// ApplyJUnit copies the specs' test times from a JUnit report of the same run,
// matching by DAG hash. It reports how many specs it matched.
func (s *Suite) ApplyJUnit(cases []JUnitCase) int {
	byHash := make(map[string]JUnitCase, len(cases))
	for _, c := range cases {
		byHash[c.Hash] = c
	}
	matched := 0
	for i := range s.Specs {
		if c, ok := byHash[s.Specs[i].Hash]; ok {
			s.Specs[i].Seconds = c.Seconds
			matched++
		}
	}
	return matched
}
