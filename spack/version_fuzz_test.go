package spack

import (
	"strings"
	"testing"
)

var versionSeeds = []string{
	"1.2.13", "1.2", "1.2.0", "3", "17", "6.0rc1", "6.0rc", "6.0alpha", "6.0beta2", "6.0",
	"1.0final", "1.0final1", "develop", "1.develop", "main", "stable", "R2016a", "5.5p1",
	"2_0", "2-0", "10.0001", "xyz.4", "1b.fc17", ".1", "1.", "99999999999999999999",
}

// FuzzVersionOrder checks that Compare is a total order on whatever ParseVersion
// accepts: antisymmetric, transitive, and consistent with Equal and Less.
func FuzzVersionOrder(f *testing.F) {
	for i, a := range versionSeeds {
		b := versionSeeds[(i+1)%len(versionSeeds)]
		c := versionSeeds[(i+7)%len(versionSeeds)]
		f.Add(a, b, c)
	}
	f.Fuzz(func(t *testing.T, as, bs, cs string) {
		a, errA := ParseVersion(as)
		b, errB := ParseVersion(bs)
		c, errC := ParseVersion(cs)
		if errA != nil || errB != nil || errC != nil {
			return
		}
		for _, v := range []Version{a, b, c} {
			if v.Compare(v) != 0 {
				t.Fatalf("%q does not equal itself", v)
			}
		}
		pairs := [][2]Version{{a, b}, {b, c}, {a, c}}
		for _, p := range pairs {
			x, y := p[0], p[1]
			if x.Compare(y) != -y.Compare(x) {
				t.Fatalf("not antisymmetric: %q vs %q: %d and %d", x, y, x.Compare(y), y.Compare(x))
			}
			if x.Less(y) != (x.Compare(y) < 0) || x.Equal(y) != (x.Compare(y) == 0) {
				t.Fatalf("Less/Equal disagree with Compare for %q, %q", x, y)
			}
		}
		vs := []Version{a, b, c}
		for _, x := range vs {
			for _, y := range vs {
				for _, z := range vs {
					if x.Compare(y) <= 0 && y.Compare(z) <= 0 && x.Compare(z) > 0 {
						t.Fatalf("not transitive: %q <= %q <= %q but %q > %q", x, y, z, x, z)
					}
				}
			}
		}
		// Separators do not matter to the order.
		if d := mustParse(t, strings.NewReplacer(".", "_", "-", "_").Replace(as)); d.Compare(a) != 0 {
			t.Fatalf("%q and %q differ only in separators but compare %d", as, d, d.Compare(a))
		}
		// next is the smallest version above: v < next(v), and the single-version range
		// holds v.
		if n := a.next(); !a.Less(n) {
			t.Fatalf("next(%q) is not above it", as)
		}
		if cons, err := ParseVersionConstraint(as); err == nil && !isGitVersion(as) && !cons.Contains(a) {
			t.Fatalf("constraint %q does not hold its own version", as)
		}
	})
}

func mustParse(t *testing.T, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// FuzzVersionConstraint checks that any input gives a constraint or an error, never a
// panic, and that a pin holds its own version.
func FuzzVersionConstraint(f *testing.F) {
	for _, s := range []string{"1.2", "=1.2", "1.2:1.4", "1.2:", ":1.4", ":", "1.2,1.4", "git.v1=1", "2:1.0", "1:2:3", ",", "=", "a=b"} {
		f.Add(s, "1.3")
	}
	f.Fuzz(func(t *testing.T, cs, vs string) {
		c, err := ParseVersionConstraint(cs)
		if err != nil {
			return
		}
		if p, ok := c.Pinned(); ok && !c.Contains(p) {
			t.Fatalf("pin %q does not hold %q", cs, p)
		}
		if v, err := ParseVersion(vs); err == nil {
			_ = c.Contains(v)
		}
	})
}
