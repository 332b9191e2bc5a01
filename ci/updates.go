package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/spack-ghcr/spack-ghcr/github"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// defaultIgnoreFile lists packages and versions the update bot leaves alone; see
// docs/updates.md.
const defaultIgnoreFile = ".github/updates-ignore"

// updatesConfig is `go run ./ci updates`'s command line.
type updatesConfig struct {
	env            string
	dryRun         bool
	openPRs        bool
	maxPRs         int
	packagesDir    string
	environments   string
	ignoreFile     string
	ignoreSet      bool // -ignore was given, so the file must exist
	pins           string
	repo           string
	apiURL         string
	base           string
	packagesRemote string
	bench          bool
}

func (c *updatesConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.env, "env", "", "check only environments/NAME (default: every environment)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the table of updates and change nothing")
	fs.BoolVar(&c.openPRs, "open-prs", false, "open one pull request per update instead of editing files (needs GITHUB_TOKEN)")
	fs.IntVar(&c.maxPRs, "max-prs", 10, "open at most this many pull requests per run")
	packagesFlag(fs, &c.packagesDir, "; at the pin of pins.yaml")
	fs.StringVar(&c.environments, "environments", "environments", "directory holding one directory per environment")
	fs.StringVar(&c.ignoreFile, "ignore", defaultIgnoreFile, "file of packages (NAME) and versions (NAME@VERSIONS) never to update to")
	fs.StringVar(&c.pins, "pins", "pins.yaml", "file pinning the spack-packages tag and commit")
	fs.StringVar(&c.repo, "repo", os.Getenv("GITHUB_REPOSITORY"), "repository to open pull requests in, OWNER/NAME (default $GITHUB_REPOSITORY)")
	fs.StringVar(&c.apiURL, "api-url", os.Getenv("GITHUB_API_URL"), "GitHub API root (default $GITHUB_API_URL, else https://api.github.com)")
	fs.StringVar(&c.base, "base", "main", "branch the pull requests merge into")
	fs.StringVar(&c.packagesRemote, "packages-remote", "", "spack-packages git remote: bump pins.yaml to its newest vYYYY.MM.N tag")
	fs.BoolVar(&c.bench, "bench", false, "time a scan of 50 generated environments against -packages and print the figures")
}

var gitURL = regexp.MustCompile(`^(https?://|ssh://|git@|file://|/|\./|\.\./)`)

func (c *updatesConfig) validate(token string) error {
	switch {
	case c.dryRun && c.openPRs:
		return usageError("updates: -dry-run and -open-prs exclude each other")
	case c.bench && c.openPRs:
		return usageError("updates: -bench changes nothing; drop -open-prs")
	case c.maxPRs < 1:
		return usageError("updates: -max-prs must be at least 1")
	case c.env != "" && !spack.ValidName(c.env):
		return usageError("updates: -env %q must be lowercase letters, digits, '.', '_' or '-'", c.env)
	case c.base == "":
		return usageError("updates: -base is empty")
	}
	if fi, err := os.Stat(c.packagesDir); err != nil || !fi.IsDir() {
		return usageError("updates: no spack-packages checkout at %s: pass --packages DIR or set SPACK_PACKAGES", c.packagesDir)
	}
	if c.packagesRemote != "" && (strings.HasPrefix(c.packagesRemote, "-") || !gitURL.MatchString(c.packagesRemote)) {
		return usageError("updates: -packages-remote %q: want a git URL or path", c.packagesRemote)
	}
	if c.openPRs {
		if _, _, err := github.SplitRepo(c.repo); err != nil {
			return usageError("updates: -open-prs needs -repo or GITHUB_REPOSITORY: %v", err)
		}
		if token == "" {
			return usageError("updates: -open-prs needs a token in GITHUB_TOKEN")
		}
		if !filepath.IsLocal(c.environments) || !filepath.IsLocal(c.pins) {
			return usageError("updates: with -open-prs, -environments and -pins must be paths inside the repository checkout")
		}
	}
	return nil
}

