package testlog

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Output is what a test log (<pkg id>-test-out.txt, or the stand-alone part of
// install-time-test-log.txt) says.
type Output struct {
	// PkgID is the spec from the log's "Testing package" line.
	PkgID string
	// Parts are the test parts in the order they finished. They come from the log's
	// SUMMARY block when there is one, which has the final status of parts with
	// sub-parts, else from the "STATUS: Part" lines.
	Parts []Part
	// Summary reports whether the log had a complete SUMMARY block.
	Summary bool
	// Failure is the text after "Test failure:", which Spack appends when a spec fails.
	Failure string
	// Note is the last Spack message that says why nothing ran, e.g. "Skipped tests
	// for external package" or "No tests to run".
	Note string
}

func (o *Output) message(status Status) string {
	switch status {
	case Failed:
		var msgs []string
		for _, p := range o.Parts {
			if p.Status == Failed && p.Message != "" {
				msgs = append(msgs, p.Name+": "+p.Message)
			}
		}
		if len(msgs) > 0 {
			return strings.Join(msgs, "; ")
		}
		return o.Failure
	case Skipped, NoTests:
		return o.Note
	}
	return ""
}

var (
	// spackLine is a Spack message; the timestamp is there when Spack logs in debug
	// mode, which it does while testing (llnl.util.tty.get_timestamp, with ", pid" at
	// debug level 2).
	spackLine = regexp.MustCompile(`^==> (?:\[([0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9:.]+)(?:, [0-9]+)?\] )?(.*)$`)
	// statusLine is printed as each part ends (PackageTest.status).
	statusLine = regexp.MustCompile(`^(PASSED|FAILED|SKIPPED|NO_TESTS): (\S+::\S+?)(?:: (.*))?$`)
	// summaryStart and summaryEnd frame the SUMMARY block (PackageTest.summarize): a
	// banner centred in 80 columns of "=" (none when the text is longer), then
	// "<part> .. <STATUS>" lines, then a totals banner.
	summaryStart = regexp.MustCompile(`^=* SUMMARY: (\S+) =*$`)
	summaryEnd   = regexp.MustCompile(`^=* (?:[0-9]+ [a-z_]+(?:, [0-9]+ [a-z_]+)* )?of [0-9]+ parts? =*$`)
	summaryPart  = regexp.MustCompile(`^(\S+) \.\. (\S+)$`)
	// ansiEscape is a terminal colour code, in case a log was written with colour on.
	ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)
)

const spackTimeLayout = "2006-01-02-15:04:05.000000"

