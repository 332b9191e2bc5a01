package repro

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type file struct {
	name, body string
	mode       int64
	typ        byte
	link       string
}

// layer is a tar layer of files, each with the given modification time.
func layer(t *testing.T, mtime time.Time, files ...file) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		require.NoError(t, tw.WriteHeader(&tar.Header{
			Typeflag: typ, Name: f.name, Linkname: f.link, Size: int64(len(f.body)), Mode: mode,
			ModTime: mtime, AccessTime: mtime, ChangeTime: mtime, Uname: "builder", Format: tar.FormatPAX,
		}))
		_, err := tw.Write([]byte(f.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	require.NoError(t, err)
	return l
}

// engineImage is base plus layers, as an engine would export it: history dated by
// the build and naming a temporary directory.
func engineImage(t *testing.T, base v1.Image, built time.Time, labels map[string]string, layers ...v1.Layer) v1.Image {
	t.Helper()
	img := base
	for _, l := range layers {
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{
			Created: v1.Time{Time: built}, CreatedBy: "local dir /tmp/spack-ghcr-" + built.Format("150405"),
		}})
		require.NoError(t, err)
	}
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: built}
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Env = []string{"PATH=/opt/software/app/bin"}
	cf.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cf)
	require.NoError(t, err)
	return img
}

var appFiles = []file{
	{name: "opt/", typ: tar.TypeDir, mode: 0o755},
	{name: "opt/software/app/bin/app", body: "\x7fELF app", mode: 0o755},
	{name: "opt/software/app/lib/libapp.so", body: "\x7fELF lib"},
	{name: "opt/software/app/lib/libapp.so.1", typ: tar.TypeSymlink, link: "libapp.so"},
}

func TestNormalizeSameFilesSameDigest(t *testing.T) {
	base, err := random.Image(512, 2)
	require.NoError(t, err)
	epoch := time.Unix(1_700_000_000, 0)
	recipe := func() Recipe {
		return Recipe{Epoch: epoch, BaseLayers: 2, Base: "debian@sha256:x", CreatedBy: "spack-ghcr: app", Work: t.TempDir()}
	}
	build := func(built time.Time, files ...file) v1.Image {
		img := engineImage(t, base, built, map[string]string{"b": "2", "a": "1"}, layer(t, built, files...))
		n, err := Normalize(img, recipe())
		require.NoError(t, err)
		return n
	}
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	first, second := build(monday, appFiles...), build(monday.Add(26*time.Hour), appFiles...)
	d1, err := first.Digest()
	require.NoError(t, err)
	d2, err := second.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d2, "the build's dates must not reach the digest")

	// The engine may split the same files into layers otherwise (here: a library
	// copied, then overwritten by its stripped self): one squashed layer, one digest.
	unstripped := file{name: "opt/software/app/lib/libapp.so", body: "\x7fELF lib with debug info"}
	split := engineImage(t, base, monday, map[string]string{"b": "2", "a": "1"},
		layer(t, monday, appFiles[0], unstripped), layer(t, monday, appFiles[1:]...))
	n, err := Normalize(split, recipe())
	require.NoError(t, err)
	d, err := n.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d, "layers split otherwise, same files")

	changed := append(append([]file{}, appFiles[:2]...), file{name: "opt/software/app/lib/libapp.so", body: "\x7fELF lib2"}, appFiles[3])
	d3, err := build(monday, changed...).Digest()
	require.NoError(t, err)
	assert.NotEqual(t, d1, d3, "other files, other digest")

	// The base's layers stay as they are, so a registry shares them.
	bl, err := base.Layers()
	require.NoError(t, err)
	nl, err := first.Layers()
	require.NoError(t, err)
	for i := range bl {
		want, _ := bl[i].Digest()
		got, _ := nl[i].Digest()
		assert.Equal(t, want, got)
	}
	cf, err := first.ConfigFile()
	require.NoError(t, err)
	assert.True(t, cf.Created.Equal(epoch))
	require.Len(t, cf.History, 3)
	assert.Equal(t, "base image debian@sha256:x", cf.History[0].CreatedBy)
	assert.Equal(t, "spack-ghcr: app", cf.History[2].CreatedBy)
	assert.Equal(t, []string{"PATH=/opt/software/app/bin"}, cf.Config.Env)
	mt, err := first.MediaType()
	require.NoError(t, err)
	assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", string(mt))
	m, err := first.Manifest()
	require.NoError(t, err)
	for _, l := range m.Layers {
		assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", string(l.MediaType), "one manifest, one naming of gzip layers")
	}

	for _, hdr := range headers(t, nl[2]) {
		assert.True(t, hdr.ModTime.Equal(epoch), hdr.Name)
		assert.Empty(t, hdr.Uname, hdr.Name)
		assert.True(t, hdr.AccessTime.IsZero(), hdr.Name)
	}
}

// headers are a layer's tar headers, in order.
func headers(t *testing.T, l v1.Layer) []*tar.Header {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	var out []*tar.Header
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, hdr)
	}
}

func TestNormalizeKeepsDeletions(t *testing.T) {
	base, err := random.Image(64, 1)
	require.NoError(t, err)
	now := time.Unix(1_700_000_000, 0)
	img := engineImage(t, base, now, nil, layer(t, now, appFiles...),
		layer(t, now, file{name: "etc/.wh.motd"}, file{name: "opt/software/app/bin/.wh.app"}, file{name: "var/cache/.wh..wh..opq"}))
	n, err := Normalize(img, Recipe{Epoch: now, BaseLayers: 1, Work: t.TempDir()})
	require.NoError(t, err)
	layers, err := n.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 2)
	var names []string
	for _, hdr := range headers(t, layers[1]) {
		names = append(names, hdr.Name)
	}
	assert.Equal(t, []string{
		"etc/.wh.motd", // a base file deleted stays deleted
		"opt/", "opt/software/app/bin/.wh.app", "opt/software/app/lib/libapp.so", "opt/software/app/lib/libapp.so.1",
		"var/cache/.wh..wh..opq",
	}, names, "path order; a file added and deleted above the base leaves its whiteout only")
}