func newUpdatesCmd() *cobra.Command {
	var cfg updatesConfig
	cmd := &cobra.Command{
		Use:   "updates [flags]",
		Short: "find newer package versions by Spack's version order, open one pull request each",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.ignoreSet = cmd.Flags().Changed("ignore")
			return runUpdates(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	cfg.register(cmd.Flags())
	return cmd
}

func runUpdates(ctx context.Context, cfg updatesConfig, stdout io.Writer) error {
	var token string
	if cfg.openPRs {
		token = os.Getenv("GITHUB_TOKEN")
	}
	if err := cfg.validate(token); err != nil {
		return err
	}
	repo, err := spack.OpenRepo(cfg.packagesDir)
	if err != nil {
		return err
	}
	if cfg.bench {
		return benchUpdates(ctx, repo, stdout)
	}
	ignore, err := loadIgnoreList(cfg.ignoreFile, cfg.ignoreSet)
	if err != nil {
		return err
	}

	sc := newUpdateScanner(repo, ignore)
	rows, err := sc.scanEnvironments(cfg.environments, cfg.env)
	if err != nil {
		return err
	}
	if cfg.packagesRemote != "" {
		row, err := packagesPinUpdate(ctx, cfg.pins, cfg.packagesRemote, ignore)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}

	switch {
	case cfg.dryRun:
	case cfg.openPRs:
		err = openUpdatePRs(ctx, cfg, token, rows)
	default:
		err = writeUpdates(rows)
	}
	printUpdates(stdout, rows)
	if err != nil {
		return err
	}
	if n := sc.unreadable; n > 0 {
		return fmt.Errorf("updates: %d environment(s) could not be read; see the log", n)
	}
	return nil
}

// updateRow is one line of the report: a pinned spec (or the spack-packages pin), what
// it is pinned to, the newest safe version, and what the run does about it.
type updateRow struct {
	env, pkg, current, newest, action string

	// For an update: the file and its contents with just this update, and the edit
	// itself so that several updates of one file can be written together.
	file     string
	content  []byte
	edit     spack.Edit
	homepage string
	oldSpec  string
	newSpec  string
}

func (r *updateRow) isUpdate() bool { return r.content != nil }

// updateScanner finds updates; it reads each package.py once.
type updateScanner struct {
	repo       *spack.Repo
	ignore     ignoreList
	pkgs       map[string]*spack.PackageVersions
	pkgErrs    map[string]error
	unreadable int // environments whose spack.yaml did not parse
	specs      int // specs looked at
}

func newUpdateScanner(repo *spack.Repo, ignore ignoreList) *updateScanner {
	return &updateScanner{repo: repo, ignore: ignore, pkgs: map[string]*spack.PackageVersions{}, pkgErrs: map[string]error{}}
}

// scanEnvironments scans dir/<name>/spack.yaml for every environment, or just only.
func (s *updateScanner) scanEnvironments(dir, only string) ([]updateRow, error) {
	var names []string
	if only != "" {
		names = []string{only}
	} else {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("listing environments: %w", err)
		}
		for _, e := range entries {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "spack.yaml")); e.IsDir() && err == nil && spack.ValidName(e.Name()) {
				names = append(names, e.Name())
			}
		}
	}
	var rows []updateRow
	for _, name := range names {
		path := filepath.Join(dir, name, "spack.yaml")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading environment %s: %w", name, err)
		}
		envRows, err := s.scanEnvironment(name, path, data)
		if err != nil {
			log.Print(err)
			s.unreadable++
			rows = append(rows, updateRow{env: name, pkg: "-", current: "-", newest: "-", action: "skip: spack.yaml does not parse"})
			continue
		}
		rows = append(rows, envRows...)
	}
	return rows, nil
}

// scanEnvironment reports each version-constrained root spec of one spack.yaml.
func (s *updateScanner) scanEnvironment(env, path string, data []byte) ([]updateRow, error) {
	specs, err := spack.EnvSpecs(path, data)
	if err != nil {
		return nil, err
	}
	var rows []updateRow
	for _, es := range specs {
		s.specs++
		sp, err := spack.ParseSpec(es.Text)
		if err != nil {
			log.Printf("%s:%d: %v", path, es.Line, err)
			rows = append(rows, updateRow{env: env, pkg: "-", current: es.Text, newest: "-", action: "skip: spec does not parse"})
			continue
		}
		if !sp.HasVersion() {
			continue
		}
		row := updateRow{env: env, pkg: sp.Name, current: sp.Versions.String(), newest: "-"}
		row.action = s.check(&row, path, data, es, sp)
		rows = append(rows, row)
	}
	return rows, nil
}

