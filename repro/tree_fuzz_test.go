package repro

import (
	"archive/tar"
	"bytes"
	"testing"
)

// FuzzApplyLayer feeds arbitrary bytes as a layer: reading one must fail or succeed,
// never panic, and every entry it keeps must have a clean absolute path.
func FuzzApplyLayer(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range []string{"opt/", "opt/a", "opt/.wh.b", "opt/c/.wh..wh..opq", "../../etc/passwd"} {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644})
	}
	_ = tw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := newTree(nil)
		if err := tr.applyLayer(bytes.NewReader(data)); err != nil {
			return
		}
		for p := range tr.entries {
			if p == "" || p[0] != '/' || bytes.Contains([]byte(p), []byte("/../")) {
				t.Fatalf("entry %q is not a clean absolute path", p)
			}
		}
	})
}