// ParseOutput reads a test log. It fails only on a malformed SUMMARY block (an
// unknown status word, a stray line, or a block cut off before its totals); any other
// line is test output and is passed over, so a log cut off elsewhere still gives the
// parts that finished.
func ParseOutput(r io.Reader) (*Output, error) {
	p := outputParser{out: &Output{}, starts: map[string][]time.Time{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.Contains(line, "\x1b[") {
			line = ansiEscape.ReplaceAllString(line, "")
		}
		if err := p.line(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading test log: %w", err)
	}
	if p.inSummary {
		return nil, fmt.Errorf("line %d: summary block has no totals line (truncated log?)", n)
	}
	return p.finish(), nil
}

// outputParser is the state of ParseOutput between lines.
type outputParser struct {
	out       *Output
	seen      []Part      // from status lines, with messages and durations
	begun     []time.Time // start of seen[i], zero if unknown
	ending    []int       // parts of seen whose end is the next timestamp
	starts    map[string][]time.Time
	summary   []Part
	inSummary bool
	inFailure bool
	failure   []string
}

func (p *outputParser) line(line string) error {
	if p.inSummary {
		if summaryEnd.MatchString(line) {
			p.inSummary = false
			p.out.Summary = true
			return nil
		}
		m := summaryPart.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("%q is not a summary line", line)
		}
		status, err := ParseStatus(m[2])
		if err != nil {
			return err
		}
		p.summary = append(p.summary, Part{Name: m[1], Status: status})
		return nil
	}
	if summaryStart.MatchString(line) {
		p.inSummary, p.summary, p.out.Summary = true, nil, false
		return nil
	}

	if m := spackLine.FindStringSubmatch(line); m != nil {
		p.inFailure = false
		p.spackMessage(m[1], m[2])
		return nil
	}

	if m := statusLine.FindStringSubmatch(line); m != nil {
		p.inFailure = false
		part := Part{Name: m[2], Status: Status(m[1]), Message: strings.TrimSpace(m[3])}
		var begun time.Time
		_, test, _ := strings.Cut(part.Name, "::")
		if s := p.starts[test]; len(s) > 0 {
			// Sub-parts nest, so the latest open start of this name is this part's.
			begun = s[len(s)-1]
			p.starts[test] = s[:len(s)-1]
			p.ending = append(p.ending, len(p.seen))
		}
		p.seen = append(p.seen, part)
		p.begun = append(p.begun, begun)
		return nil
	}

	if rest, ok := strings.CutPrefix(line, "Test failure: "); ok {
		p.inFailure = true
		p.failure = append(p.failure, rest)
		return nil
	}
	if p.inFailure {
		p.failure = append(p.failure, line)
	}
	return nil
}

// spackMessage handles a "==> [time] msg" line: it ends the parts waiting for a
// timestamp and notes starts of parts and reasons for not testing.
func (p *outputParser) spackMessage(stamp, msg string) {
	var at time.Time
	if stamp != "" {
		at, _ = time.Parse(spackTimeLayout, padMicros(stamp))
	}
	if !at.IsZero() {
		for _, i := range p.ending {
			p.seen[i].Seconds = duration(p.begun[i], at)
		}
		p.ending = p.ending[:0]
	}
	switch {
	case strings.HasPrefix(msg, "Testing package "):
		p.out.PkgID = strings.TrimSpace(strings.TrimPrefix(msg, "Testing package "))
	case strings.HasPrefix(msg, "test: "):
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "test: "), ":")
		if !at.IsZero() {
			name = strings.TrimSpace(name)
			p.starts[name] = append(p.starts[name], at)
		}
	case strings.HasPrefix(msg, "Skipped "), msg == "No tests to run":
		p.out.Note = msg
	}
}

func (p *outputParser) finish() *Output {
	out := p.out
	out.Failure = firstParagraph(strings.Join(p.failure, "\n"))
	out.Parts = p.seen
	if out.Summary {
		// The summary has the final word on status (a part with failed sub-parts is
		// FAILED there); the status lines add messages and durations.
		out.Parts = mergeParts(p.summary, p.seen)
	}
	return out
}

// padMicros makes Spack's timestamp fraction six digits long, as the layout wants.
func padMicros(ts string) string {
	i := strings.LastIndexByte(ts, '.')
	if i < 0 {
		return ts + ".000000"
	}
	frac := ts[i+1:]
	for len(frac) < 6 {
		frac += "0"
	}
	return ts[:i+1] + frac[:6]
}

// firstParagraph keeps a "Test failure:" text short: its first lines up to a blank
// line, at most three, joined by spaces.
func firstParagraph(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			if len(keep) > 1 {
				break
			}
			continue
		}
		keep = append(keep, l)
		if len(keep) == 3 {
			break
		}
	}
	return strings.Join(keep, " ")
}

// mergeParts takes names and statuses from the summary and messages and durations from
// the status lines, matching repeated names in order.
func mergeParts(summary, seen []Part) []Part {
	used := make([]bool, len(seen))
	parts := make([]Part, len(summary))
	for i, p := range summary {
		parts[i] = p
		for j, s := range seen {
			if !used[j] && s.Name == p.Name {
				used[j] = true
				parts[i].Seconds = s.Seconds
				parts[i].Message = s.Message
				break
			}
		}
	}
	return parts
}
