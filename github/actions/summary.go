package actions

import (
	"fmt"
	"os"
)

// AppendSummary adds md, and a blank line, to the job summary file (GitHub Actions'
// $GITHUB_STEP_SUMMARY); with no file it does nothing.
func AppendSummary(summaryFile string, md []byte) error {
	if summaryFile == "" {
		return nil
	}
	f, err := os.OpenFile(summaryFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing job summary: %w", err)
	}
	if _, err := f.Write(append(md, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("writing job summary: %w", err)
	}
	return f.Close()
}
