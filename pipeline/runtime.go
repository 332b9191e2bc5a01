package pipeline

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// basePath is the PATH of Debian-like base images, kept after the closure's bin dirs.
const basePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// runtimeInputs is what the runtime stage takes from the builder.
type runtimeInputs struct {
	builder  *dagger.Container
	closure  spack.Closure
	prefixes map[string]string // DAG hash -> install prefix
	profile  slim.Profile
	strip    bool
	base     string   // runtime base image, or spack.Scratch
	packages []string // container.os_packages.final
	work     string   // a scratch directory on the local disk
	// runEnv is the roots' run environment as `spack load` sets it (PYTHONPATH …).
	runEnv map[string]string
	// view is the environment's view in the builder, "" for none.
	view string
	// files makes files to ship beside the closure (the SBOM), given the specs that
	// ship: they go into the same layer.
	files func(shipped []*spack.ConcreteSpec) (map[string][]byte, error)
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

// buildRuntime copies the closure's prefixes, pruned by the profile, into the base
// image; ships only the compiler-runtime libraries some shipped ELF file loads; strips;
// and for a scratch base, adds the OS libraries from the builder. The pruned closure
// leaves the engine once, for the ELF analysis; the files are assembled, stripped and
// measured in the engine.
func buildRuntime(ctx context.Context, client *dagger.Client, in runtimeInputs) (*runtimeImage, error) {
	shipped, runtimes, err := closureDirs(client, in)
	if err != nil {
		return nil, err
	}
	all, err := exportTree(ctx, shipped.WithDirectory("/", runtimes), filepath.Join(in.work, "closure"))
	if err != nil {
		return nil, err
	}
	cl, err := slim.AnalyseClosure(all, closurePrefixes(in))
	if err != nil {
		return nil, err
	}
	if include := cl.RuntimeIncludes(); len(include) > 0 {
		shipped = shipped.WithDirectory("/", runtimes, dagger.DirectoryWithDirectoryOpts{Include: include})
	}
	if shipped, err = withFiles(shipped, in, cl); err != nil {
		return nil, err
	}
	final, sizes, err := stripAndMeasure(ctx, in.builder, shipped, cl.ELFs, in.strip)
	if err != nil {
		return nil, err
	}
	img := &runtimeImage{sizes: map[string]int64{}, floor: sizes.Size(InstallRoot), elfs: cl.ELFs}
	for _, s := range in.closure.Specs {
		if n := sizes.Size(in.prefixes[s.Hash]); n > 0 || !slim.CompilerRuntimes[s.Name] {
			img.sizes[s.String()] = n
		}
	}
	img.env = slim.RunEnvironment(in.runEnv, InstallRoot, cl.Exists)
	libPath := cl.LibPath
	ctr, err := runtimeBase(ctx, client, in, cl.Plan, img, &libPath)
	if err != nil {
		return nil, err
	}
	pathDirs := cl.BinDirs()
	ctr = ctr.WithDirectory("/", final)
	if in.view != "" {
		ctr = ctr.WithDirectory(in.view, in.builder.Directory(in.view), dagger.ContainerWithDirectoryOpts{Exclude: slim.Excludes(in.profile)})
		pathDirs = []string{path.Join(in.view, "bin")}
	}
	if in.base != spack.Scratch {
		pathDirs = append(pathDirs, basePath)
	}
	img.env["PATH"] = strings.Join(pathDirs, ":")
	if len(libPath) > 0 {
		img.env["LD_LIBRARY_PATH"] = strings.Join(libPath, ":")
	}
	for _, k := range sortedKeys(img.env) {
		ctr = ctr.WithEnvVariable(k, img.env[k])
	}
	img.ctr = ctr
	return img, nil
}

// closureDirs are the closure's prefixes, pruned by the profile, in two directories of
// the engine: those that ship whole, and the compiler runtimes that ship file by file.
func closureDirs(client *dagger.Client, in runtimeInputs) (shipped, runtimes *dagger.Directory, err error) {
	opts := dagger.DirectoryWithDirectoryOpts{Exclude: slim.Excludes(in.profile)}
	shipped, runtimes = client.Directory(), client.Directory()
	for _, s := range in.closure.Specs {
		prefix, ok := in.prefixes[s.Hash]
		if !ok {
			return nil, nil, fmt.Errorf("no install prefix for %s: was it installed?", s)
		}
		if slim.CompilerRuntimes[s.Name] {
			runtimes = runtimes.WithDirectory(prefix, in.builder.Directory(prefix), opts)
		} else {
			shipped = shipped.WithDirectory(prefix, in.builder.Directory(prefix), opts)
		}
	}
	return shipped, runtimes, nil
}

// withFiles adds the files in.files makes (the SBOM) to the shipped directory, so that
// they go into the closure's layer.
func withFiles(shipped *dagger.Directory, in runtimeInputs, cl *slim.Closure) (*dagger.Directory, error) {
	if in.files == nil {
		return shipped, nil
	}
	var specs []*spack.ConcreteSpec
	for _, s := range in.closure.Specs {
		if cl.Ships(slim.Prefix{Name: s.Name, Path: in.prefixes[s.Hash]}) {
			specs = append(specs, s)
		}
	}
	extra, err := in.files(specs)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(extra) {
		shipped = shipped.WithNewFile(name, string(extra[name]))
	}
	return shipped, nil
}

// closurePrefixes are the closure's install prefixes, in its order.
func closurePrefixes(in runtimeInputs) []slim.Prefix {
	var out []slim.Prefix
	for _, s := range in.closure.Specs {
		out = append(out, slim.Prefix{Name: s.Name, Path: in.prefixes[s.Hash]})
	}
	return out
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

// stripDir is where the shipped files are put in the builder to strip them.
const stripDir = "/spack-ghcr-strip"

// stripAndMeasure strips the shipped ELF files in the builder, which has binutils, and
// lists the resulting sizes. Files are passed as arguments, in batches that stay far
// below the kernel's limit. The files are copied into the builder's file system, not
// mounted: a mounted directory changed by an exec would reach the image as two layers,
// the unstripped files under the stripped ones.
func stripAndMeasure(ctx context.Context, builder *dagger.Container, dir *dagger.Directory, elfs []slim.ELF, strip bool) (*dagger.Directory, *slim.Tree, error) {
	c := builder.WithDirectory(stripDir, dir)
	if strip {
		for i := 0; i < len(elfs); i += 500 {
			args := []string{"strip", "--strip-unneeded", "--"}
			for _, e := range elfs[i:min(i+500, len(elfs))] {
				args = append(args, stripDir+e.Path)
			}
			c = c.WithExec(args)
		}
	}
	listing, err := c.WithExec([]string{"find", stripDir, "-type", "f", "-printf", "%s %P\\n"}).Stdout(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("stripping and measuring: %w", execDetail(err))
	}
	sizes, err := slim.ParseListing(listing)
	if err != nil {
		return nil, nil, err
	}
	return c.Directory(stripDir), sizes, nil
}

// runtimeBase is the base image with os_packages.final, or for scratch the OS libraries
// from the builder.
func runtimeBase(ctx context.Context, client *dagger.Client, in runtimeInputs, plan *slim.Plan, img *runtimeImage, libPath *[]string) (*dagger.Container, error) {
	if in.base != spack.Scratch {
		ctr := client.Container().From(in.base)
		if len(in.packages) > 0 {
			ctr = ctr.WithExec([]string{"apt-get", "update"}).
				WithExec(append([]string{"apt-get", "install", "-y", "--no-install-recommends"}, in.packages...)).
				WithExec([]string{"rm", "-rf", "/var/lib/apt/lists"})
		}
		return ctr, nil
	}
	osDir, files, err := osLibraries(ctx, client, in.builder, plan, slim.MachineOf(img.elfs), filepath.Join(in.work, "os"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		img.osLibs = append(img.osLibs, f.Path)
		if f.ELF != nil {
			img.elfs = append(img.elfs, *f.ELF)
		}
	}
	*libPath = slim.AppendUnique(*libPath, slim.DirsOf(img.osLibs)...)
	return client.Container().WithDirectory("/", osDir), nil
}

// osLibraries copies from the builder the OS libraries a scratch image needs
// (slim.OSClosure), reading each one's ELF header on the local disk.
func osLibraries(ctx context.Context, client *dagger.Client, builder *dagger.Container, plan *slim.Plan, machine elf.Machine, host string) (*dagger.Directory, []slim.OSFile, error) {
	dirs := slim.OSLibraryDirs(machine)
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
	find := func(name string) string {
		for _, d := range dirs {
			if listing[d][name] {
				return path.Join(d, name)
			}
		}
		return ""
	}
	read := func(img string) (*slim.ELF, error) {
		local := filepath.Join(host, filepath.FromSlash(img))
		if _, err := builder.File(img).Export(ctx, local); err != nil {
			return nil, fmt.Errorf("exporting %s from the builder: %w", img, err)
		}
		return slim.ReadELF(local, img)
	}
	files, err := slim.OSClosure(plan, find, read)
	if err != nil {
		return nil, nil, err
	}
	out := client.Directory()
	for _, f := range files {
		if f.Link {
			out = out.WithSymlink(f.Target, f.Path)
		} else {
			out = out.WithFile(f.Path, builder.File(f.Path))
		}
	}
	return out, files, nil
}
