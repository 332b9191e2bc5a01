package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

func TestPublishByDigestThenTagsLatestLast(t *testing.T) {
	reg := registrytest.New(t, false)
	host, pushed := reg.Host, reg.ManifestPuts
	img := registrytest.Image(t, 1, "", nil)
	digest, err := img.Digest()
	require.NoError(t, err)
	ref, err := publish(context.Background(), publishInputs{image: img, namespace: host + "/o", name: "lz4", tags: []string{"latest", "1.9.4", "abcdef0"}})
	require.NoError(t, err)
	assert.Equal(t, host+"/o/lz4:latest@"+digest.String(), ref)
	assert.Equal(t, []string{digest.String(), "1.9.4", "abcdef0", "latest"}, pushed())
	for _, tag := range []string{"latest", "1.9.4", "abcdef0"} {
		r, err := name.ParseReference(host + "/o/lz4:" + tag)
		require.NoError(t, err)
		got, err := remote.Head(r)
		require.NoError(t, err)
		assert.Equal(t, digest, got.Digest, tag)
	}
}

func TestUpToDate(t *testing.T) {
	ctx := context.Background()
	host := registrytest.New(t, false).Host
	recorded := &provenance.Inputs{Environment: "lz4", Builder: "reg/spack:1.1.0@sha256:b", Packages: "119680ae"}
	recorded.Key = recorded.Sum()
	key := recorded.Key
	_, err := publish(ctx, publishInputs{image: registrytest.Image(t, 2, "", map[string]string{provenance.LabelKey: key}), namespace: host + "/current", name: "lz4", tags: []string{"latest"}})
	require.NoError(t, err)
	_, err = publish(ctx, publishInputs{image: registrytest.Image(t, 3, "", map[string]string{provenance.LabelKey: "sha256:other"}), namespace: host + "/stale", name: "lz4", tags: []string{"latest"}})
	require.NoError(t, err)

	out := t.TempDir()
	tarball := filepath.Join(out, "lz4", "image.tar")
	require.NoError(t, os.MkdirAll(filepath.Dir(tarball), 0o755))
	last := provenance.Record{Digest: "sha256:local", Tarball: tarball, Inputs: recorded}
	require.NoError(t, last.Write(filepath.Join(out, "lz4", provenance.RecordFile)))
	env := &spack.Environment{Name: "lz4"}
	tests := []struct {
		name       string
		cfg        Config
		key        string
		tarball    bool
		want       bool
		wantDigest string
	}{
		{name: "registry holds these inputs", cfg: Config{Registry: host + "/current"}, key: key, want: true},
		{name: "registry holds other inputs", cfg: Config{Registry: host + "/stale"}, key: key},
		{name: "nothing at the tag", cfg: Config{Registry: host + "/none"}, key: key},
		{name: "-force", cfg: Config{Registry: host + "/current", Force: true}, key: key},
		{name: "an input unknown", cfg: Config{Registry: host + "/current"}, key: ""},
		{name: "last local build", cfg: Config{Out: out}, key: key, want: true, wantDigest: "sha256:local"},
		{name: "last local build, tarball kept", cfg: Config{Out: out, Export: true}, key: key, tarball: true, want: true, wantDigest: "sha256:local"},
		{name: "last local build, tarball gone", cfg: Config{Out: out, Export: true}, key: key},
		{name: "last local build of other inputs", cfg: Config{Out: out}, key: "sha256:other"},
		{name: "no local build", cfg: Config{Out: t.TempDir()}, key: key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(tarball)
			if tt.tarball {
				require.NoError(t, os.WriteFile(tarball, []byte("tar"), 0o644))
			}
			res := &Result{Record: provenance.Record{Inputs: &provenance.Inputs{Key: tt.key}}}
			got, err := upToDate(ctx, tt.cfg, Shared{}, env, res)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, res.Skipped)
			if tt.wantDigest != "" {
				assert.Equal(t, tt.wantDigest, res.Digest)
			}
			if tt.want && tt.cfg.Registry != "" {
				assert.True(t, strings.HasPrefix(res.Ref, tt.cfg.Registry+"/lz4:latest@sha256:"), res.Ref)
			}
		})
	}
}
