package pkgpy

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

	"github.com/spack-ghcr/spack-ghcr/spack"
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
func AnalyzeTests(ctx context.Context, repo *spack.Repo) (*TestCatalog, error) {
	pkgs, err := repo.Packages()
	if err != nil {
		return nil, err
	}
	a := newTestAnalyzer()
	bsDir := filepath.Join(repo.Root, "build_systems")
	bsFiles, _ := filepath.Glob(filepath.Join(bsDir, "*.py"))
	var jobs []moduleFile
	for _, f := range bsFiles {
		jobs = append(jobs, moduleFile{"bs:" + strings.TrimSuffix(filepath.Base(f), ".py"), f})
	}
	for _, p := range pkgs {
		jobs = append(jobs, moduleFile{packageKey(p), p.File})
	}
	mods, err := readModules(ctx, jobs)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		a.add(m)
	}

	cat := &TestCatalog{Packages: make(map[string]PackageTests, len(pkgs))}
	provided := map[string]bool{}
	classes := make(map[string]*srcClass, len(pkgs))
	for _, p := range pkgs {
		cls := a.lookup(a.modules[packageKey(p)], ClassName(p.Name), 0)
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
		if provided[p.Name] || isTrue(cls.members["virtual"].value) {
			cat.Virtuals = append(cat.Virtuals, p.Name)
			continue
		}
		cat.Packages[p.Name] = a.classify(p.Name, cls, classes)
	}
	sort.Strings(cat.Virtuals)
	return cat, nil
}

// packageKey is the module key of a package's package.py (see srcModuleKey).
func packageKey(p spack.RepoPackage) string { return "pkg:" + filepath.Base(filepath.Dir(p.File)) }

// moduleFile is a Python file to read as the module called key.
type moduleFile struct{ key, file string }

// readModules reads and parses files on every CPU.
func readModules(ctx context.Context, files []moduleFile) ([]*srcModule, error) {
	mods := make([]*srcModule, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				src, err := os.ReadFile(files[i].file)
				if err != nil {
					errs[i] = err
					continue
				}
				mods[i] = parseSrcModule(files[i].key, src)
			}
		}()
	}
	for i := range files {
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
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", files[i].file, err)
		}
	}
	return mods, nil
}

// isTrue reports whether an assigned value is the literal True.
func isTrue(val []token) bool { return eval(val).kind == valTrue }

var nameSeparators = regexp.MustCompile(`[-_]+`)

// ClassName is the class Spack looks for in a package.py
// (spack.util.naming.pkg_name_to_class_name): CapWords of the name's parts, with a
// leading underscore when that starts with a digit or is a Python constant.
func ClassName(name string) string {
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
