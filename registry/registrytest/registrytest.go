// Package registrytest gives tests an OCI registry to push to: go-containerregistry's
// in-memory registry behind httptest, which can inject faults and require a password,
// or the test bed's registry; and small images of a given platform and labels.
package registrytest

import (
	"bytes"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/stretchr/testify/require"
)

// Fault makes the registry answer Code to requests whose method is Method and whose
// path contains Path, Times times (-1: always).
type Fault struct {
	Method, Path string
	Code         int
	Times        int
}

// Registry is a registry for one test.
type Registry struct {
	// Host is HOST:PORT, plain HTTP.
	Host string

	mu      sync.Mutex
	faults  []Fault
	fired   int
	log     []string
	user    string
	pass    string
	keep    bool
	uploads []Upload
}

// Upload is a request that carried a body: a blob, a chunk of one, or a manifest.
type Upload struct {
	Method, Path string
	Body         []byte
}

// New starts a registry with the referrers API or without it (then clients fall back
// to the referrers tag), and stops it when the test ends.
func New(t *testing.T, referrers bool, faults ...Fault) *Registry {
	t.Helper()
	r := &Registry{faults: faults}
	srv := httptest.NewServer(r.handler(referrers))
	t.Cleanup(srv.Close)
	r.Host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

// NewAt is New listening on addr (HOST:PORT; port 0 for any), for clients that cannot
// reach the loopback address, such as containers in a Dagger engine. It keeps what was
// uploaded (Uploads).
func NewAt(t *testing.T, addr string, referrers bool, faults ...Fault) *Registry {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	r := &Registry{faults: faults, keep: true}
	srv := httptest.NewUnstartedServer(r.handler(referrers))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	r.Host = l.Addr().String()
	return r
}

func (r *Registry) handler(referrers bool) http.Handler {
	inner := ggcrregistry.New(ggcrregistry.WithReferrersSupport(referrers), ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !r.authorized(req) {
			w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		if code := r.fire(req); code != 0 {
			// An HTML page across lines, as a proxy in front of a registry sends.
			http.Error(w, "<html>\n<body>injected\nfault</body>\n</html>", code)
			return
		}
		r.mu.Lock()
		r.log = append(r.log, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		var body bytes.Buffer
		if r.keep && req.Body != nil {
			req.Body = io.NopCloser(io.TeeReader(req.Body, &body))
		}
		inner.ServeHTTP(w, req)
		if body.Len() > 0 {
			r.mu.Lock()
			r.uploads = append(r.uploads, Upload{Method: req.Method, Path: req.URL.Path, Body: body.Bytes()})
			r.mu.Unlock()
		}
	})
}

// SetFaults replaces the faults still to fire.
func (r *Registry) SetFaults(faults ...Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = faults
}

// RequireAuth makes the registry refuse requests without this user and password.
func (r *Registry) RequireAuth(user, password string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.user, r.pass = user, password
}

func (r *Registry) authorized(req *http.Request) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.user == "" {
		return true
	}
	u, p, ok := req.BasicAuth()
	return ok && u == r.user && p == r.pass
}

func (r *Registry) fire(req *http.Request) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.faults {
		f := &r.faults[i]
		if f.Times != 0 && req.Method == f.Method && strings.Contains(req.URL.Path, f.Path) {
			if f.Times > 0 {
				f.Times--
			}
			r.fired++
			return f.Code
		}
	}
	return 0
}

// ManifestPuts are the references manifests were PUT under, in order; requests refused
// or failed on purpose are left out.
func (r *Registry) ManifestPuts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.log {
		if ref, ok := strings.CutPrefix(l, "PUT "); ok {
			if _, after, ok := strings.Cut(ref, "/manifests/"); ok {
				out = append(out, after)
			}
		}
	}
	return out
}

// Uploads are the bodies the registry received and accepted, from a registry made
// with NewAt.
func (r *Registry) Uploads() []Upload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.uploads)
}

// Counts are the requests the registry answered normally, and those it failed on
// purpose.
func (r *Registry) Counts() (served, faulted int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log), r.fired
}

// Testbed returns a fresh repository on the test bed's registry (plain HTTP), or skips
// the test without one.
func Testbed(t *testing.T, name string) string {
	t.Helper()
	host := os.Getenv("TESTBED_REGISTRY")
	if host == "" {
		t.Skip("needs the test bed registry: eval \"$(../shared/testbed/env)\"")
	}
	return host + "/spack-ghcr-test/" + name + "-" + time.Now().UTC().Format("20060102t150405.000000000")
}

// Image is a small image, the same for the same seed, of platform (e.g.
// "linux/arm64"; "" for none) with labels.
func Image(t testing.TB, seed int64, platform string, labels map[string]string) v1.Image {
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
