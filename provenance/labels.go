package provenance

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// The labels of a runtime image. The standard ones and those naming the environment,
// its Spack and its roots describe the image; the rest record the inputs (the source
// date, revision, source and Spack version are among the first).
const (
	LabelTitle        = "org.opencontainers.image.title"
	LabelCreated      = "org.opencontainers.image.created"
	LabelVersion      = "org.opencontainers.image.version"
	LabelSource       = "org.opencontainers.image.source"
	LabelRevision     = "org.opencontainers.image.revision"
	LabelEnvName      = "io.spack-ghcr.environment"
	LabelSpackVersion = "io.spack-ghcr.spack.version"
	LabelTarget       = "io.spack-ghcr.target"
	LabelRoots        = "io.spack-ghcr.roots"

	LabelKey         = "io.spack-ghcr.inputs"
	LabelEnvironment = "io.spack-ghcr.environment.sha256"
	LabelBuilder     = "io.spack-ghcr.builder"
	LabelBase        = "org.opencontainers.image.base.name"
	LabelBaseDigest  = "org.opencontainers.image.base.digest"
	LabelPackages    = "io.spack-ghcr.packages.commit"
	LabelSettings    = "io.spack-ghcr.settings"
	LabelPipeline    = "io.spack-ghcr.pipeline.sha256"
	LabelLockfile    = "io.spack-ghcr.lockfile.sha256"
)

// Image is what an image's labels and tags say of its build.
type Image struct {
	Env      *spack.Environment
	Lockfile *spack.Lockfile
	Target   string
	Inputs   *Inputs
}

// Labels are the OCI labels of the runtime image: the standard ones, what it was built
// from, and the environment's own container.labels. Every value follows from the
// inputs, dates from the source's, so that the same inputs give the same labels; the
// labels that record the inputs come last, so that container.labels cannot change
// them.
func (img Image) Labels() map[string]string {
	date := time.Unix(img.Inputs.SourceDateEpoch, 0).UTC()
	labels := map[string]string{
		LabelTitle:        img.Env.Name,
		LabelCreated:      date.Format(time.RFC3339),
		LabelVersion:      ImageVersion(img.Lockfile, date),
		LabelEnvName:      img.Env.Name,
		LabelSpackVersion: img.Inputs.SpackVersion,
		LabelTarget:       img.Target,
		LabelRoots:        strings.Join(RootIDs(img.Lockfile), " "),
		LabelSource:       img.Inputs.Source,
		LabelRevision:     img.Inputs.Revision,
	}
	maps.Copy(labels, img.Env.Container.Labels)
	maps.Copy(labels, img.Inputs.Labels())
	return labels
}

// RootIDs are the roots as name@version/hash.
func RootIDs(lf *spack.Lockfile) []string {
	var roots []string
	for _, r := range lf.RootSpecs() {
		roots = append(roots, r.Name+"@"+r.Version+"/"+r.Hash)
	}
	return roots
}

// ImageVersion is the root's version for a one-root environment, else the source's
// date.
func ImageVersion(lf *spack.Lockfile, date time.Time) string {
	if roots := lf.RootSpecs(); len(roots) == 1 {
		return roots[0].Version
	}
	return date.Format("2006.01.02")
}

// Tags are the tags an image gets: latest; the root's version, when the environment
// has one root (version is "" otherwise); and the short revision when known.
func Tags(version, revision string) []string {
	tags := []string{"latest"}
	if version != "" {
		tags = append(tags, version)
	}
	if len(revision) >= 7 {
		tags = append(tags, revision[:7])
	}
	return tags
}

// PublishTags are the Tags a registry takes: a version that is no valid tag (Spack
// allows '+' and more in a version) is left out. Both ways of publishing, one image
// and a multi-platform index, tag with them.
func PublishTags(version, revision string) []string {
	var tags []string
	for _, t := range Tags(version, revision) {
		if _, err := name.NewTag("example.com/x:"+t, name.StrictValidation); err == nil {
			tags = append(tags, t)
		}
	}
	return slices.Compact(tags)
}

// ImageTags are the PublishTags of an image built from lf.
func ImageTags(revision string, lf *spack.Lockfile) []string {
	var version string
	if roots := lf.RootSpecs(); len(roots) == 1 {
		version = roots[0].Version
	}
	return PublishTags(version, revision)
}

// Labels are the inputs as image labels; the base's are OCI's own annotation keys.
func (in *Inputs) Labels() map[string]string {
	l := map[string]string{
		LabelKey: in.Key, LabelEnvironment: in.EnvironmentSHA256, LabelBuilder: in.Builder,
		LabelPackages: in.Packages, LabelSettings: in.Settings, LabelPipeline: in.Pipeline,
		LabelLockfile: in.Lockfile,
	}
	if in.Base != spack.Scratch {
		l[LabelBase] = in.Base
		if _, digest, ok := strings.Cut(in.Base, "@"); ok {
			l[LabelBaseDigest] = digest
		}
	}
	return l
}

// FromLabels reads back what an image's labels record of its inputs.
func FromLabels(l map[string]string) (*Inputs, error) {
	in := &Inputs{
		Key: l[LabelKey], Environment: l[LabelEnvName], EnvironmentSHA256: l[LabelEnvironment],
		Builder: l[LabelBuilder], Base: cmp.Or(l[LabelBase], spack.Scratch), SpackVersion: l[LabelSpackVersion],
		Packages: l[LabelPackages], Settings: l[LabelSettings], Revision: l[LabelRevision],
		Source: l[LabelSource], Pipeline: l[LabelPipeline], Lockfile: l[LabelLockfile],
	}
	for _, must := range []struct{ label, value string }{
		{LabelKey, in.Key}, {LabelEnvName, in.Environment}, {LabelEnvironment, in.EnvironmentSHA256},
		{LabelBuilder, in.Builder}, {LabelPackages, in.Packages}, {LabelSettings, in.Settings},
	} {
		if must.value == "" {
			return nil, fmt.Errorf("no %s label: the image does not record its inputs (built before spack-ghcr recorded them?)", must.label)
		}
	}
	created, err := time.Parse(time.RFC3339, l[LabelCreated])
	if err != nil {
		return nil, fmt.Errorf("label %s %q: %w", LabelCreated, l[LabelCreated], err)
	}
	in.SourceDateEpoch = created.Unix()
	return in, nil
}
