package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

func TestPushImage(t *testing.T) {
	tests := []struct {
		name     string
		tags     []string
		faults   []registrytest.Fault
		opts     []Option
		wantTags []string // moved, in order
		// wantPuts are the manifest PUTs that reached the registry: "DIGEST" for the
		// push by digest, else the tag.
		wantPuts      []string
		wantTransient bool
		wantErr       string
	}{
		{
			name:     "digest first, then tags as given, latest last, no repeats",
			tags:     []string{"latest", "1.9.4", "abc1234", "1.9.4"},
			wantTags: []string{"1.9.4", "abc1234", "latest"},
			wantPuts: []string{"DIGEST", "1.9.4", "abc1234", "latest"},
		},
		{
			name:     "no tags: by digest only",
			wantPuts: []string{"DIGEST"},
		},
		{
			name: "transient 5xx answers are retried",
			tags: []string{"latest"},
			faults: []registrytest.Fault{
				{Method: http.MethodPost, Path: "/blobs/uploads/", Code: http.StatusServiceUnavailable, Times: 2},
				{Method: http.MethodPut, Path: "/manifests/sha256:", Code: http.StatusBadGateway, Times: 1},
				{Method: http.MethodPut, Path: "/manifests/latest", Code: http.StatusGatewayTimeout, Times: 1},
			},
			wantTags:      []string{"latest"},
			wantPuts:      []string{"DIGEST", "latest"},
			wantTransient: true,
		},
		{
			name:    "a registry that keeps failing: one error line, no tag moved",
			tags:    []string{"1.9.4", "latest"},
			faults:  []registrytest.Fault{{Method: http.MethodPut, Path: "/manifests/", Code: http.StatusServiceUnavailable, Times: -1}},
			wantErr: "pushing ",
		},
		{
			name:    "an invalid tag: nothing sent",
			tags:    []string{"1.0", "bad tag"},
			wantErr: `tag "bad tag"`,
		},
		{
			name:    "over the size limit: nothing sent",
			tags:    []string{"latest"},
			opts:    []Option{WithLimits(Limits{MaxCompressedBytes: 100})},
			wantErr: "over the limit of 0.0 MB: nothing pushed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registrytest.New(t, true, tt.faults...)
			img := testImage(t, 1, "linux/amd64", nil)
			repo := reg.Host + "/demo/lz4"
			got, err := PushImage(context.Background(), repo, img, tt.tags, append([]Option{fast}, tt.opts...)...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "\n", "one line")
				for _, tag := range tt.tags {
					if ref, perr := name.NewTag(repo + ":" + tag); perr == nil {
						_, herr := remote.Head(ref)
						assert.Error(t, herr, "tag %s must not exist", tag)
					}
				}
				return
			}
			require.NoError(t, err)
			digest := digestOf(t, img)
			assert.Equal(t, repo+"@"+digest, got.Digest.String())
			var moved []string
			for _, tag := range got.Tags {
				moved = append(moved, tag.TagStr())
				desc, err := remote.Head(tag)
				require.NoError(t, err)
				assert.Equal(t, digest, desc.Digest.String(), tag.String())
			}
			assert.Equal(t, tt.wantTags, moved)
			var puts []string
			for _, p := range reg.ManifestPuts() {
				puts = append(puts, strings.Replace(p, digest, "DIGEST", 1))
			}
			assert.Equal(t, tt.wantPuts, puts)
			t.Logf("%d requests, %d failed transiently", got.Requests, got.Transient)
			assert.Equal(t, tt.wantTransient, got.Transient > 0, "transient failures: %+v", got.Stats)
			assert.Positive(t, got.Requests)
		})
	}
}

func TestPushImageErrorIsOneLine(t *testing.T) {
	reg := registrytest.New(t, true, registrytest.Fault{Method: http.MethodPut, Path: "/manifests/", Code: http.StatusServiceUnavailable, Times: -1})
	_, err := PushImage(context.Background(), reg.Host+"/demo/lz4", testImage(t, 1, "", nil), []string{"latest"}, fast)
	require.Error(t, err)
	var rerr *Error
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, "pushing", rerr.Op)
	assert.Positive(t, rerr.Stats.Transient)
	t.Logf("gave up after %d requests, %d failed transiently", rerr.Stats.Requests, rerr.Stats.Transient)
	assert.Regexp(t, `^pushing 127\.0\.0\.1:\d+/demo/lz4@sha256:[0-9a-f]{64}: .*503 Service Unavailable: <html> <body>injected fault</body> </html> \(\d+ of \d+ requests failed transiently and were retried\)$`, err.Error())
}

