package spack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  Environment
	}{
		{
			name:  "minimal",
			input: "spack:\n  specs:\n  - lz4@1.9.4\n",
			want:  Environment{Specs: []string{"lz4@1.9.4"}, Container: Container{Strip: true}},
		},
		{
			name: "container section and target",
			input: `spack:
  specs: [libsigsegv@2.14, "lz4@1.9.4 +shared"]
  packages:
    all:
      require: ["target=x86_64_v2"]
  container:
    format: docker
    images:
      build: example.org/spack:1.1.0
      final: scratch
    strip: false
    os_packages:
      command: apt
      final: [libgomp1]
    labels:
      app: demo
    depfile: true
`,
			want: Environment{
				Specs:        []string{"libsigsegv@2.14", "lz4@1.9.4+shared"},
				Requirements: Requirements{All: []any{"target=x86_64_v2"}, Target: "x86_64_v2"},
				Container: Container{
					Images:     Images{Build: "example.org/spack:1.1.0", Final: "scratch"},
					OSPackages: OSPackages{Command: "apt", Final: []string{"libgomp1"}},
					Labels:     map[string]string{"app": "demo"},
				},
			},
		},
		{
			name:  "images os and spack",
			input: "spack:\n  specs: [zlib]\n  container:\n    images:\n      os: ubuntu:24.04\n      spack: 1.1.0\n",
			want:  Environment{Specs: []string{"zlib"}, Container: Container{Strip: true, Images: Images{OS: "ubuntu:24.04", Spack: "1.1.0"}}},
		},
		{
			name:  "packages target list",
			input: "spack:\n  specs: [zlib]\n  packages:\n    all:\n      target: [zen3]\n",
			want:  Environment{Specs: []string{"zlib"}, Requirements: Requirements{Target: "zen3"}, Container: Container{Strip: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvironment("demo", "environments/demo/spack.yaml", []byte(tt.input))
			require.NoError(t, err)
			assert.Equal(t, "demo", got.Name)
			assert.Equal(t, "environments/demo/spack.yaml", got.Path)
			assert.Equal(t, []byte(tt.input), got.Raw)
			assert.Equal(t, tt.want.Specs, got.Specs)
			assert.Equal(t, tt.want.Container, got.Container)
			assert.Equal(t, tt.want.Requirements, got.Requirements)
		})
	}
}

