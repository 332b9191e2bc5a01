package pkgpy

import (
	"bytes"
	"strings"
)

// This file is the one Python tokenizer of the package: it splits source into logical
// lines of tokens, the way Python's own tokenizer does, without running Python.
// Everything else (directives, classes, imports) reads these lines.

type tokKind int

const (
	tokName tokKind = iota
	tokString
	tokOtherString // f-strings and bytes: not a literal str
	tokNumber
	tokOp
)

type token struct {
	kind tokKind
	text string // a string's contents without prefix and quotes, unescaped
	// fields are the tokens of an f-string's replacement fields: code, such as
	// f"{'ON' if self.run_tests else 'OFF'}".
	fields []token
}

func (t token) is(kind tokKind, text string) bool { return t.kind == kind && t.text == text }

func (t token) isOp(text string) bool { return t.is(tokOp, text) }

// isStr reports whether t is a string literal of any kind.
func (t token) isStr() bool { return t.kind == tokString || t.kind == tokOtherString }

// line is one logical line: physical lines joined inside brackets and after a
// backslash, comments dropped.
type line struct {
	toks   []token
	indent int // column of the first token, tabs counted as Python counts them
	num    int // physical line of the first token, from 1
}

// syntaxError is source the tokenizer cannot read, as Python would refuse it.
type syntaxError struct {
	line int
	msg  string
}

var pyOps3 = map[string]bool{"**=": true, "//=": true, ">>=": true, "<<=": true, "...": true}

var pyOps2 = map[string]bool{
	"==": true, "!=": true, "<=": true, ">=": true, "**": true, "//": true, "->": true, ":=": true,
	"+=": true, "-=": true, "*=": true, "/=": true, "%=": true, "&=": true, "|=": true, "^=": true,
	"<<": true, ">>": true, "@=": true,
}

// lexer is the state of logicalLines.
type lexer struct {
	s     string
	i     int
	num   int // current physical line
	depth int // open brackets
	cur   line
	lines []line
	err   *syntaxError
	// joined builds the text of adjacent string literals, token joinedAt of cur, in
	// linear time however many there are.
	joined   strings.Builder
	joinedAt int
}

// logicalLines splits Python source into logical lines of tokens, skipping blank and
// comment-only lines. Indentation follows Python: a tab advances to the next multiple
// of 8, a form feed resets the column. On a syntax error (an unterminated string) it
// still returns every line, the bad string ending where its line does, with the first
// error; callers decide whether that is fatal.
func logicalLines(src []byte) ([]line, *syntaxError) {
	// Python reads source with universal newlines.
	if bytes.IndexByte(src, '\r') >= 0 {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		src = bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
	}
	lx := &lexer{s: string(src), num: 1, joinedAt: -1}
	for lx.i < len(lx.s) {
		lx.indentation()
		lx.lineBody()
	}
	lx.endLine()
	return lx.lines, lx.err
}

// indentation measures the indentation of a physical line that starts a logical one.
func (lx *lexer) indentation() {
	col := 0
	for ; lx.i < len(lx.s); lx.i++ {
		switch lx.s[lx.i] {
		case ' ':
			col++
		case '\t':
			col = (col/8 + 1) * 8
		case '\f':
			col = 0
		default:
			lx.cur = line{indent: col, num: lx.num}
			return
		}
	}
}

// lineBody reads tokens up to the newline that ends the logical line.
func (lx *lexer) lineBody() {
	s := lx.s
	for lx.i < len(s) {
		c := s[lx.i]
		switch {
		case c == '\n':
			lx.i++
			lx.num++
			if lx.depth == 0 {
				lx.endLine()
				return
			}
		case c == '#':
			for lx.i < len(s) && s[lx.i] != '\n' {
				lx.i++
			}
		case c == '\\' && lx.i+1 < len(s) && s[lx.i+1] == '\n':
			lx.i += 2
			lx.num++
		case c == ' ' || c == '\t' || c == '\f' || c == '\\':
			lx.i++
		case c == '"' || c == '\'' || stringPrefix(s[lx.i:]) > 0:
			lx.str()
		case isIdentStart(c):
			j := lx.i
			for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j])) {
				j++
			}
			lx.add(token{kind: tokName, text: s[lx.i:j]})
			lx.i = j
		case isDigit(c) || c == '.' && lx.i+1 < len(s) && isDigit(s[lx.i+1]):
			j := lx.i
			for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j]) || s[j] == '.') {
				j++
			}
			lx.add(token{kind: tokNumber, text: s[lx.i:j]})
			lx.i = j
		default:
			lx.op()
		}
	}
}

