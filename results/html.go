package results

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlWriter writes the pages a site has thousands of (run pages, history tables) by
// hand: html/template calls its escapers through reflection for every value, which
// made those pages most of the time a site took. It escapes exactly as html/template
// does, so the pages read the same whichever drew them; the templates draw the rest.
type htmlWriter struct {
	bytes.Buffer
}

// raw writes markup as it is.
func (w *htmlWriter) raw(s ...string) {
	for _, x := range s {
		w.WriteString(x)
	}
}

// text writes s escaped for element content or a quoted attribute value.
func (w *htmlWriter) text(s string) {
	written := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < rune(len(htmlEscapes)) && htmlEscapes[r] != "" {
			w.WriteString(s[written:i])
			w.WriteString(htmlEscapes[r])
			written = i + n
		}
		i += n
	}
	w.WriteString(s[written:])
}

// htmlEscapes is html/template's htmlReplacementTable.
var htmlEscapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// int writes n.
func (w *htmlWriter) int(n int) {
	var b [20]byte
	w.Write(strconv.AppendInt(b[:0], int64(n), 10))
}

// url writes the value of an href attribute as html/template does: a URL with a
// scheme other than http, https or mailto becomes "#ZgotmplZ"; bytes outside RFC
// 3986's unreserved and reserved sets are percent-encoded; the result is escaped.
func (w *htmlWriter) url(s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		w.WriteString("#ZgotmplZ")
		return
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0,
			c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	w.text(b.String())
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// link writes <a href="href">text</a>, or text alone when href is "".
func (w *htmlWriter) link(href, text string) {
	if href == "" {
		w.text(text)
		return
	}
	w.raw(`<a href="`)
	w.url(href)
	w.raw(`">`)
	w.text(text)
	w.raw("</a>")
}
