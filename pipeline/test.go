package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"dagger.io/dagger"

	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/spack"
	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// testStageDir is our config:test_stage, where `spack test run` leaves each suite in a
// directory named by the suite id; junitReport is Spack's JUnit report beside them.
const (
	testStageDir = "/opt/spack-ghcr/test"
	junitReport  = "spack-junit.xml"
)

// testInputs are what the test stage takes.
type testInputs struct {
	builder    *Builder
	installed  *installed
	lockfile   *spack.Lockfile
	tests      string // none, root or all: the build-time tests Spack ran
	standAlone bool
	timeout    int // seconds per package's stand-alone tests, 0 for none
	work       string
}

// runTests records the build-time tests' logs and runs and records the stand-alone
// tests. A failing test is a result in the capture, not an error.
func runTests(ctx context.Context, c *results.Capture, in testInputs) error {
	specs := in.lockfile.TestedSpecs(in.tests)
	if err := captureBuildTime(ctx, c, in.installed.ctr, specs, in.installed.prefixes, true, in.work); err != nil {
		return err
	}
	if !in.standAlone {
		return nil
	}
	// --dirty keeps CC and friends, which tests that compile code need; the exit code
	// says whether a test failed, which the suite's files say too.
	args := []string{"test", "run", "--dirty", "--alias", c.Run.ID,
		"--log-format", "junit", "--log-file", testStageDir + "/" + junitReport}
	if in.timeout > 0 {
		args = append(args, "--timeout", strconv.Itoa(in.timeout))
	}
	tested := in.installed.ctr.WithExec(in.builder.envCmd(args...), dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	if _, err := tested.ExitCode(ctx); err != nil {
		return fmt.Errorf("running stand-alone tests: %w", execDetail(err))
	}
	return captureStandAlone(ctx, c, tested, in.work)
}

// captureBuildTime exports each tested spec's install-time test log, from its prefix
// after a successful install or from its stage after a failed one, and records it.
func captureBuildTime(ctx context.Context, c *results.Capture, builder *dagger.Container, specs []*spack.ConcreteSpec, prefixes map[string]string, installed bool, work string) error {
	name := path.Base(testlog.InstallLog)
	for _, s := range specs {
		id := results.SpecID{Name: s.Name, Version: s.Version, Hash: s.Hash}
		dir := filepath.Join(work, "build-time", s.Hash)
		var src *dagger.Directory
		if prefix, ok := prefixes[s.Hash]; ok && installed {
			src = builder.Directory(path.Join(prefix, path.Dir(testlog.InstallLog)))
		} else {
			src = builder.Directory(fmt.Sprintf("%s/spack-stage-%s-%s-%s", stageDir, s.Name, s.Version, s.Hash))
		}
		logs := src.Filter(dagger.DirectoryFilterOpts{Include: []string{name}})
		if _, err := logs.Export(ctx, dir); err != nil {
			// Neither a prefix nor a stage: the install stopped before this spec.
			c.AddBuildTime(id, &testlog.InstallTests{Status: testlog.NoTests}, "")
			continue
		}
		logFile := filepath.Join(dir, name)
		f, err := os.Open(logFile)
		if err != nil {
			c.AddBuildTime(id, &testlog.InstallTests{Status: testlog.NoTests}, "")
			continue
		}
		t, err := testlog.ParseInstallLog(f, installed)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", logFile, err)
		}
		c.AddBuildTime(id, t, logFile)
	}
	return nil
}

// captureStandAlone exports the suite `spack test run` left and records it.
func captureStandAlone(ctx context.Context, c *results.Capture, tested *dagger.Container, work string) error {
	dir := filepath.Join(work, "stand-alone")
	if _, err := tested.Directory(testStageDir).Export(ctx, dir); err != nil {
		return fmt.Errorf("exporting the test suite: %w", err)
	}
	suiteDir, suite, err := testlog.ReadStage(dir, junitReport)
	if errors.Is(err, testlog.ErrNoSuite) {
		return fmt.Errorf("spack test run left no suite in %s", testStageDir)
	}
	if err != nil {
		return err
	}
	return c.AddSuite(suiteDir, suite)
}
