package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// FileName is the name of a run's record inside its run directory.
const FileName = "results.json"

// validName is what an environment name or a run id may look like: they become
// directory names, so no separators, no leading dot.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate reports the first thing that makes r unusable for a reader: a schema
// version this package does not know, or a required field left empty.
func (r *Run) Validate() error {
	switch {
	case r.Schema == 0:
		return errors.New("schema is missing")
	case r.Schema > SchemaVersion:
		return fmt.Errorf("schema %d is newer than this reader's %d", r.Schema, SchemaVersion)
	case r.Schema < 1:
		return fmt.Errorf("schema %d is not a valid version", r.Schema)
	case r.ID == "":
		return errors.New("id is missing")
	case !validName.MatchString(r.ID):
		return fmt.Errorf("id %q is not a valid run id", r.ID)
	case r.Environment == "":
		return errors.New("environment is missing")
	case !validName.MatchString(r.Environment):
		return fmt.Errorf("environment %q is not a valid environment name", r.Environment)
	case r.Started.IsZero():
		return errors.New("started is missing")
	case r.Spack.Version == "":
		return errors.New("spack.version is missing")
	case r.Suite != nil && r.Suite.ID == "":
		return errors.New("suite.id is missing")
	}
	for i, s := range r.Specs {
		if err := s.validate(); err != nil {
			return fmt.Errorf("specs[%d]: %w", i, err)
		}
	}
	return nil
}

func (s *SpecResult) validate() error {
	switch {
	case s.ID == "":
		return errors.New("id is missing")
	case s.Phase != BuildTime && s.Phase != StandAlone:
		return fmt.Errorf("phase %q is not %q or %q", s.Phase, BuildTime, StandAlone)
	case s.Name == "":
		return errors.New("name is missing")
	case s.Hash == "":
		return errors.New("hash is missing")
	case !s.Status.Valid():
		return fmt.Errorf("status %q is not one of PASSED, FAILED, SKIPPED, NO_TESTS", s.Status)
	}
	for i, p := range s.Parts {
		if p.Name == "" {
			return fmt.Errorf("parts[%d]: name is missing", i)
		}
		if !p.Status.Valid() {
			return fmt.Errorf("parts[%d]: status %q is not one of PASSED, FAILED, SKIPPED, NO_TESTS", i, p.Status)
		}
	}
	return nil
}

// LoadRun reads dir/results.json, the record of one run, and validates it. Errors name
// the file.
func LoadRun(dir string) (*Run, error) {
	file := filepath.Join(dir, FileName)
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("loading run: %w", err)
	}
	run, err := decodeRun(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return run, nil
}

// decodeRun decodes and validates one results.json. Unknown fields are ignored: adding
// a field does not bump the schema, so an older reader must still read a newer file of
// the same schema version.
func decodeRun(data []byte) (*Run, error) {
	var run Run
	if err := json.Unmarshal(data, &run); err != nil {
		// A newer layout may not even decode into this one: say so rather than how
		// it fails to. (Read the version only now: a site decodes many runs.)
		var probe struct {
			Schema int `json:"schema"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Schema > SchemaVersion {
			return nil, fmt.Errorf("schema %d is newer than this reader's %d", probe.Schema, SchemaVersion)
		}
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if err := run.Validate(); err != nil {
		return nil, err
	}
	return &run, nil
}

// LoadTree reads every run below dir, laid out as <env>/<run-id>/results.json (the
// layout of out/). A run's environment and id must match its directories. Runs come
// back sorted by environment, then start time, then id. Directories without a
// results.json are skipped; a broken results.json is an error.
func LoadTree(dir string) ([]*Run, error) {
	t := treeSource(dir)
	envs, err := t.environments(context.Background())
	if err != nil {
		return nil, err
	}
	var runs []*Run
	for _, env := range envs {
		stored, err := t.load(context.Background(), env)
		if err != nil {
			return nil, err
		}
		for _, sr := range stored {
			runs = append(runs, sr.run)
		}
	}
	return runs, nil
}