func (lx *lexer) endLine() {
	if len(lx.cur.toks) > 0 {
		lx.lines = append(lx.lines, lx.cur)
	}
	lx.cur = line{}
	lx.depth = 0
	lx.joinedAt = -1
}

func (lx *lexer) add(t token) { lx.cur.toks = append(lx.cur.toks, t) }

func (lx *lexer) op() {
	s := lx.s[lx.i:]
	op := s[:1]
	if len(s) >= 3 && pyOps3[s[:3]] {
		op = s[:3]
	} else if len(s) >= 2 && pyOps2[s[:2]] {
		op = s[:2]
	}
	switch op {
	case "(", "[", "{":
		lx.depth++
	case ")", "]", "}":
		lx.depth = max(lx.depth-1, 0)
	}
	lx.add(token{kind: tokOp, text: op})
	lx.i += len(op)
}

// str reads a string literal with its prefix. Adjacent literals concatenate, as in
// Python: "abc" "def".
func (lx *lexer) str() {
	n := stringPrefix(lx.s[lx.i:])
	prefix := strings.ToLower(lx.s[lx.i : lx.i+n])
	tok, end, nl, ok := scanString(lx.s, lx.i+n, strings.Contains(prefix, "r"))
	if !ok && lx.err == nil {
		lx.err = &syntaxError{line: lx.num, msg: "unterminated string"}
	}
	if strings.ContainsAny(prefix, "fb") {
		tok.kind = tokOtherString
	}
	if strings.Contains(prefix, "f") {
		tok.fields = fstringFields(tok.text)
	}
	if k := len(lx.cur.toks) - 1; k >= 0 && tok.kind == tokString && lx.cur.toks[k].kind == tokString {
		if lx.joinedAt != k {
			lx.joined = strings.Builder{}
			lx.joined.WriteString(lx.cur.toks[k].text)
			lx.joinedAt = k
		}
		lx.joined.WriteString(tok.text)
		lx.cur.toks[k].text = lx.joined.String()
	} else {
		lx.add(tok)
	}
	lx.num += nl
	lx.i = end
}

// stringPrefix returns the length of a string prefix (r, b, u, f, rb, ...) directly
// followed by a quote at the start of s, or 0.
func stringPrefix(s string) int {
	for n := 1; n <= 2 && n < len(s); n++ {
		if !strings.ContainsRune("rRbBuUfF", rune(s[n-1])) {
			return 0
		}
		if s[n] == '"' || s[n] == '\'' {
			return n
		}
	}
	return 0
}

// scanString scans the string literal whose opening quote is at s[i] and returns it,
// the index after it, how many newlines it spans, and whether it is terminated. An
// unterminated one-quote string ends before the newline, a triple-quoted one at the
// end of the source.
func scanString(s string, i int, raw bool) (tok token, end, newlines int, ok bool) {
	q := s[i : i+1]
	if strings.HasPrefix(s[i:], q+q+q) {
		q = q + q + q
	}
	var b strings.Builder
	for j := i + len(q); j < len(s); j++ {
		switch c := s[j]; {
		case strings.HasPrefix(s[j:], q):
			return token{kind: tokString, text: b.String()}, j + len(q), newlines, true
		case c == '\\' && j+1 < len(s):
			j++
			if s[j] == '\n' {
				newlines++
			}
			writeEscape(&b, s[j], raw)
		case c == '\n':
			if len(q) == 1 {
				return token{kind: tokString, text: b.String()}, j, newlines, false
			}
			newlines++
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return token{kind: tokString, text: b.String()}, len(s), newlines, false
}

// writeEscape writes the value of the escape sequence backslash-c: the escapes
// directives use; others keep their backslash, as Python keeps unknown ones.
func writeEscape(b *strings.Builder, c byte, raw bool) {
	if raw {
		b.WriteByte('\\')
		b.WriteByte(c)
		return
	}
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case '\n':
	default:
		if !strings.ContainsRune(`\'"`, rune(c)) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isIdentStart reports whether c may start a Python identifier; bytes of non-ASCII
// characters count, as Python allows letters of any script.
func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}

// fstringFields tokenizes the replacement fields of an f-string's text: what is
// between a "{" (not "{{") and its closing "}", format specs included.
func fstringFields(text string) []token {
	var out []token
	for i := 0; i < len(text); i++ {
		if text[i] != '{' {
			continue
		}
		if i+1 < len(text) && text[i+1] == '{' {
			i++
			continue
		}
		depth, j := 0, i
		for ; j < len(text); j++ {
			if c := text[j]; c == '{' {
				depth++
			} else if c == '}' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		lines, _ := logicalLines([]byte(text[i+1 : min(j, len(text))]))
		for _, l := range lines {
			out = append(out, l.toks...)
		}
		i = j
	}
	return out
}
