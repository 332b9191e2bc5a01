package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/spack-ghcr/spack-ghcr/results"
)

// benchSite writes envs × nights runs into a results repository and times `results
// site` on it, with keepMonths and with every run kept.
func benchSite(ctx context.Context, envs, nights, keepMonths int, dir string, stdout io.Writer) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "resultsbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	repo := filepath.Join(dir, "repo")
	start := time.Now()
	if err := writeRepo(ctx, repo, envs, nights); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "repository: %d environments × %d nights = %d runs, written in %s\n", envs, nights, envs*nights, time.Since(start).Round(time.Second))
	for _, keep := range []int{keepMonths, 0} {
		out := filepath.Join(dir, fmt.Sprintf("site-%d", keep))
		if err := renderChild(ctx, repo, out, keep, stdout); err != nil {
			return err
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
		if keepMonths == 0 {
			break
		}
	}
	return nil
}

// writeRepo writes the runs of each environment as pushes would, all of an
// environment's nights in one plan, environments in parallel.
func writeRepo(ctx context.Context, repo string, envs, nights int) error {
	names, specs := benchEnvs(envs)
	plan := func(i int) error {
		ups := make([]results.Upload, nights)
		for night := range nights {
			ups[night] = synthRun(names[i], specs[i], benchStart, night)
		}
		u, err := results.PlanUpdate(ctx, results.DirRepo(repo), ups)
		if err != nil {
			return err
		}
		return results.Files(u.Files).Write(repo)
	}
	// The first writes layout.json; the others find it.
	if err := plan(0); err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := 1; i < envs; i++ {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return plan(i)
		})
	}
	return g.Wait()
}

// renderChild runs `render` in a child process, so that its peak memory is the
// site's alone, and prints its figures.
func renderChild(ctx context.Context, repo, out string, keep int, stdout io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, "render", "-dir", repo, "-out", out, "-keep-months", fmt.Sprint(keep))
	cmd.Stdout, cmd.Stderr = stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("rendering: %w", err)
	}
	took := time.Since(start)
	var rss int64
	if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = u.Maxrss // kilobytes on Linux
	}
	fmt.Fprintf(stdout, "  process: %s wall, %s user, peak memory %d MB (GOMAXPROCS %d)\n",
		took.Round(10*time.Millisecond), cmd.ProcessState.UserTime().Round(10*time.Millisecond), rss/1024, runtime.GOMAXPROCS(0))
	return nil
}

// render is the child: `results site` on dir.
func render(ctx context.Context, dir, out string, keep int, stdout io.Writer) error {
	if dir == "" || out == "" {
		return usageError("render: -dir and -out are required")
	}
	site, err := results.NewSite(results.WithKeepMonths(keep))
	if err != nil {
		return err
	}
	start := time.Now()
	report, err := site.Build(ctx, dir, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site, -keep-months %d: %d runs of %d environments in %s: %d run pages, %d files, %.1f MB\n",
		keep, report.Runs, report.Environments, time.Since(start).Round(10*time.Millisecond), report.RunPages, report.Files, float64(report.Bytes)/1e6)
	return nil
}