// check decides what to do about one spec and, for an update, fills in row's edit.
func (s *updateScanner) check(row *updateRow, path string, data []byte, es spack.EnvSpec, sp spack.Spec) string {
	if s.ignore.ignoresPackage(sp.Name) {
		return "ignored"
	}
	pv, err := s.packageVersions(sp.Name)
	if err != nil {
		log.Printf("%s:%d: %v", path, es.Line, err)
		return "skip: " + shortReason(err)
	}
	exclude := s.ignore.excludes(sp.Name)
	current, pinned := sp.Versions.Pinned()
	if pinned && !sp.Versions.Exact() {
		// "@3.11" when the package has 3.11.9 but no 3.11 is a series, which Spack
		// reads as the range 3.11:3.11: report it like a range.
		if _, ok := pv.Lookup(current); !ok {
			pinned = false
		}
	}
	if !pinned {
		if sp.Versions.Git() {
			return "skip: git version"
		}
		newest, ok := pv.Newest(exclude)
		if !ok {
			return "range: no safe version"
		}
		row.newest = newest.Version.String()
		if sp.Versions.Contains(newest.Version) {
			return "range: holds newest"
		}
		return "range: excludes newest"
	}
	if current.IsDevelop() {
		return "skip: develop-like version"
	}
	newest, ok := pv.NewestSafe(current, exclude)
	if !ok {
		row.newest = current.String()
		return "up to date"
	}
	row.newest = newest.Version.String()
	nsp, err := sp.WithVersion(newest.Version)
	if err != nil {
		return "skip: " + shortReason(err)
	}
	edit := spack.Edit{Line: es.Line, Column: es.Column, Old: es.Text, New: nsp.String()}
	content, err := spack.ApplyEdits(data, []spack.Edit{edit})
	if err != nil {
		log.Printf("%s:%d: %v", path, es.Line, err)
		return "skip: " + shortReason(err)
	}
	row.file, row.content, row.edit = path, content, edit
	row.homepage, row.oldSpec, row.newSpec = pv.Homepage, es.Text, nsp.String()
	return "update"
}

func (s *updateScanner) packageVersions(name string) (*spack.PackageVersions, error) {
	if pv, ok := s.pkgs[name]; ok {
		return pv, nil
	}
	if err, ok := s.pkgErrs[name]; ok {
		return nil, err
	}
	p, err := s.repo.Package(name)
	if err != nil {
		err = fmt.Errorf("%w: %v", errNotInRepo, err)
	} else {
		var pv *spack.PackageVersions
		if pv, err = spack.ReadPackageVersions(p.File); err == nil {
			s.pkgs[name] = pv
			return pv, nil
		}
	}
	s.pkgErrs[name] = err
	return nil, err
}

var errNotInRepo = errors.New("not in spack-packages")

// shortReason makes an error fit a table cell; the log has the whole error.
func shortReason(err error) string {
	switch {
	case errors.Is(err, spack.ErrUnsupportedScalar):
		return "spec not written verbatim in YAML"
	case errors.Is(err, errNotInRepo):
		return "not in spack-packages"
	}
	return "see log"
}

// writeUpdates edits the spack.yaml files in place, all updates of a file at once, and
// writes pins.yaml's update.
func writeUpdates(rows []updateRow) error {
	edits := map[string][]spack.Edit{}
	whole := map[string][]byte{} // files whose one update is their whole new content
	var files []string
	for i := range rows {
		r := &rows[i]
		if !r.isUpdate() {
			continue
		}
		if _, ok := edits[r.file]; !ok {
			files = append(files, r.file)
		}
		if r.edit == (spack.Edit{}) {
			whole[r.file] = r.content
		}
		edits[r.file] = append(edits[r.file], r.edit)
	}
	for _, f := range files {
		out, ok := whole[f]
		if !ok {
			data, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("updating %s: %w", f, err)
			}
			if out, err = spack.ApplyEdits(data, edits[f]); err != nil {
				return fmt.Errorf("updating %s: %w", f, err)
			}
		}
		if err := os.WriteFile(f, out, 0o644); err != nil {
			return fmt.Errorf("updating %s: %w", f, err)
		}
		log.Printf("%s: %d update(s) written", f, len(edits[f]))
	}
	for i := range rows {
		if rows[i].isUpdate() {
			rows[i].action = "edited"
		}
	}
	return nil
}

