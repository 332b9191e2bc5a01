package pkgpy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

func analyzeFixture(t *testing.T) *TestCatalog {
	t.Helper()
	repo, err := spack.OpenRepo("testdata/teststats")
	require.NoError(t, err)
	cat, err := AnalyzeTests(context.Background(), repo)
	require.NoError(t, err)
	return cat
}

func TestAnalyzeTests(t *testing.T) {
	cat := analyzeFixture(t)
	assert.Equal(t, []string{"c", "mpi"}, cat.Virtuals, "packages other packages provide are virtual")

	tests := []struct {
		name string
		want PackageTests
	}{
		{
			name: "libsigsegv",
			want: PackageTests{
				Class: "Libsigsegv", StandAlone: StandAlonePackage, Tests: []string{"Libsigsegv.test_smoke_test"},
				BuildTime: BuildTimeBuildSystem, BuildSystems: []string{"autotools"},
				Callbacks: []string{"build:check@autotools", "install:installcheck@autotools"},
			},
		},
		{
			name: "libsigsegv-fork",
			want: PackageTests{
				Class: "LibsigsegvFork", StandAlone: StandAlonePackage, Tests: []string{"Libsigsegv.test_smoke_test"},
				BuildTime: BuildTimeBuildSystem, BuildSystems: []string{"autotools"},
				Callbacks: []string{"build:check@autotools", "install:installcheck@autotools"},
			},
		},
		{
			name: "py-six",
			want: PackageTests{
				Class: "PySix", StandAlone: StandAloneBuildSystem, Tests: []string{"PythonExtension.test_imports"},
				BuildTime: BuildTimeBuildSystem, BuildSystems: []string{"python_pip"},
				Callbacks: []string{"install:test_imports@python"},
			},
		},
		{
			name: "py-no-install-tests",
			want: PackageTests{
				Class: "PyNoInstallTests", StandAlone: StandAloneBuildSystem, Tests: []string{"PythonExtension.test_imports"},
				BuildTime: BuildTimeNone, BuildSystems: []string{"python_pip"},
			},
		},
		{
			name: "perl-try-tiny",
			want: PackageTests{
				Class: "PerlTryTiny", StandAlone: StandAloneBuildSystem, Tests: []string{"PerlPackage.test_use"},
				BuildTime: BuildTimeBuildSystem, BuildSystems: []string{"perl"},
				Callbacks: []string{"build:check@perl"},
			},
		},
		{
			name: "zlib",
			want: PackageTests{
				Class: "Zlib", StandAlone: StandAloneNone,
				BuildTime: BuildTimePackage, BuildSystems: []string{"generic"}, RunTests: true,
			},
		},
		{
			name: "openmpi",
			want: PackageTests{
				Class: "Openmpi", StandAlone: StandAloneVirtual, VirtualTests: []string{"mpi.test_mpi_hello"},
				BuildTime: BuildTimePackage, BuildSystems: []string{"autotools"},
				Callbacks: []string{"build:check@package", "install:installcheck@autotools"},
			},
		},
		{
			name: "gcc",
			want: PackageTests{
				Class: "Gcc", StandAlone: StandAloneVirtual, VirtualTests: []string{"c.test_c"},
				BuildTime: BuildTimeNone, BuildSystems: []string{"autotools"},
			},
		},
		{
			name: "my-bundle",
			want: PackageTests{
				Class: "MyBundle", StandAlone: StandAloneNone,
				BuildTime: BuildTimeNone, BuildSystems: []string{"generic"},
			},
		},
		{
			name: "cmake-custom",
			want: PackageTests{
				Class: "CmakeCustom", StandAlone: StandAloneNone,
				BuildTime: BuildTimePackage, BuildSystems: []string{"cmake"},
				Callbacks: []string{"build:check@package"},
			},
		},
		{
			name: "multi",
			want: PackageTests{
				Class: "Multi", StandAlone: StandAloneNone,
				BuildTime: BuildTimePackage, BuildSystems: []string{"autotools", "cmake"},
				Callbacks: []string{"build:check@autotools", "install:installcheck@autotools", "build:check@cmake"},
				RunTests:  true,
			},
		},
		{
			name: "legacy-test",
			want: PackageTests{
				Class: "LegacyTest", StandAlone: StandAloneNone,
				BuildTime: BuildTimeNone, BuildSystems: []string{"generic"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cat.Packages[tt.name]
			require.True(t, ok, "package %s not analysed", tt.name)
			tt.want.Name = tt.name
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Len(t, cat.Packages, len(tests), "every package has a case")
}

func TestTestCatalogStats(t *testing.T) {
	cat := analyzeFixture(t)

	all := cat.Stats(nil)
	var want TestStats
	want.Packages = 12
	want.StandAlone.Any, want.StandAlone.Spack = 7, 5
	want.StandAlone.Package, want.StandAlone.BuildSystem, want.StandAlone.Virtual = 2, 3, 2
	want.BuildTime.Any, want.BuildTime.Package, want.BuildTime.BuildSystem = 8, 4, 4
	want.Both, want.Neither = 5, 2
	assert.Equal(t, want, all)

	some := cat.Stats([]string{"zlib", "py-six", "zlib", "mpi", "nonesuch"})
	assert.Equal(t, 2, some.Packages, "duplicates count once")
	assert.Equal(t, []string{"mpi", "nonesuch"}, some.Missing, "virtuals and unknown names are missing")
	assert.Equal(t, 1, some.Both)
	assert.Equal(t, 1, some.BuildTime.Package)

	assert.Equal(t, []string{"libsigsegv", "libsigsegv-fork", "perl-try-tiny", "py-no-install-tests", "py-six"}, cat.SpackTestList())
}

func TestClassName(t *testing.T) {
	tests := []struct {
		input, want string
	}{
		{"zlib", "Zlib"},
		{"py-numpy", "PyNumpy"},
		{"3proxy", "_3proxy"},
		{"r-a4", "RA4"},
		{"libxml2", "Libxml2"},
		{"gcc-runtime", "GccRuntime"},
		{"py-PyYAML_x", "PyPyyamlX"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ClassName(tt.input), tt.input)
	}
}
