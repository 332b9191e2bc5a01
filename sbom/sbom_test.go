package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
	"github.com/spdx/tools-golang/spdxlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func lockfile(t *testing.T, name string) *spack.Lockfile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	lf, err := spack.ParseLockfile(name, data)
	require.NoError(t, err)
	return lf
}

var created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func lz4Input(t *testing.T) Input {
	return Input{
		Name:     "lz4",
		Lockfile: lockfile(t, "lz4.lock"),
		Created:  created,
		Packages: map[string]Package{
			"lz4": {
				License:   "BSD-2-Clause AND GPL-2.0-only",
				Homepage:  "https://lz4.github.io/lz4/",
				SourceURL: "https://github.com/lz4/lz4/archive/v1.9.4.tar.gz",
			},
			"gcc-runtime": {License: "GPL-3.0-or-later WITH GCC-exception-3.1", Homepage: "https://gcc.gnu.org"},
		},
	}
}

func TestDocumentGolden(t *testing.T) {
	got, err := Document(lz4Input(t))
	require.NoError(t, err)
	golden := filepath.Join("testdata", "lz4.spdx.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// TestDocumentIsValidSPDX reads the document back with the SPDX project's own Go
// library (spdx/tools-golang) and checks what SPDX 2.3 makes mandatory, and every
// license expression with GitHub's go-spdx.
func TestDocumentIsValidSPDX(t *testing.T) {
	for name, in := range map[string]Input{"lz4": lz4Input(t), "tool": {Name: "tool", Lockfile: lockfile(t, "tool.lock"), Created: created}} {
		t.Run(name, func(t *testing.T) {
			data, err := Document(in)
			require.NoError(t, err)

			// Strict: a field SPDX 2.3 does not know is an error.
			var strict v2_3.Document
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&strict))

			doc, err := spdxjson.Read(bytes.NewReader(data))
			require.NoError(t, err)
			require.NoError(t, spdxlib.ValidateDocument(doc))
			assert.Equal(t, "SPDX-2.3", doc.SPDXVersion)
			assert.Equal(t, "CC0-1.0", doc.DataLicense)
			assert.Equal(t, common.ElementID("DOCUMENT"), doc.SPDXIdentifier)
			assert.Regexp(t, `^https://spdx\.org/spdxdocs/spack-ghcr/`+name+`-[0-9a-f]{32}$`, doc.DocumentNamespace)
			require.NotNil(t, doc.CreationInfo)
			assert.Equal(t, "2026-01-02T03:04:05Z", doc.CreationInfo.Created)
			assert.Contains(t, doc.CreationInfo.Creators, common.Creator{CreatorType: "Tool", Creator: "spack-ghcr"})
			described, err := spdxlib.GetDescribedPackageIDs(doc)
			require.NoError(t, err)
			assert.NotEmpty(t, described)

			idRE := regexp.MustCompile(`^[A-Za-z0-9.-]+$`)
			purlRE := regexp.MustCompile(`^pkg:spack/([a-z0-9._-]+/)?[a-z0-9._-]+(@[A-Za-z0-9._~%-]+)?\?sha=[a-z0-9]+$`)
			for _, p := range doc.Packages {
				assert.Regexp(t, idRE, string(p.PackageSPDXIdentifier))
				assert.NotEmpty(t, p.PackageName)
				assert.NotEmpty(t, p.PackageDownloadLocation)
				assert.False(t, p.FilesAnalyzed)
				for _, lic := range []string{p.PackageLicenseDeclared, p.PackageLicenseConcluded} {
					if lic != "NOASSERTION" {
						ok, bad := spdxexp.ValidateLicenses([]string{lic})
						assert.True(t, ok, "invalid license expression %q: %v", lic, bad)
					}
				}
				require.Len(t, p.PackageExternalReferences, 1)
				ref := p.PackageExternalReferences[0]
				assert.Equal(t, "PACKAGE-MANAGER", ref.Category)
				assert.Equal(t, "purl", ref.RefType)
				assert.Regexp(t, purlRE, ref.Locator)
			}
		})
	}
}

