package main

import (
	"context"
	"errors"
	"io"
)

func cmdUpdates(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("updates: not implemented yet")
}
