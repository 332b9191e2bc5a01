package spack

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestInstallLines feeds the engine's log stream, as Dagger v0.19.10 writes it (escapes,
// span numbers, a line split across writes), and gets one line per package.
func TestInstallLines(t *testing.T) {
	var out bytes.Buffer
	w := NewInstallLines(&out, "spack-ghcr: ")
	for _, chunk := range []string{
		"\x1b[95m9   : \x1b[0m\x1b[90;2m\x1b[0m\x1b[34mwithExec\x1b[0m spack install\n",
		"\x1b[95m9   : \x1b[0m\x1b[90m[0.5s] \x1b[0m\x1b[90m|\x1b[0m ==> Extracting compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim from binary cache\n",
		"\x1b[95m9   : \x1b[0m\x1b[90m[0.6s] \x1b[0m\x1b[90m|\x1b[0m ==> Installing compiler-wrapper-1.0-jrtxylmzw232laxox2s5a5wkhr7skrim [1/2]\n\x1b[95m9   : \x1b[0m\x1b[90m[0.7s] \x1b[0m\x1b[90m|\x1b[0m ==> No binary for lz4-1.9.4-",
		"xboqj5otp3r5o3rqctruzaw76n4a7pgu found: installing from source\n\x1b[95m9   : \x1b[0m\x1b[90m[9.7s] \x1b[0m\x1b[90m|\x1b[0m ==> Installing lz4-1.9.4-xboqj5otp3r5o3rqctruzaw76n4a7pgu [2/2]\n",
	} {
		n, err := w.Write([]byte(chunk))
		assert.NoError(t, err)
		assert.Equal(t, len(chunk), n)
	}
	assert.Equal(t, "spack-ghcr: [1/2] compiler-wrapper@1.0: from binary cache\nspack-ghcr: [2/2] lz4@1.9.4: building from source\n", out.String())
}
