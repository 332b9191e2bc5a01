package spack

import (
	"strings"
	"testing"
)

// FuzzParseSpec checks that any input parses or fails with an error, never a panic;
// that a parsed spec prints as written; and that rewriting a pinned version changes
// the version's text and nothing else.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"zlib@1.2.13 +shared", "lz4@=1.9.4", "hdf5@1.12,1.14 +mpi ^zlib@1.3", "py-numpy@2.1.0 %gcc@13",
		`zlib cflags="-O2 ^x"`, "builtin.zlib@1.3", "zlib@git.v1=1", "@1.2", "zlib@", "zlib +", "zlib@1.2 , 1.3",
	} {
		f.Add(s, "1.3.1")
	}
	f.Fuzz(func(t *testing.T, input, version string) {
		s, err := ParseSpec(input)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if s.String() != input {
			t.Fatalf("String() = %q, want %q", s.String(), input)
		}
		if !packageName.MatchString(s.Name) {
			t.Fatalf("accepted bad name %q", s.Name)
		}
		v, err := ParseVersion(version)
		if err != nil || !s.HasVersion() {
			return
		}
		if _, ok := s.Versions.Pinned(); !ok {
			return
		}
		got, err := s.WithVersion(v)
		if err != nil {
			// A version that glues onto what follows it ("1.2" before "-x") may not
			// re-parse; that must be an error, not a wrong spec.
			return
		}
		start, end := s.VersionSpan()
		if !strings.HasPrefix(got.String(), input[:start]) || !strings.HasSuffix(got.String(), input[end:]) {
			t.Fatalf("rewrite of %q to %q changed more than the version: %q", input, version, got)
		}
		if got.Name != s.Name || got.Namespace != s.Namespace {
			t.Fatalf("rewrite changed the name: %q", got)
		}
		p, ok := got.Versions.Pinned()
		if !ok || !p.Equal(v) {
			t.Fatalf("rewrite of %q to %q: version is %q", input, version, got.Versions)
		}
	})
}
