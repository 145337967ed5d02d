// Command snapaudit collects AWS API responses into an offline Parquet
// snapshot and analyzes it with a JupiterOne-style graph and Rego checks.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/snapaudit/snapaudit/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first Ctrl-C cancels ctx and commands wind down; restoring the
	// default handling then lets a second Ctrl-C end the process at once.
	go func() { <-ctx.Done(); stop() }()
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
