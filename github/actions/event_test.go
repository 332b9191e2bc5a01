package actions

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPublishDecision(t *testing.T) {
	tests := []struct {
		name    string
		ev      Event
		want    bool
		wantWhy string
	}{
		{name: "push to the default branch", ev: Event{"push", "refs/heads/main", "main"}, want: true, wantWhy: "push on the default branch main"},
		{name: "push to a default branch named otherwise", ev: Event{"push", "refs/heads/trunk", "trunk"}, want: true},
		{name: "schedule", ev: Event{"schedule", "refs/heads/main", "main"}, want: true},
		{name: "schedule without a repository in the payload", ev: Event{"schedule", "refs/heads/main", ""}, want: true},
		{name: "manual run on the default branch", ev: Event{"workflow_dispatch", "refs/heads/main", "main"}, want: true},
		{name: "manual run on another branch", ev: Event{"workflow_dispatch", "refs/heads/try", "main"}, wantWhy: "branch try is not the default branch main"},
		{name: "push to another branch", ev: Event{"push", "refs/heads/feature", "main"}},
		{name: "push of a tag", ev: Event{"push", "refs/tags/v1.0", "main"}, wantWhy: `"refs/tags/v1.0" is not a branch`},
		{name: "pull request", ev: Event{"pull_request", "refs/pull/7/merge", "main"}, wantWhy: "pull_request events never publish"},
		{name: "pull request even with the default branch as ref", ev: Event{"pull_request", "refs/heads/main", "main"}},
		{name: "pull_request_target", ev: Event{"pull_request_target", "refs/heads/main", "main"}, wantWhy: "pull_request_target events never publish"},
		{name: "merge queue", ev: Event{"merge_group", "refs/heads/gh-readonly-queue/main/pr-1", "main"}},
		{name: "release", ev: Event{"release", "refs/tags/v1", "main"}},
		{name: "no event", ev: Event{"", "refs/heads/main", "main"}, wantWhy: "no GitHub event named"},
		{name: "default branch unknown", ev: Event{"push", "refs/heads/main", ""}, wantWhy: "the default branch is unknown (no repository in the event payload)"},
		{name: "branch that only starts like the default", ev: Event{"push", "refs/heads/main2", "main"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := PublishDecision(tt.ev)
			assert.Equal(t, tt.want, got, why)
			assert.NotEmpty(t, why)
			if tt.wantWhy != "" {
				assert.Equal(t, tt.wantWhy, why)
			}
		})
	}
}

func TestMayPublish(t *testing.T) {
	payload := filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(payload, []byte(`{"ref":"refs/heads/main","repository":{"default_branch":"main","owner":{"login":"MyOrg"}}}`), 0o644))
	broken := filepath.Join(t.TempDir(), "broken.json")
	require.NoError(t, os.WriteFile(broken, []byte(`{"repository":`), 0o644))
	tests := []struct {
		name    string
		env     map[string]string
		want    bool
		wantErr string
	}{
		{name: "outside GitHub Actions", env: map[string]string{}, want: true},
		{name: "push to main", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": payload}, want: true},
		{name: "pull request", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/3/merge", "GITHUB_EVENT_PATH": payload}},
		{name: "no payload", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}},
		{name: "unreadable payload", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": broken}, wantErr: "reading the GitHub event"},
		{name: "missing payload", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": broken + ".gone"}, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why, err := MayPublish(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.False(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, why)
		})
	}
}
