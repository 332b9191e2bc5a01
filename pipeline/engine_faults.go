package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"
	"github.com/Khan/genqlient/graphql"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// EngineLostError is a stage cut short because the Dagger engine went away: killed,
// restarted, or its machine gone. Nothing in the stage's input was wrong, and the
// engine's cache volumes (sources, Spack's binaries) survive the engine, so a rerun
// resumes where the caches let it.
type EngineLostError struct {
	// Cause is what the session saw, e.g. "unexpected EOF".
	Cause string
	err   error
}

func (e *EngineLostError) Error() string {
	return fmt.Sprintf("the Dagger engine went away (%s); rerun: the caches are kept", e.Cause)
}

func (e *EngineLostError) Unwrap() error { return e.err }

// engineLost recognises an engine that went away in err, and returns the error that
// says so. The SDK talks to the engine through a `dagger session` process, whose proxy
// answers 502 "http do: …" when its connection to the engine fails; when that process
// itself is gone, the SDK's own request fails.
func engineLost(err error) (*EngineLostError, bool) {
	var he *graphql.HTTPError
	if errors.As(err, &he) && he.StatusCode == http.StatusBadGateway {
		var causes []string
		for _, e := range he.Response.Errors {
			causes = append(causes, proxyCause(e.Message))
		}
		return &EngineLostError{Cause: strings.Join(causes, "; "), err: he}, true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &EngineLostError{Cause: "the dagger session process is gone: " + ue.Err.Error(), err: ue}, true
	}
	return nil, false
}

// proxyCause strips what every message of the session's proxy starts with:
// `http do: Post "http://dagger/query": `.
func proxyCause(msg string) string {
	msg = strings.TrimPrefix(msg, "http do: ")
	if _, rest, ok := strings.Cut(msg, `": `); ok && strings.HasPrefix(msg, "Post ") {
		return rest
	}
	return msg
}

// DiskFullError is a command that ran out of disk space in the builder: Spack's build
// stage, the install tree, or the engine's own disk, which holds both.
type DiskFullError struct {
	// Detail is the line that said so.
	Detail string
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("out of disk space (%s): %s", e.Detail, diskFullHint)
}

// diskFullHint is what to do about a full disk. The builder's files, its caches and the
// engine's own cache all live on the engine's disk.
const diskFullHint = "free space on the Dagger engine's disk, then rerun"

// diskFull finds the line of out that reports ENOSPC (spack.NoSpaceLine).
func diskFull(out string) (*DiskFullError, bool) {
	detail, ok := spack.NoSpaceLine(out)
	if !ok {
		return nil, false
	}
	return &DiskFullError{Detail: detail}, true
}

// ExplainFault rewords an environment's error where the engine, not a command, failed:
// the engine's answer (a 502 with JSON in it) becomes what happened and what a rerun
// does, in place, after the stage that was running ("installing: the Dagger engine
// went away …").
func ExplainFault(err error) error {
	if err == nil {
		return nil
	}
	if lost, ok := engineLost(err); ok {
		return &faultError{msg: strings.Replace(err.Error(), lost.err.Error(), lost.Error(), 1), err: err}
	}
	// The engine itself, not a command, ran out of space: its message says so, and
	// the hint is added.
	var full *DiskFullError
	if _, ok := diskFull(err.Error()); ok && !errors.As(err, &full) {
		return fmt.Errorf("%w: %s", err, diskFullHint)
	}
	return err
}

// faultError is an error with its message reworded.
type faultError struct {
	msg string
	err error
}

func (e *faultError) Error() string { return e.msg }
func (e *faultError) Unwrap() error { return e.err }

// SessionCloseBound is how long closing the session may take once the engine went
// away. The session process waits for an engine that is gone: Dagger v0.19.10's
// `dagger session` retries its telemetry streams without end, and the SDK gives it five
// minutes before killing it.
const SessionCloseBound = 10 * time.Second

// CloseSession ends the Dagger session. When err says the engine went away, it waits
// SessionCloseBound at most, then kills the session process the SDK started, so that
// the error is the last thing the user waits for.
func CloseSession(client *dagger.Client, err error) {
	if _, lost := engineLost(err); !lost {
		client.Close()
		return
	}
	done := make(chan struct{})
	go func() {
		client.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(SessionCloseBound):
		for _, pid := range sessionProcesses() {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	}
}

// sessionProcesses are the `dagger session` processes this process started, found
// in /proc (Linux); elsewhere none are found.
func sessionProcesses() []int {
	lists, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", os.Getpid()))
	var pids []int
	for _, l := range lists {
		data, err := os.ReadFile(l)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if err != nil {
				continue
			}
			if args := bytes.Split(cmdline, []byte{0}); len(args) > 1 &&
				strings.HasPrefix(filepath.Base(string(args[0])), "dagger") && string(args[1]) == "session" {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