func TestTagErrorSaysWhereTagsPoint(t *testing.T) {
	reg := registrytest.New(t, true)
	repo := reg.Host + "/demo/lz4"
	old := testImage(t, 1, "", nil)
	_, err := PushImage(context.Background(), repo, old, []string{"1.9.3", "latest"}, fast)
	require.NoError(t, err)

	reg.SetFaults(registrytest.Fault{Method: http.MethodPut, Path: "/manifests/abc1234", Code: http.StatusInternalServerError, Times: -1})
	img := testImage(t, 2, "", nil)
	_, err = PushImage(context.Background(), repo, img, []string{"1.9.4", "abc1234", "latest"}, fast)
	require.Error(t, err)
	var terr *TagError
	require.ErrorAs(t, err, &terr)
	assert.Equal(t, "abc1234", terr.Failed.TagStr())
	newD, oldD := digestOf(t, img), digestOf(t, old)
	assert.Contains(t, err.Error(), "tags now point: 1.9.4 → "+newD+", abc1234 → nothing, latest → "+oldD)
	assert.NotContains(t, err.Error(), "\n")
	desc, err := remote.Head(parseRef(t, repo+":latest"))
	require.NoError(t, err)
	assert.Equal(t, oldD, desc.Digest.String(), "latest still serves the old image")

	// The rerun finishes the job.
	reg.SetFaults()
	got, err := PushImage(context.Background(), repo, img, []string{"1.9.4", "abc1234", "latest"}, fast)
	require.NoError(t, err)
	assert.Len(t, got.Tags, 3)
	desc, err = remote.Head(parseRef(t, repo+":latest"))
	require.NoError(t, err)
	assert.Equal(t, newD, desc.Digest.String())
}

func TestPushImageCredentials(t *testing.T) {
	const token = "ghp_canary0123456789"
	tests := []struct {
		name    string
		opts    []Option
		wantErr bool
	}{
		{name: "right credentials", opts: []Option{WithBasicAuth("bot", token)}},
		{name: "wrong password", opts: []Option{WithBasicAuth("bot", "ghp_wrong0123456789")}, wantErr: true},
		{name: "none", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registrytest.New(t, true)
			reg.RequireAuth("bot", token)
			_, err := PushImage(context.Background(), reg.Host+"/demo/lz4", testImage(t, 1, "", nil), []string{"latest"}, append(tt.opts, fast)...)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "401 Unauthorized")
			assert.NotContains(t, err.Error(), "ghp_", "no credential in errors")
		})
	}
	_, err := PushImage(context.Background(), "example.com/x", testImage(t, 1, "", nil), nil, WithBasicAuth("bot", ""))
	assert.ErrorContains(t, err, "user and password must both be given")
}

func TestPushImageHonoursContext(t *testing.T) {
	reg := registrytest.New(t, true, registrytest.Fault{Method: http.MethodPut, Path: "/manifests/", Code: http.StatusServiceUnavailable, Times: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The default backoff would wait 13 s; the context ends it.
	_, err := PushImage(ctx, reg.Host+"/demo/lz4", testImage(t, 1, "", nil), []string{"latest"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context deadline exceeded"), err.Error())
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestPushIndexAndTestbed(t *testing.T) {
	amd := testImage(t, 1, "linux/amd64", nil)
	arm := testImage(t, 2, "linux/arm64", nil)
	idx, err := Index([]v1.Image{amd, arm})
	require.NoError(t, err)
	for _, target := range []string{"fake", "testbed"} {
		t.Run(target, func(t *testing.T) {
			var repo string
			var opts []Option
			if target == "fake" {
				repo = registrytest.New(t, true).Host + "/demo/multi"
			} else {
				repo = registrytest.Testbed(t, "index")
				opts = append(opts, WithInsecure())
			}
			got, err := PushIndex(context.Background(), repo, idx, []string{"latest", "1.0"}, append(opts, fast)...)
			require.NoError(t, err)
			require.Len(t, got.Tags, 2)
			assert.Equal(t, "latest", got.Tags[1].TagStr())
			ref, err := name.ParseReference(repo+":latest", name.Insecure)
			require.NoError(t, err)
			back, err := remote.Index(ref)
			require.NoError(t, err)
			m, err := back.IndexManifest()
			require.NoError(t, err)
			require.Len(t, m.Manifests, 2)
			assert.Equal(t, "linux/amd64", m.Manifests[0].Platform.String())
			assert.Equal(t, "linux/arm64", m.Manifests[1].Platform.String())
			assert.Equal(t, digestOf(t, amd), m.Manifests[0].Digest.String())
			assert.Equal(t, digestOf(t, arm), m.Manifests[1].Digest.String())
			assert.Equal(t, digestOf(t, idx), digestOf(t, back))
		})
	}
}
