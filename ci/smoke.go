package main

import (
	"context"
	"debug/elf"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"dagger.io/dagger"
	"golang.org/x/sync/errgroup"

	"github.com/spack-ghcr/spack-ghcr/slim"
)

// defaultLoader checks shared libraries, which name no interpreter of their own.
const defaultLoader = "/lib64/ld-linux-x86-64.so.2"

// missingLib is a library an ELF file in the image needs and the loader cannot find.
type missingLib struct {
	File, Library string
}

// notFoundRE matches the loader's line for an unresolved library ("libgomp.so.1 => not
// found"); cannotLoadRE its error when it stops at the first one, as it does for an
// executable it was asked to list.
var (
	notFoundRE   = regexp.MustCompile(`(?m)^\s*(\S+) => not found\s*$`)
	cannotLoadRE = regexp.MustCompile(`error while loading shared libraries: ([^:\s]+): cannot open shared object file`)
)

// parseLoaderList reads the output of `ld.so --list FILE`, stdout and stderr.
func parseLoaderList(file, out string) []missingLib {
	var missing []missingLib
	for _, m := range notFoundRE.FindAllStringSubmatch(out, -1) {
		missing = append(missing, missingLib{File: file, Library: m[1]})
	}
	if len(missing) == 0 {
		for _, m := range cannotLoadRE.FindAllStringSubmatch(out, -1) {
			missing = append(missing, missingLib{File: file, Library: m[1]})
		}
	}
	return missing
}

// smokeTest asks the image's own loader to resolve every shipped ELF file's libraries,
// in the runtime image itself, so that it needs no ldd or shell (a scratch image has
// neither). A missing library fails the run naming file and library.
func smokeTest(ctx context.Context, ctr *dagger.Container, elfs []slim.ELF) error {
	var (
		g       errgroup.Group
		results = make([][]missingLib, len(elfs))
	)
	g.SetLimit(8)
	for i, e := range elfs {
		if e.Machine != elf.EM_X86_64 || len(e.Needed) == 0 {
			continue
		}
		loader := e.Interp
		if loader == "" {
			loader = defaultLoader
		}
		g.Go(func() error {
			c := ctr.WithExec([]string{loader, "--list", e.Path}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
			out, err := c.Stdout(ctx)
			if err != nil {
				return fmt.Errorf("checking %s: %w", e.Path, err)
			}
			stderr, _ := c.Stderr(ctx)
			results[i] = parseLoaderList(e.Path, out+"\n"+stderr)
			if len(results[i]) == 0 {
				if code, err := c.ExitCode(ctx); err == nil && code != 0 {
					return fmt.Errorf("smoke test: %s --list %s: exit %d: %s", loader, e.Path, code, lastLines(stderr, 3))
				}
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
		return fmt.Errorf("smoke.sh exited %d: %s", code, lastLines(stderr, 5))
	}
	return nil
}

// lastLines keeps the end of a long log for an error message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
