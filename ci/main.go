// Command ci is spack-ghcr's pipeline and tooling; see doc.go for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
)

// errUsage marks an error in the command line itself; main exits 2 for it.
var errUsage = errors.New("usage")

// usageError wraps errUsage with what was wrong.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	log.SetPrefix("spack-ghcr: ")
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		log.Print(err)
		fmt.Fprintln(os.Stderr, "run 'go run ./ci help' for usage")
		os.Exit(2)
	case err != nil:
		log.Print(err)
		os.Exit(1)
	}
}

// run dispatches a command line; results go to stdout, progress to the log (stderr).
func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "build":
		return cmdBuild(ctx, rest, stdout)
	case "bench":
		return cmdBench(ctx, rest, stdout)
	case "stats":
		return cmdStats(ctx, rest, stdout)
	case "results":
		return cmdResults(ctx, rest, stdout)
	case "updates":
		return cmdUpdates(ctx, rest, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError("unknown command %q", cmd)
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting, so that run
// stays testable and main owns the exit code.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args into fs and turns a flag error into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.PrintDefaults()
			return err
		}
		return usageError("%s: %v", fs.Name(), err)
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset or empty. Flags
// use it for their defaults, so GitHub Actions' variables apply and flags override them.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
