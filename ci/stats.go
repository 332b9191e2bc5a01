package main

import (
	"context"
	"errors"
	"io"
)

func cmdStats(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("stats: not implemented yet")
}
