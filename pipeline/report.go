package pipeline

import (
	"log"
	"time"

	"dagger.io/dagger"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Result is one environment's build: its record, written to OUT/ENV/build.json,
// and what later stages and commands take from the engine.
type Result struct {
	provenance.Record

	// builder and installed are the builder before and after install, for bench's
	// comparison image.
	builder   *Builder
	installed *dagger.Container
	// elfs are the shipped ELF files, for the smoke test.
	elfs []slim.ELF
	// sbom is the image's SPDX document, attached when it is published.
	sbom []byte
	// image is the runtime image as published (reproducibleImage). It reads files in
	// the run's work directory: valid until Build returns.
	image v1.Image
	// Skipped says the inputs were those of an image already built: nothing ran.
	Skipped bool
}

// NewResult starts the record of env's build for target.
func NewResult(env *spack.Environment, target string) *Result {
	return &Result{Record: provenance.NewRecord(env, target)}
}

// addLockfile records the roots, and says which externals the runtime OS must provide.
func (r *Result) addLockfile(lf *spack.Lockfile) {
	r.AddLockfile(lf)
	if len(r.Externals) > 0 {
		log.Printf("%s: not shipped, the runtime OS must provide: %v", r.Environment, r.Externals)
	}
}

// progress logs one line per stage on stderr and times the stages for build.json.
type progress struct {
	env     string
	res     *Result
	start   time.Time
	current string
	since   time.Time
}

func newProgress(env string, res *Result) *progress {
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
	if err := r.Write(path); err != nil {
		return err
	}
	log.Printf("%s: payload %s (floor %s), %d layers, %.0fs", p.env, slim.MB(r.PayloadBytes), slim.MB(r.FloorBytes), r.Layers, r.TotalSeconds)
	return nil
}
