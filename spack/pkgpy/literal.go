package pkgpy

// This file evaluates the little of Python that directives and class attributes
// need: literals, lists of literals and the arguments of a call.

type valKind int

const (
	valExpr valKind = iota // anything the reader does not evaluate
	valString
	valNumber
	valTrue
	valFalse
	valNone
	valStrings // a list or tuple of string literals
)

type value struct {
	kind valKind
	s    string
	list []string // for valStrings
}

// str returns v's text when it is a string literal.
func (v value) str() (string, bool) { return v.s, v.kind == valString }

// eval evaluates a literal: a string, a number, True, False, None, or a list or tuple
// of strings, in optional parentheses.
func eval(toks []token) value {
	// Parentheses without a comma inside group; with one they make a tuple.
	for len(toks) >= 3 && toks[0].isOp("(") && closing(toks, 0) == len(toks)-1 &&
		len(splitArgs(toks[1:len(toks)-1])) == 1 && !toks[len(toks)-2].isOp(",") {
		toks = toks[1 : len(toks)-1]
	}
	if list, ok := stringList(toks); ok {
		return value{kind: valStrings, list: list}
	}
	if len(toks) != 1 {
		return value{}
	}
	switch t := toks[0]; {
	case t.kind == tokString:
		return value{kind: valString, s: t.text}
	case t.kind == tokNumber:
		return value{kind: valNumber, s: t.text}
	case t.is(tokName, "True"):
		return value{kind: valTrue}
	case t.is(tokName, "False"):
		return value{kind: valFalse}
	case t.is(tokName, "None"):
		return value{kind: valNone}
	}
	return value{}
}

// stringList returns the strings of a list or tuple literal such as
// `["check", "installcheck"]` (or a string in parentheses), and whether toks is one.
func stringList(toks []token) ([]string, bool) {
	if len(toks) < 2 || !(toks[0].isOp("[") || toks[0].isOp("(")) || closing(toks, 0) != len(toks)-1 {
		return nil, false
	}
	var out []string
	for _, item := range splitArgs(toks[1 : len(toks)-1]) {
		if len(item) != 1 || item[0].kind != tokString {
			return nil, false
		}
		out = append(out, item[0].text)
	}
	return out, true
}

// closing returns the index of the bracket that closes toks[open], or -1.
func closing(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		if toks[i].kind != tokOp {
			continue
		}
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitArgs splits toks at commas outside brackets; an empty last item (a trailing
// comma) is dropped.
func splitArgs(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		if t.kind != tokOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

type args struct {
	positional []value
	keywords   map[string]value
	splat      bool // *args or **kwargs: the arguments are not all known
}

// callArgs reads the arguments of a call from toks, which start at its "(". It
// reports false when the parentheses do not balance.
func callArgs(toks []token) (args, bool) {
	end := closing(toks, 0)
	if end < 0 {
		return args{}, false
	}
	a := args{keywords: map[string]value{}}
	for _, arg := range splitArgs(toks[1:end]) {
		switch {
		case len(arg) == 0:
		case arg[0].isOp("*") || arg[0].isOp("**"):
			a.splat = true
		case len(arg) >= 2 && arg[0].kind == tokName && arg[1].isOp("="):
			a.keywords[arg[0].text] = eval(arg[2:])
		default:
			a.positional = append(a.positional, eval(arg))
		}
	}
	return a, true
}

// dotted returns the dotted name toks start with ("spack.package.PackageBase") and how
// many tokens it takes.
func dotted(toks []token) (string, int) {
	if len(toks) == 0 || toks[0].kind != tokName {
		return "", 0
	}
	name, n := toks[0].text, 1
	for n+1 < len(toks) && toks[n].isOp(".") && toks[n+1].kind == tokName {
		name += "." + toks[n+1].text
		n += 2
	}
	return name, n
}
