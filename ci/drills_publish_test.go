package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

// publishFaults publishes the built image to a registry that fails: a blip, an outage,
// a tag it refuses. Every other stage comes from the engine's cache.
func (d *drill) publishFaults(t *testing.T) {
	tests := []struct {
		name   string
		repo   string
		faults []registrytest.Fault
		// wantLine is the error's pattern, "" for a build that succeeds.
		wantLine string
		// wantTags are the tags at the pushed image afterwards.
		wantTags []string
	}{
		{
			name: "blip: two blob uploads and a manifest fail once", repo: "drill-retry",
			faults: []registrytest.Fault{
				{Method: http.MethodPost, Path: "/drill-retry/libsigsegv/blobs/uploads/", Code: http.StatusServiceUnavailable, Times: 2},
				{Method: http.MethodPut, Path: "/drill-retry/libsigsegv/manifests/sha256:", Code: http.StatusBadGateway, Times: 1},
			},
			wantTags: []string{"0123456", "2.14", "latest"},
		},
		{
			name: "outage: every manifest upload fails", repo: "drill-down",
			faults: []registrytest.Fault{
				{Method: http.MethodPut, Path: "/drill-down/libsigsegv/manifests/", Code: http.StatusServiceUnavailable, Times: -1},
			},
			wantLine: `^spack-ghcr: libsigsegv: pushing \S+/drill-down/libsigsegv@sha256:[0-9a-f]{64}: .*503 Service Unavailable.* \(\d+ of \d+ requests failed transiently and were retried\)$`,
		},
		{
			name: "the registry refuses to move latest", repo: "drill-tag",
			faults: []registrytest.Fault{
				{Method: http.MethodPut, Path: "/drill-tag/libsigsegv/manifests/latest", Code: http.StatusServiceUnavailable, Times: -1},
			},
			wantLine: `^spack-ghcr: libsigsegv: tagging \S+/drill-tag/libsigsegv:latest: .*; \S+@sha256:[0-9a-f]{64} was pushed, but tags now point: 2\.14 → sha256:[0-9a-f]{64}, 0123456 → sha256:[0-9a-f]{64}, latest → nothing$`,
			wantTags: []string{"0123456", "2.14"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			d.reg.SetFaults(tt.faults...)
			served, faulted := d.reg.Counts()
			r, out := d.build(ctx, "", "--registry", d.reg.Host+"/"+tt.repo)
			served2, faulted2 := d.reg.Counts()
			t.Logf("figures: %d requests answered, %d faults injected, %s in all (the build itself comes from the engine's cache)",
				served2-served, faulted2-faulted, r.elapsed.Round(100*time.Millisecond))
			if tt.wantLine == "" {
				require.Equal(t, 0, r.code, r.lastLine())
			} else {
				assert.Equal(t, 1, r.code)
				assert.Regexp(t, tt.wantLine, r.lastLine())
				assert.Empty(t, r.stdout, "no reference printed for an image not published")
			}
			// The results, the logs and the image stay, published or not.
			runs, _ := filepath.Glob(filepath.Join(out, "*", "results.json"))
			assert.Len(t, runs, 1)
			assert.FileExists(t, filepath.Join(out, "install.log"))
			assert.FileExists(t, filepath.Join(out, "image.tar"))
			assert.ElementsMatch(t, tt.wantTags, d.tags(t, tt.repo), "no tag points at anything but the whole image")
		})
	}
	t.Run("a rerun moves the tags left behind", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		d.reg.SetFaults()
		r, _ := d.build(ctx, "", "--registry", d.reg.Host+"/drill-tag")
		require.Equal(t, 0, r.code, r.lastLine())
		_, digest, _ := strings.Cut(strings.TrimSpace(r.stdout), "@")
		tags := d.tags(t, "drill-tag")
		assert.ElementsMatch(t, []string{"0123456", "2.14", "latest"}, tags)
		for _, tag := range tags {
			assert.Equal(t, digest, d.digest(t, "drill-tag", tag), tag)
		}
	})
}

// tags lists the tags of REPO/libsigsegv in the drills' registry: none when the
// repository holds no manifest.
func (d *drill) tags(t *testing.T, repo string) []string {
	t.Helper()
	r, err := name.NewRepository(d.reg.Host+"/"+repo+"/libsigsegv", name.Insecure)
	require.NoError(t, err)
	tags, err := remote.List(r, d.auth())
	if err != nil && strings.Contains(err.Error(), "NAME_UNKNOWN") {
		return nil
	}
	require.NoError(t, err)
	return tags
}

// digest is what REPO/libsigsegv:tag points at.
func (d *drill) digest(t *testing.T, repo, tag string) string {
	t.Helper()
	ref, err := name.NewTag(d.reg.Host+"/"+repo+"/libsigsegv:"+tag, name.Insecure)
	require.NoError(t, err)
	desc, err := remote.Head(ref, d.auth())
	require.NoError(t, err)
	return desc.Digest.String()
}

func (d *drill) auth() remote.Option {
	return remote.WithAuth(&authn.Basic{Username: drillUser, Password: drillCanary})
}

// pushResults pushes the results of every drill so far to a fake GitHub with the
// canary as GITHUB_TOKEN, and returns the pushed tree.
func (d *drill) pushResults(t *testing.T) map[string][]byte {
	t.Helper()
	srv := ghtest.NewServer(t)
	srv.Token = drillCanary
	repo := srv.CreateRepo("o", "results")
	d.mu.Lock()
	outs := slices.Clone(d.outs)
	d.mu.Unlock()
	for _, out := range outs {
		if runs, _ := filepath.Glob(filepath.Join(out, "*", "*", "results.json")); len(runs) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		r := runCI(ctx, d.bin, []string{"GITHUB_TOKEN=" + drillCanary},
			"results", "push", "--repo", "o/results", "--from", out, "--api-url", srv.URL())
		cancel()
		require.Equal(t, 0, r.code, r.lastLine())
		d.mu.Lock()
		d.runs = append(d.runs, r)
		d.mu.Unlock()
	}
	files := repo.Files("main")
	require.NotEmpty(t, files)
	return files
}

// scanSecrets looks for the canary in every output of every drill: stdout, stderr,
// every file under out/ (the image's OCI layout with its layers and labels, Spack's
// logs, the SBOM, the results), and everything pushed: the images, Spack's binary
// build cache, and the results repository's tree.
func (d *drill) scanSecrets(t *testing.T) {
	pushed := d.pushResults(t)
	d.mu.Lock()
	defer d.mu.Unlock()
	var hits []string
	for i, r := range d.runs {
		hits = append(hits, canaryHits(fmt.Sprintf("stdout of run %d", i+1), []byte(r.stdout), drillCanary)...)
		hits = append(hits, canaryHits(fmt.Sprintf("stderr of run %d", i+1), []byte(r.stderr), drillCanary)...)
	}
	for _, out := range d.outs {
		hits = append(hits, canaryHitsInTree(t, out, drillCanary)...)
	}
	uploads := append(d.reg.Uploads(), d.cache.Uploads()...)
	var bytes int
	for _, u := range uploads {
		bytes += len(u.Body)
		hits = append(hits, canaryHits(u.Method+" "+u.Path, u.Body, drillCanary)...)
	}
	for p, data := range pushed {
		hits = append(hits, canaryHits("results repository: "+p, data, drillCanary)...)
	}
	t.Logf("scanned %d runs' stdout and stderr, %d out directories, %d uploads to the registries (%d bytes), %d files pushed to the results repository",
		len(d.runs), len(d.outs), len(uploads), bytes, len(pushed))
	assert.Empty(t, hits, "the canary token is in these outputs")
}
