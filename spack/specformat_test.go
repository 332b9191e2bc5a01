package spack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpecString checks that specs print as Spack 1.1's str(Spec) prints them:
// versions, flags, variants (booleans first), architecture, then direct and transitive
// dependencies, each sorted by name.
func TestSpecString(t *testing.T) {
	tests := []struct {
		input, want string
	}{
		{"zlib", "zlib"},
		{"hdf5 +mpi @1.14 ^zlib", "hdf5@1.14+mpi ^zlib"},
		{"zlib-ng@2.0.7 cflags=-O3", "zlib-ng@2.0.7 cflags=-O3"},
		{"trilinos +hdf5 ^hdf5+hl+mpi ^mpich", "trilinos+hdf5 ^hdf5+hl+mpi ^mpich"},
		{"julia@1.9 ^llvm ~clang ~gold compiler-rt=none targets=x86 ^openblas threads=openmp",
			"julia@1.9 ^llvm~clang~gold compiler-rt=none targets=x86 ^openblas threads=openmp"},
		{"hdf5~mpi %gcc@11", "hdf5~mpi %gcc@11"},
		{"lz4@=1.9.4", "lz4@=1.9.4"},
		{"hdf5@1.14 , 1.12 +mpi", "hdf5@1.12,1.14+mpi"},
		{"hdf5@1.2:1.2", "hdf5@1.2"},
		{"py-numpy@2.1.0 ^openblas@0.3.28 threads=openmp %gcc@13", "py-numpy@2.1.0 ^openblas@0.3.28 threads=openmp %gcc@13"},
		{"+qt ^[virtuals=gl] glx", "+qt ^gl=glx"},
		{"%clang@14", "%clang@14"},
		// Direct dependencies sort by package name: %clang is llvm.
		{"zlib %clang@14 %gcc", "zlib %gcc %clang@14"},
		// After %oneapi, target= belongs to the compiler node.
		{"gromacs %oneapi target=x86_64_v4", "gromacs %oneapi target=x86_64_v4"},
		{"zlib cflags='-O2 -g' ldflags=-lm", "zlib cflags='-O2 -g' ldflags=-lm"},
		{"zlib ++shared ~~pic threads==openmp", "zlib~~pic++shared threads==openmp"},
		{"zlib build_system=cmake", "zlib build_system=cmake"},
		{"mpileaks ^[deptypes=build,link] callpath", "mpileaks ^[deptypes=build,link] callpath"},
		{"target=x86_64_v3", "target=x86_64_v3"},
		{"builtin.zlib@1.3", "zlib@1.3"},
		{"hdf5 ^mpi@3 ^mpi@3:", "hdf5 ^mpi@3"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			n, err := ParseAbstract(tt.input)
			require.NoError(t, err)
			assert.Equal(t, tt.want, n.String())
			again, err := ParseAbstract(n.String())
			require.NoError(t, err, "a printed spec parses again")
			assert.Equal(t, tt.want, again.String(), "printing is stable")
		})
	}
}

func TestParseAbstractErrors(t *testing.T) {
	tests := []struct{ input, wantErr string }{
		{"zlib@@1.2", `spec "zlib@@1.2": '@' without a version at column 5`},
		{"zlib ^", `"^" must be followed by a package name`},
		{"zlib %[virtuals=c +x] gcc", "unexpected token in edge attributes"},
		{"zlib %[virtuals=c]", `"]" must be followed by a package name or a node attribute`},
		{"zlib ^[foo=bar] x", `edge attribute "foo"`},
		{"zlib ^[deptypes=compile] x", `unknown dependency type "compile"`},
		{"zlib +shared ~shared", `cannot specify variant "shared" twice`},
		{"zlib target=a target=b", `cannot specify "target" twice`},
		{"./spec.json", "spec files (./spec.json) cannot be used here"},
		{"zlib lz4", "one spec per entry"},
		{"zlib ^hdf5@1.2 ^hdf5@2.0", "cannot depend on incompatible specs"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			_, err := ParseAbstract(tt.input)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// FuzzParseAbstract: any input parses or fails with an error; a parsed spec prints to
// text that parses again and prints the same.
func FuzzParseAbstract(f *testing.F) {
	for _, s := range []string{"hdf5@1.14+mpi ^zlib %gcc@13", "+qt ^[virtuals=gl] glx", "zlib cflags='-O2 -g'", "%c,cxx=gcc@12", "a@1:2,3 ^b@=4 target=x", "@1.2 +x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		n, err := ParseAbstract(input)
		if err != nil {
			return
		}
		out := n.String()
		if out == "" {
			return // an empty constraint, "cflags=''", prints as nothing in Spack too
		}
		again, err := ParseAbstract(out)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", input, out, err)
		}
		if again.String() != out {
			t.Fatalf("%q printed as %q, then as %q", input, out, again.String())
		}
	})
}
