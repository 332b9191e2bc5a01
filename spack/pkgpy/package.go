package pkgpy

import (
	"fmt"
	"os"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Package is what a package.py declares, read without running Python: its versions,
// licenses and where its source comes from. Read gives what the file's class bodies
// declare; ReadInherited adds what the package class inherits from other classes.
// What a package computes (versions in a loop) is not seen.
type Package struct {
	Source
	// Versions are the version(...) directives whose version is a literal, in file order.
	Versions []Version
	// Dynamic counts version(...) calls whose version is computed, such as
	// version(ver, sha256=sha) in a loop over a dict; they cannot be read statically.
	Dynamic int
	// Licenses are the license(...) directives whose expression is a literal, in file
	// order.
	Licenses []License

	// classes are the declarations of each class of the file, by class name.
	classes map[string]*Package
}

// Source is where a package's code comes from and where it lives, from the class
// attributes Spack fetches with. Each is empty when the package does not set it to a
// literal outside any condition.
type Source struct {
	// Homepage is the homepage = "..." attribute.
	Homepage string
	// URL is url = "...": the archive of one version, from which Spack derives the
	// others' URLs.
	URL string
	// URLs is urls = [...]: mirrors of the same archive, tried in order.
	URLs []string
	// Git is git = "...": the repository versions with commit=, tag= or branch= come from.
	Git string
	// ListURL is list_url = "...": the page listing the project's releases.
	ListURL string
}

// Read reads the package.py at path.
func Read(path string) (*Package, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading package.py: %w", err)
	}
	return Parse(path, data)
}

// block is a compound statement that encloses lines by indentation.
type block struct {
	indent   int
	kind     string // "class", "def", "with", "cond", "other"
	class    string // the name of a class
	defaults map[string]value
}

// scope is where a line of the class body is: under a condition, and with the keyword
// defaults of enclosing `with default_args(...)` blocks, innermost first.
type scope struct {
	class       string
	conditional bool
	defaults    []map[string]value
}

// Parse reads the directives and source attributes of a package.py; path is for
// messages. It follows indentation to know the class body, `with default_args(...)`
// blocks and conditionals, and evaluates literals only.
func Parse(path string, data []byte) (*Package, error) {
	lines, serr := logicalLines(data)
	if serr != nil {
		return nil, &spack.ParseError{Path: path, Line: serr.line, Msg: serr.msg}
	}
	p := &Package{classes: map[string]*Package{}}
	var stack []block
	for _, ln := range lines {
		for len(stack) > 0 && stack[len(stack)-1].indent >= ln.indent {
			stack = stack[:len(stack)-1]
		}
		toks := ln.toks
		if toks[len(toks)-1].isOp(":") && toks[0].kind == tokName {
			stack = append(stack, openBlock(ln))
			continue
		}
		if sc, inClass := enclosing(stack); inClass {
			p.classLine(ln, sc)
			if p.classes[sc.class] == nil {
				p.classes[sc.class] = &Package{}
			}
			p.classes[sc.class].classLine(ln, sc)
		}
	}
	return p, nil
}

// openBlock returns the block a compound statement's header line opens.
func openBlock(ln line) block {
	toks := ln.toks
	b := block{indent: ln.indent, kind: "other"}
	switch toks[0].text {
	case "class":
		b.kind = "class"
		if len(toks) > 1 {
			b.class = toks[1].text
		}
	case "def", "async":
		b.kind = "def"
	case "if", "elif", "else", "for", "while", "try", "except", "finally", "match", "case":
		b.kind = "cond"
	case "with":
		b.kind = "with"
		b.defaults = defaultArgs(toks[1 : len(toks)-1])
	}
	return b
}

// enclosing tells whether the innermost enclosing blocks put a line in a class body
// (not in a def), and in which scope.
func enclosing(stack []block) (scope, bool) {
	var sc scope
	for i := len(stack) - 1; i >= 0; i-- {
		switch b := stack[i]; b.kind {
		case "class":
			sc.class = b.class
			return sc, true
		case "def":
			return sc, false
		case "cond":
			sc.conditional = true
		default:
			if b.defaults != nil {
				sc.defaults = append(sc.defaults, b.defaults)
			}
		}
	}
	return sc, false
}

// classLine reads one statement of a class body.
func (p *Package) classLine(ln line, sc scope) {
	toks := ln.toks
	if name, ok := directive(toks); ok {
		a, ok := callArgs(toks[1:])
		switch name {
		case "version":
			v, vok := versionDirective(a, sc.defaults)
			if !ok || !vok {
				p.Dynamic++
				return
			}
			v.Conditional, v.Line = sc.conditional, ln.num
			p.Versions = append(p.Versions, v)
		case "license":
			if l, lok := licenseDirective(a); ok && lok {
				l.Line = ln.num
				p.Licenses = append(p.Licenses, l)
			}
		}
		return
	}
	if !sc.conditional && len(toks) >= 3 && toks[0].kind == tokName && toks[1].isOp("=") {
		p.Source.set(toks[0].text, eval(toks[2:]))
	}
}

// directive returns the name of a directive call that is a whole statement, such as
// version("1.0", sha256="...").
func directive(toks []token) (string, bool) {
	if len(toks) < 3 || toks[0].kind != tokName || !toks[1].isOp("(") || closing(toks, 1) != len(toks)-1 {
		return "", false
	}
	switch toks[0].text {
	case "version", "license":
		return toks[0].text, true
	}
	return "", false
}

// set records a source attribute; the first literal assignment of each wins.
func (s *Source) set(attr string, v value) {
	str, isStr := v.str()
	switch {
	case attr == "homepage" && isStr && s.Homepage == "":
		s.Homepage = str
	case attr == "url" && isStr && s.URL == "":
		s.URL = str
	case attr == "urls" && v.kind == valStrings && s.URLs == nil:
		s.URLs = v.list
	case attr == "git" && isStr && s.Git == "":
		s.Git = str
	case attr == "list_url" && isStr && s.ListURL == "":
		s.ListURL = str
	}
}

// defaultArgs returns the keywords of a default_args(...) item of a with statement.
func defaultArgs(toks []token) map[string]value {
	var out map[string]value
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].is(tokName, "default_args") || !toks[i+1].isOp("(") {
			continue
		}
		a, ok := callArgs(toks[i+1:])
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]value{}
		}
		for k, v := range a.keywords {
			out[k] = v
		}
	}
	return out
}
