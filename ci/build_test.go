package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBuildConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     buildConfig
		wantErr string
	}{
		{"no environment", buildConfig{profile: "runtime", tests: "root"}, "name at least one environment"},
		{"bad name", buildConfig{envs: []string{"../etc"}, profile: "runtime", tests: "root"}, `environment name "../etc"`},
		{"bad profile", buildConfig{envs: []string{"lz4"}, profile: "fat", tests: "root"}, `-profile "fat"`},
		{"bad tests", buildConfig{envs: []string{"lz4"}, profile: "runtime", tests: "some"}, `-tests "some"`},
		{"missing packages dir", buildConfig{envs: []string{"lz4"}, profile: "runtime", tests: "root", packagesDir: "/nonexistent"}, "-packages /nonexistent: not a directory"},
		{"ok", buildConfig{envs: []string{"lz4"}, profile: "devel", tests: "none"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
			assert.ErrorIs(t, err, errUsage)
		})
	}
}
