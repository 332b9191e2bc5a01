package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/registry/registrytest"
)

// pushPlatformImage pushes a small image of one platform by digest, as a per-
// architecture build does, and returns REPO@sha256:….
func pushPlatformImage(t *testing.T, repo string, seed int64, platform, revision string) string {
	t.Helper()
	img := registrytest.Image(t, seed, platform, map[string]string{
		"io.spack-ghcr.roots":               "lz4@1.9.4/4mhag46",
		"org.opencontainers.image.version":  "1.9.4",
		"org.opencontainers.image.revision": revision,
	})
	pushed, err := registry.PushImage(context.Background(), repo, img, nil, registry.WithInsecure())
	require.NoError(t, err)
	return pushed.Digest.String()
}

// noGitHub clears what would make the command think it runs in GitHub Actions.
func noGitHub(t *testing.T) {
	for _, k := range []string{"GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_REF", "GITHUB_EVENT_PATH", "GITHUB_ACTOR", "REGISTRY_TOKEN", "GITHUB_TOKEN"} {
		t.Setenv(k, "")
	}
}

func TestManifestCommand(t *testing.T) {
	const rev = "0123456789abcdef"
	tests := []struct {
		name string
		// args gets the refs: "@refs" is replaced by a -from file of them, "@args" by
		// the refs themselves.
		args      []string
		env       map[string]string
		repos     []string // image names pushed, one amd64 and one arm64 image each
		otherRev  bool     // the arm64 image comes from another build
		wantTags  []string // on every repository
		wantNone  bool     // nothing published
		wantErr   string
		wantUsage bool
	}{
		{name: "two platforms, from a file", args: []string{"@refs"}, repos: []string{"lz4"}, wantTags: []string{"latest", "1.9.4", "0123456"}},
		{name: "as arguments, with explicit tags", args: []string{"--tag", "stable", "-tag", "latest", "@args"}, repos: []string{"lz4"}, wantTags: []string{"stable", "latest"}},
		{name: "two repositories, two indexes", args: []string{"@refs"}, repos: []string{"lz4", "zlib"}, wantTags: []string{"latest", "1.9.4", "0123456"}},
		{name: "a pull request publishes nothing", args: []string{"@refs"}, repos: []string{"lz4"},
			env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/1/merge"}, wantNone: true},
		{name: "the platforms asked for", args: []string{"--platforms", "linux/arm64,linux/amd64", "@refs"}, repos: []string{"lz4"}, wantTags: []string{"latest"}},
		{name: "a platform missing", args: []string{"--platforms", "linux/amd64,linux/arm64,linux/ppc64le", "@refs"}, repos: []string{"lz4"},
			wantErr: "no image for linux/ppc64le (its build failed?): nothing tagged"},
		{name: "a platform not asked for", args: []string{"--platforms", "linux/amd64", "@refs"}, repos: []string{"lz4"},
			wantErr: "images for linux/arm64, which -platforms does not name"},
		{name: "images of two builds", args: []string{"@refs"}, repos: []string{"lz4"}, otherRev: true, wantErr: "1 of 1 repositories not tagged"},
		{name: "a tag instead of a digest", args: []string{"example.com/x/lz4:latest"}, wantErr: `"example.com/x/lz4:latest" is not REPOSITORY@sha256:DIGEST`, wantUsage: true},
		{name: "nothing named", wantErr: "name the per-architecture images", wantUsage: true},
		{name: "a user without a password", args: []string{"--registry-user", "bot", "@args"}, repos: []string{"lz4"}, wantErr: "needs a password", wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noGitHub(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			ns := registrytest.New(t, false).Host + "/myorg"
			var refs []string
			for i, r := range tt.repos {
				armRev := rev
				if tt.otherRev {
					armRev = "fedcba9876543210"
				}
				refs = append(refs,
					pushPlatformImage(t, ns+"/"+r, int64(2*i), "linux/amd64", rev),
					pushPlatformImage(t, ns+"/"+r, int64(2*i+1), "linux/arm64", armRev))
			}
			var args []string
			for _, a := range tt.args {
				switch a {
				case "@refs":
					file := filepath.Join(t.TempDir(), "refs.txt")
					require.NoError(t, os.WriteFile(file, []byte("# per-architecture images\n"+strings.Join(refs, "\n")+"\n\n"), 0o644))
					args = append(args, "--from", file)
				case "@args":
					args = append(args, refs...)
				default:
					args = append(args, a)
				}
			}
			var stdout bytes.Buffer
			err := run(context.Background(), append([]string{"manifest"}, args...), &stdout)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, tt.wantUsage, isUsage(err))
				return
			}
			require.NoError(t, err)
			if tt.wantNone {
				assert.Empty(t, stdout.String())
				_, err := remote.Head(mustRef(t, ns+"/lz4:latest"))
				assert.Error(t, err, "no tag moved")
				return
			}
			lines := strings.Fields(stdout.String())
			require.Len(t, lines, len(tt.repos))
			for i, r := range tt.repos {
				assert.True(t, strings.HasPrefix(lines[i], ns+"/"+r+"@sha256:"), lines[i])
				for _, tag := range tt.wantTags {
					idx, err := remote.Index(mustRef(t, ns+"/"+r+":"+tag))
					require.NoError(t, err, tag)
					m, err := idx.IndexManifest()
					require.NoError(t, err)
					require.Len(t, m.Manifests, 2)
					assert.Equal(t, "linux/amd64", m.Manifests[0].Platform.String())
					assert.Equal(t, "linux/arm64", m.Manifests[1].Platform.String())
					assert.Equal(t, lines[i], ns+"/"+r+"@"+digestString(t, idx))
				}
			}
		})
	}
}

func digestString(t *testing.T, idx v1.ImageIndex) string {
	d, err := idx.Digest()
	require.NoError(t, err)
	return d.String()
}

func isUsage(err error) bool { return errors.Is(err, errUsage) }

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s, name.Insecure)
	require.NoError(t, err)
	return ref
}

// TestManifestOnTestbed pushes two platforms' images to the test bed's registry, joins
// them and reads the index back by its tag.
func TestManifestOnTestbed(t *testing.T) {
	repo := registrytest.Testbed(t, "manifest")
	noGitHub(t)
	amd := pushPlatformImage(t, repo, 1, "linux/amd64", "0123456789")
	arm := pushPlatformImage(t, repo, 2, "linux/arm64", "0123456789")
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"manifest", "--insecure", arm, amd}, &stdout))
	idx, err := remote.Index(mustRef(t, repo+":latest"))
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(stdout.String()), repo+"@"+digestString(t, idx))
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, m.Manifests, 2)
	assert.Equal(t, amd, repo+"@"+m.Manifests[0].Digest.String())
	assert.Equal(t, arm, repo+"@"+m.Manifests[1].Digest.String())
	for _, tag := range []string{"1.9.4", "0123456"} {
		d, err := remote.Head(mustRef(t, repo+":"+tag))
		require.NoError(t, err)
		assert.Equal(t, digestString(t, idx), d.Digest.String())
	}
}
