package results

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// consoleRE matches Chromium's log line for a console message, uncaught exceptions
// included: `INFO:CONSOLE:12] "Uncaught Error: ..."` (older: `INFO:CONSOLE(12)]`).
var consoleRE = regexp.MustCompile(`CONSOLE(?::\d+|\(\d+\))\] .*`)

// chromium runs Debian's chromium headless on url with extra flags and returns what
// it printed on stdout and the console messages it logged.
func chromium(t *testing.T, bin, url string, flags ...string) (stdout string, console []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "chromium: %s", errb.String())
	return out.String(), consoleRE.FindAllString(errb.String(), -1)
}

// TestSiteInBrowser loads the pages in a real browser from an HTTP server serving what
// the Pages workflow deploys (the site built from a results repository), checks that
// nothing logs to the console and that every resource loads, and keeps a screenshot of
// an environment page with a regression in out/screenshots/.
func TestSiteInBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("needs Debian's chromium: apt-get install -y chromium")
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}

	// The Pages artifact: the site of a results repository holding the fixture runs.
	uploads, err := LoadUploads(fixtureRuns)
	require.NoError(t, err)
	repo := memRepo{}
	push(t, repo, uploads...)
	site, err := NewSite()
	require.NoError(t, err)
	root := t.TempDir()
	_, err = site.Build(t.Context(), writeRepo(t, repo), root)
	require.NoError(t, err)
	control := []byte(`<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body><script>throw new Error("control")</script></body></html>`)
	require.NoError(t, os.WriteFile(filepath.Join(root, "control.html"), control, 0o644))

	var mu sync.Mutex
	requests := map[string]int{} // path -> status
	fileServer := http.FileServer(http.Dir(root))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		fileServer.ServeHTTP(rec, r)
		mu.Lock()
		requests[r.URL.Path] = rec.status
		mu.Unlock()
	}))
	defer srv.Close()

	// The control page proves that console errors are seen at all.
	_, console := chromium(t, bin, srv.URL+"/control.html", "--dump-dom")
	require.NotEmpty(t, console, "the control page's uncaught error was not seen in chromium's log")
	assert.Contains(t, strings.Join(console, "\n"), "Uncaught Error: control")

	pages := []struct{ path, want string }{
		{"/index.html", "compression"},
		{"/run/compression/20261115T100000Z-9a8b7c6.html", "1 regression, 1 fix"},
		{"/env/python.html", "py-numpy"},
		{"/runs/compression/20261115T100000Z-9a8b7c6/logs/stand-alone/xz-5.6.3-4wqprxc-test-out.txt", "xz"},
	}
	for _, p := range pages {
		dom, console := chromium(t, bin, srv.URL+p.path, "--dump-dom")
		assert.Empty(t, console, "%s logged to the console", p.path)
		assert.Contains(t, dom, p.want, "%s did not render", p.path)
	}

	shot := filepath.Join(moduleRoot(t), "out", "screenshots", "env-regression.png")
	require.NoError(t, os.MkdirAll(filepath.Dir(shot), 0o755))
	if err := os.Remove(shot); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	_, console = chromium(t, bin, srv.URL+"/env/compression.html", "--screenshot="+shot, "--window-size=1280,900", "--hide-scrollbars")
	assert.Empty(t, console, "the environment page logged to the console")

	mu.Lock()
	for p, status := range requests {
		// A plain-text log has no <link rel="icon">, so the browser asks for one.
		if p != "/control.html" && p != "/favicon.ico" {
			assert.Less(t, status, 400, "GET %s: %d", p, status) // FileServer redirects index.html with 301
		}
	}
	assert.Contains(t, requests, "/style.css", "the style sheet was loaded")
	mu.Unlock()

	f, err := os.Open(shot)
	require.NoError(t, err, "chromium wrote no screenshot")
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 1280, img.Bounds().Dx())
	// The regression cells and call-out are drawn in --fail (#cf222e): styled, not a
	// blank page.
	red := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xcf && g>>8 == 0x22 && b>>8 == 0x2e {
				red++
			}
		}
	}
	assert.Greater(t, red, 500, "no regression red in the screenshot")
	t.Logf("screenshot: %s", shot)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// moduleRoot is the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the test")
		dir = parent
	}
}
