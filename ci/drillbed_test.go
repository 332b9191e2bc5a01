package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The bed of the engine fault drills (drills_test.go): a Dagger engine of their own,
// which they may kill and restart, the test bed's registry forwarded to it, and the
// pipeline run as its own process, as a user runs it.

// drillEngineImage is the test bed's engine image (../shared/testbed/lib.sh).
const drillEngineImage = "testbed/dagger-engine:v0.19.10"

// drillEngine is a private Dagger engine in a container on Docker's default bridge,
// with a state volume and a socket directory of its own. The shared test bed's engine
// is never touched: other tests use it.
type drillEngine struct {
	name   string // container and volume
	runDir string // holds engine.sock
	// gateway is the host's address on Docker's bridge, which the engine and its
	// containers reach.
	gateway string
}

// startDrillEngine starts the engine, or skips without docker or the engine image. Its
// registry config lets it pull over plain HTTP from the hosts named.
func startDrillEngine(t *testing.T, plainHTTP ...string) *drillEngine {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("needs docker to run a Dagger engine of the drills' own")
	}
	if out, err := exec.Command("docker", "image", "inspect", drillEngineImage).CombinedOutput(); err != nil {
		t.Skipf("needs the engine image %s from ../shared/testbed/up: %s", drillEngineImage, firstLine(string(out)))
	}
	runDir, err := os.MkdirTemp("", "sgdrill-")
	require.NoError(t, err)
	e := &drillEngine{name: "spack-ghcr-drill-" + filepath.Base(runDir)[len("sgdrill-"):], runDir: runDir}
	e.gateway = bridgeGateway(t)
	var toml strings.Builder
	for _, h := range plainHTTP {
		fmt.Fprintf(&toml, "[registry.%q]\n  http = true\n  insecure = true\n", h)
	}
	require.NoError(t, os.WriteFile(filepath.Join(runDir, "buildkitd.toml"), []byte(toml.String()), 0o644))
	t.Cleanup(e.remove)
	// As ../shared/testbed/lib.sh runs the shared engine: --privileged is refused on
	// these machines, so all capabilities but SYS_RESOURCE.
	e.docker(t, "run", "-d", "--name", e.name,
		"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
		"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
		"--security-opt", "systempaths=unconfined",
		"--device", "/dev/fuse", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
		"-v", e.name+":/var/lib/dagger", "-v", runDir+":/run/dagger",
		"-v", filepath.Join(runDir, "buildkitd.toml")+":/etc/buildkit/buildkitd.toml:ro",
		drillEngineImage, "--addr", "unix:///run/dagger/engine.sock")
	e.waitReady(t)
	return e
}

// bridgeGateway is the host's address on Docker's default bridge, or skips.
func bridgeGateway(t *testing.T) string {
	t.Helper()
	iface, err := net.InterfaceByName("docker0")
	if err != nil {
		t.Skip("needs Docker's default bridge, docker0, for the drill engine to reach the host")
	}
	addrs, _ := iface.Addrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	t.Skip("docker0 has no IPv4 address")
	return ""
}

// host is the engine's address for _EXPERIMENTAL_DAGGER_RUNNER_HOST.
func (e *drillEngine) host() string { return "unix://" + filepath.Join(e.runDir, "engine.sock") }

func (e *drillEngine) docker(t *testing.T, args ...string) {
	t.Helper()
	require.NoError(t, dockerErr(args...))
}

// waitReady waits for the engine's socket to answer.
func (e *drillEngine) waitReady(t *testing.T) {
	t.Helper()
	sock := filepath.Join(e.runDir, "engine.sock")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	logs, _ := exec.Command("docker", "logs", "--tail", "5", e.name).CombinedOutput()
	t.Fatalf("the drill engine did not come up in 60s: %s", logs)
}

// kill kills the engine as the kernel's OOM killer would: SIGKILL, no shutdown.
func (e *drillEngine) kill() error { return dockerErr("kill", e.name) }

// restart stops the engine as `docker restart` does (SIGTERM, then SIGKILL after
// 30 s) and starts it again.
func (e *drillEngine) restart() error { return dockerErr("restart", "-t", "30", e.name) }

func dockerErr(args ...string) error {
	if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the engine after kill.
func (e *drillEngine) start(t *testing.T) {
	e.docker(t, "start", e.name)
	e.waitReady(t)
}

// waitForProcess waits until a process in the engine has one of substrs in its
// command line: the engine runs its containers' processes, so Spack's are there to see.
func (e *drillEngine) waitForProcess(ctx context.Context, substrs ...string) error {
	for {
		out, _ := exec.CommandContext(ctx, "docker", "exec", e.name, "ps", "-eo", "args").Output()
		for _, s := range substrs {
			if strings.Contains(string(out), s) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no process in the engine ran %q: %w", substrs, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// remove stops the engine and deletes its state and socket directory.
func (e *drillEngine) remove() {
	exec.Command("docker", "rm", "-f", e.name).Run()
	exec.Command("docker", "volume", "rm", "-f", e.name).Run()
	os.RemoveAll(e.runDir)
}

// forward relays TCP connections from a new listener on host to target, for as long as
// the test runs, and returns the listener's address.
func forward(t *testing.T, host, target string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go relay(c, target)
		}
	}()
	return l.Addr().String()
}

func relay(c net.Conn, target string) {
	defer c.Close()
	r, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer r.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(r, c); done <- struct{}{} }()
	go func() { io.Copy(c, r); done <- struct{}{} }()
	<-done
}

// ciBinary builds the pipeline's command once for a test.
func ciBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ci")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "building ./ci: %s", out)
	return bin
}

// ciRun is one run of the pipeline's command, as the user sees it.
type ciRun struct {
	stdout, stderr string
	code           int
	// ended is when the process exited.
	ended   time.Time
	elapsed time.Duration
}

// lastLine is the run's last line on stderr: the error, on failure.
func (r ciRun) lastLine() string {
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	return lines[len(lines)-1]
}

// runCI runs bin with args and env (on top of a clean copy of this process's
// environment) until it exits or ctx ends.
func runCI(ctx context.Context, bin string, env []string, args ...string) ciRun {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := ciRun{stdout: stdout.String(), stderr: stderr.String(), ended: time.Now(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		r.code, r.stderr = -1, r.stderr+err.Error()
	}
	return r
}

// cleanEnv is this process's environment without what would point the run elsewhere:
// GitHub Actions' variables (the publish policy reads them), another engine, tokens.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "DAGGER_"),
			k == "_EXPERIMENTAL_DAGGER_RUNNER_HOST", k == "REGISTRY_TOKEN", k == "BUILDCACHE_TOKEN",
			k == "SPACK_GHCR_VERBOSE":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// canaryHits are the places in data where canary appears, reading into tar archives
// and gzip streams (image layers, Spack's binary tarballs, the image's OCI layout),
// named from name down.
func canaryHits(name string, data []byte, canary string) []string {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			if plain, err := io.ReadAll(io.LimitReader(zr, 1<<30)); err == nil {
				return canaryHits(name+"!gunzip", plain, canary)
			}
		}
	}
	var hits []string
	if bytes.Contains(data, []byte(canary)) {
		hits = append(hits, name)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		entry, err := io.ReadAll(tr)
		if err != nil {
			break
		}
		hits = append(hits, canaryHits(name+"!"+h.Name, entry, canary)...)
	}
	return hits
}

// canaryHitsInTree reads every file under dir.
func canaryHitsInTree(t *testing.T, dir, canary string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		hits = append(hits, canaryHits(path, data, canary)...)
		return nil
	})
	require.NoError(t, err)
	return hits
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
