package main

const usage = `spack-ghcr turns Spack environments into small, tested container images.

Usage:

	go run ./ci <command> [flags] [arguments]

Commands:

	build [flags] ENV...     concretize, install, test, slim and smoke-test each
	                         environments/ENV, then export and/or publish the image
	bench [flags] ENV        print cold and no-change build times and image sizes
	stats [flags]            share of Spack packages with build-time/stand-alone tests
	results push|site|diff   keep test results in a GitHub repository, render the site
	updates [flags]          find newer package versions, open one pull request each
	help                     this text

Run 'go run ./ci <command> -h' for a command's flags. Under 'dagger run' the engine of
the session is used; otherwise _EXPERIMENTAL_DAGGER_RUNNER_HOST or the dagger CLI.
`
