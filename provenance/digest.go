package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// EnvironmentFiles are the files of an environment's directory that enter the builder
// besides spack.yaml, which enters as read: Dagger include patterns, where "dir/**" is
// a whole folder. EnvironmentDigest hashes the same files.
var EnvironmentFiles = []string{"spack.lock", "smoke.sh", "repo/**"}

// EnvironmentDigest hashes what of the environment enters the builder: spack.yaml as
// read, the environment's own files (EnvironmentFiles) and what it includes, each by
// repository path, kind, executable bit and content.
func EnvironmentDigest(env *spack.Environment) (string, error) {
	files := map[string]string{path.Join(env.RelDir, "spack.yaml"): "file " + sha256Hex(env.Raw)}
	for _, pattern := range EnvironmentFiles {
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
	for _, p := range slices.Sorted(maps.Keys(files)) {
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

// ProgramDigest is the sha256 of the running program: any change to the pipeline's
// code, its dependencies or the Go toolchain gives other inputs.
func ProgramDigest() (string, error) { return programDigest() }

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
