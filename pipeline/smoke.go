package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dagger.io/dagger"
	"golang.org/x/sync/errgroup"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// smokeTest asks the image's own loader to resolve every shipped ELF file's libraries,
// in the runtime image itself, so that it needs no ldd or shell (a scratch image has
// neither). A missing library fails the run naming file and library.
func smokeTest(ctx context.Context, ctr *dagger.Container, elfs []slim.ELF) error {
	var (
		g       errgroup.Group
		results = make([][]slim.MissingLib, len(elfs))
		machine = slim.MachineOf(elfs)
	)
	g.SetLimit(8)
	for i, e := range elfs {
		if e.Machine != machine || len(e.Needed) == 0 {
			continue
		}
		loader := e.Interp
		if loader == "" {
			loader = slim.DefaultLoader(machine)
		}
		g.Go(func() error {
			c := ctr.WithExec([]string{loader, "--list", e.Path}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
			out, code, err := execResult(ctx, c)
			if err != nil {
				return fmt.Errorf("checking %s: %w", e.Path, err)
			}
			results[i] = slim.ParseLoaderList(e.Path, out)
			if len(results[i]) == 0 && code != 0 {
				return fmt.Errorf("smoke test: %s --list %s: exit %d: %s", loader, e.Path, code, spack.LastLines(out, 3))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var missing []string
	for _, r := range results {
		for _, m := range r {
			missing = append(missing, fmt.Sprintf("%s needs %s", m.File, m.Library))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("smoke test: %d missing shared %s: %s (add the package to container.os_packages.final, or use a scratch base)",
			len(missing), plural(len(missing), "library", "libraries"), strings.Join(missing, "; "))
	}
	return nil
}

// runSmokeScript runs environments/<env>/smoke.sh with the image's /bin/sh.
func runSmokeScript(ctx context.Context, ctr *dagger.Container, script *dagger.File) error {
	c := ctr.WithMountedFile("/tmp/spack-ghcr-smoke.sh", script).
		WithExec([]string{"/bin/sh", "-eu", "/tmp/spack-ghcr-smoke.sh"}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	code, err := c.ExitCode(ctx)
	if err != nil {
		return fmt.Errorf("running smoke.sh: %w", err)
	}
	if code != 0 {
		stderr, _ := c.Stderr(ctx)
		return fmt.Errorf("smoke.sh exited %d: %s", code, spack.LastLines(stderr, 5))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
