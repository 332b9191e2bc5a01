package provenance

import (
	"bytes"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
	"github.com/spack-ghcr/spack-ghcr/repro"
)

// rebuild writes img as the rebuild's tarball and returns its record.
func rebuild(t *testing.T, img v1.Image, lockfile string) *Record {
	t.Helper()
	path := filepath.Join(t.TempDir(), "image.tar")
	require.NoError(t, repro.WriteTar(path, img))
	d, err := img.Digest()
	require.NoError(t, err)
	return &Record{Digest: d.String(), Tarball: path, Inputs: &Inputs{Lockfile: lockfile, Pipeline: "sha256:new"}}
}

func TestVerificationWrite(t *testing.T) {
	published := registrytest.Image(t, 1, "", map[string]string{LabelKey: "sha256:old", "app": "demo"})
	recorded := &Inputs{Lockfile: "0123", Pipeline: "sha256:old"}
	tests := []struct {
		name    string
		rebuilt *Record
		want    []string
		wantErr error
	}{
		{"identical", rebuild(t, published, "0123"), []string{"identical sha256:"}, nil},
		{"concretized differently", rebuild(t, published, "4567"), []string{"spack.lock: sha256 4567, the image records 0123", "identical"}, nil},
		{"another program", rebuild(t, registrytest.Image(t, 1, "", map[string]string{LabelKey: "sha256:new", "app": "demo"}), "0123"),
			[]string{"same files and config: sha256:", "(pipeline sha256:new, the image's sha256:old)"}, nil},
		{"other files", rebuild(t, registrytest.Image(t, 2, "", map[string]string{LabelKey: "sha256:old", "app": "other"}), "0123"),
			[]string{"differs: sha256:", "  … ", "more files", `  config label app: "demo" vs "other"`}, ErrDiffers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Verification{Published: published, Recorded: recorded, Rebuilt: tt.rebuilt, Show: 0}.Write(&out)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w)
			}
		})
	}
}
