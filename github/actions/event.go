// Package actions reads what GitHub Actions says about the run a command is part of:
// its event, from the runner's variables and the event payload, and what that allows.
// It needs no token and makes no request; package github is the API client.
package actions

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Event is what GitHub Actions says about a run, as far as publishing goes.
type Event struct {
	Name          string // GITHUB_EVENT_NAME: push, pull_request, schedule, ...
	Ref           string // GITHUB_REF: refs/heads/main, refs/pull/7/merge, ...
	DefaultBranch string // the repository's default branch, from the event payload
}

// ReadEvent reads the run's event from GitHub Actions' variables and the event
// payload (GITHUB_EVENT_PATH), which the runner writes and the workflow cannot change.
func ReadEvent(getenv func(string) string) (Event, error) {
	ev := Event{Name: getenv("GITHUB_EVENT_NAME"), Ref: getenv("GITHUB_REF")}
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return ev, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return ev, fmt.Errorf("reading the GitHub event: %w", err)
	}
	defer f.Close()
	var payload struct {
		Repository struct {
			DefaultBranch string `json:"default_branch"`
		} `json:"repository"`
	}
	if err := json.NewDecoder(f).Decode(&payload); err != nil {
		return ev, fmt.Errorf("reading the GitHub event %s: %w", path, err)
	}
	ev.DefaultBranch = payload.Repository.DefaultBranch
	return ev, nil
}

// PublishDecision says whether a run may publish images, and why: only for a push to,
// a schedule on, or a manual run of the default branch. Pull requests never publish,
// whatever the workflow passes: their code is not reviewed yet, and a fork's token
// could not push anyway.
func PublishDecision(ev Event) (bool, string) {
	switch ev.Name {
	case "push", "schedule", "workflow_dispatch":
	case "":
		return false, "no GitHub event named"
	default:
		return false, fmt.Sprintf("%s events never publish", ev.Name)
	}
	branch, ok := strings.CutPrefix(ev.Ref, "refs/heads/")
	if !ok {
		return false, fmt.Sprintf("%s is not a branch", quoteOrNone(ev.Ref))
	}
	switch {
	case ev.DefaultBranch == "" && ev.Name == "schedule":
		// The schedule payload need not name the default branch, but GitHub runs
		// scheduled workflows on it and nowhere else.
		return true, fmt.Sprintf("scheduled run on %s", branch)
	case ev.DefaultBranch == "":
		return false, "the default branch is unknown (no repository in the event payload)"
	case branch != ev.DefaultBranch:
		return false, fmt.Sprintf("branch %s is not the default branch %s", branch, ev.DefaultBranch)
	}
	return true, fmt.Sprintf("%s on the default branch %s", ev.Name, branch)
}

// MayPublish is the publish policy: in GitHub Actions the event decides; elsewhere (a
// laptop, the test bed) whoever passes a registry does. getenv is os.Getenv, or a
// test's map.
func MayPublish(getenv func(string) string) (bool, string, error) {
	if getenv("GITHUB_ACTIONS") != "true" {
		return true, "not in GitHub Actions", nil
	}
	ev, err := ReadEvent(getenv)
	if err != nil {
		return false, "", err
	}
	ok, why := PublishDecision(ev)
	return ok, why, nil
}

func quoteOrNone(s string) string {
	if s == "" {
		return "the empty ref"
	}
	return fmt.Sprintf("%q", s)
}
