package registry

import (
	"io"
	"log"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"
)

// fault makes the fake registry answer code to requests whose method is method and
// whose path contains path, times times (-1: always).
type fault struct {
	method, path string
	code         int
	times        int
}

// fakeRegistry is go-containerregistry's in-memory registry behind httptest, with
// injected faults, optional Basic authentication and a log of the requests it served.
type fakeRegistry struct {
	host string
	mu   sync.Mutex
	// faults are consumed as they fire.
	faults []fault
	// log holds "METHOD PATH" of each request that reached the registry.
	log []string
	// user and password, when set, are required.
	user, password string
}

func newFakeRegistry(t *testing.T, referrers bool, faults ...fault) *fakeRegistry {
	t.Helper()
	f := &fakeRegistry{faults: faults}
	inner := ggcrregistry.New(ggcrregistry.WithReferrersSupport(referrers), ggcrregistry.Logger(nilLogger()))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.password {
				w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
		}
		if code := f.fire(r); code != 0 {
			// An HTML page across lines, as a proxy in front of a registry sends.
			http.Error(w, "<html>\n<body>injected\nfault</body>\n</html>", code)
			return
		}
		f.mu.Lock()
		f.log = append(f.log, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.host = strings.TrimPrefix(srv.URL, "http://")
	return f
}

func (f *fakeRegistry) fire(r *http.Request) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.faults {
		ft := &f.faults[i]
		if ft.times != 0 && r.Method == ft.method && strings.Contains(r.URL.Path, ft.path) {
			if ft.times > 0 {
				ft.times--
			}
			return ft.code
		}
	}
	return 0
}

// manifestPuts are the references manifests were PUT under, in order.
func (f *fakeRegistry) manifestPuts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, l := range f.log {
		if ref, ok := strings.CutPrefix(l, "PUT "); ok {
			if _, after, ok := strings.Cut(ref, "/manifests/"); ok {
				out = append(out, after)
			}
		}
	}
	return out
}

// fast retries, so fault tests take milliseconds.
var fast = WithBackoff(remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 3})

// testImage is a small image with fixed content, for seed, with platform and labels.
func testImage(t *testing.T, seed int64, platform string, labels map[string]string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 2, random.WithSource(rand.NewSource(seed)))
	require.NoError(t, err)
	cfg, err := img.ConfigFile()
	require.NoError(t, err)
	cfg = cfg.DeepCopy()
	if platform != "" {
		p, err := v1.ParsePlatform(platform)
		require.NoError(t, err)
		cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	}
	cfg.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cfg)
	require.NoError(t, err)
	return img
}

func digestOf(t *testing.T, d interface{ Digest() (v1.Hash, error) }) string {
	t.Helper()
	h, err := d.Digest()
	require.NoError(t, err)
	return h.String()
}

// testbedRepo is a fresh repository on the test bed's registry, or a skip.
func testbedRepo(t *testing.T, name string) string {
	t.Helper()
	host := os.Getenv("TESTBED_REGISTRY")
	if host == "" {
		t.Skip("needs the test bed registry: eval \"$(../shared/testbed/env)\"")
	}
	return host + "/spack-ghcr-test/" + name + "-" + time.Now().UTC().Format("20060102t150405.000000000")
}

func nilLogger() *log.Logger { return log.New(io.Discard, "", 0) }

func parseRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s, name.Insecure)
	require.NoError(t, err)
	return ref
}