func TestDocumentContent(t *testing.T) {
	data, err := Document(lz4Input(t))
	require.NoError(t, err)
	doc, err := spdxjson.Read(bytes.NewReader(data))
	require.NoError(t, err)

	var names []string
	byName := map[string]*v2_3.Package{}
	for _, p := range doc.Packages {
		names = append(names, p.PackageName+"@"+p.PackageVersion)
		byName[p.PackageName] = p
	}
	// The runtime closure: no build-only dependencies, no externals.
	assert.Equal(t, []string{"gcc-runtime@12.2.0", "lz4@1.9.4"}, names)
	lz4 := byName["lz4"]
	assert.Equal(t, "BSD-2-Clause AND GPL-2.0-only", lz4.PackageLicenseDeclared)
	assert.Equal(t, "NOASSERTION", lz4.PackageLicenseConcluded)
	assert.Equal(t, "https://github.com/lz4/lz4/archive/v1.9.4.tar.gz", lz4.PackageDownloadLocation)
	assert.Equal(t, "https://lz4.github.io/lz4/", lz4.PackageHomePage)
	assert.Equal(t, "pkg:spack/builtin/lz4@1.9.4?sha=4mhag46ra4xgzv3tqg6kujn2uld6ki5s", lz4.PackageExternalReferences[0].Locator)
	assert.Equal(t, "NOASSERTION", byName["gcc-runtime"].PackageDownloadLocation)
	assert.Contains(t, doc.DocumentComment, "glibc@2.36 (/usr)")

	var rels []string
	for _, r := range doc.Relationships {
		rels = append(rels, string(r.RefA.ElementRefID)+" "+r.Relationship+" "+string(r.RefB.ElementRefID))
	}
	assert.Equal(t, []string{
		"DOCUMENT DESCRIBES Package-lz4-4mhag46ra4xgzv3tqg6kujn2uld6ki5s",
		"Package-lz4-4mhag46ra4xgzv3tqg6kujn2uld6ki5s DEPENDS_ON Package-gcc-runtime-uetbtlo5yobcgprdwflxunpfozgfoktw",
	}, rels)
}

