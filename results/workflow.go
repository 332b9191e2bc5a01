package results

import (
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pagesWorkflow is the GitHub Actions workflow of a results repository: it draws the
// site with `results site` on every push and deploys it to GitHub Pages.
//
//go:embed pages.yml
var pagesWorkflow string

// refPattern is what a branch or a module version may look like in the workflow.
var refPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// PagesWorkflow returns the workflow a results repository uses to deploy its site:
// on each push to branch, it runs `results site` of spack-ghcr at version (a module
// version, a tag or a commit) with maxRuns and keepMonths (see WithMaxRuns,
// WithKeepMonths), and deploys the site to GitHub Pages.
func PagesWorkflow(branch, version string, maxRuns, keepMonths int) ([]byte, error) {
	for what, v := range map[string]string{"branch": branch, "version": version} {
		if !refPattern.MatchString(v) || strings.Contains(v, "..") {
			return nil, fmt.Errorf("%s %q: want letters, digits, '.', '_', '/' or '-'", what, v)
		}
	}
	if maxRuns <= 0 || keepMonths < 0 {
		return nil, fmt.Errorf("max runs %d and months kept %d: want more than 0 and at least 0", maxRuns, keepMonths)
	}
	return []byte(strings.NewReplacer(
		"@BRANCH@", branch, "@VERSION@", version,
		"@MAXRUNS@", strconv.Itoa(maxRuns), "@KEEPMONTHS@", strconv.Itoa(keepMonths),
	).Replace(pagesWorkflow)), nil
}
