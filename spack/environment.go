package spack

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"

	"gopkg.in/yaml.v3"
)

// Environment is a Spack environment as spack-ghcr builds it,
// environments/<Name>/spack.yaml, read the way Spack reads it: definitions, matrices and
// conditions expanded, includes resolved. It is the one reader of spack.yaml: build,
// plan, updates, stats and bench all use it.
type Environment struct {
	// Name is the environment's directory name; it becomes the image name.
	Name string
	// Path is the spack.yaml file, Dir its directory.
	Path, Dir string
	// Root is the repository the environment belongs to: its includes and files
	// must stay inside it. RelDir is Dir relative to Root, with slashes.
	Root, RelDir string
	// Specs are the root specs after definitions, matrices and excludes are expanded,
	// printed as Spack prints them; Roots are the same parsed.
	Specs []string
	Roots []*Node
	// Literals are the spec strings as written in specs and definitions, with their
	// position, for edits that must change one version and nothing else.
	Literals []EnvSpec
	// Includes are the configuration files and folders the environment includes,
	// directly or through them, whose conditions hold on the builder.
	Includes []Include
	// Container is Spack's container: section, the pipeline's defaults for this
	// environment.
	Container Container
	// Images are the builder and runtime images, from flags, the container section
	// or the defaults.
	Images ResolvedImages
	// Host is what `when:` conditions were evaluated against.
	Host Host
	// Requirements are what the environment and its includes say in
	// packages:all:require and packages:all:target.
	Requirements Requirements
	// View is the environment's view: setting.
	View View
	// Raw is the file as read, for copying into the builder unchanged.
	Raw []byte
}

// Bounds on input, so that a hostile spack.yaml (from a pull request) is refused in
// well under a second instead of keeping Spack busy for hours.
const (
	MaxFileBytes = 1 << 20 // a spack.yaml or an included file
	MaxSpecs     = 10_000  // root specs after expansion
)

// envNameRE is what an environment's name must look like to become part of an image
// reference, a tag or a path.
var envNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidName reports whether s may be used as an environment name.
func ValidName(s string) bool { return envNameRE.MatchString(s) && len(s) <= 128 }

// Option changes how an environment is read.
type Option func(*options)

type options struct {
	root                  string
	builderImage, runtime string
	builderOS             string
	host                  Host
	portableTarget        string
	spackVersion          string
	ignoreMissingIncludes bool
}

// WithRoot sets the repository root that includes may not leave. The default is the
// nearest directory above the environment holding .git, else the environment's own
// directory.
func WithRoot(dir string) Option { return func(o *options) { o.root = dir } }

// WithImages sets the builder and runtime images given on the command line; they win
// over the container section. Empty strings leave the choice to the environment.
func WithImages(builder, runtime string) Option {
	return func(o *options) { o.builderImage, o.runtime = builder, runtime }
}

// WithBuilderOS names the builder image's operating system as Spack does
// ("ubuntu24.04"), for conditions that read os when the image is not one of Spack's.
func WithBuilderOS(os string) Option { return func(o *options) { o.builderOS = os } }

// WithTarget sets the portable target the pipeline adds to the environment's
// requirements, and the target conditions see. The default is x86_64_v3 on amd64,
// aarch64 on arm64.
func WithTarget(t string) Option { return func(o *options) { o.portableTarget = t } }

// WithSpackVersion sets the Spack version of the default builder image
// (pins.yaml's spack.version). The default is 1.1.0.
func WithSpackVersion(v string) Option { return func(o *options) { o.spackVersion = v } }

// WithEnv sets the builder's environment variables that conditions read through env.
// The default is empty: the builder sets none a condition would look for.
func WithEnv(env map[string]string) Option { return func(o *options) { o.host.Env = env } }

// DefaultTarget is the portable target for the machine's architecture: binaries for
// the build machine's own CPU would not run on older ones.
func DefaultTarget() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64_v3"
	case "arm64":
		return "aarch64"
	}
	return ""
}

// LoadEnvironment reads and checks environments/<name>/spack.yaml, given the file's
// path or its directory.
func LoadEnvironment(path string, opts ...Option) (*Environment, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "spack.yaml")
	}
	data, err := ReadEnvironmentFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", path, err)
	}
	return ParseEnvironment(filepath.Base(filepath.Dir(abs)), path, data, opts...)
}

// ReadEnvironmentFile reads the spack.yaml at path as every reader of environments
// must: never through a symbolic link, and at most MaxFileBytes.
func ReadEnvironmentFile(path string) ([]byte, error) {
	// A spack.yaml from a pull request may be a link to a file of the build machine:
	// never read one that leads out of its own folder.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, &ParseError{Path: path, Msg: "spack.yaml is a symbolic link: an environment's spack.yaml must be a file of its own"}
	}
	return readBounded(path)
}

// readBounded reads a file of at most MaxFileBytes; the error for a missing
// spack.yaml says how to make one.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("environment %s: no such file (create environments/<name>/spack.yaml)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading environment: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading environment: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("file is larger than %d bytes, the bound on a spack.yaml", MaxFileBytes)}
	}
	return data, nil
}

// ParseEnvironment checks the spack.yaml bytes data of environment name; path locates
// the file, for includes and for messages.
func ParseEnvironment(name, path string, data []byte, opts ...Option) (*Environment, error) {
	o := options{host: Host{Platform: "linux"}, spackVersion: "1.1.0", portableTarget: DefaultTarget()}
	for _, opt := range opts {
		opt(&o)
	}
	if !ValidName(name) {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("environment name %q must match %s (it names the image)", name, envNameRE)}
	}
	if len(data) > MaxFileBytes {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("file is larger than %d bytes, the bound on a spack.yaml", MaxFileBytes)}
	}
	env := &Environment{Name: name, Path: path, Dir: filepath.Dir(path), Raw: data}
	if err := env.setRoot(o.root); err != nil {
		return nil, err
	}
	f, err := decodeYAML(path, data)
	if err != nil {
		return nil, err
	}
	spackNode, err := topLevel(f)
	if err != nil {
		return nil, err
	}
	r := &envReader{env: env, file: f, opts: o}
	if err := r.read(spackNode); err != nil {
		return nil, err
	}
	return env, nil
}

// topLevel checks the document's top level, a mapping with the single key spack:.
func topLevel(f *yamlFile) (*yaml.Node, error) {
	top := f.root
	if top == nil {
		return nil, f.errorf(nil, "file is empty: want a top-level spack: mapping")
	}
	if top.Kind != yaml.MappingNode {
		return nil, f.errorf(top, "top level must be a mapping with a single key spack:, not a %s", kindName(top))
	}
	var spackNode *yaml.Node
	for i := 0; i < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "spack":
			spackNode = v
		case "env":
			return nil, f.errorf(k, "top-level key env: is Spack's old name; rename it to spack:")
		default:
			return nil, f.errorf(k, "unknown top-level key %q: a spack.yaml holds only spack:", k.Value)
		}
	}
	if spackNode == nil {
		return nil, f.errorf(top, "missing top-level key spack:")
	}
	if err := f.mapping(spackNode, "spack:"); err != nil {
		return nil, err
	}
	return spackNode, nil
}
