package updates

import (
	"fmt"
	"os"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Written is one file Write changed, with the number of updates in it.
type Written struct {
	File    string
	Updates int
}

// Write edits the files of the rows' updates in place, all updates of one file at
// once, and sets each of those rows' Action to "edited", or fails it when its file
// could not be written; the other files are still written.
func Write(rows []Row) []Written {
	byFile := map[string][]int{} // file -> indexes of its rows
	var files []string
	for i := range rows {
		if u := rows[i].Update; u != nil {
			if _, ok := byFile[u.File]; !ok {
				files = append(files, u.File)
			}
			byFile[u.File] = append(byFile[u.File], i)
		}
	}
	var written []Written
	for _, f := range files {
		idx := byFile[f]
		err := writeFile(f, rows, idx)
		for _, i := range idx {
			if err != nil {
				rows[i].Fail("file not written", err)
			} else {
				rows[i].Action = "edited"
			}
		}
		if err == nil {
			written = append(written, Written{File: f, Updates: len(idx)})
		}
	}
	return written
}

// writeFile writes the updates rows[idx] of file f.
func writeFile(f string, rows []Row, idx []int) error {
	var out []byte
	if first := rows[idx[0]].Update; first.Edit == (spack.Edit{}) {
		out = first.Content // a file whose one update is its whole content
	} else {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("updating %s: %w", f, err)
		}
		edits := make([]spack.Edit, len(idx))
		for j, i := range idx {
			edits[j] = rows[i].Update.Edit
		}
		if out, err = spack.ApplyEdits(data, edits); err != nil {
			return fmt.Errorf("updating %s: %w", f, err)
		}
	}
	if err := os.WriteFile(f, out, 0o644); err != nil {
		return fmt.Errorf("updating %s: %w", f, err)
	}
	return nil
}
