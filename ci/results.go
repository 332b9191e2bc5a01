package main

import (
	"context"
	"errors"
	"io"
)

func cmdResults(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("results: not implemented yet")
}
