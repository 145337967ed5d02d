// Package cli wires the urfave/cli/v2 commands to the collect, snapshot and
// analyze packages and renders their progress and results. It holds no
// business logic: every command parses flags, calls a library, and renders
// what comes back. stdout carries results only; progress and diagnostics go
// to stderr. Exit codes are decided in one place, exitCode in app.go.
package cli
