// Command resultsbench measures the results repository at a centre's scale and prints
// the figures (docs/results.md):
//
//	go run ./results/cmd/resultsbench push [-envs 20] [-nights 100]
//	go run ./results/cmd/resultsbench site [-envs 200] [-nights 500] [-keep-months 3]
//
// push pushes one night of runs of every environment per push, as `results push`
// does, to the test-side fake GitHub (github/ghtest), and prints each push's requests,
// the bytes it added and its time, then how the repository grew per run. site writes
// envs × nights synthetic runs into a results repository checkout and times `results
// site` on it, in a child process whose peak memory it reports.
//
// It is a command of its own, not part of ci, because the fake GitHub is test code
// (it imports "testing"): the shipped ci binary must not carry it.
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
	"runtime/pprof"
	"syscall"

	"github.com/spack-ghcr/spack-ghcr/results"
)

func main() {
	log.SetPrefix("resultsbench: ")
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	var usage usageError
	switch {
	case errors.As(err, &usage):
		log.Print(err)
		os.Exit(2)
	case err != nil:
		log.Print(err)
		os.Exit(1)
	}
}

type usageError string

func (u usageError) Error() string { return string(u) }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("name a benchmark: push or site (or render, which site runs)")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	envs := fs.Int("envs", 0, "environments (push: 20, site: 200)")
	nights := fs.Int("nights", 0, "nights, one run of each environment a night (push: 100, site: 500)")
	keep := fs.Int("keep-months", results.DefaultKeepMonths, "site: months of runs that keep their page and files (0: all)")
	dir := fs.String("dir", "", "site: where to write the repository (default: a temporary directory, removed after)")
	out := fs.String("out", "", "render: where to write the site")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the benchmark to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("%s: unexpected argument %q", args[0], fs.Arg(0)))
	}
	if *envs < 0 || *nights < 0 || *keep < 0 {
		return usageError("-envs, -nights and -keep-months must not be negative")
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	switch args[0] {
	case "push":
		return benchPush(ctx, or(*envs, 20), or(*nights, 100), stdout)
	case "site":
		return benchSite(ctx, or(*envs, 200), or(*nights, 500), *keep, *dir, stdout)
	case "render":
		return render(ctx, *dir, *out, *keep, stdout)
	}
	return usageError(fmt.Sprintf("unknown benchmark %q: want push or site", args[0]))
}

func or(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}
