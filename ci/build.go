package main

import (
	"context"
	"errors"
	"io"
)

func cmdBuild(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("build: not implemented yet")
}

func cmdBench(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("bench: not implemented yet")
}