func TestParseEnvironmentErrors(t *testing.T) {
	const path = "environments/demo/spack.yaml"
	tests := []struct {
		name    string
		env     string
		input   string
		wantErr string
	}{
		{"empty file", "demo", "", path + ": file is empty"},
		{"only comments", "demo", "# nothing\n", path + ": file is empty"},
		{"broken yaml", "demo", "spack:\n  specs: [lz4\n", path + ":2: invalid YAML: did not find expected"},
		{"tab indentation", "demo", "spack:\n\tspecs: []\n", path + ":2: invalid YAML"},
		{"duplicate key", "demo", "spack:\n  specs: [a]\n  specs: [b]\n", path + ":3: invalid YAML: mapping key \"specs\" already defined"},
		{"top level list", "demo", "- spack\n", path + ":1: top level must be a mapping"},
		{"top level scalar", "demo", "hello\n", path + ":1: top level must be a mapping"},
		{"spack missing", "demo", "packages: {}\n", path + ":1: unknown top-level key \"packages\""},
		{"old env key", "demo", "env:\n  specs: [a]\n", path + ":1: top-level key env: is Spack's old name"},
		{"spack not mapping", "demo", "spack: [lz4]\n", path + ":1: spack: must be a mapping, not a list"},
		{"spack null", "demo", "spack:\n", path + ":1: spack: must be a mapping, not a null"},
		{"specs missing", "demo", "spack:\n  view: true\n", path + ":2: spack: has no specs: list"},
		{"specs empty", "demo", "spack:\n  specs: []\n", path + ":2: specs is empty"},
		{"specs scalar", "demo", "spack:\n  specs: lz4\n", path + ":2: specs must be a list of strings, not a string"},
		{"spec mapping", "demo", "spack:\n  specs:\n  - {name: lz4}\n", path + ":3: specs entry is a mapping, not a spec or a matrix"},
		{"spec number", "demo", "spack:\n  specs:\n  - 42\n", path + ":3: specs must be a list of strings; this item is a number"},
		{"spec empty string", "demo", "spack:\n  specs:\n  - \"\"\n", path + ":3: spec is an empty string"},
		{"spec matrix extra key", "demo", "spack:\n  specs:\n  - matrix: [[a], [b]]\n    sigil: x\n", path + ":4: extra attributes in spec matrix: sigil"},
		{"undefined definition", "demo", "spack:\n  specs:\n  - $mpis\n", path + ":3: trying to expand the name \"mpis\", which is not defined yet"},
		{"spec without name", "demo", "spack:\n  specs:\n  - \"@1.2\"\n", path + ":3: spec \"@1.2\" must start with a package name"},
		{"spec uppercase", "demo", "spack:\n  specs:\n  - Zlib@1.3\n", path + ":3: spec \"Zlib@1.3\": package name \"Zlib\""},
		{"definitions not a list", "demo", "spack:\n  specs: [a]\n  definitions: {a: [zlib]}\n", path + ":3: definitions must be a list of mappings, not a mapping"},
		{"definition not a mapping", "demo", "spack:\n  specs: [a]\n  definitions:\n  - zlib\n", path + ":4: each definition must be a mapping"},
		{"unquoted range", "demo", "spack:\n  specs:\n  - hdf5@1.14: +mpi\n", path + ":3: specs entry is a mapping, not a spec or a matrix: quote specs that hold ': '"},
		{"spec double at", "demo", "spack:\n  specs:\n  - zlib@@1.2\n", path + ":3: spec \"zlib@@1.2\": '@' without a version at column 5"},
		{"misspelled container", "demo", "spack:\n  specs: [a]\n  contianer: {}\n", path + ":3: unknown key spack.contianer (did you mean spack.container?)"},
		{"develop", "demo", "spack:\n  specs: [a]\n  develop: {a: {spec: a@1}}\n", path + ":3: develop: is not supported"},
		{"images spack mapping", "demo", "spack:\n  specs: [a]\n  container:\n    images:\n      os: ubuntu:24.04\n      spack:\n        ref: v1.1.0\n", path + ":7: container.images.spack as a mapping (url, ref) builds Spack from git"},
		{"images os unknown", "demo", "spack:\n  specs: [a]\n  container:\n    images:\n      os: debian:12\n      spack: 1.1.0\n", path + ":5: container.images.os \"debian:12\": Spack publishes builder images for almalinux:8, "},
		{"images os without builder", "demo", "spack:\n  specs: [a]\n  container:\n    images:\n      os: alpine:3\n      spack: 1.1.0\n", path + ":5: container.images.os \"alpine:3\""},
		{"container scalar", "demo", "spack:\n  specs: [a]\n  container: yes\n", path + ":3: container: must be a mapping"},
		{"container unknown key", "demo", "spack:\n  specs: [a]\n  container:\n    imagez: {}\n", path + ":4: unknown key container.imagez (did you mean container.images?)"},
		{"container singularity", "demo", "spack:\n  specs: [a]\n  container:\n    format: singularity\n", path + ":4: container.format \"singularity\" is not supported"},
		{"strip not bool", "demo", "spack:\n  specs: [a]\n  container:\n    strip: maybe\n", path + ":4: container.strip must be true or false"},
		{"images both forms", "demo", "spack:\n  specs: [a]\n  container:\n    images:\n      os: ubuntu:24.04\n      final: scratch\n", path + ":5: container.images takes either os and spack, or build and final"},
		{"images final only", "demo", "spack:\n  specs: [a]\n  container:\n    images:\n      final: scratch\n", path + ":5: container.images needs both build and final"},
		{"images unknown", "demo", "spack:\n  specs: [a]\n  container:\n    images:\n      runtime: x\n", path + ":5: unknown key container.images.runtime"},
		{"os_packages not list", "demo", "spack:\n  specs: [a]\n  container:\n    os_packages:\n      final: libgomp1\n", path + ":5: container.os_packages.final must be a list"},
		{"os_packages bad name", "demo", "spack:\n  specs: [a]\n  container:\n    os_packages:\n      final: [\"libgomp1; rm -rf /\"]\n", path + ":5: container.os_packages.final: \"libgomp1; rm -rf /\" is not a Debian package name"},
		{"os_packages yum", "demo", "spack:\n  specs: [a]\n  container:\n    os_packages:\n      command: yum\n", path + ":5: container.os_packages.command \"yum\" is not supported"},
		{"labels list", "demo", "spack:\n  specs: [a]\n  container:\n    labels: [a]\n", path + ":4: container.labels must be a mapping"},
		{"label value mapping", "demo", "spack:\n  specs: [a]\n  container:\n    labels:\n      a: {b: c}\n", path + ":5: container.labels.a must be a string"},
		{"packages list", "demo", "spack:\n  specs: [a]\n  packages: [a]\n", path + ":3: packages: must be a mapping"},
		{"bad environment name", "My Env", "spack:\n  specs: [a]\n", path + ": environment name \"My Env\" must match"},
	}
	require.GreaterOrEqual(t, len(tests), 15)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEnvironment(tt.env, path, []byte(tt.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			var pe *ParseError
			assert.ErrorAs(t, err, &pe)
		})
	}
}

