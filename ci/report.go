package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"time"

	"dagger.io/dagger"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// buildResult is written to OUT/ENV/build.json.
type buildResult struct {
	Environment   string             `json:"environment"`
	RunID         string             `json:"run_id"`
	Roots         []string           `json:"roots"`
	Target        string             `json:"target,omitempty"`
	BuilderImage  string             `json:"builder_image"`
	RuntimeImage  string             `json:"runtime_base_image"`
	Ref           string             `json:"ref,omitempty"`
	Digest        string             `json:"digest,omitempty"`
	Inputs        *buildInputs       `json:"inputs,omitempty"`
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

	// builder and installed are the builder before and after install, for bench's
	// comparison image.
	builder   *builder
	installed *dagger.Container
	// elfs are the shipped ELF files, for the smoke test.
	elfs []slim.ELF
	// sbom is the image's SPDX document, attached when it is published.
	sbom []byte
	// image is the runtime image as published (reproducibleImage). It reads files in
	// the run's work directory: valid until buildEnvironment returns.
	image v1.Image
	// skipped says the inputs were those of an image already built: nothing ran.
	skipped bool
}

func newBuildResult(env *spack.Environment, target string) *buildResult {
	if env.Requirements.Target != "" {
		target = env.Requirements.Target
	}
	return &buildResult{
		Environment: env.Name, BuilderImage: env.Images.Builder, RuntimeImage: env.Images.Runtime,
		Target: target, StageSeconds: map[string]float64{},
	}
}

// addLockfile records the roots, and the externals the runtime OS must provide.
func (r *buildResult) addLockfile(lf *spack.Lockfile) {
	r.Roots = rootIDs(lf)
	if r.Inputs != nil {
		r.Inputs.Lockfile = lf.SHA256
	}
	for _, x := range lf.RuntimeClosure().Externals {
		r.Externals = append(r.Externals, x.Name+"@"+x.Version+" ("+x.External+")")
	}
	if len(r.Externals) > 0 {
		log.Printf("%s: not shipped, the runtime OS must provide: %v", r.Environment, r.Externals)
	}
}

// progress logs one line per stage on stderr and times the stages for build.json.
type progress struct {
	env     string
	res     *buildResult
	start   time.Time
	current string
	since   time.Time
}

func newProgress(env string, res *buildResult) *progress {
	now := time.Now()
	return &progress{env: env, res: res, start: now, since: now}
}

// stageKeys name the stages in build.json's stage_seconds.
var stageKeys = map[string]string{
	"resolving inputs": "inputs", "preparing the builder": "builder", "concretizing": "concretize", "installing": "install",
	"testing": "test", "assembling runtime image": "runtime", "smoke testing": "smoke",
	"measuring": "measure", "publishing": "publish",
}

// stage ends the current stage and starts the next.
func (p *progress) stage(name string) {
	p.end()
	log.Printf("%s: %s", p.env, name)
	p.current, p.since = name, time.Now()
}

func (p *progress) end() {
	if p.current != "" {
		p.res.StageSeconds[stageKeys[p.current]] += time.Since(p.since).Seconds()
	}
	p.current = ""
}

// done ends the last stage and writes build.json.
func (p *progress) done(path string) error {
	p.end()
	r := p.res
	r.TotalSeconds = time.Since(p.start).Seconds()
	if err := writeJSON(path, r); err != nil {
		return err
	}
	log.Printf("%s: payload %s (floor %s), %d layers, %.0fs", p.env, mb(r.PayloadBytes), mb(r.FloorBytes), r.Layers, r.TotalSeconds)
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }
