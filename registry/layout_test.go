package registry

import (
	"archive/tar"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

// writeLayout writes images (and indexes) into a fresh OCI layout directory.
func writeLayout(t testing.TB, images []v1.Image, indexes []v1.ImageIndex) string {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	require.NoError(t, err)
	for _, img := range images {
		require.NoError(t, p.AppendImage(img))
	}
	for _, idx := range indexes {
		require.NoError(t, p.AppendIndex(idx))
	}
	return dir
}

// tarDir packs dir as Dagger's Container.Export does: directories, then files.
func tarDir(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(out)
	require.NoError(t, err)
	tw := tar.NewWriter(f)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		fi, err := d.Info()
		require.NoError(t, err)
		h, err := tar.FileInfoHeader(fi, "")
		require.NoError(t, err)
		h.Name = filepath.ToSlash(rel)
		require.NoError(t, tw.WriteHeader(h))
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			_, err = tw.Write(data)
			require.NoError(t, err)
		}
		return nil
	}))
	require.NoError(t, tw.Close())
	require.NoError(t, f.Close())
	return out
}

func TestOpenImage(t *testing.T) {
	img := testImage(t, 1, "linux/amd64", map[string]string{"a": "b"})
	dir := writeLayout(t, []v1.Image{img}, nil)
	for name, path := range map[string]string{"directory": dir, "tar": tarDir(t, dir)} {
		t.Run(name, func(t *testing.T) {
			got, closeImage, err := OpenImage(path)
			require.NoError(t, err)
			defer closeImage()
			assert.Equal(t, digestOf(t, img), digestOf(t, got), "the manifest is kept byte for byte")

			// It pushes, blobs and all, and reads back the same.
			reg := registrytest.New(t, true)
			p, err := PushImage(context.Background(), reg.Host+"/demo/x", got, []string{"latest"}, fast)
			require.NoError(t, err)
			back, err := remote.Image(p.Tags[0])
			require.NoError(t, err)
			assert.Equal(t, digestOf(t, img), digestOf(t, back))
			layers, err := back.Layers()
			require.NoError(t, err)
			require.Len(t, layers, 2)
		})
	}
}

func TestOpenImageRefuses(t *testing.T) {
	one := testImage(t, 1, "linux/amd64", nil)
	two := testImage(t, 2, "linux/arm64", nil)
	idx, err := Index([]v1.Image{one})
	require.NoError(t, err)
	tampered := writeLayout(t, []v1.Image{one}, nil)
	m, err := one.Manifest()
	require.NoError(t, err)
	cfg := filepath.Join(tampered, "blobs", "sha256", m.Config.Digest.Hex)
	require.NoError(t, os.Chmod(cfg, 0o644))
	require.NoError(t, os.WriteFile(cfg, []byte(`{"tampered":true}`), 0o644))
	notTar := filepath.Join(t.TempDir(), "image.tar")
	require.NoError(t, os.WriteFile(notTar, []byte("not a tar file"), 0o644))

	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "two images", path: writeLayout(t, []v1.Image{one, two}, nil), wantErr: "lists 2 manifests, want the one image"},
		{name: "an index", path: writeLayout(t, nil, []v1.ImageIndex{idx}), wantErr: "want an image manifest"},
		{name: "a blob that does not match its digest", path: tampered, wantErr: "does not match its digest"},
		{name: "no layout", path: t.TempDir(), wantErr: "index.json"},
		{name: "not a tar", path: notTar, wantErr: "not an image layout tar"},
		{name: "missing", path: filepath.Join(t.TempDir(), "nothing.tar"), wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := OpenImage(tt.path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
