package teststats

import (
	"fmt"
	"io"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack/pkgpy"
)

// WriteMarkdown renders the report as tables for a README or a GitHub job summary.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Tests in Spack packages\n\n")
	fmt.Fprintf(&b, "Repository `%s`", r.Repository.Namespace)
	if r.Repository.Commit != "" {
		fmt.Fprintf(&b, " at `%s`", r.Repository.Commit)
	}
	fmt.Fprintf(&b, ". Virtual packages (%s) are not counted, as in Spack. "+
		"What counts is explained in docs/spack-tests.md.\n\n", strings.Join(r.Repository.Virtuals, ", "))

	b.WriteString("| | Packages | Stand-alone: any | in the package | build system only | via virtuals | `spack test list --all` | Build-time: any | package-specific | generic only | Both | Neither |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(label string, s pkgpy.TestStats) {
		pct := func(n int) string {
			if s.Packages == 0 {
				return "0"
			}
			return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(s.Packages))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, s.Packages,
			pct(s.StandAlone.Any), pct(s.StandAlone.Package), pct(s.StandAlone.BuildSystem), pct(s.StandAlone.Virtual),
			pct(s.StandAlone.Spack),
			pct(s.BuildTime.Any), pct(s.BuildTime.Package), pct(s.BuildTime.BuildSystem),
			pct(s.Both), pct(s.Neither))
	}
	row("all of `"+r.Repository.Namespace+"`", r.Repository.Stats)
	for _, e := range r.Environments {
		row("environment `"+e.Name+"`", e.Stats)
	}

	for _, e := range r.Environments {
		fmt.Fprintf(&b, "\n### Environment `%s`\n\nFrom %s.", e.Name, e.Source)
		if len(e.Stats.Missing) > 0 {
			fmt.Fprintf(&b, " Not in the repository (or virtual): %s.", strings.Join(e.Stats.Missing, ", "))
		}
		b.WriteString("\n\n| Package | Stand-alone tests | Build-time tests |\n|---|---|---|\n")
		for _, p := range e.Packages {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", p.Name, standAloneCell(p), buildTimeCell(p))
		}
	}
	fmt.Fprintf(&b, "\nClassified in %.2f s.\n", r.Seconds)
	_, err := io.WriteString(w, b.String())
	return err
}

func standAloneCell(p pkgpy.PackageTests) string {
	switch p.StandAlone {
	case pkgpy.StandAlonePackage, pkgpy.StandAloneBuildSystem:
		return fmt.Sprintf("%s: %s", p.StandAlone, strings.Join(p.Tests, ", "))
	case pkgpy.StandAloneVirtual:
		return "virtual: " + strings.Join(p.VirtualTests, ", ")
	}
	return "none"
}

func buildTimeCell(p pkgpy.PackageTests) string {
	s := string(p.BuildTime)
	var why []string
	why = append(why, p.Callbacks...)
	if p.RunTests {
		why = append(why, "reads run_tests")
	}
	if len(why) > 0 {
		s += ": " + strings.Join(why, ", ")
	}
	return s
}
