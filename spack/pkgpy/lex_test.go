package pkgpy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// render shows a logical line as "num:indent: tokens", strings quoted, for assertions.
func render(l line) string {
	var parts []string
	for _, t := range l.toks {
		switch t.kind {
		case tokString:
			parts = append(parts, fmt.Sprintf("%q", t.text))
		case tokOtherString:
			parts = append(parts, fmt.Sprintf("other%q", t.text))
		default:
			parts = append(parts, t.text)
		}
	}
	return fmt.Sprintf("%d:%d: %s", l.num, l.indent, strings.Join(parts, " "))
}

func renderAll(lines []line) []string {
	var out []string
	for _, l := range lines {
		out = append(out, render(l))
	}
	return out
}

// TestLogicalLinesJoin is the old srcLines test: comments drop, brackets and
// backslashes join physical lines, a triple-quoted string is one token, and code in
// a string is not code.
func TestLogicalLinesJoin(t *testing.T) {
	src := "class A(\n    B,  # a comment\n    C):\n    x = '''doc\ndef test_no(self):\n'''\n    y = [\"a\",\n         'b']  \\\n        + []\n    s = \"# not a comment\"\n"
	lines, err := logicalLines([]byte(src))
	require.Nil(t, err)
	assert.Equal(t, []string{
		`1:0: class A ( B , C ) :`,
		`4:4: x = "doc\ndef test_no(self):\n"`,
		`7:4: y = [ "a" , "b" ] + [ ]`,
		`10:4: s = "# not a comment"`,
	}, renderAll(lines))
}

func TestLogicalLines(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    []string
		wantErr string // "line: message" of the syntax error
	}{
		{name: "empty", input: ""},
		{name: "blank and comment lines", input: "\n   \n# c\n  # d\nx\n", want: []string{"5:0: x"}},
		{name: "tab is 8 columns", input: "if a:\n\tb\n        c\n", want: []string{"1:0: if a :", "2:8: b", "3:8: c"}},
		{name: "tab after spaces goes to the next multiple of 8", input: "   \tx\n", want: []string{"1:8: x"}},
		{name: "tab after 8 spaces", input: "        \tx\n", want: []string{"1:16: x"}},
		{name: "form feed resets the column", input: "  \f x\n", want: []string{"1:1: x"}},
		{name: "crlf", input: "a = 1\r\nb = 2\r\n", want: []string{"1:0: a = 1", "2:0: b = 2"}},
		{name: "lone cr is a newline", input: "a\rb\r", want: []string{"1:0: a", "2:0: b"}},
		{name: "backslash continuation with crlf", input: "a = 1 + \\\r\n  2\r\nb\r\n", want: []string{"1:0: a = 1 + 2", "3:0: b"}},
		{name: "brackets join", input: "f(1,\n  2)\ng\n", want: []string{"1:0: f ( 1 , 2 )", "3:0: g"}},
		{name: "adjacent strings concatenate", input: "x = ('a'\n     \"b\")\n", want: []string{`1:0: x = ( "ab" )`}},
		{name: "escapes", input: `x = "a\"b\n\t\\\q"` + "\n", want: []string{`1:0: x = "a\"b\n\t\\\\q"`}},
		{name: "raw string keeps backslashes", input: `x = r"a\"b\n"` + "\n", want: []string{`1:0: x = "a\\\"b\\n"`}},
		{name: "bytes and f-strings are not str", input: "x = b'a' f'{y}' u'c'\n", want: []string{`1:0: x = other"a" other"{y}" "c"`}},
		{name: "triple quotes count lines", input: "x = \"\"\"a\nb\"\"\"\ny\n", want: []string{`1:0: x = "a\nb"`, "3:0: y"}},
		{name: "operators", input: "a **= b // c ... d != e\n", want: []string{"1:0: a **= b // c ... d != e"}},
		{name: "numbers", input: "x = 1.5e3 + .5 + 0x1f\n", want: []string{"1:0: x = 1.5e3 + .5 + 0x1f"}},
		{name: "non-ASCII names", input: "café = 1\n", want: []string{"1:0: café = 1"}},
		{name: "no final newline", input: "a\n  b", want: []string{"1:0: a", "2:2: b"}},
		{name: "stray closing bracket", input: "a)\nb\n", want: []string{"1:0: a )", "2:0: b"}},
		{
			name: "unterminated string ends at its line", input: "a = 'x\nb = 1\n",
			want: []string{`1:0: a = "x"`, "2:0: b = 1"}, wantErr: "1: unterminated string",
		},
		{
			name: "unterminated triple quote ends at the end", input: "a = 1\nb = '''x\ny\n",
			want: []string{"1:0: a = 1", `2:0: b = "x\ny\n"`}, wantErr: "2: unterminated string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := logicalLines([]byte(tt.input))
			assert.Equal(t, tt.want, renderAll(lines))
			if tt.wantErr == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tt.wantErr, fmt.Sprintf("%d: %s", err.line, err.msg))
		})
	}
}