func TestNormalizeRefusesMoreBaseLayersThanTheImageHas(t *testing.T) {
	_, err := Normalize(empty.Image, Recipe{BaseLayers: 1, Work: t.TempDir()})
	assert.ErrorContains(t, err, "base has 1 layers, the image only 0")
}

func TestCompare(t *testing.T) {
	base, err := random.Image(256, 1)
	require.NoError(t, err)
	now := time.Unix(1_700_000_000, 0)
	img := func(labels map[string]string, layers ...v1.Layer) v1.Image {
		return engineImage(t, base, now, labels, layers...)
	}
	labels := map[string]string{"io.spack-ghcr.roots": "app@1.0/aaaa"}
	ref := img(labels, layer(t, now, appFiles...))
	planted := append(append([]file{}, appFiles[:2]...), file{name: "opt/software/app/lib/libapp.so", body: "\x7fELF planted"}, appFiles[3])
	tests := []struct {
		name       string
		other      v1.Image
		wantFiles  []string // "path: A | B"
		wantConfig []string
	}{
		{name: "identical", other: img(labels, layer(t, now.Add(time.Hour), appFiles...))},
		{
			name:      "planted file",
			other:     img(labels, layer(t, now, planted...)),
			wantFiles: []string{"/opt/software/app/lib/libapp.so: 8 bytes, sha256 dbfb11d6c032, mode 644 | 12 bytes, sha256 ddaf776eefe8, mode 644"},
		},
		{
			name:      "a layer on top overrides a shared file",
			other:     img(labels, layer(t, now, appFiles...), layer(t, now, file{name: "opt/software/app/lib/libapp.so", body: "\x7fELF planted"})),
			wantFiles: []string{"/opt/software/app/lib/libapp.so: 8 bytes, sha256 dbfb11d6c032, mode 644 | 12 bytes, sha256 ddaf776eefe8, mode 644"},
		},
		{
			name:      "missing and deleted files",
			other:     img(labels, layer(t, now, appFiles[:2]...), layer(t, now, file{name: "opt/software/app/bin/.wh.app"})),
			wantFiles: []string{"/opt/software/app/bin/app: 8 bytes, sha256 142a4b93b305, mode 755 | deleted", "/opt/software/app/lib/libapp.so: 8 bytes, sha256 dbfb11d6c032, mode 644 | absent", "/opt/software/app/lib/libapp.so.1: symlink to libapp.so | absent"},
		},
		{
			name:       "labels",
			other:      img(map[string]string{"io.spack-ghcr.roots": "app@1.1/bbbb"}, layer(t, now, appFiles...)),
			wantConfig: []string{`label io.spack-ghcr.roots: "app@1.0/aaaa" vs "app@1.1/bbbb"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Compare(ref, tt.other)
			require.NoError(t, err)
			var files []string
			for _, f := range d.Files {
				files = append(files, f.Path+": "+f.A.String()+" | "+f.B.String())
			}
			assert.Equal(t, tt.wantFiles, files)
			assert.Equal(t, tt.wantConfig, d.Config)
			assert.Equal(t, len(tt.wantFiles)+len(tt.wantConfig) == 0, d.None())
		})
	}
}

func TestWriteTar(t *testing.T) {
	base, err := random.Image(256, 1)
	require.NoError(t, err)
	now := time.Unix(1_700_000_000, 0)
	img, err := Normalize(engineImage(t, base, now, nil, layer(t, now, appFiles...)), Recipe{Epoch: now, BaseLayers: 1, Work: t.TempDir()})
	require.NoError(t, err)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	require.NoError(t, WriteTar(a, img))
	require.NoError(t, WriteTar(b, img))
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, da, db, "the same image, the same file")

	// The OCI index names the image's digest; docker's manifest.json reads back to the
	// same layers.
	digest, err := img.Digest()
	require.NoError(t, err)
	var index v1.IndexManifest
	require.NoError(t, json.Unmarshal(tarEntry(t, a, "index.json"), &index))
	require.Len(t, index.Manifests, 1)
	assert.Equal(t, digest, index.Manifests[0].Digest)
	back, err := tarball.ImageFromPath(a, nil)
	require.NoError(t, err)
	want, err := img.ConfigFile()
	require.NoError(t, err)
	got, err := back.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, want.RootFS.DiffIDs, got.RootFS.DiffIDs)
}

func tarEntry(t *testing.T, path, name string) []byte {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		require.NoError(t, err, "no %s in %s", name, path)
		if hdr.Name == name {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			return data
		}
	}
}

func TestSharedLayers(t *testing.T) {
	base, err := random.Image(256, 2)
	require.NoError(t, err)
	img := engineImage(t, base, time.Unix(1_700_000_000, 0), nil, layer(t, time.Unix(1_700_000_000, 0), file{name: "app", body: "x"}))
	cf, err := base.ConfigFile()
	require.NoError(t, err)
	ids := []string{cf.RootFS.DiffIDs[0].String(), cf.RootFS.DiffIDs[1].String()}
	tests := []struct {
		name    string
		baseIDs []string
		want    int
	}{
		{"scratch", nil, 0},
		{"the whole base", ids, 2},
		{"another base after the first layer", []string{ids[0], "sha256:other"}, 1},
		{"a longer base than the image", append(slices.Clone(ids), "sha256:a", "sha256:b"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := SharedLayers(img, tt.baseIDs)
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
}
