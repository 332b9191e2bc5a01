package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spack-ghcr/spack-ghcr/github/actions"
	"github.com/spack-ghcr/spack-ghcr/registry"
)

// manifestConfig is `go run ./ci manifest`'s command line.
type manifestConfig struct {
	refs         []string // REPO@sha256:… from the arguments
	from         []string // files listing more, one a line
	tags         []string
	platforms    []string // each index must hold exactly these
	registryUser string
	insecure     bool
}

func newManifestCmd() *cobra.Command {
	var cfg manifestConfig
	cmd := &cobra.Command{
		Use:   "manifest [flags] IMAGE@DIGEST...",
		Short: "join per-architecture images into one multi-platform image index and tag it",
		Long: `Manifest joins images that per-architecture builds pushed by digest into one OCI image
index per repository, pushes the index by digest, then moves its tags, latest last.

The tags are the usual ones (latest, the root's version for a one-root environment, the
short revision), read from the images' labels, which must agree; -tag replaces them. In
GitHub Actions it publishes only where build does (a push, schedule or manual run of the
default branch) and otherwise says why and does nothing. The index reference, with its
digest, goes to stdout.`,
		Args: func(c *cobra.Command, args []string) error {
			cfg.refs = args
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runManifest(cmd.Context(), cfg, os.Getenv, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&cfg.from, "from", nil, "read image references from this file, one a line (repeatable)")
	fs.StringArrayVar(&cfg.tags, "tag", nil, "tag the index with this instead of the usual tags (repeatable)")
	fs.StringSliceVar(&cfg.platforms, "platforms", nil, "platforms every index must hold, e.g. linux/amd64,linux/arm64: a repository missing one is reported and left as it was")
	fs.StringVar(&cfg.registryUser, "registry-user", os.Getenv("GITHUB_ACTOR"), "registry user name; the password is read from $REGISTRY_TOKEN, else $GITHUB_TOKEN (default $GITHUB_ACTOR)")
	fs.BoolVar(&cfg.insecure, "insecure", false, "talk plain HTTP to the registry (a local test registry)")
	return cmd
}

func runManifest(ctx context.Context, cfg manifestConfig, getenv func(string) string, stdout io.Writer) error {
	refs, err := cfg.allRefs()
	if err != nil {
		return err
	}
	byRepo, err := registry.GroupByRepository(refs)
	if err != nil {
		return usageError("manifest: %v", err)
	}
	opts, err := registryOptions(cfg.registryUser, cfg.insecure, getenv)
	if err != nil {
		return err
	}
	if ok, why, err := actions.MayPublish(getenv); err != nil {
		return err
	} else if !ok {
		log.Printf("manifest: not publishing: %s", why)
		return nil
	}
	// One repository's failure (a platform whose build failed) leaves the others to be
	// published: they are separate images.
	var failed []string
	for _, repo := range slices.Sorted(maps.Keys(byRepo)) {
		pushed, err := registry.PushJoined(ctx, byRepo[repo], cfg.tags, cfg.platforms, opts...)
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		var moved []string
		for _, t := range pushed.Tags {
			moved = append(moved, t.TagStr())
		}
		log.Printf("%s: index %s of %d images, tags %s", repo, pushed.Digest.DigestStr(), len(byRepo[repo]), strings.Join(moved, ", "))
		fmt.Fprintln(stdout, pushed.Digest)
	}
	if len(failed) > 0 {
		return fmt.Errorf("manifest: %d of %d repositories not tagged: %s", len(failed), len(byRepo), strings.Join(failed, "; "))
	}
	return nil
}

// allRefs are the arguments and the lines of the -from files, without blank lines and
// #-comments.
func (cfg manifestConfig) allRefs() ([]string, error) {
	refs := slices.Clone(cfg.refs)
	for _, path := range cfg.from {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError("manifest: -from: %v", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
				refs = append(refs, line)
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	if len(refs) == 0 {
		return nil, usageError("manifest: name the per-architecture images (REPOSITORY@sha256:DIGEST), as arguments or with -from")
	}
	return refs, nil
}

// registryOptions are the credentials and transport for the registry: a user with the
// password from $REGISTRY_TOKEN or $GITHUB_TOKEN (never a flag, so it stays out of
// process listings and logs), or anonymous access without a user.
func registryOptions(user string, insecure bool, getenv func(string) string) ([]registry.Option, error) {
	var opts []registry.Option
	if insecure {
		opts = append(opts, registry.WithInsecure())
	}
	if user == "" {
		return opts, nil
	}
	password := cmp.Or(getenv("REGISTRY_TOKEN"), getenv("GITHUB_TOKEN"))
	if password == "" {
		return nil, usageError("--registry-user %s needs a password in $REGISTRY_TOKEN or $GITHUB_TOKEN", user)
	}
	return append(opts, registry.WithBasicAuth(user, password)), nil
}
