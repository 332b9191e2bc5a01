package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// installLines reads the engine's log stream (dagger.WithLogOutput), which carries
// every exec's output as it is printed, and writes one line per package Spack installs:
// "[3/12] zlib@1.3.1: from binary cache" or "building from source". Under `dagger run`
// Dagger's own display shows the logs instead.
type installLines struct {
	out io.Writer
	mu  sync.Mutex
	buf []byte
	// how holds what Spack said of a package before its "Installing X [i/n]" line.
	how map[string]string
}

func newInstallLines(out io.Writer) *installLines {
	return &installLines{out: out, how: map[string]string{}}
}

// ansiRE matches the terminal escapes of the engine's progress output.
var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

func (w *installLines) Write(p []byte) (int, error) {
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
func (w *installLines) line(s string) {
	if i := strings.Index(s, "| "); i >= 0 {
		s = s[i+2:]
	}
	ev, ok := spack.ParseInstallEvent(s)
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
		fmt.Fprintf(w.out, "spack-ghcr: [%d/%d] %s: %s\n", ev.Index, ev.Total, spack.SpecLabel(ev.Spec), how)
	}
}
