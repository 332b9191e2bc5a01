package provenance

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/spack-ghcr/spack-ghcr/repro"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Recorded is the environment an image's inputs record, as found on disk.
type Recorded struct {
	Env *spack.Environment
	// Revision is the commit it was extracted at, "" when it is the local one.
	Revision string
	dir      string
}

// Close removes the copy extracted from git, if any.
func (r *Recorded) Close() error {
	if r.dir == "" {
		return nil
	}
	return os.RemoveAll(r.dir)
}

// FindEnvironment finds the environment whose files hash to what in records: the one
// at local (DIR/NAME/spack.yaml), else the one in git at the recorded revision,
// extracted to a temporary directory that Close removes.
func FindEnvironment(local string, in *Inputs, opts []spack.Option) (*Recorded, error) {
	env, err := spack.LoadEnvironment(local, opts...)
	if err == nil {
		if sum, err := EnvironmentDigest(env); err == nil && sum == in.EnvironmentSHA256 {
			return &Recorded{Env: env}, nil
		}
	}
	if in.Revision == "" {
		return nil, fmt.Errorf("%s does not hash to the recorded %s, and the image names no revision to find it at", local, in.EnvironmentSHA256)
	}
	top, rel, err := repositoryPath(filepath.Dir(local))
	if err != nil {
		return nil, fmt.Errorf("%s differs from the recorded environment, and %w", local, err)
	}
	dir, err := os.MkdirTemp("", "spack-ghcr-verify-src-")
	if err != nil {
		return nil, err
	}
	r := &Recorded{Revision: in.Revision, dir: dir}
	if err := gitExtract(top, in.Revision, dir); err != nil {
		r.Close()
		return nil, fmt.Errorf("%s differs from the recorded environment, and %w", local, err)
	}
	r.Env, err = spack.LoadEnvironment(filepath.Join(dir, rel, "spack.yaml"), append(opts, spack.WithRoot(dir))...)
	if err == nil {
		var sum string
		if sum, err = EnvironmentDigest(r.Env); err == nil && sum != in.EnvironmentSHA256 {
			err = fmt.Errorf("it hashes to %s, the image records %s", sum, in.EnvironmentSHA256)
		}
	}
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("the environment at revision %s: %w", in.Revision, err)
	}
	return r, nil
}

// ErrDiffers says that a rebuild holds other files or config than the published image.
var ErrDiffers = errors.New("the rebuild differs from the published image")

// Verification is a published image, the inputs its labels record, and the record of
// its rebuild from them.
type Verification struct {
	Published v1.Image
	Recorded  *Inputs
	Rebuilt   *Record
	// Show bounds the differing files listed.
	Show int
}

// Write prints the outcome: identical, the same files and config from another
// program, or the differences, which are ErrDiffers.
func (v Verification) Write(w io.Writer) error {
	want, err := v.Published.Digest()
	if err != nil {
		return err
	}
	line := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	in, res := v.Recorded, v.Rebuilt
	if res.Inputs.Lockfile != in.Lockfile {
		line("spack.lock: sha256 %s, the image records %s: the rebuild concretized differently (commit spack.lock to pin it)", res.Inputs.Lockfile, in.Lockfile)
	}
	if res.Digest == want.String() {
		line("identical %s", want)
		return nil
	}
	rebuilt, err := tarball.ImageFromPath(res.Tarball, nil)
	if err != nil {
		return fmt.Errorf("reading the rebuilt image: %w", err)
	}
	d, err := repro.Compare(v.Published, rebuilt)
	if err != nil {
		return fmt.Errorf("comparing: %w", err)
	}
	var config []string
	for _, c := range d.Config {
		// The key and the program's hash name the program that built each image.
		if !strings.HasPrefix(c, "label "+LabelKey+":") && !strings.HasPrefix(c, "label "+LabelPipeline+":") {
			config = append(config, c)
		}
	}
	if len(d.Files) == 0 && len(config) == 0 {
		line("same files and config: %s rebuilt as %s by another program (pipeline %s, the image's %s)", want, res.Digest, res.Inputs.Pipeline, in.Pipeline)
		return nil
	}
	line("differs: %s rebuilt as %s", want, res.Digest)
	for i, f := range d.Files {
		if i == v.Show {
			line("  … %d more files", len(d.Files)-i)
			break
		}
		line("  %s: published %s; rebuilt %s", f.Path, f.A, f.B)
	}
	for _, c := range config {
		line("  config %s", c)
	}
	return ErrDiffers
}
