package results

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// The JUnit XML written for a run: one <testsuite> per phase, one <testcase> per test
// part. Its classname is the spec, "name@version/hash7", so that CI test reports
// group parts by spec; a spec without parts, or one that failed without a failed part
// (e.g. an interrupted run), gets one testcase named specCase carrying its status.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
}

// specCase names the testcase that stands for a whole spec.
const specCase = "(spec)"

// SpecLabel is how reports name a spec result: "name@version/hash7".
func SpecLabel(s SpecResult) string {
	return s.Name + "@" + s.Version + "/" + short(s.Hash)
}

// WriteJUnit writes r as JUnit XML.
func WriteJUnit(w io.Writer, r *Run) error {
	doc := junitSuites{Name: r.Environment + " " + r.ID}
	var total float64
	for _, phase := range []Phase{BuildTime, StandAlone} {
		suite := junitSuite{
			Name:       r.Environment + " " + string(phase),
			Properties: junitProperties(r, phase),
		}
		if !r.Started.IsZero() {
			suite.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
		}
		var secs float64
		for _, s := range r.Specs {
			if s.Phase != phase {
				continue
			}
			for _, c := range specCases(s) {
				suite.Tests++
				switch {
				case c.Failure != nil:
					suite.Failures++
				case c.Skipped != nil:
					suite.Skipped++
				}
				suite.Cases = append(suite.Cases, c)
			}
			secs += s.Seconds
		}
		if suite.Tests == 0 {
			continue
		}
		suite.Time = seconds(secs)
		total += secs
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitProperties(r *Run, phase Phase) []junitProperty {
	var props []junitProperty
	add := func(name, value string) {
		if value != "" {
			props = append(props, junitProperty{name, value})
		}
	}
	add("run", r.ID)
	add("environment", r.Environment)
	add("spack.version", r.Spack.Version)
	add("spack.commit", r.Spack.Commit)
	add("packages.commit", r.Packages.Commit)
	add("image.digest", r.Image.Digest)
	if phase == BuildTime {
		add("tests", r.Tests)
	}
	if phase == StandAlone && r.Suite != nil {
		add("suite.id", r.Suite.ID)
		add("suite.alias", r.Suite.Alias)
	}
	return props
}

// specCases turns one spec result into testcases.
func specCases(s SpecResult) []junitCase {
	class := SpecLabel(s)
	var cases []junitCase
	failedPart := false
	for _, p := range s.Parts {
		c := junitCase{Classname: class, Name: p.Name, Time: seconds(p.Seconds)}
		setOutcome(&c, p.Status, p.Message)
		failedPart = failedPart || p.Status == testlog.Failed
		cases = append(cases, c)
	}
	if len(s.Parts) == 0 || s.Status == testlog.Failed && !failedPart {
		c := junitCase{Classname: class, Name: specCase, Time: seconds(s.Seconds)}
		setOutcome(&c, s.Status, s.Message)
		cases = append(cases, c)
	}
	if s.Log != "" && len(cases) > 0 {
		cases[len(cases)-1].SystemOut = "log: " + s.Log
	}
	return cases
}

func setOutcome(c *junitCase, st testlog.Status, msg string) {
	switch st {
	case testlog.Failed:
		c.Failure = &junitMessage{Message: msg, Type: string(testlog.Failed)}
	case testlog.Skipped, testlog.NoTests:
		if msg == "" {
			msg = string(st)
		}
		c.Skipped = &junitMessage{Message: msg, Type: string(st)}
	}
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 6, 64) }
