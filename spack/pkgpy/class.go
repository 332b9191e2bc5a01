package pkgpy

import (
	"strings"
)

// parseSrcClass reads the class whose header is lines[at], with the decorators above
// it; nil when the header is not a class statement.
func parseSrcClass(m *srcModule, lines []line, at int, decorators []line) *srcClass {
	head := lines[at]
	toks := head.toks
	if len(toks) < 3 || toks[1].kind != tokName {
		return nil
	}
	c := &srcClass{module: m, name: toks[1].text, members: map[string]classMember{}, calls: map[string][]string{}}
	rest := toks[2:]
	if rest[0].isOp("(") {
		end := closing(rest, 0)
		if end < 0 {
			return nil
		}
		for _, b := range splitArgs(rest[1:end]) {
			if expr, n := dotted(b); n > 0 && n == len(b) { // skips metaclass=... and the like
				c.bases = append(c.bases, expr)
			}
		}
		rest = rest[end+1:]
	}
	if len(rest) == 0 || !rest[0].isOp(":") {
		return nil
	}
	for _, d := range decorators {
		name, n := dotted(d.toks[1:])
		if lastName(name) == "register_builder" && len(d.toks) > n+2 && d.toks[n+1].isOp("(") && d.toks[n+2].kind == tokString {
			c.registers = d.toks[n+2].text
		}
	}
	c.readBody(lines, at)
	return c
}

// readBody reads the members of the class whose header is lines[at], and the
// directive calls and run_tests reads of its body. A one-line body ("class A(B): pass")
// has nothing to read.
func (c *srcClass) readBody(lines []line, at int) {
	head := lines[at]
	bodyIndent := -1
	var decos []line
	inDef := -1 // indent of the def whose body we are in, -1 if none
	for _, l := range lines[at+1:] {
		if l.indent <= head.indent {
			break
		}
		if bodyIndent < 0 {
			bodyIndent = l.indent
		}
		if hasName(l.toks, "run_tests") {
			c.mentionsRunTests = true
		}
		if inDef >= 0 && l.indent > inDef {
			continue
		}
		inDef = -1
		c.addCalls(l.toks)
		if l.indent != bodyIndent {
			continue
		}
		switch toks := l.toks; {
		case toks[0].isOp("@"):
			decos = append(decos, l)
			continue
		case defName(toks) != "":
			c.members[defName(toks)] = defKind(decos)
			inDef = l.indent
		case toks[0].is(tokName, "class"):
			inDef = l.indent // a nested class: skip its body
		default:
			if name, val, ok := assignment(toks); ok {
				c.members[name] = classMember{kind: memberOther, value: val}
			}
		}
		decos = decos[:0]
	}
}

// addCalls records the string arguments of provides(...) and build_system(...) calls
// in toks that are not keyword values (when="...", default="..."), including those
// nested in calls such as conditional("cmake", when=...).
func (c *srcClass) addCalls(toks []token) {
	for k := 0; k+1 < len(toks); k++ {
		t := toks[k]
		if t.kind != tokName || t.text != "provides" && t.text != "build_system" ||
			!toks[k+1].isOp("(") || k > 0 && toks[k-1].isOp(".") {
			continue
		}
		end := closing(toks, k+1)
		if end < 0 {
			end = len(toks)
		}
		for i := k + 2; i < end; i++ {
			if toks[i].isStr() && !(toks[i-1].kind == tokOp && strings.HasSuffix(toks[i-1].text, "=")) {
				c.calls[t.text] = append(c.calls[t.text], toks[i].text)
			}
		}
		k = end // a directive nested in this one's arguments is not one
	}
}

// defName returns the name a def statement defines, or "".
func defName(toks []token) string {
	if len(toks) > 0 && toks[0].is(tokName, "async") {
		toks = toks[1:]
	}
	if len(toks) >= 3 && toks[0].is(tokName, "def") && toks[1].kind == tokName && toks[2].isOp("(") {
		return toks[1].text
	}
	return ""
}

// assignment reads "name = value" or "name: annotation = value".
func assignment(toks []token) (name string, val []token, ok bool) {
	if len(toks) < 3 || toks[0].kind != tokName {
		return "", nil, false
	}
	i := 1
	if toks[1].isOp(":") {
		for i = 2; i < len(toks) && !toks[i].isOp("="); i++ {
			if toks[i].kind == tokOp && strings.Contains(toks[i].text, "=") {
				return "", nil, false
			}
		}
	}
	if i >= len(toks)-1 || !toks[i].isOp("=") {
		return "", nil, false
	}
	return toks[0].text, toks[i+1:], true
}

// defKind says what a def becomes under its decorators.
func defKind(decorators []line) classMember {
	m := classMember{kind: memberFunction}
	for _, d := range decorators {
		name, _ := dotted(d.toks[1:])
		switch lastName(name) {
		case "property", "classmethod", "classproperty", "cached_property", "when",
			"setter", "getter", "deleter":
			m.kind = memberOther
		}
	}
	return m
}

// hasName reports whether code in toks, f-string fields included, uses name.
func hasName(toks []token, name string) bool {
	for _, t := range toks {
		if t.is(tokName, name) || hasName(t.fields, name) {
			return true
		}
	}
	return false
}

func lastName(dottedName string) string {
	return dottedName[strings.LastIndexByte(dottedName, '.')+1:]
}
