package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"dagger.io/dagger"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/slim"
	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// Real-world defaults; the test bed overrides them with flags.
const (
	defaultBuilderImage = "ghcr.io/spack/ubuntu-noble:1.1.0"
	defaultRuntimeImage = "ubuntu:24.04"
)

// buildConfig is `go run ./ci build`'s command line.
type buildConfig struct {
	environments string // the directory holding environments/<name>
	envs         []string
	builderImage string
	runtimeImage string
	packagesDir  string
	mirrorDir    string
	target       string
	profile      slim.Profile
	tests        string
	registry     string
	tags         []string
	export       bool
	out          string
	maxSizeMB    float64
	source       string
	revision     string
	pins         string
	standAlone   bool
	testTimeout  int
	cacheKey     string // bench only: see builderSettings.cacheKey
	registryUser string
	summary      string
	auth         *dagger.Secret // set by cmdBuild from the environment, never a flag
}

func (c *buildConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.environments, "environments", "environments", "directory holding one directory per environment")
	fs.StringVar(&c.builderImage, "builder-image", "", "Spack builder image (default: container.images.build, else "+defaultBuilderImage+")")
	fs.StringVar(&c.runtimeImage, "runtime-image", "", `runtime base image, or "scratch" for a distroless image (default: container.images.final or .os, else `+defaultRuntimeImage+")")
	packagesFlag(fs, &c.packagesDir, ", else the git pin in pins.yaml")
	fs.StringVar(&c.mirrorDir, "mirror", "", "local Spack source mirror directory (optional)")
	fs.StringVar(&c.target, "target", defaultTarget(), `target microarchitecture unless the environment sets one ("" leaves it to Spack)`)
	fs.StringVar((*string)(&c.profile), "profile", string(slim.Runtime), "what the image keeps: runtime, or devel (headers and static libraries too)")
	fs.StringVar(&c.tests, "tests", "root", "build-time tests: none, root or all")
	fs.BoolVar(&c.standAlone, "stand-alone", true, "run Spack's stand-alone tests (spack test run) after install")
	fs.IntVar(&c.testTimeout, "test-timeout", 600, "seconds each package's stand-alone tests may take (0: no limit)")
	fs.StringVar(&c.registry, "registry", "", "publish to this registry namespace, e.g. ghcr.io/OWNER (default: do not publish)")
	fs.StringVar(&c.registryUser, "registry-user", os.Getenv("GITHUB_ACTOR"), "registry user name; the password is read from $REGISTRY_TOKEN, else $GITHUB_TOKEN (default $GITHUB_ACTOR)")
	fs.StringVar(&c.summary, "summary", os.Getenv("GITHUB_STEP_SUMMARY"), "append each run's test summary (Markdown) to this file (default $GITHUB_STEP_SUMMARY)")
	fs.BoolVar(&c.export, "export", true, "write the image as an OCI tarball to OUT/ENV/image.tar")
	fs.StringVar(&c.out, "out", "out", "directory for spack.lock, logs, build.json and the image tarball")
	fs.Float64Var(&c.maxSizeMB, "max-size", 0, "fail before publishing if the runtime image's payload exceeds this many MB (0: no limit)")
	fs.StringVar(&c.source, "source", sourceURL(), "org.opencontainers.image.source label (default from $GITHUB_SERVER_URL/$GITHUB_REPOSITORY)")
	fs.StringVar(&c.revision, "revision", os.Getenv("GITHUB_SHA"), "org.opencontainers.image.revision label (default $GITHUB_SHA)")
	fs.StringVar(&c.pins, "pins", "pins.yaml", "file pinning the Spack version and the spack-packages commit")
}

func defaultTarget() string {
	if runtime.GOARCH == "amd64" {
		return "x86_64_v3"
	}
	return ""
}

func sourceURL() string {
	if repo := os.Getenv("GITHUB_REPOSITORY"); repo != "" {
		return envOr("GITHUB_SERVER_URL", "https://github.com") + "/" + repo
	}
	return ""
}

