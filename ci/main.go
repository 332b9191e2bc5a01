// Command ci is spack-ghcr's command line: the build pipeline (package pipeline) and the
// tools around it. `go run ./ci help` lists the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// errUsage marks an error in the command line itself; main exits 2 for it.
var errUsage = errors.New("usage")

// usageError wraps errUsage with what was wrong.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// logPrefix starts every line of progress on stderr.
const logPrefix = "spack-ghcr: "

func main() {
	log.SetPrefix(logPrefix)
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case errors.Is(err, errUsage):
		log.Print(err)
		fmt.Fprintln(os.Stderr, "run 'go run ./ci help' for usage")
		os.Exit(2)
	case err != nil:
		log.Print(err)
		os.Exit(1)
	}
}

// run executes a command line; results go to stdout, progress to the log (stderr).
func run(ctx context.Context, args []string, stdout io.Writer) error {
	root := newRootCmd()
	root.SetOut(stdout)
	root.SetErr(os.Stderr)
	root.SetArgs(oneDashLongFlags(root, args))
	return root.ExecuteContext(ctx)
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "ci",
		Short: "spack-ghcr turns Spack environments into small, tested container images",
		Long: `spack-ghcr turns Spack environments into small, tested container images.

Run it as 'go run ./ci COMMAND', or under 'dagger run go run ./ci COMMAND' for Dagger's
progress display. Commands that need the engine use the 'dagger run' session, else
_EXPERIMENTAL_DAGGER_RUNNER_HOST, else one the dagger CLI provisions.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          unknownSubcommand,
		RunE:          func(*cobra.Command, []string) error { return usageError("no command given") },
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%s: %v", commandName(c), err)
	})
	root.AddCommand(newBuildCmd(), newBenchCmd(), newPlanCmd(), newStatsCmd(), newResultsCmd(), newUpdatesCmd(), newManifestCmd(), newMatrixCmd(), newVerifyCmd())
	return root
}

// commandName is a command's path without the program: "results push".
func commandName(c *cobra.Command) string {
	_, name, _ := strings.Cut(c.CommandPath(), " ")
	return name
}

// unknownSubcommand is the Args of a command that only holds subcommands: cobra hands
// it what matched none of them.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		if c.HasParent() {
			return usageError("%s: unknown subcommand %q", commandName(c), args[0])
		}
		return usageError("unknown command %q", args[0])
	}
	return nil
}

// noArgs refuses positional arguments with a usage error naming them.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError("%s: unexpected argument %q", commandName(c), args[0])
	}
	return nil
}

// oneDashLongFlags rewrites "-name" and "-name=value" to "--name…" where name is a
// long flag of the command: the commands were written for Go's flag package, which
// takes one dash, and scripts and workflows keep working with either spelling.
func oneDashLongFlags(root *cobra.Command, args []string) []string {
	cmd := root
	out := make([]string, 0, len(args))
	inCommand := true // still reading the command's words ("results push")
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if !strings.HasPrefix(a, "-") {
			if inCommand {
				if sub, _, err := cmd.Find([]string{a}); err == nil && sub != cmd {
					cmd = sub
				} else {
					inCommand = false
				}
			}
			out = append(out, a)
			continue
		}
		inCommand = false
		if name, _, _ := strings.Cut(a[1:], "="); len(name) > 1 && name[0] != '-' && hasLongFlag(cmd, name) {
			a = "-" + a
		}
		out = append(out, a)
	}
	return out
}

func hasLongFlag(c *cobra.Command, name string) bool {
	return name == "help" || c.Flags().Lookup(name) != nil || c.InheritedFlags().Lookup(name) != nil
}

// envOr returns the environment variable key, or def when it is unset or empty. Flags
// use it for their defaults, so GitHub Actions' variables apply and flags override them.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// packagesFlag is --packages, with one meaning in every command: a spack-packages
// checkout (or a package repository directory holding repo.yaml).
func packagesFlag(fs *pflag.FlagSet, p *string, extra string) {
	fs.StringVar(p, "packages", os.Getenv("SPACK_PACKAGES"), "spack-packages checkout, or a package repository directory (default $SPACK_PACKAGES"+extra+")")
}
