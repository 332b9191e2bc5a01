package spack

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// InstallLines reads a log stream that carries `spack install`'s output as it is
// printed, each line after "| " as the Dagger engine's log stream (dagger.WithLogOutput)
// writes it, escapes and all, and writes one line per package Spack installs:
// "[3/12] zlib@1.3.1: from binary cache" or "building from source", after a prefix.
type InstallLines struct {
	out    io.Writer
	prefix string
	mu     sync.Mutex
	buf    []byte
	// how holds what Spack said of a package before its "Installing X [i/n]" line.
	how map[string]string
}

// NewInstallLines writes the install lines to out, each after prefix.
func NewInstallLines(out io.Writer, prefix string) *InstallLines {
	return &InstallLines{out: out, prefix: prefix, how: map[string]string{}}
}

// ansiRE matches the terminal escapes of the engine's progress output.
var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

func (w *InstallLines) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(ansiRE.ReplaceAllString(string(w.buf[:i]), ""))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 1<<16 {
		w.buf = w.buf[:0] // a line this long is no Spack message
	}
	return len(p), nil
}

// line reads one line of the stream: an exec's output line follows "| ".
func (w *InstallLines) line(s string) {
	if i := strings.Index(s, "| "); i >= 0 {
		s = s[i+2:]
	}
	ev, ok := ParseInstallEvent(s)
	if !ok {
		return
	}
	switch ev.Kind {
	case "cached":
		w.how[ev.Spec] = "from binary cache"
	case "source":
		w.how[ev.Spec] = "building from source"
	case "installing":
		how := w.how[ev.Spec]
		if how == "" {
			how = "installing"
		}
		fmt.Fprintf(w.out, "%s[%d/%d] %s: %s\n", w.prefix, ev.Index, ev.Total, SpecLabel(ev.Spec), how)
	}
}
