package updates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTags(t *testing.T) {
	out := "1111\trefs/tags/v2025.11.0\n" +
		"2222\trefs/tags/v2025.12.0\n3333\trefs/tags/v2025.12.0^{}\n" + // annotated: the peeled commit wins
		"4444\trefs/heads/main\n" +
		"garbage\n"
	assert.Equal(t, map[string]string{"v2025.11.0": "1111", "v2025.12.0": "3333"}, ParseTags([]byte(out)))
	assert.Empty(t, ParseTags(nil))
}

func TestPinUpdate(t *testing.T) {
	pins := filepath.Join("testdata", "pins.yaml")
	tags := map[string]string{"v2025.09.0": "a", "v2025.11.0": "b", "v2025.12.0": "c", "v2026.01.0-rc1": "d", "latest": "e"}
	tests := []struct {
		name     string
		path     string
		ignore   string
		tags     map[string]string
		tagsErr  error
		want     string // Current Newest Action
		listed   bool   // listTags was called
		update   bool
		failed   bool
		wantFile string // a line the new pins.yaml holds
	}{
		{name: "newer tag", path: pins, tags: tags, want: "v2025.11.0 v2025.12.0 update", listed: true, update: true, wantFile: "  commit: c\n"},
		{name: "up to date", path: pins, tags: map[string]string{"v2025.11.0": "b"}, want: "v2025.11.0 v2025.11.0 up to date", listed: true},
		{name: "ignored: no network", path: pins, ignore: "spack-packages\n", tags: tags, want: "v2025.11.0 - ignored"},
		{name: "ignored tag", path: pins, ignore: "spack-packages@2025.12\n", tags: tags, want: "v2025.11.0 v2025.11.0 up to date", listed: true},
		{name: "no release tags", path: pins, tags: map[string]string{"latest": "e"}, want: "v2025.11.0 - skip: no vYYYY.MM.N tag at remote", listed: true},
		{name: "remote fails", path: pins, tagsErr: errors.New("listing tags of x: exit 128"), want: "v2025.11.0 - failed: listing tags", listed: true, failed: true},
		{name: "no pins file", path: "testdata/nowhere.yaml", tags: tags, want: "- - failed: pins.yaml unreadable", failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ignore, err := ParseIgnoreList("ignore", []byte(tt.ignore))
			require.NoError(t, err)
			listed := false
			r := PinUpdate(tt.path, ignore, func() (map[string]string, error) {
				listed = true
				return tt.tags, tt.tagsErr
			})
			assert.Equal(t, tt.want, r.Current+" "+r.Newest+" "+r.Action)
			assert.Equal(t, PinsEnv, r.Env)
			assert.Equal(t, tt.listed, listed)
			assert.Equal(t, tt.failed, r.Failed())
			if !tt.update {
				assert.Nil(t, r.Update)
				return
			}
			require.NotNil(t, r.Update)
			before, err := os.ReadFile(tt.path)
			require.NoError(t, err)
			assert.Equal(t, strings.NewReplacer("tag: v2025.11.0", "tag: v2025.12.0", "commit: 0dd45961cbeac4f8e00d1ea4d45d4bd86890072b", "commit: c").Replace(string(before)), string(r.Update.Content))
			assert.Contains(t, string(r.Update.Content), tt.wantFile)
			assert.Equal(t, "Changes: https://github.com/spack/spack-packages/compare/v2025.11.0...v2025.12.0", r.Update.Homepage)
			assert.Equal(t, "update/spack-packages/v2025.12.0", r.Branch())
			assert.Equal(t, "spack-packages: update to v2025.12.0", r.Title())
			assert.Contains(t, r.Body(), "Moves every environment to spack-packages `v2025.12.0` (was `v2025.11.0`).")
		})
	}
	assert.Equal(t, "Changes: https://git.example.org/sp.git v1...v2", compareURL("https://git.example.org/sp.git", "v1", "v2"))
}
