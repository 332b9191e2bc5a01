package provenance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

func TestSettingsRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		input Settings
		want  string
	}{
		{"zero", Settings{}, "builder-os= max-size=0 profile= stand-alone=false target= test-timeout=0 tests="},
		{"build's defaults", Settings{Profile: "runtime", StandAlone: true, Target: "x86_64_v3", TestTimeout: 600, Tests: "root"},
			"builder-os= max-size=0 profile=runtime stand-alone=true target=x86_64_v3 test-timeout=600 tests=root"},
		{"every field", Settings{BuilderOS: "ubuntu24.04", MaxSizeMB: 12.5, Profile: "devel", Target: "aarch64", TestTimeout: 30, Tests: "all"},
			"builder-os=ubuntu24.04 max-size=12.5 profile=devel stand-alone=false target=aarch64 test-timeout=30 tests=all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.input.String())
			assert.Equal(t, tt.input, ParseSettings(tt.want))
		})
	}
	assert.Equal(t, Settings{Profile: "runtime"}, ParseSettings("max-size=big profile=runtime junk"), "what cannot be read is zero")
}

func TestTags(t *testing.T) {
	tests := []struct {
		name              string
		version, revision string
		want              []string
	}{
		{"one root, revision known", "1.9.4", "0123456789abcdef", []string{"latest", "1.9.4", "0123456"}},
		{"several roots", "", "0123456789abcdef", []string{"latest", "0123456"}},
		{"revision too short", "1.9.4", "012345", []string{"latest", "1.9.4"}},
		{"nothing known", "", "", []string{"latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Tags(tt.version, tt.revision))
		})
	}
	one, err := spack.ParseLockfile("lz4.lock", mustRead(t, "../spack/testdata/lockfile/lz4.lock"))
	require.NoError(t, err)
	assert.Equal(t, []string{"latest", one.RootSpecs()[0].Version, "abcdef0"}, ImageTags("abcdef0123", one))
}

// TestPublishTags: what a registry refuses is left out, by the single-image push and
// the multi-platform index alike.
func TestPublishTags(t *testing.T) {
	assert.Equal(t, []string{"latest", "1.9.4", "0123456"}, PublishTags("1.9.4", "0123456789abcdef"))
	assert.Equal(t, []string{"latest", "0123456"}, PublishTags("1.0+cuda", "0123456789abcdef"), "Spack allows '+' in a version, a tag does not")
	assert.Equal(t, []string{"latest"}, PublishTags("git.abc=1.0", ""))
}

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tarball := filepath.Join(dir, "image.tar")
	in := &Inputs{Key: "sha256:k", Environment: "lz4", Settings: "tests=root"}
	r := NewRecord(&spack.Environment{Name: "lz4", Requirements: spack.Requirements{Target: "zen2"}}, "x86_64_v3")
	assert.Equal(t, "zen2", r.Target, "the environment's target wins")
	r.Digest, r.Tarball, r.Inputs = "sha256:d", tarball, in
	path := filepath.Join(dir, RecordFile)
	require.NoError(t, r.Write(path))
	back, err := ReadRecord(path)
	require.NoError(t, err)
	assert.Equal(t, &r, back)

	tests := []struct {
		name    string
		key     string
		tarball bool
		exists  bool
		want    bool
	}{
		{"same inputs", "sha256:k", false, false, true},
		{"same inputs, tarball there", "sha256:k", true, true, true},
		{"same inputs, tarball gone", "sha256:k", true, false, false},
		{"other inputs", "sha256:other", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(tarball)
			if tt.exists {
				require.NoError(t, os.WriteFile(tarball, []byte("tar"), 0o644))
			}
			assert.Equal(t, tt.want, back.Current(tt.key, tt.tarball))
		})
	}
	assert.False(t, (&Record{}).Current("sha256:k", false), "a record without inputs is never current")

	require.NoError(t, os.WriteFile(path, []byte("{"), 0o644))
	_, err = ReadRecord(path)
	assert.ErrorContains(t, err, "reading "+path)
}
