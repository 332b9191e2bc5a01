package results

import (
	"fmt"
	"io"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// WriteSummary writes r as Markdown for a GitHub job summary ($GITHUB_STEP_SUMMARY):
// a headline with the verdict, what was tested, a table of every spec result, and the
// failures with their messages and logs. Status words are Spack's, failures in bold,
// so the table reads without colour or emoji.
func WriteSummary(w io.Writer, r *Run) error {
	var b strings.Builder
	verdict := "PASSED"
	if r.Failed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "## Tests of `%s`: **%s**\n\n", r.Environment, verdict)
	b.WriteString(strings.Join(summaryFacts(r), " · ") + "\n\n")
	summaryCounts(&b, r)
	summaryTable(&b, r)
	if failures := summaryFailures(r); len(failures) > 0 {
		b.WriteString("\n### Failures\n\n" + strings.Join(failures, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// summaryFacts says what was tested: the run, Spack, packages, image, test modes.
func summaryFacts(r *Run) []string {
	var facts []string
	facts = append(facts, "run `"+r.ID+"`")
	spackFact := "Spack " + orDash(r.Spack.Version)
	if r.Spack.Commit != "" {
		spackFact += " (`" + short(r.Spack.Commit) + "`)"
	}
	facts = append(facts, spackFact)
	if r.Packages.Commit != "" {
		facts = append(facts, "packages `"+short(r.Packages.Commit)+"`")
	}
	if r.Image.Digest != "" {
		img := r.Image.Ref
		if img == "" {
			img = "image"
		}
		facts = append(facts, "`"+img+"@"+r.Image.Digest+"`")
	}
	if r.Tests != "" {
		facts = append(facts, "build-time tests: `--test="+r.Tests+"`")
	}
	if r.Suite != nil {
		suite := "stand-alone suite `" + r.Suite.ID + "`"
		if r.Suite.Alias != "" {
			suite += " (alias `" + r.Suite.Alias + "`)"
		}
		facts = append(facts, suite)
	}
	return facts
}

// summaryCounts writes a line per phase with its counts.
func summaryCounts(b *strings.Builder, r *Run) {
	for _, phase := range []Phase{BuildTime, StandAlone} {
		var specs []SpecResult
		for _, s := range r.Specs {
			if s.Phase == phase {
				specs = append(specs, s)
			}
		}
		c := CountSpecs(specs)
		if c.Total() == 0 {
			fmt.Fprintf(b, "- %s: no results\n", phase)
			continue
		}
		noun := "specs"
		if c.Total() == 1 {
			noun = "spec"
		}
		fmt.Fprintf(b, "- %s: %d %s: %d passed, %d failed, %d skipped, %d without tests\n",
			phase, c.Total(), noun, c.Passed, c.Failed, c.Skipped, c.NoTests)
	}
}

// summaryTable writes a table row per spec result.
func summaryTable(b *strings.Builder, r *Run) {
	if len(r.Specs) == 0 {
		return
	}
	b.WriteString("\n| Spec | Phase | Status | Parts passed | Seconds |\n|---|---|---|--:|--:|\n")
	for _, s := range r.Specs {
		passed, total := 0, 0
		for _, p := range s.Parts {
			total++
			if p.Status == testlog.Passed {
				passed++
			}
		}
		secs := ""
		if s.Seconds > 0 {
			secs = fmt.Sprintf("%.2f", s.Seconds)
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %d/%d | %s |\n", SpecLabel(s), s.Phase, statusCell(s.Status), passed, total, secs)
	}
}

// summaryFailures returns a list item per failed spec: its failed parts with their
// messages, or its message, and its log.
func summaryFailures(r *Run) []string {
	var failures []string
	for _, s := range r.Specs {
		if s.Status != testlog.Failed {
			continue
		}
		line := fmt.Sprintf("- `%s` (%s)", SpecLabel(s), s.Phase)
		var failed []string
		for _, p := range s.Parts {
			if p.Status == testlog.Failed {
				failed = append(failed, "`"+p.Name+"`"+withMessage(p.Message))
			}
		}
		switch {
		case len(failed) > 0:
			line += ": " + strings.Join(failed, "; ")
		case s.Message != "":
			line += ": " + oneLine(s.Message)
		}
		if s.Log != "" {
			line += " (log: `" + s.Log + "`)"
		}
		failures = append(failures, line)
	}
	return failures
}

func statusCell(s testlog.Status) string {
	if s == testlog.Failed {
		return "**FAILED**"
	}
	return string(s)
}

func withMessage(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + oneLine(msg)
}

// oneLine makes a message fit a Markdown list item or table cell.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if r := []rune(s); len(r) > 300 {
		s = string(r[:297]) + "..."
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
