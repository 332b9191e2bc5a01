// Package results holds the record of one pipeline run's tests (results.json) and its
// renderings: JUnit XML, a Markdown summary, and the static site over many runs.
package results

import (
	"time"

	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// SchemaVersion is the version of the results.json layout. Bump it on any change that
// an older reader would misread; docs/spack-tests.md documents every field.
const SchemaVersion = 1

// Phase says which kind of Spack test produced a result.
type Phase string

const (
	// BuildTime results come from `spack install --test=root|all`
	// (.spack/install-time-test-log.txt in the spec's prefix).
	BuildTime Phase = "build-time"
	// StandAlone results come from `spack test run`.
	StandAlone Phase = "stand-alone"
)

// Run is everything one pipeline run learnt from the tests of one environment. It is
// written as out/<env>/<run-id>/results.json.
type Run struct {
	Schema int `json:"schema"`
	// ID is unique per pipeline run, e.g. "20261125T105000Z-1a2b3c4".
	ID          string    `json:"id"`
	Environment string    `json:"environment"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished,omitzero"`

	// Tests is the build-time test mode the specs were installed with: "none", "root"
	// (`spack install --test=root`, the default) or "all".
	Tests string `json:"tests,omitempty"`

	Spack    SpackInfo `json:"spack"`
	Packages RepoInfo  `json:"packages"`
	Image    ImageInfo `json:"image,omitzero"`

	// Suite is Spack's stand-alone test suite, nil when no stand-alone tests ran.
	Suite *Suite `json:"suite,omitempty"`

	// Specs holds one entry per (phase, spec).
	Specs []SpecResult `json:"specs"`
}

// SpackInfo names the Spack that ran the tests.
type SpackInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

// RepoInfo names the package repository the specs came from.
type RepoInfo struct {
	Namespace string `json:"namespace,omitempty"`
	Commit    string `json:"commit,omitempty"`
}

// ImageInfo names the runtime image built from the environment.
type ImageInfo struct {
	Ref    string `json:"ref,omitempty"`
	Digest string `json:"digest,omitempty"`
}

// Suite identifies a `spack test run` suite: Spack names its directory by a hash of the
// suite's specs (the suite id), and the alias is the name we gave it with --alias.
type Suite struct {
	ID    string `json:"id"`
	Alias string `json:"alias,omitempty"`
}

// SpecResult is the outcome of one phase's tests of one concrete spec.
type SpecResult struct {
	// ID is unique across runs and environments for the same suite and spec:
	// "<suite id>/<dag hash>" for stand-alone tests, "build/<dag hash>" for build-time tests.
	ID      string `json:"id"`
	Phase   Phase  `json:"phase"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// Hash is the spec's full DAG hash.
	Hash   string         `json:"hash"`
	Status testlog.Status `json:"status"`
	// External is set for specs Spack did not build (packages: externals); Spack skips
	// their stand-alone tests.
	External bool `json:"external,omitempty"`
	// Seconds is the duration of the spec's tests where Spack recorded it, else 0.
	Seconds float64 `json:"seconds,omitempty"`
	// Message says why the spec failed or was skipped when Spack said so, e.g. a
	// timeout or the first failure line of its log.
	Message string `json:"message,omitempty"`
	Parts   []Part `json:"parts,omitempty"`
	// Log is the path of the raw log, relative to the run directory.
	Log string `json:"log,omitempty"`
}

// Part is one test part, e.g. "Libsigsegv::test_smoke_test".
type Part struct {
	Name   string         `json:"name"`
	Status testlog.Status `json:"status"`
	// Seconds is the part's duration where Spack recorded it, else 0.
	Seconds float64 `json:"seconds,omitempty"`
	// Message is what Spack printed after the part's status, e.g. why it failed.
	Message string `json:"message,omitempty"`
}
