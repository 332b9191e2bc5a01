package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func workflowFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../.github/workflows/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func lintWorkflows(t *testing.T, opts *actionlint.LinterOptions) {
	t.Helper()
	linter, err := actionlint.NewLinter(io.Discard, opts)
	require.NoError(t, err)
	errs, err := linter.LintFiles(workflowFiles(t), nil)
	require.NoError(t, err)
	for _, e := range errs {
		assert.Failf(t, "actionlint", "%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

// TestWorkflows lints .github/workflows with actionlint: expressions, contexts, action
// inputs, reusable workflow calls.
func TestWorkflows(t *testing.T) {
	lintWorkflows(t, &actionlint.LinterOptions{})
}

// TestWorkflowRunSteps lints the shell of every run step with shellcheck, through
// actionlint (which knows what GitHub puts around the script).
func TestWorkflowRunSteps(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("needs shellcheck to lint run steps (Debian: apt-get install shellcheck)")
	}
	lintWorkflows(t, &actionlint.LinterOptions{Shellcheck: shellcheck})
}

// workflow is the part of a workflow file the security rules below read.
type workflow struct {
	On          yaml.Node              `yaml:"on"`
	Permissions yaml.Node              `yaml:"permissions"`
	Jobs        map[string]workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	Uses        string            `yaml:"uses"`
	Timeout     yaml.Node         `yaml:"timeout-minutes"`
	Permissions map[string]string `yaml:"permissions"`
	Steps       []struct {
		Uses string            `yaml:"uses"`
		Run  string            `yaml:"run"`
		With map[string]string `yaml:"with"`
	} `yaml:"steps"`
}

// writePermissions says which jobs may hold a write permission besides contents:read,
// and why; anything else is a finding.
var writePermissions = map[string]map[string]string{
	"build.yml": {
		"publish/packages":  "pushes images and the build cache",
		"manifest/packages": "pushes the multi-platform index and its tags",
		"report/checks":     "turns JUnit results into a check run",
		"pages/pages":       "deploys the results site",
		"pages/id-token":    "deploy-pages proves the deployment with an OIDC token",
	},
	"update.yml": {
		"updates/contents":      "creates update branches through the API",
		"updates/pull-requests": "opens update pull requests",
	},
}

var pinnedAction = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+){0,2}$`)

// TestWorkflowSecurity checks what a reviewer would: actions pinned by commit with their
// version in a comment, no permission by default, write permissions only where listed,
// timeouts, no persisted git credentials, and no expression pasted into a shell line.
func TestWorkflowSecurity(t *testing.T) {
	for _, file := range workflowFiles(t) {
		base := filepath.Base(file)
		t.Run(base, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			for i, line := range strings.Split(string(data), "\n") {
				trimmed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
				if !strings.HasPrefix(trimmed, "uses:") || strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(trimmed, "uses:")), "./") {
					continue
				}
				assert.Regexp(t, pinnedAction, line, "%s:%d: pin actions by commit, with the version in a comment", base, i+1)
			}

			var wf workflow
			require.NoError(t, yaml.Unmarshal(data, &wf))
			reusable := strings.Contains(nodeText(&wf.On), "workflow_call")
			if !reusable {
				assert.Equal(t, "{}", nodeText(&wf.Permissions), "%s: the token gets no permission by default", base)
			}
			assert.NotContains(t, nodeText(&wf.On), "pull_request_target", "%s: pull_request_target runs fork code with secrets", base)
			for name, job := range wf.Jobs {
				if job.Uses == "" {
					assert.NotEmpty(t, job.Timeout.Value, "%s: job %s needs timeout-minutes", base, name)
				}
				if !reusable {
					assert.NotNil(t, job.Permissions, "%s: job %s must say which permissions it needs", base, name)
				}
				for perm, level := range job.Permissions {
					if level == "write" {
						_, ok := writePermissions[base][name+"/"+perm]
						assert.True(t, ok, "%s: job %s may not have %s: write", base, name, perm)
					}
				}
				for _, step := range job.Steps {
					assert.NotContains(t, step.Run, "${{", "%s: job %s: pass values to run steps through env:", base, name)
					if strings.HasPrefix(step.Uses, "actions/checkout@") {
						assert.Equal(t, "false", step.With["persist-credentials"], "%s: job %s: checkout must not keep the token in .git/config", base, name)
					}
				}
			}
		})
	}
}

func nodeText(n *yaml.Node) string {
	out, err := yaml.Marshal(n)
	if err != nil || n.Kind == 0 {
		return ""
	}
	return strings.TrimSpace(string(out))
}