func (c *buildConfig) validate() error {
	if len(c.envs) == 0 {
		return usageError("build: name at least one environment (a directory under %s)", c.environments)
	}
	for _, e := range c.envs {
		if !spack.ValidName(e) {
			return usageError("build: environment name %q must be lowercase letters, digits, '.', '_' or '-'", e)
		}
	}
	if _, ok := slim.ParseProfile(string(c.profile)); !ok {
		return usageError("build: -profile %q: want runtime or devel", c.profile)
	}
	switch c.tests {
	case "none", "root", "all":
	default:
		return usageError("build: -tests %q: want none, root or all", c.tests)
	}
	for _, d := range []struct{ flag, dir string }{{"-packages", c.packagesDir}, {"-mirror", c.mirrorDir}} {
		if d.dir == "" {
			continue
		}
		if fi, err := os.Stat(d.dir); err != nil || !fi.IsDir() {
			return usageError("build: %s %s: not a directory", d.flag, d.dir)
		}
	}
	if c.maxSizeMB < 0 {
		return usageError("build: -max-size must not be negative")
	}
	return nil
}

func newBuildCmd() *cobra.Command {
	var cfg buildConfig
	cmd := &cobra.Command{
		Use:   "build [flags] ENV...",
		Short: "concretize, install, test, slim and smoke-test each environment, then export and/or publish its image",
		Long: `Build runs the pipeline for each environments/ENV: builder, concretize, install with
build-time tests, stand-alone tests, runtime image, smoke test, then export and/or
publish. Image references go to stdout, progress to stderr, everything else to OUT/ENV/.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.envs = args
			return runBuild(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	cfg.register(cmd.Flags())
	return cmd
}

func runBuild(ctx context.Context, cfg buildConfig, stdout io.Writer) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	// Load every environment before starting the engine: bad input fails in a second.
	envs := make([]*spack.Environment, 0, len(cfg.envs))
	for _, name := range cfg.envs {
		env, err := spack.LoadEnvironment(filepath.Join(cfg.environments, name, "spack.yaml"))
		if err != nil {
			return err
		}
		envs = append(envs, env)
	}
	pins, err := loadPins(cfg.pins)
	if err != nil {
		return err
	}
	// The registry password is read once, here, and lives on only as a Dagger secret.
	registryToken := firstNonEmpty(os.Getenv("REGISTRY_TOKEN"), os.Getenv("GITHUB_TOKEN"))
	if cfg.registry != "" && cfg.registryUser != "" && registryToken == "" {
		return usageError("build: -registry-user %s needs a password in $REGISTRY_TOKEN or $GITHUB_TOKEN", cfg.registryUser)
	}
	client, err := connect(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	if cfg.registry != "" && cfg.registryUser != "" {
		cfg.auth = client.SetSecret("registry-token", registryToken)
	}
	for _, env := range envs {
		res, err := buildEnvironment(ctx, client, cfg, pins, env)
		if err != nil {
			return fmt.Errorf("%s: %w", env.Name, err)
		}
		if res.Ref != "" {
			fmt.Fprintln(stdout, res.Ref)
		} else if res.Tarball != "" {
			fmt.Fprintln(stdout, res.Tarball)
		}
	}
	return nil
}

// connect starts a Dagger session: the `dagger run` session when there is one, the test
// bed's engine, or one the dagger CLI provisions.
func connect(ctx context.Context) (*dagger.Client, error) {
	opts := []dagger.ClientOpt{}
	if os.Getenv("SPACK_GHCR_VERBOSE") != "" {
		opts = append(opts, dagger.WithLogOutput(os.Stderr))
	}
	// The SDK retries an unreachable engine without end; an engine named by address
	// answers in seconds, so give up after a bound then. Provisioning one through the
	// CLI may take minutes and is left alone.
	type result struct {
		client *dagger.Client
		err    error
	}
	done := make(chan result, 1)
	go func() {
		c, err := dagger.Connect(ctx, opts...)
		done <- result{c, err}
	}()
	var timeout <-chan time.Time
	if host := os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"); host != "" {
		timeout = time.After(connectTimeout)
	}
	hint := "run under 'dagger run', or start the test bed: ../shared/testbed/up"
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("connecting to the Dagger engine: %w (%s)", r.err, hint)
		}
		return r.client, nil
	case <-timeout:
		return nil, fmt.Errorf("connecting to the Dagger engine at %s: no answer in %s (%s)", os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"), connectTimeout, hint)
	}
}

// connectTimeout bounds the wait for an engine named by _EXPERIMENTAL_DAGGER_RUNNER_HOST.
const connectTimeout = 30 * time.Second

// buildResult is written to OUT/ENV/build.json.
type buildResult struct {
	Environment   string             `json:"environment"`
	RunID         string             `json:"run_id"`
	Roots         []string           `json:"roots"`
	Target        string             `json:"target,omitempty"`
	BuilderImage  string             `json:"builder_image"`
	RuntimeImage  string             `json:"runtime_base_image"`
	Ref           string             `json:"ref,omitempty"`
	Digest        string             `json:"digest,omitempty"`
	Tarball       string             `json:"tarball,omitempty"`
	BuilderBytes  int64              `json:"builder_bytes"`
	RuntimeBytes  int64              `json:"runtime_bytes"`
	PayloadBytes  int64              `json:"payload_bytes"`
	FloorBytes    int64              `json:"floor_bytes"`
	Layers        int                `json:"layers"`
	PackageBytes  map[string]int64   `json:"package_bytes"`
	Externals     []string           `json:"externals,omitempty"`
	OSLibraries   []string           `json:"os_libraries,omitempty"`
	BuiltFromSrc  []string           `json:"built_from_source"`
	FromCache     []string           `json:"from_binary_cache"`
	StageSeconds  map[string]float64 `json:"stage_seconds"`
	TotalSeconds  float64            `json:"total_seconds"`
	SmokeTestedOK int                `json:"smoke_tested_elf_files"`

	// installed is the builder after install, for bench's comparison image.
	installed *dagger.Container
}

// stageTimer records how long each stage took, for build.json and the log.
type stageTimer struct {
	env   string
	start time.Time
	last  time.Time
	times map[string]float64
}

func newStageTimer(env string) *stageTimer {
	now := time.Now()
	return &stageTimer{env: env, start: now, last: now, times: map[string]float64{}}
}

func (t *stageTimer) begin(stage string) {
	log.Printf("%s: %s", t.env, stage)
	t.last = time.Now()
}

func (t *stageTimer) end(stage string) {
	t.times[stage] += time.Since(t.last).Seconds()
}

// buildEnvironment runs the whole pipeline for one environment.
func buildEnvironment(ctx context.Context, client *dagger.Client, cfg buildConfig, pins *pinFile, env *spack.Environment) (*buildResult, error) {
	out := filepath.Join(cfg.out, env.Name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	timer := newStageTimer(env.Name)
	builderImage := firstNonEmpty(cfg.builderImage, env.Container.Images.Build, defaultBuilderImage)
	runtimeImage := firstNonEmpty(cfg.runtimeImage, env.Container.Images.Final, env.Container.Images.OS, defaultRuntimeImage)
	res := &buildResult{Environment: env.Name, BuilderImage: builderImage, RuntimeImage: runtimeImage, StageSeconds: timer.times}

	settings := builderSettings{
		image:        builderImage,
		spackVersion: pins.Spack.Version,
		target:       cfg.target,
		osPackages:   env.Container.OSPackages.Build,
		packages:     packageSource{git: pins.Packages.Git, commit: pins.Packages.Commit},
		cacheKey:     cfg.cacheKey,
	}
	if cfg.packagesDir != "" {
		settings.packages = packageSource{dir: client.Host().Directory(cfg.packagesDir, dagger.HostDirectoryOpts{Exclude: []string{".git"}})}
	}
	if cfg.mirrorDir != "" {
		settings.mirror = client.Host().Directory(cfg.mirrorDir)
	}
	res.Target = firstNonEmpty(env.Target, cfg.target)

	envSrc := client.Host().Directory(filepath.Dir(env.Path), dagger.HostDirectoryOpts{Include: []string{"spack.yaml", "spack.lock", "smoke.sh", "repo/**"}})
	var lock *dagger.File
	if _, err := os.Stat(filepath.Join(filepath.Dir(env.Path), "spack.lock")); err == nil {
		lock = envSrc.File("spack.lock")
	}
	// An environment may carry its own package repository in repo/, named in its
	// spack.yaml as $env/repo/spack_repo/<namespace>.
	var repo *dagger.Directory
	if fi, err := os.Stat(filepath.Join(filepath.Dir(env.Path), "repo")); err == nil && fi.IsDir() {
		repo = envSrc.Directory("repo")
	}
	builder := builderBase(client, settings).
		With(withSpackConfig(settings, env.Target)).
		With(withEnvironment(envSrc.File("spack.yaml"), lock, repo))

	timer.begin("concretizing")
	concretized := builder.With(concretize)
	if err := checkExec(ctx, concretized, filepath.Join(out, "concretize.log"), "concretizing"); err != nil {
		return nil, err
	}
	lockPath := filepath.Join(out, "spack.lock")
	if _, err := concretized.File(envDir+"/spack.lock").Export(ctx, lockPath); err != nil {
		return nil, fmt.Errorf("exporting spack.lock: %w", err)
	}
	timer.end("concretize")
	lockData, err := os.ReadFile(lockPath)
	if err != nil {
		return nil, err
	}
	lf, err := spack.ParseLockfile(lockPath, lockData)
	if err != nil {
		return nil, err
	}
	for _, r := range lf.RootSpecs() {
		res.Roots = append(res.Roots, r.Name+"@"+r.Version+"/"+r.Hash)
	}
	closure := lf.RuntimeClosure()
	for _, x := range closure.Externals {
		res.Externals = append(res.Externals, x.Name+"@"+x.Version+" ("+x.External+")")
	}
	if len(res.Externals) > 0 {
		log.Printf("%s: not shipped, the runtime OS must provide: %s", env.Name, strings.Join(res.Externals, ", "))
	}

	runID := results.NewRunID(time.Now(), cfg.revision)
	capture := results.NewCapture(runID, env.Name, timer.start)
	capture.Run.Spack = results.SpackInfo{Version: lf.SpackVersion}
	capture.Run.Tests = cfg.tests
	capture.Run.Packages = results.RepoInfo{Namespace: "builtin", Commit: packagesCommit(cfg, pins)}
	work, err := os.MkdirTemp("", "spack-ghcr-"+env.Name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	// saveResults writes what the tests said; it runs on every path out of the
	// pipeline once tests have run, so no result is lost when a later stage fails.
	saveResults := func() error {
		capture.Run.Finished = time.Now().UTC()
		dir, err := capture.Write(cfg.out)
		if err != nil {
			return err
		}
		log.Printf("%s: test results in %s", env.Name, dir)
		return appendSummary(cfg.summary, filepath.Join(dir, results.SummaryFile))
	}

	timer.begin("installing")
	installed := concretized.With(install(cfg.tests))
	installErr := checkExec(ctx, installed, filepath.Join(out, "install.log"), "installing")
	if installErr != nil {
		// Keep Spack's build logs of the failed package for the reader.
		logs := installed.Directory(stageDir).Filter(dagger.DirectoryFilterOpts{Include: []string{"**/spack-build-out.txt", "**/spack-build-env.txt", "**/config.log", "**/install-time-test-log.txt"}})
		if _, xerr := logs.Export(ctx, filepath.Join(out, "build-logs")); xerr == nil {
			installErr = fmt.Errorf("%w (build logs in %s)", installErr, filepath.Join(out, "build-logs"))
		}
		if err := captureBuildTime(ctx, capture, installed, specsUnderTest(lf, cfg.tests), nil, false, work); err != nil {
			log.Printf("%s: capturing build-time tests: %v", env.Name, err)
		}
		if err := saveResults(); err != nil {
			log.Printf("%s: %v", env.Name, err)
		}
		return nil, installErr
	}
	installLog, _ := os.ReadFile(filepath.Join(out, "install.log"))
	res.BuiltFromSrc, res.FromCache = parseInstallSources(string(installLog))
	timer.end("install")
	log.Printf("%s: %d built from source, %d from the binary cache", env.Name, len(res.BuiltFromSrc), len(res.FromCache))

	found, err := installed.WithExec(prefixesCmd()).Stdout(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing install prefixes: %w", execDetail(err))
	}
	prefixes := parsePrefixes(found)
	res.installed = installed
	load := []string{"load", "--sh"}
	for _, r := range lf.RootSpecs() {
		load = append(load, "/"+r.Hash)
	}
	loadOut, err := installed.WithExec(spackEnvCmd(load...)).Stdout(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the run environment: %w", execDetail(err))
	}
	runEnv, err := spack.ParseShellExports(loadOut)
	if err != nil {
		return nil, err
	}

	timer.begin("testing")
	if err := captureBuildTime(ctx, capture, installed, specsUnderTest(lf, cfg.tests), prefixes, true, work); err != nil {
		return nil, err
	}
	if cfg.standAlone {
		tested := installed.With(standAloneTests(runID, cfg.testTimeout))
		if _, err := tested.ExitCode(ctx); err != nil {
			return nil, fmt.Errorf("running stand-alone tests: %w", execDetail(err))
		}
		if err := captureStandAlone(ctx, capture, tested, work); err != nil {
			return nil, err
		}
	}
	timer.end("test")
	if capture.Run.Failed() {
		if err := saveResults(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("tests failed: %s: nothing published", failedSpecs(capture.Run))
	}

	timer.begin("assembling runtime image")
	img, err := assembleRuntime(ctx, client, runtimeInputs{
		builder: installed, closure: closure, prefixes: prefixes,
		profile: cfg.profile, strip: env.Container.Strip, base: runtimeImage,
		packages: env.Container.OSPackages.Final, work: work, runEnv: runEnv,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling the runtime image: %w", err)
	}
	res.PackageBytes, res.FloorBytes, res.OSLibraries = img.sizes, img.floor, img.osLibs
	ctr := img.ctr.With(withLabels(imageLabels(cfg, env, lf, res.Target, settings.spackVersion)))
	timer.end("runtime")

	timer.begin("smoke testing")
	if err := smokeTest(ctx, ctr, img.elfs); err != nil {
		return nil, err
	}
	res.SmokeTestedOK = len(img.elfs)
	if _, err := os.Stat(filepath.Join(filepath.Dir(env.Path), "smoke.sh")); err == nil {
		if runtimeImage == scratch {
			return nil, errors.New("smoke.sh needs /bin/sh, which a scratch image does not have: drop smoke.sh or use a base image")
		}
		if err := runSmokeScript(ctx, ctr, envSrc.File("smoke.sh")); err != nil {
			return nil, err
		}
	}
	timer.end("smoke")

	timer.begin("measuring")
	sizes, err := measureImage(ctx, client, ctr, runtimeImage, filepath.Join(out, "image.tar"))
	if err != nil {
		return nil, err
	}
	res.RuntimeBytes, res.PayloadBytes, res.Layers = sizes.total, sizes.payload, sizes.layers
	if cfg.export {
		res.Tarball = filepath.Join(out, "image.tar")
	} else {
		os.Remove(filepath.Join(out, "image.tar"))
	}
	if b, err := builderSize(ctx, installed); err == nil {
		res.BuilderBytes = b
	}
	timer.end("measure")
	if limit := int64(cfg.maxSizeMB * 1e6); limit > 0 && res.PayloadBytes > limit {
		return nil, fmt.Errorf("runtime image payload is %.1f MB, over the -max-size limit of %.1f MB: nothing published", float64(res.PayloadBytes)/1e6, cfg.maxSizeMB)
	}

	if cfg.registry != "" {
		timer.begin("publishing")
		if cfg.auth != nil {
			host, _, _ := strings.Cut(cfg.registry, "/")
			ctr = ctr.WithRegistryAuth(host, cfg.registryUser, cfg.auth)
		}
		ref, err := publish(ctx, ctr, cfg.registry, env.Name, imageTags(cfg, lf))
		if err != nil {
			return nil, err
		}
		res.Ref = ref
		if _, digest, ok := strings.Cut(ref, "@"); ok {
			res.Digest = digest
		}
		timer.end("publish")
		log.Printf("%s: pushed %s", env.Name, ref)
	}
	capture.Run.Image = results.ImageInfo{Ref: res.Ref, Digest: res.Digest}
	if err := saveResults(); err != nil {
		return nil, err
	}
	res.RunID = runID
	res.TotalSeconds = time.Since(timer.start).Seconds()
	if err := writeJSON(filepath.Join(out, "build.json"), res); err != nil {
		return nil, err
	}
	log.Printf("%s: payload %s (floor %s), %d layers, %.0fs", env.Name, mb(res.PayloadBytes), mb(res.FloorBytes), res.Layers, res.TotalSeconds)
	return res, nil
}

// checkExec evaluates a container whose last exec may fail, writes its output to
// logPath, and turns a non-zero exit into an error with the end of its stderr.
func checkExec(ctx context.Context, c *dagger.Container, logPath, what string) error {
	code, err := c.ExitCode(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, execDetail(err))
	}
	stdout, _ := c.Stdout(ctx)
	stderr, _ := c.Stderr(ctx)
	if err := os.WriteFile(logPath, []byte(stdout+stderr), 0o644); err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("%s: spack exited %d: %s (full log: %s)", what, code, firstLines(spackErrors(stdout+"\n"+stderr), 4), logPath)
	}
	return nil
}

// spackErrors keeps Spack's "==> Error:" lines, each with the indented lines that
// explain it (the concretizer's reasons), when there are any, since the end of the log
// is often a traceback or a summary.
func spackErrors(out string) string {
	var errs []string
	inError := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "Error:"):
			errs = append(errs, strings.TrimSpace(line))
			inError = true
		case inError && strings.HasPrefix(line, " ") && strings.TrimSpace(line) != "":
			errs = append(errs, strings.TrimSpace(line))
		default:
			inError = false
		}
	}
	if len(errs) > 0 {
		return strings.Join(errs, "\n")
	}
	return out
}

// execDetail shortens an engine error to the command and the end of its stderr.
func execDetail(err error) error {
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s exited %d: %s", strings.Join(ee.Cmd, " "), ee.ExitCode, lastLines(ee.Stderr, 4))
	}
	return err
}

// parseInstallSources reads `spack install` output for which specs were built from
// source ("==> No binary for X found: installing from source") and which came from a
// binary cache ("==> Extracting X from binary cache").
func parseInstallSources(out string) (built, cached []string) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 6 && f[0] == "==>" && f[1] == "No" && f[2] == "binary" && strings.HasSuffix(line, "installing from source"):
			built = append(built, f[4])
		case len(f) >= 6 && f[0] == "==>" && f[1] == "Extracting" && strings.HasSuffix(line, "from binary cache"):
			cached = append(cached, f[2])
		}
	}
	return built, cached
}

// failedSpecs names the specs whose tests failed, for the error line.
func failedSpecs(r *results.Run) string {
	var names []string
	for _, s := range r.Specs {
		if s.Status == testlog.Failed {
			names = append(names, fmt.Sprintf("%s@%s (%s)", s.Name, s.Version, s.Phase))
		}
	}
	return strings.Join(names, ", ")
}

// packagesCommit names the package repository's commit for the results: the pin, or
// the local checkout's HEAD when there is one.
func packagesCommit(cfg buildConfig, pins *pinFile) string {
	if cfg.packagesDir == "" {
		return pins.Packages.Commit
	}
	out, err := exec.Command("git", "-C", cfg.packagesDir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// appendSummary adds a run's summary.md to the GitHub job summary file, if any.
func appendSummary(summaryFile, mdFile string) error {
	if summaryFile == "" {
		return nil
	}
	md, err := os.ReadFile(mdFile)
	if err != nil {
		return err
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

// firstLines keeps the start of a message, where Spack says what went wrong first.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}
