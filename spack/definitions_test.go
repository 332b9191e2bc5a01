package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpandSpecs checks definitions, references, matrices, excludes and when: against
// what Spack 1.1's SpecListParser makes of the same spack.yaml (same specs, same order).
func TestExpandSpecs(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    []string
		wantErr string
	}{
		{
			name: "matrix of definitions",
			yaml: `
  definitions:
  - compilers: ['%gcc@12']
  - packages: [zlib, hdf5+mpi]
  specs:
  - matrix:
    - [$packages]
    - [$compilers]`,
			want: []string{"zlib %gcc@12", "hdf5+mpi %gcc@12"},
		},
		{
			name: "when selects definitions for the builder",
			yaml: `
  definitions:
  - pkgs: [zlib]
  - pkgs: [cuda]
    when: target == "x86_64_v3" and platform == "linux"
  - pkgs: [rocm]
    when: platform == "darwin"
  specs: [$pkgs]`,
			want: []string{"zlib", "cuda"},
		},
		{
			name: "exclude",
			yaml: `
  specs:
  - matrix:
    - [hdf5, zlib]
    - ['%gcc@12', '%clang@14']
    exclude: ['hdf5%clang']`,
			want: []string{"hdf5 %gcc@12", "zlib %gcc@12", "zlib %clang@14"},
		},
		{
			name: "exclude by variant and dependency",
			yaml: `
  specs:
  - matrix:
    - [hdf5+mpi, hdf5~mpi]
    - [^mpich, ^openmpi]
    exclude: ['~mpi', 'hdf5 ^openmpi']`,
			want: []string{"hdf5+mpi ^mpich"},
		},
		{
			name: "sigil reference",
			yaml: `
  definitions:
  - mpis: [mpich, openmpi@5]
  specs:
  - matrix:
    - [hdf5+mpi]
    - [$^mpis]`,
			want: []string{"hdf5+mpi ^mpich", "hdf5+mpi ^openmpi@5"},
		},
		{
			name: "a name defined twice joins, in order of first use",
			yaml: `
  definitions:
  - a: [x]
  - b: [$a, y]
  - a: [z]
  specs: [$b]`,
			want: []string{"x", "z", "y"},
		},
		{
			name: "nested matrix",
			yaml: `
  specs:
  - matrix:
    - [zlib]
    - - matrix:
        - [+shared, ~shared]
        - [cflags=-O3]`,
			want: []string{"zlib cflags=-O3 +shared", "zlib cflags=-O3 ~shared"},
		},
		{
			name: "anonymous constraints merge into the root",
			yaml: `
  definitions:
  - apps: [gromacs %oneapi, lammps %oneapi]
  - targets: [target=x86_64_v4, target=x86_64_v3]
  specs:
  - matrix:
    - [$apps]
    - [$targets]`,
			want: []string{"gromacs target=x86_64_v4 %oneapi", "gromacs target=x86_64_v3 %oneapi", "lammps target=x86_64_v4 %oneapi", "lammps target=x86_64_v3 %oneapi"},
		},
		{
			name: "strings and matrices mixed",
			yaml: `
  definitions:
  - tools: [cmake@3.30]
  specs:
  - zlib
  - $tools
  - matrix: [[lz4], ['@1.9.4']]`,
			want: []string{"zlib", "cmake@3.30", "lz4@1.9.4"},
		},
		{name: "reference before definition", yaml: "\n  definitions:\n  - b: [$a]\n  - a: [x]\n  specs: [$b]", wantErr: `spack.yaml:3: trying to expand the name "a", which is not defined yet`},
		{name: "two names in one definition", yaml: "\n  definitions:\n  - {a: [x], b: [y]}\n  specs: [x]", wantErr: "spack.yaml:3: definition must have a single attribute, got many: a, b"},
		{name: "only when", yaml: "\n  definitions:\n  - when: 'True'\n  specs: [x]", wantErr: "spack.yaml:3: definition must have a single attribute, got none"},
		{name: "matrix without matrix", yaml: "\n  specs:\n  - exclude: [x]", wantErr: "spack.yaml:3: matrix is missing the 'matrix' attribute"},
		{name: "condition it cannot evaluate", yaml: "\n  definitions:\n  - a: [x]\n    when: hostname == 'login1'\n  specs: [$a]", wantErr: "spack.yaml:3: definition a: condition \"hostname == 'login1'\": reads hostname"},
		{name: "bad spec in a matrix row", yaml: "\n  specs:\n  - matrix:\n    - [zlib@@1]", wantErr: `spack.yaml:4: spec "zlib@@1": '@' without a version at column 5`},
		{name: "incompatible rows", yaml: "\n  specs:\n  - matrix:\n    - [zlib@1.2]\n    - ['@2.0']", wantErr: "spack.yaml:3: matrix combination zlib@1.2 @2.0: versions @1.2 and @2.0 do not overlap"},
		{name: "anonymous root", yaml: "\n  specs:\n  - matrix:\n    - ['+shared']", wantErr: `spack.yaml:3: spec "+shared" must start with a package name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvironment("demo", "spack.yaml", []byte("spack:"+tt.yaml+"\n"), WithTarget("x86_64_v3"))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, env.Specs)
		})
	}
}

// TestExpandBound: a hostile environment is refused at once, naming the bound.
func TestExpandBound(t *testing.T) {
	row := "[a1, a2, a3, a4, a5, a6, a7, a8, a9, a10]"
	y := "spack:\n  specs:\n  - matrix:\n    - " + row + "\n    - " + row + "\n    - " + row + "\n    - " + row + "\n    - " + row + "\n"
	_, err := ParseEnvironment("demo", "spack.yaml", []byte(y))
	assert.ErrorContains(t, err, "spack.yaml:3: matrix makes more than 10000 root specs")

	big := make([]byte, 0, MaxFileBytes+10)
	big = append(big, "spack:\n  specs:\n"...)
	for len(big) <= MaxFileBytes {
		big = append(big, "  - zlib\n"...)
	}
	_, err = ParseEnvironment("demo", "spack.yaml", big)
	assert.ErrorContains(t, err, "file is larger than 1048576 bytes")
}

func FuzzExpandSpecs(f *testing.F) {
	for _, s := range []string{
		"spack:\n  definitions:\n  - a: [x, y]\n  - b: [$a]\n  specs:\n  - matrix: [[$b], ['%gcc']]\n    exclude: [x]\n",
		"spack:\n  definitions:\n  - a: [x]\n    when: platform == 'linux' or env.get('X')\n  specs: [$^a]\n",
		"spack:\n  specs:\n  - matrix:\n    - - matrix: [[a, b], [+c]]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := ParseEnvironment("fuzz", "spack.yaml", data)
		if err != nil {
			return
		}
		if len(env.Specs) > MaxSpecs {
			t.Fatalf("%d specs, over the bound", len(env.Specs))
		}
		for _, s := range env.Specs {
			if _, err := ParseSpec(s); err != nil {
				t.Fatalf("expanded spec %q does not parse: %v", s, err)
			}
		}
	})
}
