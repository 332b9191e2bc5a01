package registry

import (
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// FuzzOpenImage feeds OpenImage arbitrary files as image layout tars: it must return an
// image or an error, never panic, and an image it returns must have a digest.
func FuzzOpenImage(f *testing.F) {
	valid, err := os.ReadFile(tarDir(f, writeLayout(f, []v1.Image{testImage(f, 1, "linux/amd64", nil)}, nil)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "image.tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		img, closeImage, err := OpenImage(p)
		if err != nil {
			return
		}
		defer closeImage()
		if _, err := img.Digest(); err != nil {
			t.Errorf("an opened image has no digest: %v", err)
		}
	})
}
