package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/spack-ghcr/spack-ghcr/results"
	"github.com/spack-ghcr/spack-ghcr/spack/testlog"
)

// The synthetic runs are shaped like the real ones of the test bed
// (results/testdata/capture/passing): one root with build-time tests, and a
// stand-alone suite of its link closure, where the compiler and libc have no tests.
// Their logs are as long as real ones and vary from night to night, so that they
// compress as real logs do.

// synthSpec is one spec of a synthetic environment.
type synthSpec struct {
	name, version, hash string
	parts               []string // stand-alone test parts; none: NO_TESTS
}

var synthPackages = []synthSpec{
	{name: "compiler-wrapper", version: "1.0"},
	{name: "gcc", version: "12.2.0"},
	{name: "gcc-runtime", version: "12.2.0"},
	{name: "glibc", version: "2.36"},
	{name: "gmake", version: "4.3", parts: []string{"test_version"}},
	{name: "zlib", version: "1.3.1", parts: []string{"test_example", "test_minigzip"}},
}

// synthEnv returns the specs of environment env: the common closure plus its root.
func synthEnv(env string, rng *rand.Rand) []synthSpec {
	specs := append([]synthSpec(nil), synthPackages...)
	specs = append(specs, synthSpec{name: env, version: fmt.Sprintf("%d.%d", 1+rng.IntN(3), rng.IntN(20)),
		parts: []string{"test_smoke", "test_headers", "test_run"}})
	for i := range specs {
		specs[i].hash = hash32(rng)
	}
	return specs
}

func hash32(rng *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// synthRun makes the run of env on night (from 0), with its files as the pipeline
// writes them in out/<env>/<run-id>/. About one spec part in forty fails.
func synthRun(env string, specs []synthSpec, start time.Time, night int) results.Upload {
	rng := rand.New(rand.NewPCG(uint64(night), uint64(len(env))*7919+uint64(env[0])))
	started := start.AddDate(0, 0, night).Add(time.Duration(rng.IntN(600)) * time.Second)
	id := fmt.Sprintf("%s-%07x-%s", started.Format("20060102T150405Z"), rng.Uint32()>>4, hash32(rng)[:8])
	suite := hash32(rng)
	r := &results.Run{
		Schema: results.SchemaVersion, ID: id, Environment: env, Started: started,
		Finished: started.Add(time.Duration(300+rng.IntN(900)) * time.Second), Tests: "root",
		Spack:    results.SpackInfo{Version: "1.1.0", Commit: "2e907202bcc8209a6a62243aab50c179b524cc3b"},
		Packages: results.RepoInfo{Namespace: "builtin", Commit: "0dd45961cbeac4f8e00d1ea4d45d4bd86890072b"},
		Image:    results.ImageInfo{Ref: "ghcr.io/spack-ghcr/" + env + ":latest", Digest: "sha256:" + strings.Repeat(hash32(rng)[:16], 4)},
		Suite:    &results.Suite{ID: suite, Alias: id},
	}
	files := map[string][]byte{}
	root := specs[len(specs)-1]
	buildLog := "logs/build-time/" + root.name + "-" + root.version + "-" + root.hash[:7] + ".txt"
	bt := results.SpecResult{ID: "build/" + root.hash, Phase: results.BuildTime, Name: root.name, Version: root.version,
		Hash: root.hash, Status: testlog.Passed, Log: buildLog}
	for _, p := range []string{"check", "installcheck"} {
		bt.Parts = append(bt.Parts, results.Part{Name: p, Status: testlog.Passed, Seconds: float64(rng.IntN(90000)) / 1000})
	}
	r.Specs = append(r.Specs, bt)
	files[buildLog] = synthLog(rng, root, []string{"check", "installcheck"}, 40)
	var lines []string
	for _, s := range specs {
		pkgID := s.name + "-" + s.version + "-" + s.hash[:7]
		sr := results.SpecResult{ID: suite + "/" + s.hash, Phase: results.StandAlone, Name: s.name, Version: s.version,
			Hash: s.hash, Status: testlog.NoTests, Log: "logs/stand-alone/" + pkgID + "-test-out.txt"}
		for _, p := range s.parts {
			part := results.Part{Name: s.name + "::" + p, Status: testlog.Passed, Seconds: float64(rng.IntN(5000)) / 1000}
			if rng.IntN(40) == 0 {
				part.Status, part.Message = testlog.Failed, "Command exited with status 1"
			}
			sr.Parts = append(sr.Parts, part)
		}
		sr.Status = specStatus(sr.Parts)
		if sr.Status == testlog.NoTests {
			sr.Message = "No tests to run"
		}
		r.Specs = append(r.Specs, sr)
		files[sr.Log] = synthLog(rng, s, s.parts, 12)
		lines = append(lines, pkgID+" "+string(sr.Status))
	}
	files["logs/stand-alone/results.txt"] = []byte(strings.Join(lines, "\n") + "\n")
	files["logs/stand-alone/test_suite.lock"] = synthLock(specs)
	data, _ := json.MarshalIndent(r, "", "  ")
	files[results.FileName] = append(data, '\n')
	return results.Upload{Run: r, Files: files}
}

func specStatus(parts []results.Part) testlog.Status {
	if len(parts) == 0 {
		return testlog.NoTests
	}
	for _, p := range parts {
		if p.Status == testlog.Failed {
			return testlog.Failed
		}
	}
	return testlog.Passed
}

// synthLog writes a test log of spec with parts, n lines of output each, stamped
// and numbered differently every night.
func synthLog(rng *rand.Rand, s synthSpec, parts []string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "==> [2026-01-01-02:%02d:%02d.%06d] Testing package %s-%s-%s\n", rng.IntN(60), rng.IntN(60), rng.IntN(1e6), s.name, s.version, s.hash[:7])
	if len(parts) == 0 {
		b.WriteString("==> No tests to run\n")
	}
	for _, p := range parts {
		fmt.Fprintf(&b, "==> [2026-01-01-02:%02d:%02d.%06d] test: %s: exercise %s\n", rng.IntN(60), rng.IntN(60), rng.IntN(1e6), p, s.name)
		for i := range n {
			fmt.Fprintf(&b, "checking %s step %d ... ok (%d us, rss %d kB)\n", p, i, rng.IntN(100000), 1000+rng.IntN(90000))
		}
		fmt.Fprintf(&b, "PASSED: %s::%s\n", strings.ToUpper(s.name[:1])+s.name[1:], p)
	}
	return []byte(b.String())
}

// synthLock is a test_suite.lock of the specs, about as long as a real one.
func synthLock(specs []synthSpec) []byte {
	type node struct {
		Name, Version, Namespace, Hash string
		Arch                           map[string]string
	}
	var doc struct {
		Specs []struct {
			Spec struct{ Nodes []node } `json:"spec"`
		} `json:"specs"`
	}
	for range specs {
		var entry struct {
			Spec struct{ Nodes []node } `json:"spec"`
		}
		for _, d := range specs {
			entry.Spec.Nodes = append(entry.Spec.Nodes, node{d.name, d.version, "builtin", d.hash, map[string]string{"platform": "linux", "os": "debian12", "target": "x86_64_v3"}})
		}
		doc.Specs = append(doc.Specs, entry)
	}
	data, _ := json.Marshal(doc)
	return data
}