// openUpdatePRs opens one pull request per update, at most cfg.maxPRs.
func openUpdatePRs(ctx context.Context, cfg updatesConfig, token string, rows []updateRow) error {
	owner, name, _ := github.SplitRepo(cfg.repo)
	client, err := github.New(token, github.WithBaseURL(cfg.apiURL))
	if err != nil {
		return err
	}
	opened := 0
	for i := range rows {
		r := &rows[i]
		if !r.isUpdate() {
			continue
		}
		if opened >= cfg.maxPRs {
			r.action = fmt.Sprintf("held: -max-prs %d reached", cfg.maxPRs)
			continue
		}
		res, err := client.OpenUpdatePR(ctx, owner, name, updatePR(cfg.base, r))
		if err != nil {
			return fmt.Errorf("updating %s in %s: %w", r.pkg, r.env, err)
		}
		if res.Skipped != "" {
			r.action = "skipped: " + res.Skipped
			log.Printf("%s: %s %s: %s", r.env, r.pkg, r.newest, res.Skipped)
			continue
		}
		opened++
		r.action = "opened " + res.URL
		log.Printf("%s: %s %s: opened %s", r.env, r.pkg, r.newest, res.URL)
	}
	return nil
}

// updatePR describes the pull request of one update. The branch names environment,
// package and version, so that GitHub remembers a rejected update.
func updatePR(base string, r *updateRow) github.UpdatePR {
	if r.env == pinsRow {
		return github.UpdatePR{
			Base:   base,
			Branch: "update/spack-packages/" + r.newest,
			Title:  "spack-packages: update to " + r.newest,
			Body: fmt.Sprintf("Moves every environment to spack-packages `%s` (was `%s`).\n\n%s\n\n"+
				"Opened by `go run ./ci updates`. Close this pull request to reject the update; the bot will not propose this tag again.\n",
				r.newest, r.current, r.homepage),
			Files: map[string][]byte{filepath.ToSlash(r.file): r.content},
		}
	}
	homepage := r.homepage
	if homepage == "" {
		homepage = "(none given in package.py)"
	}
	return github.UpdatePR{
		Base:   base,
		Branch: fmt.Sprintf("update/%s/%s-%s", r.env, r.pkg, r.newest),
		Title:  fmt.Sprintf("%s: update %s to %s", r.env, r.pkg, r.newest),
		Body: fmt.Sprintf("Updates `%s` in environment `%s` from %s to %s.\n\n"+
			"| | |\n|---|---|\n| spec | `%s` → `%s` |\n| homepage | %s |\n\n"+
			"Opened by `go run ./ci updates`; CI builds and tests the new image. "+
			"Close this pull request to reject the update; the bot will not propose %s %s again.\n",
			r.pkg, r.env, r.current, r.newest, r.oldSpec, r.newSpec, homepage, r.pkg, r.newest),
		Files: map[string][]byte{filepath.ToSlash(r.file): r.content},
	}
}

// printUpdates writes the report as an aligned table.
func printUpdates(w io.Writer, rows []updateRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENV\tPACKAGE\tCURRENT\tNEWEST\tACTION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.env, r.pkg, r.current, r.newest, r.action)
	}
	tw.Flush()
}

// pinsRow is the env column of the spack-packages pin's row.
const pinsRow = "pins.yaml"

// releaseTag is a spack-packages release tag.
var releaseTag = regexp.MustCompile(`^v[0-9]{4}\.[0-9]{2}\.[0-9]+$`)