func TestDocumentShippedSubset(t *testing.T) {
	lf := lockfile(t, "tool.lock")
	tool, libfoo := lf.Specs["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], lf.Specs["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
	data, err := Document(Input{Name: "tool", Lockfile: lf, Created: created, Shipped: []*spack.ConcreteSpec{libfoo, tool, tool}})
	require.NoError(t, err)
	doc, err := spdxjson.Read(bytes.NewReader(data))
	require.NoError(t, err)
	require.Len(t, doc.Packages, 2, "shipped specs only, each once")
	var rels []string
	for _, r := range doc.Relationships {
		rels = append(rels, string(r.RefA.ElementRefID)+" "+r.Relationship+" "+string(r.RefB.ElementRefID))
	}
	// extra is a root but does not ship; python is an external.
	assert.Equal(t, []string{
		"DOCUMENT DESCRIBES Package-tool-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"Package-tool-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa DEPENDS_ON Package-libfoo-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	}, rels)
}

func TestDocumentIsReproducible(t *testing.T) {
	in := lz4Input(t)
	a, err := Document(in)
	require.NoError(t, err)
	b, err := Document(in)
	require.NoError(t, err)
	assert.Equal(t, a, b)

	reversed := slices.Clone(in.Lockfile.RuntimeClosure().Specs)
	slices.Reverse(reversed)
	in.Shipped = reversed
	c, err := Document(in)
	require.NoError(t, err)
	assert.Equal(t, a, c, "order of the shipped specs does not matter")

	in.Packages = map[string]Package{"lz4": {License: "BSD-2-Clause"}}
	d, err := Document(in)
	require.NoError(t, err)
	assert.NotEqual(t, namespace(t, a), namespace(t, d), "other content, other namespace")
}

func namespace(t *testing.T, data []byte) string {
	var doc struct {
		DocumentNamespace string `json:"documentNamespace"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc.DocumentNamespace
}

func TestDocumentDeclaredData(t *testing.T) {
	tests := []struct {
		name        string
		meta        Package
		wantLicense string
		wantComment string
		wantSource  string
		wantHome    string
	}{
		{name: "SPDX expression", meta: Package{License: "Apache-2.0 WITH LLVM-exception OR MIT"}, wantLicense: "Apache-2.0 WITH LLVM-exception OR MIT", wantSource: "NOASSERTION"},
		{name: "not an SPDX expression", meta: Package{License: "BSD (3 clause)"}, wantLicense: "NOASSERTION",
			wantComment: `declared license "BSD (3 clause)" is not an SPDX license expression`, wantSource: "NOASSERTION"},
		{name: "nothing declared", wantLicense: "NOASSERTION", wantSource: "NOASSERTION"},
		{name: "git source", meta: Package{SourceURL: "https://github.com/lz4/lz4.git", Homepage: "https://lz4.org"},
			wantLicense: "NOASSERTION", wantSource: "https://github.com/lz4/lz4.git", wantHome: "https://lz4.org"},
		{name: "not URLs", meta: Package{SourceURL: "lz4.tar.gz", Homepage: "lz4.org"}, wantLicense: "NOASSERTION", wantSource: "NOASSERTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := lz4Input(t)
			in.Packages = map[string]Package{"lz4": tt.meta}
			data, err := Document(in)
			require.NoError(t, err)
			doc, err := spdxjson.Read(bytes.NewReader(data))
			require.NoError(t, err)
			var lz4 *v2_3.Package
			for _, p := range doc.Packages {
				if p.PackageName == "lz4" {
					lz4 = p
				}
			}
			require.NotNil(t, lz4)
			assert.Equal(t, tt.wantLicense, lz4.PackageLicenseDeclared)
			assert.Equal(t, tt.wantComment, lz4.PackageComment)
			assert.Equal(t, tt.wantSource, lz4.PackageDownloadLocation)
			assert.Equal(t, tt.wantHome, lz4.PackageHomePage)
		})
	}
}

func TestDocumentRefuses(t *testing.T) {
	lf := lockfile(t, "lz4.lock")
	stranger := &spack.ConcreteSpec{Name: "zlib", Version: "1.3", Hash: "zzzzzzz"}
	tests := []struct {
		name    string
		in      Input
		wantErr string
	}{
		{name: "no lockfile", in: Input{Name: "lz4", Created: created}, wantErr: "no lockfile"},
		{name: "no name", in: Input{Lockfile: lf, Created: created}, wantErr: "no name"},
		{name: "no creation time", in: Input{Name: "lz4", Lockfile: lf}, wantErr: "no creation time"},
		{name: "a shipped spec from elsewhere", in: Input{Name: "lz4", Lockfile: lf, Created: created, Shipped: []*spack.ConcreteSpec{stranger}},
			wantErr: "shipped spec zlib@1.3/zzzzzzz is not in the lockfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Document(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestPURL(t *testing.T) {
	tests := []struct {
		name string
		spec spack.ConcreteSpec
		want string
	}{
		{name: "plain", spec: spack.ConcreteSpec{Name: "zlib", Version: "1.3.1", Namespace: "builtin", Hash: "u463uoum2lujbc2ug4fpbersp4jev2yl"},
			want: "pkg:spack/builtin/zlib@1.3.1?sha=u463uoum2lujbc2ug4fpbersp4jev2yl"},
		{name: "no namespace", spec: spack.ConcreteSpec{Name: "gmake", Version: "4.4.1", Hash: "os2kltnpbfyz7yxpdaoxtbzocsp223q3"},
			want: "pkg:spack/gmake@4.4.1?sha=os2kltnpbfyz7yxpdaoxtbzocsp223q3"},
		{name: "git version", spec: spack.ConcreteSpec{Name: "x", Version: "git.abc=1.2+dev", Namespace: "builtin", Hash: "h"},
			want: "pkg:spack/builtin/x@git.abc%3D1.2%2Bdev?sha=h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PURL(&tt.spec)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "+", "a plus sign would read as a space")
		})
	}
}

func TestDocumentWithoutShippedRoot(t *testing.T) {
	lf := lockfile(t, "tool.lock")
	libfoo := lf.Specs["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
	data, err := Document(Input{Name: "libs", Lockfile: lf, Created: created, Shipped: []*spack.ConcreteSpec{libfoo}})
	require.NoError(t, err)
	doc, err := spdxjson.Read(bytes.NewReader(data))
	require.NoError(t, err)
	require.NoError(t, spdxlib.ValidateDocument(doc))
	require.Len(t, doc.Relationships, 1)
	assert.Equal(t, "DESCRIBES", doc.Relationships[0].Relationship)
	assert.Equal(t, "Package-libfoo-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", string(doc.Relationships[0].RefB.ElementRefID))
}
