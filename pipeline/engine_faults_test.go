package pipeline

import (
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"

	"dagger.io/dagger"
	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// sessionAnswer is the SDK's error when the session's proxy answered status with msg,
// as it does when the engine went away.
func sessionAnswer(status int, msgs ...string) error {
	var list gqlerror.List
	for _, m := range msgs {
		list = append(list, &gqlerror.Error{Message: m})
	}
	return &graphql.HTTPError{StatusCode: status, Response: graphql.Response{Errors: list}}
}

func TestEngineLost(t *testing.T) {
	tests := []struct {
		name      string
		input     error
		wantCause string // "" when the engine is not lost
	}{
		{"killed engine", sessionAnswer(502, `http do: Post "http://dagger/query": unexpected EOF`), "unexpected EOF"},
		{"engine restarted", fmt.Errorf("installing: %w", sessionAnswer(502, `http do: Post "http://dagger/query": read unix @->/run/dagger/engine.sock: read: connection reset by peer`)),
			"read unix @->/run/dagger/engine.sock: read: connection reset by peer"},
		{"engine not back", sessionAnswer(502, `http do: Post "http://dagger/query": dial unix /run/dagger/engine.sock: connect: connection refused`),
			"dial unix /run/dagger/engine.sock: connect: connection refused"},
		{"session process gone", fmt.Errorf("reading spack.lock: %w", &url.Error{Op: "Post", URL: "http://127.0.0.1:39111/query", Err: syscall.ECONNREFUSED}),
			"the dagger session process is gone: connection refused"},
		{"an answer of the engine's", sessionAnswer(500, "failed to resolve source metadata"), ""},
		{"a command that failed", &dagger.ExecError{Cmd: []string{"spack", "install"}, ExitCode: 1}, ""},
		{"anything else", errors.New("open out/x: permission denied"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lost, ok := engineLost(tt.input)
			if tt.wantCause == "" {
				assert.False(t, ok)
				return
			}
			assert.True(t, ok)
			assert.Equal(t, tt.wantCause, lost.Cause)
		})
	}
}

func TestExplainFault(t *testing.T) {
	tests := []struct {
		name  string
		input error
		want  string
	}{
		{"nil", nil, ""},
		{"engine lost in a stage", fmt.Errorf("installing: %w", sessionAnswer(502, `http do: Post "http://dagger/query": unexpected EOF`)),
			"installing: the Dagger engine went away (unexpected EOF); rerun: the caches are kept"},
		{"engine lost deeper", fmt.Errorf("assembling the runtime image: stripping and measuring: %w", sessionAnswer(502, `http do: Post "http://dagger/query": EOF`)),
			"assembling the runtime image: stripping and measuring: the Dagger engine went away (EOF); rerun: the caches are kept"},
		{"the engine's own disk", errors.New("exporting the image: write /var/lib/dagger/worker/x: no space left on device"),
			"exporting the image: write /var/lib/dagger/worker/x: no space left on device: free space on the Dagger engine's disk, then rerun"},
		{"a full disk already explained", fmt.Errorf("installing: %w", &DiskFullError{Detail: "[Errno 28] No space left on device"}),
			"installing: out of disk space ([Errno 28] No space left on device): free space on the Dagger engine's disk, then rerun"},
		{"anything else", errors.New("tests failed: lz4@1.9.4 (stand-alone): nothing published"),
			"tests failed: lz4@1.9.4 (stand-alone): nothing published"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExplainFault(tt.input)
			if tt.want == "" {
				assert.NoError(t, got)
				return
			}
			assert.EqualError(t, got, tt.want)
			assert.ErrorIs(t, got, tt.input, "the cause stays in the chain")
		})
	}
}
