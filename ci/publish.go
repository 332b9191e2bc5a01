package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"dagger.io/dagger"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/sbom"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// imageInfo is what an image's labels and tags say of its build.
type imageInfo struct {
	env      *spack.Environment
	lockfile *spack.Lockfile
	target   string
	inputs   *buildInputs
}

// imageLabels are the OCI labels of the runtime image: the standard ones, what it was
// built from, and the environment's own container.labels. Every value follows from
// the inputs, dates from the source's, so that the same inputs give the same labels;
// the labels that record the inputs come last, so that container.labels cannot
// change them.
func imageLabels(in imageInfo) map[string]string {
	date := time.Unix(in.inputs.SourceDateEpoch, 0).UTC()
	labels := map[string]string{
		"org.opencontainers.image.title":    in.env.Name,
		"org.opencontainers.image.created":  date.Format(time.RFC3339),
		"org.opencontainers.image.version":  imageVersion(in.lockfile, date),
		"io.spack-ghcr.environment":         in.env.Name,
		"io.spack-ghcr.spack.version":       in.inputs.SpackVersion,
		"io.spack-ghcr.target":              in.target,
		"io.spack-ghcr.roots":               strings.Join(rootIDs(in.lockfile), " "),
		"org.opencontainers.image.source":   in.inputs.Source,
		"org.opencontainers.image.revision": in.inputs.Revision,
	}
	maps.Copy(labels, in.env.Container.Labels)
	maps.Copy(labels, in.inputs.labels())
	return labels
}

// rootIDs are the roots as name@version/hash.
func rootIDs(lf *spack.Lockfile) []string {
	var roots []string
	for _, r := range lf.RootSpecs() {
		roots = append(roots, r.Name+"@"+r.Version+"/"+r.Hash)
	}
	return roots
}

// imageVersion is the root's version for a one-root environment, else the source's
// date.
func imageVersion(lf *spack.Lockfile, date time.Time) string {
	if roots := lf.RootSpecs(); len(roots) == 1 {
		return roots[0].Version
	}
	return date.Format("2006.01.02")
}

// Labels that record the inputs; the source date, revision, source and Spack version
// are in the standard labels and io.spack-ghcr.spack.version.
const (
	labelKey         = "io.spack-ghcr.inputs"
	labelEnvironment = "io.spack-ghcr.environment.sha256"
	labelBuilder     = "io.spack-ghcr.builder"
	labelBase        = "org.opencontainers.image.base.name"
	labelBaseDigest  = "org.opencontainers.image.base.digest"
	labelPackages    = "io.spack-ghcr.packages.commit"
	labelSettings    = "io.spack-ghcr.settings"
	labelPipeline    = "io.spack-ghcr.pipeline.sha256"
	labelLockfile    = "io.spack-ghcr.lockfile.sha256"
)

// labels are the inputs as image labels; the base's are OCI's own annotation keys.
func (in *buildInputs) labels() map[string]string {
	l := map[string]string{
		labelKey: in.Key, labelEnvironment: in.EnvironmentSHA256, labelBuilder: in.Builder,
		labelPackages: in.Packages, labelSettings: in.Settings, labelPipeline: in.Pipeline,
		labelLockfile: in.Lockfile,
	}
	if in.Base != spack.Scratch {
		l[labelBase] = in.Base
		if _, digest, ok := strings.Cut(in.Base, "@"); ok {
			l[labelBaseDigest] = digest
		}
	}
	return l
}

// inputsFromLabels reads back what an image's labels record of its inputs.
func inputsFromLabels(l map[string]string) (*buildInputs, error) {
	in := &buildInputs{
		Key: l[labelKey], Environment: l["io.spack-ghcr.environment"], EnvironmentSHA256: l[labelEnvironment],
		Builder: l[labelBuilder], Base: cmp.Or(l[labelBase], spack.Scratch), SpackVersion: l["io.spack-ghcr.spack.version"],
		Packages: l[labelPackages], Settings: l[labelSettings], Revision: l["org.opencontainers.image.revision"],
		Source: l["org.opencontainers.image.source"], Pipeline: l[labelPipeline], Lockfile: l[labelLockfile],
	}
	for _, must := range []struct{ label, value string }{
		{labelKey, in.Key}, {"io.spack-ghcr.environment", in.Environment}, {labelEnvironment, in.EnvironmentSHA256},
		{labelBuilder, in.Builder}, {labelPackages, in.Packages}, {labelSettings, in.Settings},
	} {
		if must.value == "" {
			return nil, fmt.Errorf("no %s label: the image does not record its inputs (built before spack-ghcr recorded them?)", must.label)
		}
	}
	created, err := time.Parse(time.RFC3339, l["org.opencontainers.image.created"])
	if err != nil {
		return nil, fmt.Errorf("label org.opencontainers.image.created %q: %w", l["org.opencontainers.image.created"], err)
	}
	in.SourceDateEpoch = created.Unix()
	return in, nil
}

// setting reads one name=value of Settings.
func (in *buildInputs) setting(name string) string {
	for _, f := range strings.Fields(in.Settings) {
		if k, v, ok := strings.Cut(f, "="); ok && k == name {
			return v
		}
	}
	return ""
}

func withLabels(labels map[string]string) func(*dagger.Container) *dagger.Container {
	return func(c *dagger.Container) *dagger.Container {
		for _, k := range sortedKeys(labels) {
			if labels[k] != "" {
				c = c.WithLabel(k, labels[k])
			}
		}
		return c
	}
}

// imageTags: latest, the root's version for a one-root environment, and the short
// revision when known.
func imageTags(revision string, lf *spack.Lockfile) []string {
	tags := []string{"latest"}
	if roots := lf.RootSpecs(); len(roots) == 1 {
		tags = append(tags, roots[0].Version)
	}
	if len(revision) >= 7 {
		tags = append(tags, revision[:7])
	}
	return tags
}

// publishInputs are what publishing one image takes.
type publishInputs struct {
	image     v1.Image // as made reproducible, not as the engine exported it
	namespace string   // --registry
	name      string   // the environment
	tags      []string
	sbom      []byte
	created   time.Time
	opts      []registry.Option
}

// publish pushes the image by digest, then moves its tags (latest last), and attaches
// its SBOM. It returns the reference to print, REPO:TAG@sha256:… (or REPO@sha256:…
// when pushed without tags).
func publish(ctx context.Context, in publishInputs) (string, error) {
	repo, err := registry.Repository(in.namespace, in.name)
	if err != nil {
		return "", err
	}
	pushed, err := registry.PushImage(ctx, repo, in.image, in.tags, in.opts...)
	if err != nil {
		return "", err
	}
	if len(in.sbom) > 0 {
		_, err := registry.Attach(ctx, pushed.Digest.String(), registry.Artifact{
			Type: sbom.MediaType, Data: in.sbom, Title: "sbom.spdx.json",
			Annotations: map[string]string{"org.opencontainers.image.created": in.created.Format(time.RFC3339)},
		}, in.opts...)
		if err != nil {
			return "", fmt.Errorf("attaching the SBOM to %s: %w", pushed.Digest, err)
		}
	}
	if len(in.tags) == 0 {
		return pushed.Digest.String(), nil
	}
	return fmt.Sprintf("%s:%s@%s", repo, in.tags[0], pushed.Digest.DigestStr()), nil
}