func TestFstringFields(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string // token texts
	}{
		{name: "none", input: "plain"},
		{name: "escaped braces", input: "{{x}}"},
		{name: "expression", input: "-Dx={'ON' if self.run_tests else 'OFF'}", want: []string{"ON", "if", "self", ".", "run_tests", "else", "OFF"}},
		{name: "format spec", input: "{v:>{w}}", want: []string{"v", ":", ">", "{", "w", "}"}},
		{name: "two fields", input: "{a}-{b.c}", want: []string{"a", "b", ".", "c"}},
		{name: "unclosed", input: "{a", want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tok := range fstringFields(tt.input) {
				got = append(got, tok.text)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

var lexSeeds = []string{
	"class A(B):\n    version('1.0', sha256='x')\n",
	"class A(\n    B,  # c\n    C):\n    x = '''doc\n'''\n",
	"\tif a:\n\t\tb = f\"{c + 'd'}\" \\\n  + r'\\'\n",
	"x = 'unterminated\n",
	"'''",
	"a\r\nb\rc\f\n{[(\n",
	"f'{'",
	"with default_args(deprecated=True):\n    version('1', md5='x')\n",
}

// FuzzLogicalLines checks that any input tokenizes without panicking into lines that
// have tokens, increasing line numbers within the source, and non-negative indents;
// and that CRLF line endings read as LF ones do.
func FuzzLogicalLines(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lines, _ := logicalLines([]byte(src))
		physical := strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\n") +
			strings.Count(strings.ReplaceAll(src, "\r\n", ""), "\r") + 1
		last := 0
		for _, l := range lines {
			if len(l.toks) == 0 || l.indent < 0 || l.num <= last || l.num > physical {
				t.Fatalf("bad line %+v after line %d of %d", l, last, physical)
			}
			last = l.num
		}
		if !strings.Contains(src, "\r") {
			crlf, _ := logicalLines([]byte(strings.ReplaceAll(src, "\n", "\r\n")))
			if fmt.Sprint(renderAll(crlf)) != fmt.Sprint(renderAll(lines)) {
				t.Fatalf("CRLF reads differently:\n%q\n%q", renderAll(crlf), renderAll(lines))
			}
		}
	})
}

// FuzzReaders checks that the directive reader and the module reader take any input
// without panicking, and that what they report points into the source.
func FuzzReaders(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("package.py", []byte(src))
		if err == nil {
			n := strings.Count(src, "\n") + strings.Count(src, "\r") + 1
			for _, v := range p.Versions {
				if v.Line < 1 || v.Line > n {
					t.Fatalf("version %s on line %d of %d", v.Version, v.Line, n)
				}
			}
		}
		m := parseSrcModule("pkg:x", []byte(src))
		for _, c := range m.order {
			if m.classes[c.name] == nil {
				t.Fatalf("class %s not indexed", c.name)
			}
		}
	})
}
