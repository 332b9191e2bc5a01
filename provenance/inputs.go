// Package provenance holds what a runtime image is made from and the record of its
// build: the inputs that decide the image (Inputs), the labels that carry them in the
// image, the image's tags, and OUT/ENV/build.json (Record). Labels and build.json are
// the record of the inputs, so one package owns both formats; `verify` reads them back
// to rebuild an image (docs/reproducible.md).
package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// Inputs are what a runtime image is a function of. They are resolved before anything
// is built, recorded in the image's labels and in build.json, and hashed into Key,
// which says whether a run has anything to do (docs/reproducible.md).
type Inputs struct {
	// Key is the sha256 of every field below but Lockfile, "" when one of them could
	// not be established (then nothing is ever skipped).
	Key         string `json:"key"`
	Environment string `json:"environment"`
	// EnvironmentSHA256 covers the files that enter the builder: spack.yaml, a
	// committed spack.lock, smoke.sh, repo/ and what the environment includes.
	EnvironmentSHA256 string `json:"environment_sha256"`
	// Builder and Base are the images by digest; Base is "scratch" for none.
	Builder      string `json:"builder_image"`
	Base         string `json:"runtime_base_image"`
	SpackVersion string `json:"spack_version"`
	// Packages is the spack-packages commit, with "+dirty.<sha256>" for local
	// changes to a checkout.
	Packages string `json:"packages_commit"`
	// Settings are the flags that change the image or the tests, "name=value ..."
	// (Settings.String).
	Settings string `json:"settings"`
	// SourceDateEpoch dates the image and every file in it.
	SourceDateEpoch int64  `json:"source_date_epoch"`
	Revision        string `json:"revision,omitempty"`
	Source          string `json:"source,omitempty"`
	// Pipeline is the sha256 of the program that builds: its code decides what ships.
	Pipeline string `json:"pipeline_sha256"`
	// Lockfile is the sha256 of spack.lock as installed. It follows from the inputs
	// above (or is committed with the environment), and is known only after
	// concretizing, so it is recorded but not part of Key.
	Lockfile string `json:"lockfile_sha256,omitempty"`
}

// Sum hashes the inputs that decide the image and the tests: the value of Key.
func (in Inputs) Sum() string {
	in.Key, in.Lockfile = "", ""
	data, _ := json.Marshal(in) // a struct of strings and numbers always marshals
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Settings are the build flags that change the image or how it is tested. Flags that
// only say where output goes (-out, -export, -registry, -summary) and the caches
// (-mirror) are not among them.
type Settings struct {
	BuilderOS   string
	MaxSizeMB   float64
	Profile     string
	StandAlone  bool
	Target      string
	TestTimeout int
	Tests       string
}

// String is the settings as Inputs records them: "name=value ...", sorted by name.
func (s Settings) String() string {
	return strings.Join([]string{
		"builder-os=" + s.BuilderOS,
		"max-size=" + strconv.FormatFloat(s.MaxSizeMB, 'g', -1, 64),
		"profile=" + s.Profile,
		"stand-alone=" + strconv.FormatBool(s.StandAlone),
		"target=" + s.Target,
		"test-timeout=" + strconv.Itoa(s.TestTimeout),
		"tests=" + s.Tests,
	}, " ")
}

// ParseSettings reads back what String wrote; a setting missing or unreadable is its
// zero value.
func ParseSettings(s string) Settings {
	get := func(name string) string {
		for _, f := range strings.Fields(s) {
			if k, v, ok := strings.Cut(f, "="); ok && k == name {
				return v
			}
		}
		return ""
	}
	maxSize, _ := strconv.ParseFloat(get("max-size"), 64)
	timeout, _ := strconv.Atoi(get("test-timeout"))
	return Settings{
		BuilderOS: get("builder-os"), MaxSizeMB: maxSize, Profile: get("profile"),
		StandAlone: get("stand-alone") == "true", Target: get("target"), TestTimeout: timeout,
		Tests: get("tests"),
	}
}
