package pkgpy

import (
	"strings"
)

// This file reads a Python module (a package.py or a build system module) as far as
// tests are concerned: its imports, its top-level classes, their bases and the names
// they define.

// memberKind says what a name in a class body is, as far as
// inspect.isfunction(getattr(cls, name)) is concerned.
type memberKind int

const (
	// memberFunction is a def that stays a function: plain, @staticmethod, or wrapped by
	// a decorator that returns a function (run_after, on_package_attributes, ...).
	memberFunction memberKind = iota
	// memberOther is a def turned into something else (@property, @classmethod,
	// @when multimethods) or a plain assignment.
	memberOther
)

type classMember struct {
	kind memberKind
	// value is the right-hand side of an assignment.
	value []token
}

// srcClass is a top-level class of a module.
type srcClass struct {
	module  *srcModule
	name    string
	bases   []string // base expressions as written, e.g. "cmake.CMakeBuilder"
	members map[string]classMember
	// calls are the string arguments of directive-like calls at any depth of the class
	// body (outside nested defs), by function name: "provides", "build_system".
	calls map[string][]string
	// registers is the build system of a @register_builder("name") class.
	registers string
	// mentionsRunTests is set when any code in the class reads run_tests, i.e. it does
	// something only under `spack install --test`.
	mentionsRunTests bool
}

// srcImport is what a name imported into a module refers to: a module (name "") or a
// name in a module.
type srcImport struct {
	module string // module key, see srcModuleKey
	name   string
}

// srcModule is one parsed source file.
type srcModule struct {
	key     string
	imports map[string]srcImport
	classes map[string]*srcClass
	order   []*srcClass
}

// parseSrcModule reads src as the module called key. Source that does not tokenize
// cleanly is read as far as it goes: Spack would fail to load it, and the stats count
// what it declares rather than nothing.
func parseSrcModule(key string, src []byte) *srcModule {
	m := &srcModule{key: key, imports: map[string]srcImport{}, classes: map[string]*srcClass{}}
	lines, _ := logicalLines(src)
	var decorators []line
	for i, l := range lines {
		if l.indent != 0 {
			continue
		}
		switch first := l.toks[0]; {
		case first.isOp("@"):
			decorators = append(decorators, l)
			continue
		case first.is(tokName, "from"), first.is(tokName, "import"):
			m.parseImport(l.toks)
		case first.is(tokName, "class"):
			if c := parseSrcClass(m, lines, i, decorators); c != nil {
				m.classes[c.name] = c
				m.order = append(m.order, c)
			}
		}
		decorators = decorators[:0]
	}
	return m
}

// parseImport reads "from X import a, b as c" and "import x.y as z".
func (m *srcModule) parseImport(toks []token) {
	if toks[0].text == "from" {
		var from strings.Builder
		i := 1
		for ; i < len(toks) && !toks[i].is(tokName, "import"); i++ {
			from.WriteString(toks[i].text)
		}
		if i == len(toks) || from.Len() == 0 {
			return
		}
		m.importFrom(from.String(), toks[i+1:])
		return
	}
	for _, item := range splitArgs(toks[1:]) {
		name, alias := importAlias(item)
		if key := srcModuleKey(m.key, name); key != "" && alias != name {
			m.imports[alias] = srcImport{module: key}
		}
	}
}

func (m *srcModule) importFrom(from string, names []token) {
	if len(names) > 0 && names[0].isOp("(") {
		if end := closing(names, 0); end > 0 {
			names = names[1:end]
		} else {
			names = names[1:]
		}
	}
	for _, item := range splitArgs(names) {
		name, alias := importAlias(item)
		if name == "" || name == "*" {
			continue
		}
		// "from pkg import sub" may name a submodule or a name in pkg.
		sub := from + "." + name
		if from == "." {
			sub = "." + name
		}
		if key := srcModuleKey(m.key, sub); key != "" && importsModules(from) {
			m.imports[alias] = srcImport{module: key}
			continue
		}
		if key := srcModuleKey(m.key, from); key != "" {
			m.imports[alias] = srcImport{module: key, name: name}
		}
	}
}

// importAlias reads one import item, "a.b" or "a.b as c".
func importAlias(item []token) (name, alias string) {
	var b strings.Builder
	for i, t := range item {
		if t.is(tokName, "as") && i+1 < len(item) {
			return b.String(), item[i+1].text
		}
		b.WriteString(t.text)
	}
	return b.String(), b.String()
}

// importsModules reports whether names imported from the module path from are modules
// rather than classes: the packages of build systems and of packages.
func importsModules(from string) bool {
	return from == "spack_repo.builtin.build_systems" || strings.HasSuffix(from, ".packages") ||
		strings.HasPrefix(from, "..") && !strings.HasSuffix(from, ".package") || from == "."
}

// srcModuleKey names a module the way the stats know modules: "bs:<name>" for a build
// system module, "pkg:<dir>" for a package's package.py, "core" for Spack itself;
// "" for anything else. from is the module doing the import (for relative paths).
func srcModuleKey(from, path string) string {
	switch {
	case path == "spack.package" || path == "spack.builder" || path == "spack.package_base":
		return "core"
	case strings.HasPrefix(path, "spack_repo.builtin.build_systems."):
		return "bs:" + strings.TrimPrefix(path, "spack_repo.builtin.build_systems.")
	case strings.HasPrefix(path, "spack_repo.builtin.packages."):
		rest := strings.TrimPrefix(path, "spack_repo.builtin.packages.")
		dir, tail, _ := strings.Cut(rest, ".")
		if tail == "" || tail == "package" {
			return "pkg:" + dir
		}
	case strings.HasPrefix(path, ".."):
		// From packages/<dir>/package.py, ".." is the packages directory.
		if strings.HasPrefix(from, "pkg:") {
			rest := strings.TrimPrefix(path, "..")
			dir, tail, _ := strings.Cut(rest, ".")
			if dir != "" && (tail == "" || tail == "package") {
				return "pkg:" + dir
			}
		}
	case strings.HasPrefix(path, "."):
		// From build_systems/<name>.py, "." is the build_systems package.
		if strings.HasPrefix(from, "bs:") && len(path) > 1 {
			return "bs:" + strings.TrimPrefix(path, ".")
		}
	}
	return ""
}
