package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"dagger.io/dagger"
	"github.com/spf13/pflag"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// buildInputs are what a runtime image is a function of. They are resolved before
// anything is built, recorded in the image's labels and in build.json, and hashed into
// Key, which says whether a run has anything to do (docs/reproducible.md).
type buildInputs struct {
	// Key is the sha256 of every field below but Lockfile, "" when one of them could
	// not be established (then nothing is ever skipped).
	Key         string `json:"key"`
	Environment string `json:"environment"`
	// EnvironmentSHA256 covers the files that enter the builder: spack.yaml, a
	// committed spack.lock, smoke.sh, repo/ and what the environment includes.
	EnvironmentSHA256 string `json:"environment_sha256"`
	// Builder and Base are the images by digest; Base is "scratch" for none.
	Builder      string `json:"builder_image"`
	Base         string `json:"runtime_base_image"`
	SpackVersion string `json:"spack_version"`
	// Packages is the spack-packages commit, with "+dirty.<sha256>" for local
	// changes to a checkout.
	Packages string `json:"packages_commit"`
	// Settings are the flags that change the image or the tests, "name=value ...".
	Settings string `json:"settings"`
	// SourceDateEpoch dates the image and every file in it.
	SourceDateEpoch int64  `json:"source_date_epoch"`
	Revision        string `json:"revision,omitempty"`
	Source          string `json:"source,omitempty"`
	// Pipeline is the sha256 of this program: its code decides what ships.
	Pipeline string `json:"pipeline_sha256"`
	// Lockfile is the sha256 of spack.lock as installed. It follows from the inputs
	// above (or is committed with the environment), and is known only after
	// concretizing, so it is recorded but not part of Key.
	Lockfile string `json:"lockfile_sha256,omitempty"`
}

// reproFlags are build's flags about reproducibility.
type reproFlags struct {
	// force builds even when the inputs are those of the image already built.
	force bool
	// epoch, when set, is the source date to build with: verify rebuilds a
	// recorded image with the date it records.
	epoch *int64
}

func (r *reproFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&r.force, "force", false, "build even when the inputs are those of the image already at the tag (or of the last local build)")
}

// environmentFiles are the files of an environment's directory that enter the builder
// besides spack.yaml, which enters as read: Dagger include patterns, where "dir/**" is
// a whole folder.
var environmentFiles = []string{"spack.lock", "smoke.sh", "repo/**"}

// pinInputs resolves the builder and runtime base images to digests and computes the
// run's inputs. It returns the environment with its images pinned, so that every
// later stage uses exactly the images recorded.
func pinInputs(ctx context.Context, client *dagger.Client, cfg buildConfig, sh shared, env *spack.Environment, res *buildResult) (*spack.Environment, error) {
	builder, err := client.Container().From(env.Images.Builder).ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("resolving the builder image %s: %w", env.Images.Builder, execDetail(err))
	}
	base := env.Images.Runtime
	if base != spack.Scratch {
		if base, err = client.Container().From(base).ImageRef(ctx); err != nil {
			return nil, fmt.Errorf("resolving the runtime base image %s: %w", env.Images.Runtime, execDetail(err))
		}
	}
	in := &buildInputs{
		Environment: env.Name, Builder: builder, Base: base, SpackVersion: env.Images.SpackVersion,
		Settings: buildSettings(cfg, res.Target), Source: cfg.source,
	}
	in.EnvironmentSHA256, err = environmentDigest(env)
	if err != nil {
		return nil, err
	}
	in.SourceDateEpoch, in.Revision = sourceDate(env, cfg)
	in.Packages = packagesIdentity(cfg.packagesDir, sh.pins)
	if pipeline, err := programDigest(); err == nil {
		in.Pipeline = pipeline
	}
	if in.Packages != "" && in.Pipeline != "" {
		in.Key = in.key()
	}
	pinned := *env
	pinned.Images.Builder, pinned.Images.Runtime = builder, base
	res.BuilderImage, res.RuntimeImage, res.Inputs = builder, base, in
	return &pinned, nil
}

