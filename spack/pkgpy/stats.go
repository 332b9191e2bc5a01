package pkgpy

import "sort"

// TestStats counts packages by their tests. Every share is of Packages.
type TestStats struct {
	// Packages is how many packages were counted.
	Packages int `json:"packages"`
	// Missing are requested names the repository lacks (or that are virtual).
	Missing []string `json:"missing,omitempty"`

	StandAlone struct {
		// Any is Package + BuildSystem + Virtual.
		Any int `json:"any"`
		// Spack is Package + BuildSystem: what `spack test list --all` counts.
		Spack       int `json:"spack"`
		Package     int `json:"package"`
		BuildSystem int `json:"build_system"`
		Virtual     int `json:"virtual"`
	} `json:"stand_alone"`
	BuildTime struct {
		Any         int `json:"any"`
		Package     int `json:"package"`
		BuildSystem int `json:"build_system"`
	} `json:"build_time"`
	// Both have stand-alone tests (any kind) and build-time tests (any kind).
	Both int `json:"both"`
	// Neither have no tests of either kind.
	Neither int `json:"neither"`
}

// Stats counts the packages called names, or every package when names is nil.
func (c *TestCatalog) Stats(names []string) TestStats {
	if names == nil {
		for n := range c.Packages {
			names = append(names, n)
		}
	}
	var s TestStats
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		p, ok := c.Packages[n]
		if !ok {
			s.Missing = append(s.Missing, n)
			continue
		}
		s.Packages++
		switch p.StandAlone {
		case StandAlonePackage:
			s.StandAlone.Package++
		case StandAloneBuildSystem:
			s.StandAlone.BuildSystem++
		case StandAloneVirtual:
			s.StandAlone.Virtual++
		}
		switch p.BuildTime {
		case BuildTimePackage:
			s.BuildTime.Package++
		case BuildTimeBuildSystem:
			s.BuildTime.BuildSystem++
		}
		switch sa, bt := p.HasStandAlone(), p.HasBuildTime(); {
		case sa && bt:
			s.Both++
		case !sa && !bt:
			s.Neither++
		}
	}
	s.StandAlone.Spack = s.StandAlone.Package + s.StandAlone.BuildSystem
	s.StandAlone.Any = s.StandAlone.Spack + s.StandAlone.Virtual
	s.BuildTime.Any = s.BuildTime.Package + s.BuildTime.BuildSystem
	sort.Strings(s.Missing)
	return s
}

// SpackTestList is the list `spack test list --all` prints: packages with test
// methods of their own or from their build system, sorted.
func (c *TestCatalog) SpackTestList() []string {
	var out []string
	for n, p := range c.Packages {
		if p.StandAlone == StandAlonePackage || p.StandAlone == StandAloneBuildSystem {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
