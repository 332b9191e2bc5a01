package provenance

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// RecordFile is the name of a build's record in OUT/ENV.
const RecordFile = "build.json"

// Record is a build's record, OUT/ENV/build.json: what the image was made from, what
// it holds and what the build cost.
type Record struct {
	Environment   string             `json:"environment"`
	RunID         string             `json:"run_id"`
	Roots         []string           `json:"roots"`
	Target        string             `json:"target,omitempty"`
	BuilderImage  string             `json:"builder_image"`
	RuntimeImage  string             `json:"runtime_base_image"`
	Ref           string             `json:"ref,omitempty"`
	Digest        string             `json:"digest,omitempty"`
	Inputs        *Inputs            `json:"inputs,omitempty"`
	Tarball       string             `json:"tarball,omitempty"`
	BuilderBytes  int64              `json:"builder_bytes"`
	RuntimeBytes  int64              `json:"runtime_bytes"`
	PayloadBytes  int64              `json:"payload_bytes"`
	FloorBytes    int64              `json:"floor_bytes"`
	Layers        int                `json:"layers"`
	PackageBytes  map[string]int64   `json:"package_bytes"`
	Externals     []string           `json:"externals,omitempty"`
	OSLibraries   []string           `json:"os_libraries,omitempty"`
	BuiltFromSrc  []string           `json:"built_from_source"`
	FromCache     []string           `json:"from_binary_cache"`
	CachePush     string             `json:"buildcache_push,omitempty"`
	StageSeconds  map[string]float64 `json:"stage_seconds"`
	TotalSeconds  float64            `json:"total_seconds"`
	SmokeTestedOK int                `json:"smoke_tested_elf_files"`
}

// NewRecord starts the record of a build of env for target; a target the environment
// names wins.
func NewRecord(env *spack.Environment, target string) Record {
	if env.Requirements.Target != "" {
		target = env.Requirements.Target
	}
	return Record{
		Environment: env.Name, BuilderImage: env.Images.Builder, RuntimeImage: env.Images.Runtime,
		Target: target, StageSeconds: map[string]float64{},
	}
}

// AddLockfile records the roots, the lockfile's hash among the inputs, and the
// externals the runtime OS must provide.
func (r *Record) AddLockfile(lf *spack.Lockfile) {
	r.Roots = RootIDs(lf)
	if r.Inputs != nil {
		r.Inputs.Lockfile = lf.SHA256
	}
	for _, x := range lf.RuntimeClosure().Externals {
		r.Externals = append(r.Externals, x.Name+"@"+x.Version+" ("+x.External+")")
	}
}

// Write writes the record to path as indented JSON.
func (r *Record) Write(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// ReadRecord reads a record Write wrote.
func ReadRecord(path string) (*Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &r, nil
}

// Current reports whether the record is of a build of the inputs whose Key is key and,
// when tarball is set, whether the image tarball it wrote is still there.
func (r *Record) Current(key string, tarball bool) bool {
	if r.Inputs == nil || r.Inputs.Key != key {
		return false
	}
	if tarball {
		if _, err := os.Stat(r.Tarball); r.Tarball == "" || err != nil {
			return false
		}
	}
	return true
}
