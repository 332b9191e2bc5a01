package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/spack-ghcr/spack-ghcr/pipeline"
)

func TestBuildConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     buildConfig
		wantErr string
	}{
		{"no environment", buildConfig{Config: pipeline.Config{Profile: "runtime", Tests: "root"}}, "name at least one environment"},
		{"bad name", buildConfig{envs: []string{"../etc"}, Config: pipeline.Config{Profile: "runtime", Tests: "root"}}, `environment name "../etc"`},
		{"bad profile", buildConfig{envs: []string{"lz4"}, Config: pipeline.Config{Profile: "fat", Tests: "root"}}, `-profile "fat"`},
		{"bad tests", buildConfig{envs: []string{"lz4"}, Config: pipeline.Config{Profile: "runtime", Tests: "some"}}, `-tests "some"`},
		{"missing packages dir", buildConfig{envs: []string{"lz4"}, Config: pipeline.Config{Profile: "runtime", Tests: "root", PackagesDir: "/nonexistent"}}, "-packages /nonexistent: not a directory"},
		{"bad build cache", buildConfig{envs: []string{"lz4"}, Config: pipeline.Config{Profile: "runtime", Tests: "root", BuildCache: "https://ghcr.io/o/cache"}}, `-buildcache "https://ghcr.io/o/cache": want oci://`},
		{"negative jobs", buildConfig{envs: []string{"lz4"}, jobs: -1, Config: pipeline.Config{Profile: "runtime", Tests: "root"}}, "-jobs must be at least 1"},
		{"ok", buildConfig{envs: []string{"lz4"}, jobs: 2, Config: pipeline.Config{Profile: "devel", Tests: "none", BuildCache: "oci+http://127.0.0.1:5000/cache"}}, ""},
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