// packagesPinUpdate finds the newest release tag of spack-packages at remote and
// reports whether pins.yaml should move to it.
func packagesPinUpdate(ctx context.Context, pinsPath, remote string, ignore ignoreList) (updateRow, error) {
	data, err := os.ReadFile(pinsPath)
	if err != nil {
		return updateRow{}, fmt.Errorf("reading pins: %w", err)
	}
	pin, err := spack.ReadPackagesPin(pinsPath, data)
	if err != nil {
		return updateRow{}, err
	}
	row := updateRow{env: pinsRow, pkg: "spack-packages", current: pin.Tag, newest: "-"}
	if ignore.ignoresPackage("spack-packages") {
		row.action = "ignored"
		return row, nil
	}
	tags, err := lsRemoteTags(ctx, remote)
	if err != nil {
		return updateRow{}, err
	}
	current, err := spack.ParseVersion(strings.TrimPrefix(pin.Tag, "v"))
	if err != nil {
		return updateRow{}, fmt.Errorf("%s: spack-packages.tag %q: %w", pinsPath, pin.Tag, err)
	}
	exclude := ignore.excludes("spack-packages")
	var best string
	var bestV spack.Version
	for tag := range tags {
		v, err := spack.ParseVersion(strings.TrimPrefix(tag, "v"))
		if err != nil || !releaseTag.MatchString(tag) || exclude != nil && exclude(v) {
			continue
		}
		if best == "" || bestV.Less(v) {
			best, bestV = tag, v
		}
	}
	if best == "" {
		row.action = "skip: no vYYYY.MM.N tag at remote"
		return row, nil
	}
	row.newest = best
	if !current.Less(bestV) {
		row.action = "up to date"
		return row, nil
	}
	content, err := spack.SetPackagesPin(pinsPath, data, best, tags[best])
	if err != nil {
		return updateRow{}, err
	}
	row.file, row.content = pinsPath, content // no edit: written whole
	row.homepage = compareURL(pin.Git, pin.Tag, best)
	row.action = "update"
	return row, nil
}

// compareURL links the changes between two tags on GitHub, or says where they are.
func compareURL(git, from, to string) string {
	if u, ok := strings.CutPrefix(git, "https://github.com/"); ok {
		return fmt.Sprintf("Changes: https://github.com/%s/compare/%s...%s", strings.TrimSuffix(u, ".git"), from, to)
	}
	return fmt.Sprintf("Changes: %s %s...%s", git, from, to)
}

// lsRemoteTags lists the tags of a git remote with the commit each points to; an
// annotated tag's commit comes from its peeled "^{}" line.
func lsRemoteTags(ctx context.Context, remote string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--tags", remote)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s: %w: %s", remote, err, strings.TrimSpace(stderr.String()))
	}
	tags := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		sha, ref, ok := strings.Cut(sc.Text(), "\t")
		tag, isTag := strings.CutPrefix(ref, "refs/tags/")
		if !ok || !isTag {
			continue
		}
		if t, peeled := strings.CutSuffix(tag, "^{}"); peeled {
			tags[t] = sha
		} else if _, seen := tags[tag]; !seen {
			tags[tag] = sha
		}
	}
	return tags, nil
}

// ignoreList is the ignore file: packages never updated, and versions never updated to.
type ignoreList struct {
	packages map[string]bool
	versions map[string][]spack.VersionConstraint
}

// loadIgnoreList reads the ignore file. Each line is NAME or NAME@VERSIONS (Spack's
// version syntax: 2.0, =2.0.1, 2:, 1.2:1.4, lists); '#' starts a comment. A missing
// file is an empty list unless must is set.
func loadIgnoreList(path string, must bool) (ignoreList, error) {
	l := ignoreList{packages: map[string]bool{}, versions: map[string][]spack.VersionConstraint{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !must {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("reading ignore list: %w", err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		sp, err := spack.ParseSpec(line)
		if err != nil || strings.ContainsAny(line, " \t+~^%/") || sp.Namespace != "" {
			return l, &spack.ParseError{Path: path, Line: i + 1, Msg: fmt.Sprintf("%q: want NAME or NAME@VERSIONS", line)}
		}
		if !sp.HasVersion() {
			l.packages[sp.Name] = true
			continue
		}
		l.versions[sp.Name] = append(l.versions[sp.Name], sp.Versions)
	}
	return l, nil
}

func (l ignoreList) ignoresPackage(name string) bool { return l.packages[name] }

// excludes returns a filter that rejects the ignored versions of a package, or nil.
func (l ignoreList) excludes(name string) func(spack.Version) bool {
	cs := l.versions[name]
	if len(cs) == 0 {
		return nil
	}
	return func(v spack.Version) bool {
		return slices.ContainsFunc(cs, func(c spack.VersionConstraint) bool { return c.Contains(v) })
	}
}
