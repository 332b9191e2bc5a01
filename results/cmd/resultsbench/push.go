package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spack-ghcr/spack-ghcr/github"
	"github.com/spack-ghcr/spack-ghcr/github/ghtest"
	"github.com/spack-ghcr/spack-ghcr/results"
)

// benchStart is the first night: the 1st of a month, so that night 2 and night 100
// are both early in their month, and a push's cost does not hide behind the day.
var benchStart = time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)

// pushCost is what one push cost.
type pushCost struct {
	requests            int
	blobs               int
	blobBytes, logBytes int64
	treeBytes           int64
	took                time.Duration
}

// benchPush pushes nights × envs runs, one push a night, to the fake GitHub.
func benchPush(ctx context.Context, envs, nights int, stdout io.Writer) error {
	srv, stop := ghtest.Start()
	defer stop()
	repo := srv.CreateRepo("bench", "results")
	client, err := github.New("bench-token", github.WithBaseURL(srv.URL()))
	if err != nil {
		return err
	}
	names, specs := benchEnvs(envs)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "push\truns\trequests\tblobs\tbytes added\tof which logs\ttree bytes\tms\t\n")
	costs := make([]pushCost, nights+1)
	for night := 1; night <= nights; night++ {
		var ups []results.Upload
		for i, env := range names {
			ups = append(ups, synthRun(env, specs[i], benchStart, night-1))
		}
		c, err := pushNight(ctx, client, srv, repo, ups)
		if err != nil {
			return fmt.Errorf("night %d: %w", night, err)
		}
		costs[night] = c
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", night, len(ups), c.requests, c.blobs, c.blobBytes, c.logBytes, c.treeBytes, c.took.Milliseconds())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return pushSummary(stdout, repo, costs, envs, nights)
}

// benchEnvs names n environments and makes their specs.
func benchEnvs(n int) ([]string, [][]synthSpec) {
	names := make([]string, n)
	specs := make([][]synthSpec, n)
	for i := range n {
		names[i] = fmt.Sprintf("env%03d", i)
		specs[i] = synthEnv(names[i], rand.New(rand.NewPCG(uint64(i), 1)))
	}
	return names, specs
}

// pushNight pushes one night's runs as `results push` does (ci's pushResults), and
// measures the push from the fake's side.
func pushNight(ctx context.Context, client *github.Client, srv *ghtest.Server, repo *ghtest.Repo, ups []results.Upload) (pushCost, error) {
	before, requests := repo.Stats(), len(srv.Requests())
	var logs int64
	start := time.Now()
	_, err := client.Commit(ctx, "bench", "results", "main", func(ctx context.Context, head *github.Snapshot) (*github.Change, error) {
		u, err := results.PlanUpdate(ctx, head, ups)
		if err != nil {
			return nil, err
		}
		logs = 0
		for name, data := range u.Files {
			if strings.HasSuffix(name, ".gz") {
				logs += int64(len(data))
			}
		}
		return &github.Change{Files: u.Files, Message: u.Message}, nil
	}, github.WithInitialFile(results.Readme, []byte(results.ReadmeText)))
	if err != nil {
		return pushCost{}, err
	}
	after := repo.Stats()
	return pushCost{
		requests: len(srv.Requests()) - requests, blobs: after.Blobs - before.Blobs,
		blobBytes: after.BlobBytes - before.BlobBytes, logBytes: logs,
		treeBytes: after.TreeBytes - before.TreeBytes, took: time.Since(start),
	}, nil
}

// pushSummary compares the last push with the second, and says how the repository
// grew per run.
func pushSummary(w io.Writer, repo *ghtest.Repo, costs []pushCost, envs, nights int) error {
	second, last := costs[min(2, nights)], costs[nights]
	pct := func(a, b int64) float64 { return 100 * float64(b-a) / float64(a) }
	fmt.Fprintf(w, "\npush %d against push 2: requests %d -> %d (%+.1f %%), bytes added %d -> %d (%+.1f %%), without logs %d -> %d (%+.1f %%)\n",
		nights, second.requests, last.requests, pct(int64(second.requests), int64(last.requests)),
		second.blobBytes, last.blobBytes, pct(second.blobBytes, last.blobBytes),
		second.blobBytes-second.logBytes, last.blobBytes-last.logBytes, pct(second.blobBytes-second.logBytes, last.blobBytes-last.logBytes))

	st := repo.StoredSize()
	var logBytes, logStored int64
	var zbuf bytes.Buffer
	zw := zlib.NewWriter(&zbuf)
	for name, data := range repo.Files("main") {
		if !strings.HasSuffix(name, ".gz") {
			continue
		}
		logBytes += int64(len(data))
		zbuf.Reset()
		zw.Reset(&zbuf)
		fmt.Fprintf(zw, "blob %d\x00", len(data))
		zw.Write(data)
		zw.Close()
		logStored += int64(zbuf.Len())
	}
	runs := int64(envs * nights)
	raw := st.BlobBytes - logBytes + st.TreeBytes + st.CommitBytes
	fmt.Fprintf(w, "repository: %d runs in %d commits; %d blobs (%d bytes, of which logs %d), %d trees (%d bytes), commits %d bytes\n",
		runs, st.Commits, st.Blobs, st.BlobBytes, logBytes, st.Trees, st.TreeBytes, st.CommitBytes)
	fmt.Fprintf(w, "per run, logs aside: blobs %d B, trees %d B, commits %d B: %d B raw; stored zlib-compressed (as loose objects) %d B\n",
		(st.BlobBytes-logBytes)/runs, st.TreeBytes/runs, st.CommitBytes/runs, raw/runs, (st.Stored-logStored)/runs)
	fmt.Fprintf(w, "per run, logs: %d B compressed\n", logBytes/runs)
	return nil
}
