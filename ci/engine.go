package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// connectTimeout bounds the wait for an engine named by _EXPERIMENTAL_DAGGER_RUNNER_HOST.
const connectTimeout = 30 * time.Second

// connect starts a Dagger session: the `dagger run` session when there is one, the test
// bed's engine, or one the dagger CLI provisions. Outside `dagger run`, whose display
// shows the engine's logs, stderr gets a line per package Spack installs, or the whole
// log with SPACK_GHCR_VERBOSE set.
func connect(ctx context.Context) (*dagger.Client, error) {
	var opts []dagger.ClientOpt
	switch {
	case os.Getenv("SPACK_GHCR_VERBOSE") != "":
		opts = append(opts, dagger.WithLogOutput(os.Stderr))
	case os.Getenv("DAGGER_SESSION_PORT") == "":
		opts = append(opts, dagger.WithLogOutput(spack.NewInstallLines(os.Stderr, logPrefix)))
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
		return fmt.Errorf("%s exited %d: %s", strings.Join(ee.Cmd, " "), ee.ExitCode, spack.LastLines(ee.Stderr, 4))
	}
	return err
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
