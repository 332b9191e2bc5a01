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
	// load reads a module that is not in modules yet, if not nil: for reading one
	// package's hierarchy without the whole repository.
	load func(key string) *srcModule
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

// module returns the module called key, loading it if need be; nil if there is none.
func (a *testAnalyzer) module(key string) *srcModule {
	if m, ok := a.modules[key]; ok || a.load == nil {
		return m
	}
	m := a.load(key)
	a.modules[key] = m // nil too: do not try again
	if m != nil {
		a.add(m)
	}
	return m
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
		return a.lookup(a.module(imp.module), imp.name, depth+1)
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
		return a.lookup(a.module(imp.module), name, 0)
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

func isPackageModule(c *srcClass) bool { return strings.HasPrefix(c.module.key, "pkg:") }
