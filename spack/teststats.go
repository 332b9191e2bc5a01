package spack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// StandAloneSource says where a package's stand-alone tests (`spack test run`) come
// from. The kinds are exclusive and checked in this order.
type StandAloneSource string

const (
	// StandAlonePackage: a package.py defines test_* methods, the package's own or
	// one of a parent package it subclasses.
	StandAlonePackage StandAloneSource = "package"
	// StandAloneBuildSystem: the package only inherits test methods from its build
	// system: PythonPackage's test_imports, PerlPackage's test_use, SIPPackage's
	// test_imports.
	StandAloneBuildSystem StandAloneSource = "build-system"
	// StandAloneVirtual: the package has no test methods, but a virtual it provides
	// (mpi, c, cxx, fortran) has a package.py with some, which `spack test run` runs
	// against it. `spack test list --all` does not count these.
	StandAloneVirtual StandAloneSource = "virtual"
	// StandAloneNone: `spack test run` finds nothing to run (NO_TESTS).
	StandAloneNone StandAloneSource = "none"
)

// BuildTimeSource says where a package's build-time tests (`spack install --test`)
// come from.
type BuildTimeSource string

const (
	// BuildTimePackage: the package.py (or a parent package) has test code of its own
	// for `spack install --test`: a build- or install-time test callback defined in
	// the package, or code that reads run_tests (`if self.run_tests:`,
	// `@on_package_attributes(run_tests=True)`).
	BuildTimePackage BuildTimeSource = "package"
	// BuildTimeBuildSystem: only the build system's generic callbacks, such as
	// Autotools' check (make test/check if the Makefile has the target) and
	// installcheck, CMake's check, Meson's check, PythonPackage's test_imports at
	// install time.
	BuildTimeBuildSystem BuildTimeSource = "build-system"
	// BuildTimeNone: nothing runs under `spack install --test`.
	BuildTimeNone BuildTimeSource = "none"
)

// PackageTests is what a package declares about tests, as read from its package.py
// and the classes it inherits from.
type PackageTests struct {
	Name string `json:"name"`
	// Class is the package's class name, e.g. "PyNumpy".
	Class      string           `json:"class"`
	StandAlone StandAloneSource `json:"stand_alone"`
	// Tests are the test methods `spack test run` runs, as Spack names them in
	// test_function_names: "<defining class>.<method>".
	Tests []string `json:"tests,omitempty"`
	// VirtualTests are the test methods of provided virtuals, as "<virtual>.<method>".
	VirtualTests []string        `json:"virtual_tests,omitempty"`
	BuildTime    BuildTimeSource `json:"build_time"`
	// BuildSystems are the values of the package's build_system variant.
	BuildSystems []string `json:"build_systems,omitempty"`
	// Callbacks are the build- and install-time test callbacks Spack would call, as
	// "<phase>:<method>@<where>", where is "package" or the build system module.
	Callbacks []string `json:"callbacks,omitempty"`
	// RunTests is set when the package's code reads run_tests.
	RunTests bool `json:"run_tests,omitempty"`
}

// HasStandAlone reports whether `spack test run` would run any test of the package,
// counting tests of provided virtuals.
func (p PackageTests) HasStandAlone() bool { return p.StandAlone != StandAloneNone }

// HasBuildTime reports whether `spack install --test` calls any test of the package.
func (p PackageTests) HasBuildTime() bool { return p.BuildTime != BuildTimeNone }

// TestCatalog is PackageTests for every package of a repository.
type TestCatalog struct {
	// Packages holds the packages Spack lists (spack.repo.all_package_names), by name.
	Packages map[string]PackageTests
	// Virtuals are the package.py files Spack leaves out of its package list because
	// other packages provide them (mpi, c, ...).
	Virtuals []string
}

// AnalyzeTests reads every package.py of repo and its build systems and classifies
// each package's tests. It runs no Python: it reads classes, their bases, methods,
// decorators and directives from the source, and resolves inheritance across build
// system modules and packages the way Python's method resolution order would.
func AnalyzeTests(ctx context.Context, repo *Repo) (*TestCatalog, error) {
	pkgs, err := repo.Packages()
	if err != nil {
		return nil, err
	}
	a := newTestAnalyzer()
	bsDir := filepath.Join(repo.Root, "build_systems")
	bsFiles, _ := filepath.Glob(filepath.Join(bsDir, "*.py"))
	type job struct{ key, file string }
	var jobs []job
	for _, f := range bsFiles {
		jobs = append(jobs, job{"bs:" + strings.TrimSuffix(filepath.Base(f), ".py"), f})
	}
	for _, p := range pkgs {
		jobs = append(jobs, job{"pkg:" + filepath.Base(filepath.Dir(p.File)), p.File})
	}
	mods := make([]*srcModule, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				src, err := os.ReadFile(jobs[i].file)
				if err != nil {
					errs[i] = err
					continue
				}
				mods[i] = parseSrcModule(jobs[i].key, src)
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, m := range mods {
		if errs[i] != nil {
			return nil, fmt.Errorf("reading %s: %w", jobs[i].file, errs[i])
		}
		a.add(m)
	}

	names := make(map[string]string, len(pkgs)) // module key → package name
	for _, p := range pkgs {
		names["pkg:"+filepath.Base(filepath.Dir(p.File))] = p.Name
	}
	cat := &TestCatalog{Packages: make(map[string]PackageTests, len(pkgs))}
	provided := map[string]bool{}
	classes := make(map[string]*srcClass, len(pkgs))
	for _, p := range pkgs {
		key := "pkg:" + filepath.Base(filepath.Dir(p.File))
		cls := a.lookup(a.modules[key], PackageClassName(p.Name), 0)
		if cls == nil {
			continue // not a loadable package; Spack would fail on it too
		}
		classes[p.Name] = cls
		for _, v := range a.provides(cls) {
			provided[v] = true
		}
	}
	for _, p := range pkgs {
		cls := classes[p.Name]
		if cls == nil {
			continue
		}
		// Spack lists only non-virtual packages (Repo.all_package_names): a name some
		// package provides is virtual.
		if provided[p.Name] || cls.members["virtual"].value == "True" {
			cat.Virtuals = append(cat.Virtuals, p.Name)
			continue
		}
		cat.Packages[p.Name] = a.classify(p.Name, cls, classes)
	}
	sort.Strings(cat.Virtuals)
	return cat, nil
}

var nameSeparators = regexp.MustCompile(`[-_]+`)

// PackageClassName is the class Spack looks for in a package.py
// (spack.util.naming.pkg_name_to_class_name): CapWords of the name's parts, with a
// leading underscore when that starts with a digit or is a Python constant.
func PackageClassName(name string) string {
	var b strings.Builder
	for _, part := range nameSeparators.Split(name, -1) {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
	}
	s := b.String()
	if s != "" && (s[0] >= '0' && s[0] <= '9' || s == "None" || s == "True" || s == "False") {
		s = "_" + s
	}
	return s
}

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

var providedNameRE = regexp.MustCompile(`^\s*([a-z0-9][a-z0-9_-]*)`)

func specName(spec string) string {
	if m := providedNameRE.FindStringSubmatch(spec); m != nil {
		return m[1]
	}
	return ""
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
			names, _ := stringListLiteral(m.value)
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
