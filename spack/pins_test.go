package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackagesPin(t *testing.T) {
	data := readYAMLFixture(t, "pins.yaml")
	p, err := ReadPins("pins.yaml", data)
	require.NoError(t, err)
	assert.Equal(t, "1.1.0", p.Spack.Version)
	assert.Equal(t, "https://github.com/spack/spack-packages.git", p.Packages.Git)
	assert.Equal(t, "v2025.11.0", p.Packages.Tag)
	assert.Equal(t, "0dd45961cbeac4f8e00d1ea4d45d4bd86890072b", p.Packages.Commit)

	out, err := p.SetPackages("v2025.12.0", "1111111111111111111111111111111111111111")
	require.NoError(t, err)
	checkGolden(t, "pins.golden", out)
	assert.Equal(t, []string{
		"  tag:   v2025.12.0   # odd spacing survives\n",
		"  commit: \"1111111111111111111111111111111111111111\"\n",
	}, changedLines(t, data, out))

	same, err := p.SetPackages(p.Packages.Tag, p.Packages.Commit)
	require.NoError(t, err)
	assert.Equal(t, data, same)
}

func TestReadPinsErrors(t *testing.T) {
	const good = "spack:\n  version: 1.1.0\nspack-packages:\n  git: https://x/y.git\n  tag: v1\n  commit: abc\n"
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{name: "no commit", input: "spack-packages:\n  tag: v1\n", wantErr: "pins.yaml:2: spack-packages.commit must be a string"},
		{name: "no spack-packages", input: "spack: {}\n", wantErr: "pins.yaml:1: want a spack-packages: mapping"},
		{name: "empty", input: "", wantErr: "pins.yaml: empty file"},
		{name: "bad yaml", input: "spack: [\n", wantErr: "pins.yaml: yaml:"},
		{name: "no git", input: "spack:\n  version: 1.1.0\nspack-packages:\n  commit: abc\n", wantErr: "pins.yaml:4: spack-packages.git must be a string"},
		{name: "no spack version", input: "spack-packages:\n  git: g\n  commit: abc\n", wantErr: "pins.yaml:2: spack.version must be a string"},
		{name: "tag not a string", input: "spack-packages:\n  git: g\n  commit: abc\n  tag: [v1]\n", wantErr: "pins.yaml:4: spack-packages.tag must be a string"},
		{name: "commit a list", input: "spack-packages:\n  git: g\n  commit:\n  - abc\n", wantErr: "pins.yaml:4: spack-packages.commit must be a string"},
		{name: "good", input: good},
		{name: "good without tag", input: "spack:\n  version: 1.1.0\nspack-packages:\n  git: g\n  commit: abc\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPins("pins.yaml", []byte(tt.input))
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}

	p, err := ReadPins("pins.yaml", []byte("spack:\n  version: 1.1.0\nspack-packages:\n  git: g\n  commit: abc\n"))
	require.NoError(t, err)
	_, err = p.SetPackages("v2", "def")
	assert.ErrorContains(t, err, "pins.yaml:5: spack-packages.tag is missing")

	_, err = LoadPins("testdata/nowhere/pins.yaml")
	assert.ErrorContains(t, err, "reading pins")
}

// FuzzReadPins: any input is read or refused with an error, and a pin bump of what
// was read changes the tag and commit and nothing else.
func FuzzReadPins(f *testing.F) {
	f.Add([]byte("spack:\n  version: 1.1.0\nspack-packages:\n  git: g\n  tag: v1\n  commit: abc\n"))
	f.Add([]byte("spack-packages: {git: g, tag: 'v1', commit: \"abc\"}\nspack: {version: 1}\n"))
	f.Add([]byte("spack-packages:\n  tag: v1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPins("pins.yaml", data)
		if err != nil {
			return
		}
		out, err := p.SetPackages("v2099.01.0", "1234567890123456789012345678901234567890")
		if err != nil {
			return // a tag missing or written so that it cannot be edited in place
		}
		q, err := ReadPins("pins.yaml", out)
		if err != nil {
			t.Fatalf("the edited file does not read: %v\n%s", err, out)
		}
		if q.Packages.Tag != "v2099.01.0" || q.Packages.Commit != "1234567890123456789012345678901234567890" ||
			q.Packages.Git != p.Packages.Git || q.Spack.Version != p.Spack.Version {
			t.Fatalf("edit changed other values: %+v -> %+v", p, q)
		}
	})
}