// key hashes the inputs that decide the image and the tests.
func (in buildInputs) key() string {
	in.Key, in.Lockfile = "", ""
	data, _ := json.Marshal(in) // a struct of strings and numbers always marshals
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// buildSettings are the flags that change the image or how it is tested, sorted by
// name. Flags that only say where output goes (-out, -export, -registry, -summary)
// and the caches (-mirror) are not among them.
func buildSettings(cfg buildConfig, target string) string {
	return strings.Join([]string{
		"builder-os=" + cfg.builderOS,
		"max-size=" + strconv.FormatFloat(cfg.maxSizeMB, 'g', -1, 64),
		"profile=" + cfg.profile,
		"stand-alone=" + strconv.FormatBool(cfg.standAlone),
		"target=" + target,
		"test-timeout=" + strconv.Itoa(cfg.testTimeout),
		"tests=" + cfg.tests,
	}, " ")
}

// environmentDigest hashes what of the environment enters the builder: spack.yaml as
// read, the environment's own files (environmentFiles) and what it includes, each by
// repository path, kind, executable bit and content.
func environmentDigest(env *spack.Environment) (string, error) {
	files := map[string]string{path.Join(env.RelDir, "spack.yaml"): "file " + sha256Hex(env.Raw)}
	for _, pattern := range environmentFiles {
		dir, whole := strings.CutSuffix(pattern, "/**")
		if err := hashTree(files, filepath.Join(env.Dir, dir), path.Join(env.RelDir, dir), whole); err != nil {
			return "", err
		}
	}
	for _, inc := range env.Includes {
		if err := hashTree(files, inc.Path, inc.Rel, inc.Dir); err != nil {
			return "", err
		}
	}
	h := sha256.New()
	for _, p := range sortedKeys(files) {
		fmt.Fprintf(h, "%s\x00%s\n", p, files[p])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// hashTree adds the file at host (or, for a folder, every file below it) to files,
// keyed by its repository path rel. A missing path adds nothing: the builder gets
// nothing from it either.
func hashTree(files map[string]string, host, rel string, folder bool) error {
	if _, err := os.Lstat(host); err != nil {
		return nil
	}
	return filepath.WalkDir(host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		if d.IsDir() {
			if !folder {
				return fs.SkipDir
			}
			return nil
		}
		r, err := filepath.Rel(host, p)
		if err != nil {
			return err
		}
		key := path.Join(rel, filepath.ToSlash(r))
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			files[key] = "symlink " + target
		case d.Type().IsRegular():
			sum, err := fileSHA256(p)
			if err != nil {
				return err
			}
			files[key] = fmt.Sprintf("file %s exec=%t", sum, info.Mode()&0o111 != 0)
		}
		return nil
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sourceDate is the date the image carries and the revision it names. The date is
// verify's recorded one, else $SOURCE_DATE_EPOCH, else the commit time of the last
// change to the environment or what it includes; the revision is -revision, else that
// commit. Outside git the date is 0, 1970-01-01.
func sourceDate(env *spack.Environment, cfg buildConfig) (epoch int64, revision string) {
	commit, when, err := lastChange(env)
	if err != nil {
		log.Printf("%s: no commit date for the environment (%v): dating the image 1970-01-01; set SOURCE_DATE_EPOCH", env.Name, err)
		when = 0
	}
	revision = cfg.revision
	if revision == "" {
		revision = commit
	}
	if cfg.repro.epoch != nil {
		return *cfg.repro.epoch, revision
	}
	if s, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		return s, revision
	}
	return when, revision
}

// lastChange is the commit, and its time, that last changed the environment's folder
// or anything it includes.
func lastChange(env *spack.Environment) (commit string, epoch int64, err error) {
	args := []string{"-C", env.Root, "log", "-1", "--format=%H %ct", "--", env.RelDir}
	for _, inc := range env.Includes {
		args = append(args, inc.Rel)
	}
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return "", 0, fmt.Errorf("git log in %s: %w", env.Root, err)
	}
	commit, when, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok {
		return "", 0, fmt.Errorf("git log in %s: %s is not committed", env.Root, env.RelDir)
	}
	epoch, err = strconv.ParseInt(when, 10, 64)
	return commit, epoch, err
}

// packagesIdentity names the package repository's content: the pin, or a local
// checkout's HEAD with a hash of its local changes. It is "" when a local directory
// is no git checkout: its content is then unknown.
func packagesIdentity(dir string, pins *spack.Pins) string {
	commit := packagesCommit(dir, pins)
	if dir == "" || commit == "" {
		return commit
	}
	status, err := exec.Command("git", "-C", dir, "status", "--porcelain", "-z", "--untracked-files=all").Output()
	if err != nil {
		return ""
	}
	if len(status) == 0 {
		return commit
	}
	h := sha256.New()
	h.Write(status)
	diff := exec.Command("git", "-C", dir, "diff", "HEAD", "--binary")
	diff.Stdout = h
	if diff.Run() != nil {
		return ""
	}
	for _, entry := range strings.Split(string(status), "\x00") {
		if p, ok := strings.CutPrefix(entry, "?? "); ok {
			sum, err := fileSHA256(filepath.Join(dir, p))
			if err != nil {
				return ""
			}
			fmt.Fprintf(h, "%s %s\n", p, sum)
		}
	}
	return commit + "+dirty." + hex.EncodeToString(h.Sum(nil))[:16]
}

// programDigest is the sha256 of the running program: any change to the pipeline's
// code, its dependencies or the Go toolchain gives other inputs.
var programDigest = sync.OnceValues(func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	sum, err := fileSHA256(exe)
	if err != nil {
		return "", err
	}
	return "sha256:" + sum, nil
})
