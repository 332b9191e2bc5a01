package main

import (
	"context"
	"debug/elf"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// scratch names the empty base image: the runtime image then holds the closure and the
// OS libraries its ELF files load, taken from the builder (a distroless image).
const scratch = "scratch"

// basePath is the PATH of Debian-like base images, kept after the closure's bin dirs.
const basePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// runtimeInputs is what the runtime stage takes from the builder.
type runtimeInputs struct {
	builder  *dagger.Container
	closure  spack.Closure
	prefixes map[string]string // DAG hash -> install prefix
	profile  slim.Profile
	strip    bool
	base     string   // runtime base image, or scratch
	packages []string // container.os_packages.final
	work     string   // a scratch directory on the local disk
	// runEnv is the roots' run environment as `spack load` sets it (PYTHONPATH …).
	runEnv map[string]string
}

// runtimeImage is the assembled runtime stage and what it ships.
type runtimeImage struct {
	ctr *dagger.Container
	// elfs are the shipped ELF files with the loader to check each with.
	elfs []slim.ELF
	// sizes per package (name@version/hash7) in bytes, after pruning and stripping.
	sizes map[string]int64
	// floor is the total size of the shipped closure files.
	floor int64
	// osLibs are the OS libraries copied in (distroless only).
	osLibs []string
	env    map[string]string
}

// assembleRuntime copies the closure's prefixes, pruned by the profile, into the base
// image; ships only the compiler-runtime libraries some shipped ELF file loads; strips;
// and for a scratch base, adds the OS libraries from the builder.
func assembleRuntime(ctx context.Context, client *dagger.Client, in runtimeInputs) (*runtimeImage, error) {
	exclude := slim.Excludes(in.profile)
	shipped, runtimes := client.Directory(), client.Directory()
	var shippedSpecs []*spack.ConcreteSpec
	for _, s := range in.closure.Specs {
		prefix, ok := in.prefixes[s.Hash]
		if !ok {
			return nil, fmt.Errorf("no install prefix for %s: was it installed?", s)
		}
		src := in.builder.Directory(prefix)
		opts := dagger.DirectoryWithDirectoryOpts{Exclude: exclude}
		if slim.CompilerRuntimes[s.Name] {
			runtimes = runtimes.WithDirectory(prefix, src, opts)
			continue
		}
		shipped = shipped.WithDirectory(prefix, src, opts)
		shippedSpecs = append(shippedSpecs, s)
	}

	shippedTree, err := exportTree(ctx, shipped, filepath.Join(in.work, "shipped"))
	if err != nil {
		return nil, err
	}
	runtimeTree, err := exportTree(ctx, runtimes, filepath.Join(in.work, "compiler-runtime"))
	if err != nil {
		return nil, err
	}
	libPath := libraryDirs(shippedTree, in.closure.Specs, in.prefixes)
	plan, err := slim.PlanLibraries(shippedTree, runtimeTree, libPath)
	if err != nil {
		return nil, fmt.Errorf("planning libraries: %w", err)
	}
	if len(plan.RuntimeFiles) > 0 {
		var include []string
		for _, p := range plan.RuntimeFiles {
			include = append(include, strings.TrimPrefix(p, "/"))
		}
		shipped = shipped.WithDirectory("/", runtimes, dagger.DirectoryWithDirectoryOpts{Include: include})
		libPath = appendUnique(libPath, dirsOf(plan.RuntimeFiles)...)
	}

	elfs, err := shippedTree.ELFs()
	if err != nil {
		return nil, err
	}
	for _, p := range plan.RuntimeFiles {
		if e, err := slim.ReadELF(filepath.Join(runtimeTree.Host, p), p); err == nil {
			elfs = append(elfs, *e)
		}
	}
	if in.strip && len(elfs) > 0 {
		shipped = stripELFs(in.builder, shipped, elfs)
	}

	final, err := exportTree(ctx, shipped, filepath.Join(in.work, "final"))
	if err != nil {
		return nil, err
	}
	// Take the files back from the local copy: built up in the engine, the directory
	// would become a layer per step, the unstripped files beside the stripped ones.
	shipped = client.Host().Directory(final.Host)
	img := &runtimeImage{sizes: map[string]int64{}, env: map[string]string{}}
	for _, s := range in.closure.Specs {
		if n := final.Size(in.prefixes[s.Hash]); n > 0 || !slim.CompilerRuntimes[s.Name] {
			img.sizes[s.String()] = n
		}
	}
	img.floor = final.Size("/")

	var ctr *dagger.Container
	path := strings.Join(binDirs(final, shippedSpecs, in.prefixes), ":")
	if in.base == scratch {
		osDir, osLibs, osELFs, err := osLibraries(ctx, client, in.builder, plan, filepath.Join(in.work, "os"))
		if err != nil {
			return nil, err
		}
		img.osLibs = osLibs
		elfs = append(elfs, osELFs...)
		libPath = appendUnique(libPath, dirsOf(osLibs)...)
		ctr = client.Container().WithDirectory("/", osDir)
	} else {
		ctr = client.Container().From(in.base)
		if len(in.packages) > 0 {
			ctr = ctr.WithExec([]string{"apt-get", "update"}).
				WithExec(append([]string{"apt-get", "install", "-y", "--no-install-recommends"}, in.packages...)).
				WithExec([]string{"rm", "-rf", "/var/lib/apt/lists"})
		}
		if path != "" {
			path += ":"
		}
		path += basePath
	}
	for k, v := range runEnvironment(in.runEnv, final) {
		img.env[k] = v
	}
	img.env["PATH"] = path
	if len(libPath) > 0 {
		img.env["LD_LIBRARY_PATH"] = strings.Join(libPath, ":")
	}
	ctr = ctr.WithDirectory("/", shipped)
	for _, k := range sortedKeys(img.env) {
		ctr = ctr.WithEnvVariable(k, img.env[k])
	}
	img.ctr = ctr
	img.elfs = elfs
	return img, nil
}

// exportTree writes a directory to the local disk and scans it.
func exportTree(ctx context.Context, dir *dagger.Directory, host string) (*slim.Tree, error) {
	if err := os.RemoveAll(host); err != nil {
		return nil, err
	}
	if _, err := dir.Export(ctx, host); err != nil {
		return nil, fmt.Errorf("exporting files for analysis: %w", err)
	}
	return slim.Scan(host)
}

// stripELFs strips symbols from the shipped ELF files in the builder, which has binutils.
// Files are passed as arguments, in batches that stay far below the kernel's limit.
func stripELFs(builder *dagger.Container, dir *dagger.Directory, elfs []slim.ELF) *dagger.Directory {
	const stage = "/spack-ghcr-strip"
	c := builder.WithMountedDirectory(stage, dir)
	for i := 0; i < len(elfs); i += 500 {
		args := []string{"strip", "--strip-unneeded", "--"}
		for _, e := range elfs[i:min(i+500, len(elfs))] {
			args = append(args, stage+e.Path)
		}
		c = c.WithExec(args)
	}
	return c.Directory(stage)
}

// libraryDirs are the closure's lib and lib64 directories that hold shared libraries:
// the image's LD_LIBRARY_PATH, for programs that dlopen what they do not link.
func libraryDirs(t *slim.Tree, specs []*spack.ConcreteSpec, prefixes map[string]string) []string {
	has := dirsHolding(t, func(name string) bool { return strings.Contains(name, ".so") })
	var dirs []string
	for _, s := range specs {
		for _, sub := range []string{"lib", "lib64"} {
			if d := path.Join(prefixes[s.Hash], sub); has[d] {
				dirs = append(dirs, d)
			}
		}
	}
	return dirs
}

// binDirs are the shipped prefixes' bin directories, roots' first as Spack's view would
// shadow them.
func binDirs(t *slim.Tree, specs []*spack.ConcreteSpec, prefixes map[string]string) []string {
	has := dirsHolding(t, func(string) bool { return true })
	var dirs []string
	for _, s := range specs {
		if d := path.Join(prefixes[s.Hash], "bin"); has[d] {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// dirsHolding is the set of directories with at least one file whose name matches.
func dirsHolding(t *slim.Tree, match func(name string) bool) map[string]bool {
	dirs := map[string]bool{}
	for _, p := range t.Paths() {
		if match(path.Base(p)) {
			dirs[path.Dir(p)] = true
		}
	}
	return dirs
}

// osLibraries finds, in the builder, the OS libraries the plan leaves to the OS and the
// loader, with what they load in turn, for a scratch image.
func osLibraries(ctx context.Context, client *dagger.Client, builder *dagger.Container, plan *slim.Plan, host string) (*dagger.Directory, []string, []slim.ELF, error) {
	dirs := slim.OSLibraryDirs(elf.EM_X86_64)
	listing := map[string]map[string]bool{}
	for _, d := range dirs {
		entries, err := builder.Directory(d).Entries(ctx)
		if err != nil {
			continue // not every dir exists on every distribution
		}
		listing[d] = map[string]bool{}
		for _, e := range entries {
			listing[d][e] = true
		}
	}
	out := client.Directory()
	var placed []string
	var elfs []slim.ELF
	todo := append(sortedKeys(plan.OS), plan.Interpreters...)
	seen := map[string]bool{}
	for len(todo) > 0 {
		lib := todo[0]
		todo = todo[1:]
		if seen[lib] {
			continue
		}
		seen[lib] = true
		findLib := func(name string) string {
			for _, d := range dirs {
				if listing[d][name] {
					return path.Join(d, name)
				}
			}
			return ""
		}
		img := lib
		if strings.Contains(lib, "/") {
			// The loader is named by path (/lib64/ld-linux-x86-64.so.2) but lives in
			// the multiarch dir, where libc names it again: ship it once, and link.
			if p := findLib(path.Base(lib)); p != "" && p != lib {
				out = out.WithSymlink(p, lib)
				placed = append(placed, lib)
				todo = append(todo, path.Base(lib))
				continue
			}
		} else {
			img = findLib(lib)
			if img == "" {
				return nil, nil, nil, fmt.Errorf("the OS library %s, needed by %s, is not in the builder image either", lib, strings.Join(plan.OS[lib], ", "))
			}
		}
		f := builder.File(img)
		local := filepath.Join(host, filepath.FromSlash(img))
		if _, err := f.Export(ctx, local); err != nil {
			return nil, nil, nil, fmt.Errorf("exporting %s from the builder: %w", img, err)
		}
		e, err := slim.ReadELF(local, img)
		if err != nil {
			return nil, nil, nil, err
		}
		elfs = append(elfs, *e)
		todo = append(todo, e.Needed...)
		out = out.WithFile(img, f)
		placed = append(placed, img)
	}
	sort.Strings(placed)
	return out, placed, elfs, nil
}

func dirsOf(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = appendUnique(out, path.Dir(p))
	}
	return out
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// runEnvironment keeps of Spack's run environment what makes sense in the image: PATH
// and LD_LIBRARY_PATH are computed from what ships, Spack's bookkeeping (SPACK_*) stays
// behind, and path entries into the install tree that were pruned (MANPATH,
// PKG_CONFIG_PATH in the runtime profile …) are dropped, with the variables that then
// point into the install tree no more.
func runEnvironment(spackEnv map[string]string, final *slim.Tree) map[string]string {
	out := map[string]string{}
	for k, v := range spackEnv {
		if k == "PATH" || k == "LD_LIBRARY_PATH" || strings.HasPrefix(k, "SPACK_") {
			continue
		}
		if !strings.Contains(v, installRoot+"/") {
			out[k] = v
			continue
		}
		var keep []string
		keptOurs := false
		for _, p := range strings.Split(v, ":") {
			ours := strings.HasPrefix(p, installRoot+"/")
			if p == "" || (ours && !final.Exists(p)) {
				continue
			}
			keptOurs = keptOurs || ours
			keep = append(keep, p)
		}
		// A variable that was there for pruned files only (MANPATH) goes with them.
		if keptOurs {
			out[k] = strings.Join(keep, ":")
		}
	}
	return out
}
