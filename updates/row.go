// Package updates is the update bot's policy: which version-pinned specs of which
// environments have a newer safe version, by Spack's version order and the pinned
// spack-packages checkout; the ignore list; the spack-packages pin bump; and the
// rows of the report, with the pull request each update asks for; which pull requests
// one run opens (PullRequests) and the run's outcome; and the scan's benchmark (Bench).
// It holds no GitHub client: ci/updates.go hands PullRequests the call that opens one
// and points its Logf at the log.
package updates

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// PinsEnv is the Env of the spack-packages pin's row.
const PinsEnv = "pins.yaml"

// Row is one line of the report: a pinned spec (or the spack-packages pin), what it is
// pinned to, the newest safe version, and what the run does about it.
type Row struct {
	Env, Package, Current, Newest string
	// Action is what the scan decided ("update", "up to date", "range: …", "skip: …",
	// "ignored"), and then what the run did about an update ("edited", "opened #12",
	// "exists #7", "held: …", "skipped: …", "failed: …").
	Action string
	// Err is the whole error behind a skip or a failure, for the log; Action has a
	// short reason.
	Err error
	// Update is the change to make; nil when there is none.
	Update *Update

	failed bool
}

// Update is one update of one file.
type Update struct {
	// File is the path of the file to change, as scanned.
	File string
	// Content is the file with this update and no other.
	Content []byte
	// Edit is the edit of a spack.yaml, so that several updates of one file can be
	// written together; zero for pins.yaml, whose update is its whole Content.
	Edit spack.Edit
	// Homepage is the package's homepage, or for the pin where to see the changes.
	Homepage string
	// OldSpec and NewSpec are the spec before and after.
	OldSpec, NewSpec string
}

// Fail marks the row failed: Action becomes "failed: " and reason, a few words for
// the table; err is the whole error.
func (r *Row) Fail(reason string, err error) {
	r.Action, r.Err, r.failed = "failed: "+reason, err, true
}

// Failed reports whether the row failed (Fail), as opposed to being skipped by policy.
func (r *Row) Failed() bool { return r.failed }

// Branch is the pull request's branch. It names environment, package and version, so
// that GitHub remembers a rejected update.
func (r *Row) Branch() string {
	if r.Env == PinsEnv {
		return "update/spack-packages/" + r.Newest
	}
	return fmt.Sprintf("update/%s/%s-%s", r.Env, r.Package, r.Newest)
}

// Title is the pull request's title.
func (r *Row) Title() string {
	if r.Env == PinsEnv {
		return "spack-packages: update to " + r.Newest
	}
	return fmt.Sprintf("%s: update %s to %s", r.Env, r.Package, r.Newest)
}

// Body is the pull request's description (Markdown). r must have an Update.
func (r *Row) Body() string {
	if r.Env == PinsEnv {
		return fmt.Sprintf("Moves every environment to spack-packages `%s` (was `%s`).\n\n%s\n\n"+
			"Opened by `go run ./ci updates`. Close this pull request to reject the update; the bot will not propose this tag again.\n",
			r.Newest, r.Current, r.Update.Homepage)
	}
	homepage := r.Update.Homepage
	if homepage == "" {
		homepage = "(none given in package.py)"
	}
	return fmt.Sprintf("Updates `%s` in environment `%s` from %s to %s.\n\n"+
		"| | |\n|---|---|\n| spec | `%s` → `%s` |\n| homepage | %s |\n\n"+
		"Opened by `go run ./ci updates`; CI builds and tests the new image. "+
		"Close this pull request to reject the update; the bot will not propose %s %s again.\n",
		r.Package, r.Env, r.Current, r.Newest, r.Update.OldSpec, r.Update.NewSpec, homepage, r.Package, r.Newest)
}

// WriteTable writes the rows as an aligned table with a header.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENV\tPACKAGE\tCURRENT\tNEWEST\tACTION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Env, r.Package, r.Current, r.Newest, r.Action)
	}
	return tw.Flush()
}
