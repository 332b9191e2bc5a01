package spack

import (
	"regexp"
	"strings"
)

// This file reads just enough of a Python source file (a package.py or a build system
// module) to know its imports, its top-level classes, their bases and the names they
// define, without running Python. It understands strings (including triple-quoted
// ones), comments, brackets and backslash continuations, so that a docstring or a
// multi-line call never looks like code.

// srcLine is one logical line of Python source: physical lines joined inside brackets
// and after a backslash, comments dropped, and the contents of triple-quoted strings
// emptied.
type srcLine struct {
	num    int // first physical line, from 1
	indent int
	text   string
}

// srcLines splits src into logical lines, skipping blank and comment-only lines.
func srcLines(src []byte) []srcLine {
	var (
		lines   []srcLine
		cur     strings.Builder
		start   = 1
		indent  = 0
		atStart = true // no code yet on the current logical line
		depth   = 0
		num     = 1
	)
	emit := func() {
		if text := strings.TrimSpace(cur.String()); text != "" {
			lines = append(lines, srcLine{num: start, indent: indent, text: text})
		}
		cur.Reset()
		atStart, depth = true, 0
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if atStart {
			switch c {
			case ' ':
				indent++
				continue
			case '\t':
				indent += 8 - indent%8
				continue
			case '\r', '\f':
				continue
			case '\n':
				num++
				indent = 0
				continue
			case '#':
				for i < len(src) && src[i] != '\n' {
					i++
				}
				i--
				continue
			}
			atStart, start = false, num
		}
		switch c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i-- // let the newline end the line
		case '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
				num++
				cur.WriteByte(' ')
				continue
			}
			cur.WriteByte(c)
		case '\n':
			num++
			if depth > 0 {
				cur.WriteByte(' ')
				continue
			}
			emit()
			indent = 0
		case '(', '[', '{':
			depth++
			cur.WriteByte(c)
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
			cur.WriteByte(c)
		case '"', '\'':
			end, nl := skipStringLit(src, i)
			if end-i >= 6 && src[i+1] == c && src[i+2] == c {
				// A triple-quoted string: keep an empty one, for its place.
				cur.WriteString(string([]byte{c, c}))
			} else {
				cur.Write(src[i:end])
			}
			num += nl
			i = end - 1
		default:
			cur.WriteByte(c)
		}
	}
	emit()
	return lines
}

// skipStringLit returns the end of the string literal starting at src[i] (a quote)
// and how many newlines it spans. An unterminated string ends at the end of its line
// (or of the file, if triple-quoted).
func skipStringLit(src []byte, i int) (end, newlines int) {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q {
		for j := i + 3; j < len(src); j++ {
			switch src[j] {
			case '\\':
				if j+1 < len(src) && src[j+1] == '\n' {
					newlines++
				}
				j++
			case '\n':
				newlines++
			case q:
				if j+2 < len(src) && src[j+1] == q && src[j+2] == q {
					return j + 3, newlines
				}
			}
		}
		return len(src), newlines
	}
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '\n':
			return j, 0
		case q:
			return j + 1, 0
		}
	}
	return len(src), 0
}

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
	value string
	// runAfter is set for a def registered as a phase callback (@run_after or
	// @run_before) that only runs under `spack install --test` (on_package_attributes
	// with run_tests=True).
	testCallback bool
}

