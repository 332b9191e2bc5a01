package spack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadLock(t *testing.T, name string) *Lockfile {
	t.Helper()
	path := filepath.Join("testdata", "lockfile", name)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lf, err := ParseLockfile(path, data)
	require.NoError(t, err)
	return lf
}

func names(specs []*ConcreteSpec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

func TestRuntimeClosure(t *testing.T) {
	tests := []struct {
		name          string
		lock          string
		wantSpecs     []string
		wantExternals []string
	}{
		// Real Spack 1.1.0 output: compiler-wrapper, gcc and gmake are build-only.
		{"spack 1.1 lz4", "lz4.lock", []string{"gcc-runtime", "lz4"}, []string{"glibc"}},
		// Hand-made v4 file: test-only and build-only edges are left out, a build+run
		// edge is followed, a dependency shared by two roots appears once.
		{"v4 with run and test edges", "tool.lock", []string{"extra", "libfoo", "tool"}, []string{"python"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadLock(t, tt.lock).RuntimeClosure()
			assert.Equal(t, tt.wantSpecs, names(c.Specs))
			assert.Equal(t, tt.wantExternals, names(c.Externals))
		})
	}
}

func TestTestedSpecs(t *testing.T) {
	lf := loadLock(t, "lz4.lock")
	tests := []struct {
		tests string
		want  []string
	}{
		{"none", nil},
		{"root", []string{"lz4"}},
		// Every spec Spack builds, in hash order: not the externals (glibc, gcc, gmake).
		{"all", []string{"lz4", "compiler-wrapper", "gcc-runtime"}},
	}
	for _, tt := range tests {
		t.Run(tt.tests, func(t *testing.T) {
			assert.Equal(t, tt.want, names(lf.TestedSpecs(tt.tests)))
		})
	}
}

func TestParseLockfile(t *testing.T) {
	lf := loadLock(t, "lz4.lock")
	assert.Equal(t, 6, lf.Version)
	assert.Equal(t, "1.1.0", lf.SpackVersion)
	require.Len(t, lf.Roots, 1)
	root := lf.RootSpecs()[0]
	assert.Equal(t, "lz4@1.9.4/4mhag46", root.String())
	assert.Equal(t, "x86_64_v4", root.Target)
	assert.Equal(t, "debian12", root.OS)
	assert.Equal(t, "/usr", lf.Specs["2dxfl3zus4n6g2gz4iarmmuluwuxaqmn"].External)

	tool := loadLock(t, "tool.lock")
	assert.Equal(t, "zen2", tool.Specs["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"].Target)
	assert.Equal(t, []string{"build", "link"}, tool.Specs["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"].Dependencies[0].Types)
}

func TestParseLockfileErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{"not json", "spack:\n  specs: []\n", "not a spack.lock"},
		{"wrong file type", `{"_meta":{"file-type":"spack-spec","lockfile-version":6}}`, `file-type is "spack-spec"`},
		{"too new", `{"_meta":{"file-type":"spack-lockfile","lockfile-version":7}}`, "lockfile-version 7 is not supported"},
		{"no roots", `{"_meta":{"file-type":"spack-lockfile","lockfile-version":6},"roots":[]}`, "no roots"},
		{"dangling root", `{"_meta":{"file-type":"spack-lockfile","lockfile-version":6},"roots":[{"hash":"x","spec":"a"}],"concrete_specs":{}}`, `root "a" has hash x`},
		{"dangling dependency", `{"_meta":{"file-type":"spack-lockfile","lockfile-version":6},"roots":[{"hash":"x","spec":"a"}],
			"concrete_specs":{"x":{"name":"a","version":"1","dependencies":[{"name":"b","hash":"y","parameters":{"deptypes":["link"]}}]}}}`, "depends on b/y"},
		{"nameless spec", `{"_meta":{"file-type":"spack-lockfile","lockfile-version":6},"roots":[{"hash":"x","spec":"a"}],"concrete_specs":{"x":{}}}`, "has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLockfile("spack.lock", []byte(tt.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, err.Error(), "spack.lock: ")
		})
	}
}

func FuzzParseLockfile(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "lockfile", "lz4.lock"))
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`{"_meta":{"file-type":"spack-lockfile","lockfile-version":6},"roots":[{"hash":"x"}],"concrete_specs":{"x":{"name":"a","dependencies":[{"hash":"x","type":["link"]}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := ParseLockfile("spack.lock", data)
		if err != nil {
			return
		}
		c := lf.RuntimeClosure()
		if len(c.Specs)+len(c.Externals) == 0 {
			t.Fatal("a lockfile with roots has an empty closure")
		}
	})
}

func TestLockfileChange(t *testing.T) {
	base := loadLock(t, "lz4.lock")
	edit := func(f func(raw map[string]any)) *Lockfile {
		data, err := os.ReadFile(filepath.Join("testdata", "lockfile", "lz4.lock"))
		require.NoError(t, err)
		var raw map[string]any
		require.NoError(t, json.Unmarshal(data, &raw))
		f(raw)
		out, err := json.MarshalIndent(raw, "", "    ")
		require.NoError(t, err)
		lf, err := ParseLockfile("edited.lock", out)
		require.NoError(t, err)
		return lf
	}
	roots := func(raw map[string]any) []any { return raw["roots"].([]any) }
	specs := func(raw map[string]any) map[string]any { return raw["concrete_specs"].(map[string]any) }
	tests := []struct {
		name  string
		other *Lockfile
		want  string
	}{
		{"same specs, other bytes", edit(func(map[string]any) {}), ""},
		{"root solved otherwise", edit(func(raw map[string]any) {
			s := specs(raw)
			s["zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"] = s["4mhag46ra4xgzv3tqg6kujn2uld6ki5s"]
			roots(raw)[0].(map[string]any)["hash"] = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
		}), "root lz4@1.9.4 concretizes to /zzzzzzz, not /4mhag46"},
		{"root asked for otherwise", edit(func(raw map[string]any) {
			roots(raw)[0].(map[string]any)["spec"] = "lz4"
		}), "root lz4@1.9.4 is gone"},
		{"a spec more", edit(func(raw map[string]any) {
			s := specs(raw)
			s["yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"] = s["4mhag46ra4xgzv3tqg6kujn2uld6ki5s"]
		}), "lz4@1.9.4/yyyyyyy is new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, base.Change(tt.other))
		})
	}
	assert.Len(t, base.SHA256, 64)
	assert.NotEqual(t, base.SHA256, tests[0].other.SHA256, "the hash is the file's, bytes and all")
}
