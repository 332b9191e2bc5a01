package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// connectTimeout bounds the wait for an engine named by _EXPERIMENTAL_DAGGER_RUNNER_HOST.
const connectTimeout = 30 * time.Second

// Connect starts a Dagger session: the `dagger run` session when there is one, the test
// bed's engine, or one the dagger CLI provisions. Outside `dagger run`, whose display
// shows the engine's logs, stderr gets a line per package Spack installs, or the whole
// log with SPACK_GHCR_VERBOSE set.
func Connect(ctx context.Context) (*dagger.Client, error) {
	var opts []dagger.ClientOpt
	switch {
	case os.Getenv("SPACK_GHCR_VERBOSE") != "":
		opts = append(opts, dagger.WithLogOutput(os.Stderr))
	case os.Getenv("DAGGER_SESSION_PORT") == "":
		opts = append(opts, dagger.WithLogOutput(spack.NewInstallLines(os.Stderr, log.Prefix())))
	}
	// The SDK retries an unreachable engine without end; an engine named by address
	// answers in seconds, so give up after a bound then. Provisioning one through the
	// CLI may take minutes and is left alone.
	type result struct {
		client *dagger.Client
		err    error
	}
	done := make(chan result, 1)
	go func() {
		c, err := dagger.Connect(ctx, opts...)
		done <- result{c, err}
	}()
	var timeout <-chan time.Time
	if host := os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"); host != "" {
		timeout = time.After(connectTimeout)
	}
	hint := "run under 'dagger run', or start the test bed: ../shared/testbed/up"
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("connecting to the Dagger engine: %w (%s)", r.err, hint)
		}
		return r.client, nil
	case <-timeout:
		return nil, fmt.Errorf("connecting to the Dagger engine at %s: no answer in %s (%s)", os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"), connectTimeout, hint)
	}
}

// execDetail shortens an engine error to the command and the end of its stderr.
func execDetail(err error) error {
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s exited %d: %s", strings.Join(unwrapped(ee.Cmd), " "), ee.ExitCode, spack.LastLines(ee.Stderr, 4))
	}
	return err
}

// startedMarker begins the stderr of an exec run by runFailable: when it started, read
// to tell a result just made from one the engine's cache kept.
const startedMarker = "spack-ghcr: exec started at "

// stampScript prints startedMarker and the time, then runs the command; it is fixed
// text, the command comes as arguments.
const stampScript = `echo "` + startedMarker + `$(date +%s)" >&2; exec "$@"`

// runFailable runs args on base where a non-zero exit is data: it returns the
// container, the output and the exit code. The engine caches such a result like any
// other, which is right for a success but would replay a failure on every rerun,
// transient ones too (a full disk, a lost network, a lock Spack tripped on), so that
// no rerun could get past it. A failure that started before this call is therefore
// run again, with a variable that makes it new to the cache.
func runFailable(ctx context.Context, base *dagger.Container, args []string) (*dagger.Container, string, int, error) {
	began := time.Now().Add(-time.Second).Unix()
	stamped := append([]string{"sh", "-c", stampScript, "sh"}, args...)
	exec := func(b *dagger.Container) (*dagger.Container, string, int, error) {
		c := b.WithExec(stamped, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
		out, code, err := execResult(ctx, c)
		return c, out, code, err
	}
	c, out, code, err := exec(base)
	if err != nil || code == 0 {
		return c, unstamped(out), code, err
	}
	if started, ok := startedAt(out); ok && started < began {
		c, out, code, err = exec(base.WithEnvVariable("SPACK_GHCR_RERUN", strconv.FormatInt(time.Now().UnixNano(), 10)))
	}
	return c, unstamped(out), code, err
}

// startedAt reads the time startedMarker gives.
func startedAt(out string) (int64, bool) {
	_, rest, ok := strings.Cut(out, startedMarker)
	if !ok {
		return 0, false
	}
	line, _, _ := strings.Cut(rest, "\n")
	t, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	return t, err == nil
}

// unstamped is out without the startedMarker line.
func unstamped(out string) string {
	before, rest, ok := strings.Cut(out, startedMarker)
	if !ok {
		return out
	}
	_, after, _ := strings.Cut(rest, "\n")
	return before + after
}

// unwrapped is the command a script runs (sh -c SCRIPT NAME ARGS...), for messages.
func unwrapped(cmd []string) []string {
	for len(cmd) > 4 && cmd[0] == "sh" && cmd[1] == "-c" {
		cmd = cmd[4:]
	}
	return cmd
}

// execResult evaluates a container whose last exec may fail (run with
// Expect: dagger.ReturnTypeAny) and returns its output and exit code.
func execResult(ctx context.Context, c *dagger.Container) (out string, code int, err error) {
	code, err = c.ExitCode(ctx)
	if err != nil {
		return "", 0, execDetail(err)
	}
	stdout, err := c.Stdout(ctx)
	if err != nil {
		return "", 0, execDetail(err)
	}
	stderr, err := c.Stderr(ctx)
	if err != nil {
		return "", 0, execDetail(err)
	}
	return stdout + stderr, code, nil
}