// srcClass is a top-level class of a module.
type srcClass struct {
	module  *srcModule
	name    string
	line    int
	bases   []string // base expressions as written, e.g. "cmake.CMakeBuilder"
	members map[string]classMember
	// calls are the directive-like calls at any depth of the class body (outside
	// nested defs), by function name: "provides", "build_system".
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

var (
	reClassLine       = regexp.MustCompile(`^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*:`)
	reDefLine         = regexp.MustCompile(`^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(`)
	reAssignLine      = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=([^=].*)$`)
	reFromImport      = regexp.MustCompile(`^from\s+([.A-Za-z0-9_]+)\s+import\s+(.*)$`)
	rePlainImport     = regexp.MustCompile(`^import\s+(.*)$`)
	reDirectiveCall   = regexp.MustCompile(`(?:^|[^.\w])(provides|build_system)\s*\(`)
	reRegisterBuilder = regexp.MustCompile(`^@(?:[\w.]+\.)?register_builder\(\s*["']([^"']+)["']`)
	reRunTests        = regexp.MustCompile(`\brun_tests\b`)
	reTestCallback    = regexp.MustCompile(`on_package_attributes\([^)]*\brun_tests\s*=\s*True`)
)

// parseSrcModule reads src as the module called key.
func parseSrcModule(key string, src []byte) *srcModule {
	m := &srcModule{key: key, imports: map[string]srcImport{}, classes: map[string]*srcClass{}}
	lines := srcLines(src)
	var decorators []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.indent != 0 {
			continue
		}
		switch {
		case strings.HasPrefix(l.text, "@"):
			decorators = append(decorators, l.text)
			continue
		case strings.HasPrefix(l.text, "from "), strings.HasPrefix(l.text, "import "):
			m.parseImport(l.text)
		case strings.HasPrefix(l.text, "class "):
			if c := parseSrcClass(m, lines, i, decorators); c != nil {
				m.classes[c.name] = c
				m.order = append(m.order, c)
			}
		}
		decorators = decorators[:0]
	}
	return m
}

func (m *srcModule) parseImport(text string) {
	if mm := reFromImport.FindStringSubmatch(text); mm != nil {
		from := mm[1]
		names := strings.Trim(strings.TrimSpace(mm[2]), "()")
		for _, item := range strings.Split(names, ",") {
			name, alias := splitImportAlias(item)
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
		return
	}
	if mm := rePlainImport.FindStringSubmatch(text); mm != nil {
		for _, item := range strings.Split(mm[1], ",") {
			name, alias := splitImportAlias(item)
			if key := srcModuleKey(m.key, name); key != "" && alias != name {
				m.imports[alias] = srcImport{module: key}
			}
		}
	}
}

// importsModules reports whether names imported from the module path from are modules
// rather than classes: the packages of build systems and of packages.
func importsModules(from string) bool {
	return from == "spack_repo.builtin.build_systems" || strings.HasSuffix(from, ".packages") ||
		strings.HasPrefix(from, "..") && !strings.HasSuffix(from, ".package") || from == "."
}

func splitImportAlias(item string) (name, alias string) {
	item = strings.TrimSpace(item)
	name, alias, ok := strings.Cut(item, " as ")
	name = strings.TrimSpace(name)
	if !ok {
		return name, name
	}
	return name, strings.TrimSpace(alias)
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

// parseSrcClass reads the class whose header is lines[at].
func parseSrcClass(m *srcModule, lines []srcLine, at int, decorators []string) *srcClass {
	head := lines[at]
	mm := reClassLine.FindStringSubmatch(head.text)
	if mm == nil {
		return nil
	}
	c := &srcClass{module: m, name: mm[1], line: head.num, members: map[string]classMember{}, calls: map[string][]string{}}
	for _, b := range splitTopLevelCommas(mm[2]) {
		if b != "" && !strings.Contains(b, "=") { // skip metaclass=...
			c.bases = append(c.bases, b)
		}
	}
	for _, d := range decorators {
		if r := reRegisterBuilder.FindStringSubmatch(d); r != nil {
			c.registers = r[1]
		}
	}
	// A one-line body ("class A(B): pass") has nothing to read.
	bodyIndent := -1
	var decos []string
	inDef := -1 // indent of the def whose body we are in, -1 if none
	for i := at + 1; i < len(lines); i++ {
		l := lines[i]
		if l.indent <= head.indent {
			break
		}
		if bodyIndent < 0 {
			bodyIndent = l.indent
		}
		if reRunTests.MatchString(l.text) {
			c.mentionsRunTests = true
		}
		if inDef >= 0 && l.indent > inDef {
			continue
		}
		inDef = -1
		if mc := reDirectiveCall.FindAllStringSubmatchIndex(l.text, -1); mc != nil {
			for _, idx := range mc {
				name := l.text[idx[2]:idx[3]]
				c.calls[name] = append(c.calls[name], positionalStringArgs(l.text[idx[3]:])...)
			}
		}
		if l.indent != bodyIndent {
			continue
		}
		switch {
		case strings.HasPrefix(l.text, "@"):
			decos = append(decos, l.text)
			continue
		case reDefLine.MatchString(l.text):
			name := reDefLine.FindStringSubmatch(l.text)[1]
			c.members[name] = defKind(decos)
			inDef = l.indent
		case strings.HasPrefix(l.text, "class "):
			inDef = l.indent // a nested class: skip its body
		default:
			if a := reAssignLine.FindStringSubmatch(l.text); a != nil {
				c.members[a[1]] = classMember{kind: memberOther, value: strings.TrimSpace(a[2])}
			}
		}
		decos = decos[:0]
	}
	return c
}

// defKind says what a def becomes under its decorators.
func defKind(decorators []string) classMember {
	m := classMember{kind: memberFunction}
	var runPhase, onTests bool
	for _, d := range decorators {
		name := strings.TrimPrefix(d, "@")
		if i := strings.IndexByte(name, '('); i >= 0 {
			name = name[:i]
		}
		base := name[strings.LastIndexByte(name, '.')+1:]
		switch base {
		case "property", "classmethod", "classproperty", "cached_property", "when",
			"setter", "getter", "deleter":
			m.kind = memberOther
		case "run_after", "run_before":
			runPhase = true
		}
		if reTestCallback.MatchString(d) {
			onTests = true
		}
	}
	m.testCallback = runPhase && onTests
	return m
}

// splitTopLevelCommas splits s at commas outside brackets and strings.
func splitTopLevelCommas(s string) []string {
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '"', '\'':
			end, _ := skipStringLit([]byte(s), i)
			i = end - 1
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[last:i]))
				last = i + 1
			}
		}
	}
	if rest := strings.TrimSpace(s[last:]); rest != "" {
		parts = append(parts, rest)
	}
	return parts
}

// positionalStringArgs returns the string literals in the call whose argument list
// starts at s[0] == '(' that are not keyword values (when="...", default="..."),
// including those nested in calls such as conditional("cmake", when=...).
func positionalStringArgs(s string) []string {
	var out []string
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return out
			}
		case '"', '\'':
			end, _ := skipStringLit([]byte(s), i)
			if prev := strings.TrimRight(s[:i], " "); !strings.HasSuffix(prev, "=") {
				out = append(out, s[i+1:max(i+1, end-1)])
			}
			i = end - 1
		}
	}
	return out
}

// stringListLiteral returns the strings of a list or tuple literal such as
// `["check", "installcheck"]`, and whether value is such a literal.
func stringListLiteral(value string) ([]string, bool) {
	v := strings.TrimSpace(value)
	if len(v) < 2 || !(v[0] == '[' && v[len(v)-1] == ']' || v[0] == '(' && v[len(v)-1] == ')') {
		return nil, false
	}
	var out []string
	for _, item := range splitTopLevelCommas(v[1 : len(v)-1]) {
		if len(item) < 2 || (item[0] != '"' && item[0] != '\'') || item[len(item)-1] != item[0] {
			return nil, false
		}
		out = append(out, item[1:len(item)-1])
	}
	return out, true
}
