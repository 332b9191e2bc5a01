package pkgpy

import (
	"sort"
	"strings"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// coreSource stands in for the classes Spack itself defines (spack.package_base,
// spack.builder), as far as tests are concerned: none defines a test method; the
// generic builder has no install-time callbacks.
const coreSource = `
class PackageBase:
    pass
class Package(PackageBase):
    build_system("generic")
class BaseBuilder:
    pass
class Builder(BaseBuilder):
    pass
class BuilderWithDefaults(Builder):
    pass
@register_builder("generic")
class GenericBuilder(BuilderWithDefaults):
    install_time_test_callbacks = []
`

type testAnalyzer struct {
	modules  map[string]*srcModule
	builders map[string]*srcClass // build system → its registered builder
	mros     map[*srcClass][]*srcClass
}

func newTestAnalyzer() *testAnalyzer {
	a := &testAnalyzer{
		modules:  map[string]*srcModule{},
		builders: map[string]*srcClass{},
		mros:     map[*srcClass][]*srcClass{},
	}
	a.add(parseSrcModule("core", []byte(coreSource)))
	return a
}

func (a *testAnalyzer) add(m *srcModule) {
	a.modules[m.key] = m
	for _, c := range m.order {
		if c.registers != "" {
			a.builders[c.registers] = c
		}
	}
}

// lookup finds the class that name refers to in module m, following imports.
func (a *testAnalyzer) lookup(m *srcModule, name string, depth int) *srcClass {
	return a.lookupExcept(m, name, nil, depth)
}

// lookupExcept is lookup for the bases of class self: in "class CMakeBuilder(CMakeBuilder)"
// the base is the name as bound before the class statement, i.e. the imported one.
func (a *testAnalyzer) lookupExcept(m *srcModule, name string, self *srcClass, depth int) *srcClass {
	if m == nil || depth > 8 {
		return nil
	}
	if c, ok := m.classes[name]; ok && c != self {
		return c
	}
	if imp, ok := m.imports[name]; ok && imp.name != "" {
		return a.lookup(a.modules[imp.module], imp.name, depth+1)
	}
	// Everything else comes from "from spack.package import *".
	if core := a.modules["core"]; m != core {
		return core.classes[name]
	}
	return nil
}

// resolveBase finds the class a base expression of class self, such as
// "CMakePackage", "cmake.CMakeBuilder" or "spack.package.PackageBase", refers to.
func (a *testAnalyzer) resolveBase(self *srcClass, expr string) *srcClass {
	m := self.module
	head, name, dotted := cutLastDot(expr)
	if !dotted {
		return a.lookupExcept(m, expr, self, 0)
	}
	if imp, ok := m.imports[head]; ok && imp.name == "" {
		return a.lookup(a.modules[imp.module], name, 0)
	}
	if strings.HasPrefix(head, "spack.") || head == "spack" {
		return a.modules["core"].classes[name]
	}
	return nil
}

func cutLastDot(s string) (head, name string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+1:], true
}

// mro is the class's method resolution order (C3), with bases that cannot be
// resolved left out.
func (a *testAnalyzer) mro(c *srcClass) []*srcClass {
	return a.mroDepth(c, 0)
}

func (a *testAnalyzer) mroDepth(c *srcClass, depth int) []*srcClass {
	if m, ok := a.mros[c]; ok {
		return m
	}
	if depth > 32 {
		return []*srcClass{c}
	}
	a.mros[c] = []*srcClass{c} // guards against cycles
	var seqs [][]*srcClass
	var bases []*srcClass
	for _, b := range c.bases {
		if bc := a.resolveBase(c, b); bc != nil && bc != c {
			seqs = append(seqs, a.mroDepth(bc, depth+1))
			bases = append(bases, bc)
		}
	}
	seqs = append(seqs, bases)
	out := append([]*srcClass{c}, c3Merge(seqs)...)
	a.mros[c] = out
	return out
}

// c3Merge is Python's C3 linearization merge. On an inconsistent hierarchy (which
// Python would reject) it falls back to depth-first order without repeats.
func c3Merge(seqs [][]*srcClass) []*srcClass {
	var out []*srcClass
	seqs = append([][]*srcClass(nil), seqs...)
	for {
		nonEmpty := seqs[:0]
		for _, s := range seqs {
			if len(s) > 0 {
				nonEmpty = append(nonEmpty, s)
			}
		}
		seqs = nonEmpty
		if len(seqs) == 0 {
			return out
		}
		var head *srcClass
		for _, s := range seqs {
			cand := s[0]
			inTail := false
			for _, t := range seqs {
				for _, x := range t[1:] {
					if x == cand {
						inTail = true
					}
				}
			}
			if !inTail {
				head = cand
				break
			}
		}
		if head == nil {
			seen := map[*srcClass]bool{}
			for _, c := range out {
				seen[c] = true
			}
			for _, s := range seqs {
				for _, c := range s {
					if !seen[c] {
						seen[c] = true
						out = append(out, c)
					}
				}
			}
			return out
		}
		out = append(out, head)
		for i, s := range seqs {
			if s[0] == head {
				seqs[i] = s[1:]
			}
		}
	}
}

// member finds name along c's MRO, as getattr(cls, name) would.
func (a *testAnalyzer) member(c *srcClass, name string) (*srcClass, classMember, bool) {
	for _, k := range a.mro(c) {
		if m, ok := k.members[name]; ok {
			return k, m, true
		}
	}
	return nil, classMember{}, false
}

// testFunctions mirrors spack.install_test.test_functions: every name starting with
// "test_" that getattr on the class resolves to a function, as "<definer>.<name>",
// sorted by name like inspect.getmembers.
func (a *testAnalyzer) testFunctions(c *srcClass) (tests []string, definers []*srcClass) {
	seen := map[string]bool{}
	var names []string
	for _, k := range a.mro(c) {
		for name := range k.members {
			if strings.HasPrefix(name, "test_") && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if k, m, _ := a.member(c, name); m.kind == memberFunction {
			tests = append(tests, k.name+"."+name)
			definers = append(definers, k)
		}
	}
	return tests, definers
}

// provides lists the virtuals a package class can provide, from provides(...)
// directives anywhere in its hierarchy (PackageBase.provided_virtual_names).
func (a *testAnalyzer) provides(c *srcClass) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range a.mro(c) {
		for _, spec := range k.calls["provides"] {
			if name := specName(spec); name != "" && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// specName is the package name of a spec such as "mpi@:3", or "" when it is not one.
func specName(spec string) string {
	sp, err := spack.ParseSpec(spec)
	if err != nil {
		return ""
	}
	return sp.Name
}

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

func isPackageModule(c *srcClass) bool { return strings.HasPrefix(c.module.key, "pkg:") }

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
