package pkgpy

import (
	"sort"
	"strings"
)

// compilerVirtuals is the "hack for compilers that are not dependencies (yet)" in
// spack.install_test.virtuals: these packages' tests also run the language virtuals'.
var compilerVirtuals = map[string][]string{
	"gcc":                   {"c", "cxx", "fortran"},
	"intel":                 {"c", "cxx", "fortran"},
	"intel-parallel-studio": {"c", "cxx", "fortran"},
	"llvm":                  {"c", "cxx"}, // when +clang, the default
}

func (a *testAnalyzer) buildSystems(c *srcClass) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range a.mro(c) {
		for _, bs := range k.calls["build_system"] {
			if !seen[bs] {
				seen[bs] = true
				out = append(out, bs)
			}
		}
	}
	sort.Strings(out)
	return out
}

// where names the origin of a definition for PackageTests.Callbacks.
func where(c *srcClass) string {
	if isPackageModule(c) {
		return "package"
	}
	return strings.TrimPrefix(c.module.key, "bs:")
}

func (a *testAnalyzer) classify(name string, cls *srcClass, classes map[string]*srcClass) PackageTests {
	pt := PackageTests{Name: name, Class: cls.name}

	// Stand-alone tests, as `spack test list --all` and `spack test run` find them.
	tests, definers := a.testFunctions(cls)
	pt.Tests = tests
	pt.StandAlone = StandAloneNone
	for _, d := range definers {
		if isPackageModule(d) {
			pt.StandAlone = StandAlonePackage
			break
		}
		pt.StandAlone = StandAloneBuildSystem
	}
	virtuals := append(a.provides(cls), compilerVirtuals[name]...)
	seen := map[string]bool{}
	for _, v := range virtuals {
		vc := classes[v]
		if seen[v] || vc == nil {
			continue
		}
		seen[v] = true
		vt, _ := a.testFunctions(vc)
		for _, t := range vt {
			pt.VirtualTests = append(pt.VirtualTests, v+"."+t[strings.LastIndexByte(t, '.')+1:])
		}
	}
	if pt.StandAlone == StandAloneNone && len(pt.VirtualTests) > 0 {
		pt.StandAlone = StandAloneVirtual
	}

	// Build-time tests: the callbacks each build system's builder calls.
	pt.BuildSystems = a.buildSystems(cls)
	pt.BuildTime = BuildTimeNone
	specific := false
	var custom []*srcClass
	for _, bs := range pt.BuildSystems {
		def := a.builders[bs]
		if def == nil {
			continue
		}
		// A package.py may define its own builder, named like the default one
		// (spack.builder.get_builder_class).
		var builder *srcClass
		if b := a.lookup(cls.module, def.name, 0); b != nil && isPackageModule(b) {
			builder = b
			custom = append(custom, b)
		}
		for _, phase := range []struct{ attr, name string }{
			{"build_time_test_callbacks", "build"},
			{"install_time_test_callbacks", "install"},
		} {
			for _, cb := range a.callbacks(cls, builder, def, phase.attr) {
				k := a.callbackDefiner(cls, builder, def, cb)
				if k == nil {
					continue // Spack would report "method not implemented"
				}
				pt.Callbacks = append(pt.Callbacks, phase.name+":"+cb+"@"+where(k))
				if isPackageModule(k) {
					specific = true
				} else if pt.BuildTime == BuildTimeNone {
					pt.BuildTime = BuildTimeBuildSystem
				}
			}
		}
	}
	for _, k := range append(a.mro(cls), custom...) {
		if isPackageModule(k) && k.mentionsRunTests {
			pt.RunTests = true
		}
	}
	if specific || pt.RunTests {
		pt.BuildTime = BuildTimePackage
	}
	return pt
}

// callbacks returns the callback names a builder uses for attr: from a custom builder
// class, else (an adapter for an old-style package) from the package class, which
// overrides the default builder's.
func (a *testAnalyzer) callbacks(pkg, custom, def *srcClass, attr string) []string {
	var order []*srcClass
	if custom != nil {
		order = []*srcClass{custom}
	} else {
		order = []*srcClass{pkg, def}
	}
	for _, c := range order {
		if _, m, ok := a.member(c, attr); ok {
			names, _ := stringList(m.value)
			return names
		}
	}
	return nil
}

// callbackDefiner finds the class whose method a callback calls: PackageTest.phase_tests
// looks on the builder, then on the package. An adapter builder prefers the package's
// own overrides.
func (a *testAnalyzer) callbackDefiner(pkg, custom, def *srcClass, name string) *srcClass {
	var order []*srcClass
	if custom != nil {
		order = []*srcClass{custom, pkg}
	} else {
		if k, m, ok := a.member(pkg, name); ok && isPackageModule(k) && m.kind == memberFunction {
			return k
		}
		order = []*srcClass{def, pkg}
	}
	for _, c := range order {
		if k, m, ok := a.member(c, name); ok && m.kind == memberFunction {
			return k
		}
	}
	return nil
}
