package pipeline

import (
	"maps"
	"slices"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Config is how the pipeline builds an environment: what the build command's flags
// set, minus which environments and how they are read.
type Config struct {
	// BuilderOS is the builder's operating system as Spack names it, when the image
	// is not one of Spack's.
	BuilderOS   string
	PackagesDir string // a spack-packages checkout, "" for the pin
	MirrorDir   string // a Spack source mirror, "" for none
	Target      string
	Profile     string
	Tests       string // build-time tests: none, root or all
	StandAlone  bool
	TestTimeout int // seconds per package's stand-alone tests, 0 for no limit
	// Registry is the namespace to publish to, "" for none; RegistryUser logs in to it
	// and to the shared build cache.
	Registry     string
	RegistryUser string
	Export       bool // write OUT/ENV/image.tar
	Out          string
	MaxSizeMB    float64
	Source       string // the org.opencontainers.image.source label
	Revision     string // "" for the commit of the environment's last change
	Summary      string // a Markdown file the test summary is appended to
	// BuildCache is Spack's OCI build cache shared by every runner (oci://HOST/NAME,
	// or oci+http:// for a plain-HTTP registry); PushCache says whether this run may
	// write to it.
	BuildCache string
	PushCache  bool
	// PushByDigest publishes without tags: per-architecture images that `manifest`
	// joins and tags.
	PushByDigest bool
	// Force builds even when the inputs are those of the image already built.
	Force bool
	// Epoch, when set, is the source date to build with: verify rebuilds a recorded
	// image with the date it records.
	Epoch *int64
}

// Shared are the inputs every environment's build takes besides the flags: what was
// read once for the whole run.
type Shared struct {
	Pins *spack.Pins
	// RegistryOpts are the registry's credentials (and retries) for publishing.
	RegistryOpts []registry.Option
	// CacheAuth is the password of the shared build cache, when there is one.
	CacheAuth *dagger.Secret
	// CacheKey, when set, gives the run caches of its own: `bench` measures cold runs.
	CacheKey string
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
