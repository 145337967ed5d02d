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
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