func TestLoadEnvironment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lz4")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "spack.yaml"), []byte("spack:\n  specs: [lz4@1.9.4]\n"), 0o644))

	env, err := LoadEnvironment(dir)
	require.NoError(t, err)
	assert.Equal(t, "lz4", env.Name)
	assert.Equal(t, []string{"lz4@1.9.4"}, env.Specs)

	_, err = LoadEnvironment(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorContains(t, err, "no such file")

	// A link to a host file is refused before it is read.
	linked := filepath.Join(t.TempDir(), "linked")
	require.NoError(t, os.Mkdir(linked, 0o755))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(linked, "spack.yaml")))
	_, err = LoadEnvironment(linked)
	assert.ErrorContains(t, err, "spack.yaml is a symbolic link")
	assert.NotContains(t, err.Error(), "root:", "the host file is not read")
}

func FuzzParseEnvironment(f *testing.F) {
	f.Add([]byte("spack:\n  specs: [lz4@1.9.4]\n  container:\n    strip: false\n"))
	f.Add([]byte("spack:\n  specs:\n  - matrix: [[a]]\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := ParseEnvironment("fuzz", "spack.yaml", data)
		if err == nil && len(env.Specs) == 0 {
			t.Fatal("accepted an environment without specs")
		}
	})
}

func TestAddSpec(t *testing.T) {
	in := "# demo\nspack:\n  specs:\n  - lz4@1.9.4 # the compressor\n  view: false\n"
	out, err := AddSpec([]byte(in), "libsigsegv@2.14")
	require.NoError(t, err)
	env, err := ParseEnvironment("demo", "spack.yaml", out)
	require.NoError(t, err)
	assert.Equal(t, []string{"lz4@1.9.4", "libsigsegv@2.14"}, env.Specs)
	assert.Contains(t, string(out), "# the compressor")

	_, err = AddSpec([]byte("spack:\n  view: false\n"), "zlib")
	assert.ErrorContains(t, err, "no spack.specs list")
}

func TestParseView(t *testing.T) {
	tests := []struct {
		view string // the view: line, "" for none
		want View
	}{
		{"", View{Enabled: true}},
		{"view: true", View{Enabled: true}},
		{"view: false", View{}},
		{"view: /opt/views/demo", View{Enabled: true, Root: "/opt/views/demo"}},
		{"view:\n    default:\n      root: views/default\n      link: roots\n    other:\n      root: /x", View{Enabled: true, Root: "views/default", Name: "default"}},
	}
	for _, tt := range tests {
		env, err := ParseEnvironment("demo", "spack.yaml", []byte("spack:\n  specs: [zlib]\n  "+tt.view+"\n"))
		require.NoError(t, err, tt.view)
		assert.Equal(t, tt.want, env.View, tt.view)
	}
	_, err := ParseEnvironment("demo", "spack.yaml", []byte("spack:\n  specs: [zlib]\n  view:\n    default: {link: all}\n"))
	assert.ErrorContains(t, err, "spack.yaml:4: view.default has no root")
}
