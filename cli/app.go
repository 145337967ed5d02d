package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/analyze"
)

// Version is the tool version, set at build time with
// -ldflags "-X github.com/snapaudit/snapaudit/cli.Version=v1.2.3".
var Version = "dev"

// Exit codes. They are mapped from errors in exactly one place: exitCode.
const (
	ExitOK       = 0 // success, no failing finding
	ExitError    = 1 // the command could not do its job (bad input, I/O, AWS errors that stop collection)
	ExitUsage    = 2 // bad flags or arguments
	ExitFindings = 3 // analyze ran and at least one check FAILED (or ERRORED with --fail-on-error)
	ExitPartial  = 4 // collect committed a snapshot, but some calls failed (denied, throttled, other)
	ExitMemory   = 5 // analyze stopped at its memory budget (--max-memory)
)

// ErrFindings is returned by analyze when a check failed; it maps to ExitFindings.
var ErrFindings = errors.New("findings failed")

// ErrPartial is returned by collect when the snapshot was committed but some
// calls failed (the command has reported which); it maps to ExitPartial.
var ErrPartial = errors.New("collection incomplete")

// usageError marks an error as a usage mistake (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// streams carries the process's standard streams to commands.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// NewApp builds the command-line application.
func NewApp(s streams) *ucli.App {
	app := &ucli.App{
		Name:    "snapaudit",
		Usage:   "offline AWS snapshot analyzer and compliance rule engine",
		Version: Version,
		Description: "snapaudit collect walks an AWS account read-only and writes the raw API responses to a\n" +
			"Parquet snapshot; snapaudit analyze rebuilds a JupiterOne-style graph from the snapshot,\n" +
			"offline, and evaluates Rego compliance checks against it.",
		Reader:          s.in,
		Writer:          s.out,
		ErrWriter:       s.err,
		HideHelpCommand: true,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "log-level", Value: "warn", Usage: "diagnostics on stderr: error, warn, info or debug " +
				"(debug also shows Rego print() output)"},
		},
		Commands: []*ucli.Command{
			collectCommand(s),
			verifyCommand(s),
			analyzeCommand(s),
			fakeawsCommand(s),
			iamCommand(s),
			keygenCommand(s),
			signCommand(s),
			synthCommand(s),
			typesCommand(s),
		},
		Action:       unknownCommand(""),
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error { return usageError{err} },
		ExitErrHandler: func(*ucli.Context, error) {
			// Errors are mapped to exit codes by Run, not by urfave/cli.
		},
	}
	markUsageErrors("", app.Commands)
	return app
}

// logger returns the diagnostics logger the --log-level flag asks for. It
// writes text lines to stderr, never to stdout (which carries results).
func logger(c *ucli.Context, s streams) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return nil, usagef("--log-level: %v", err)
	}
	return slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level})), nil
}

// unknownCommand is the action of the app and of every command that has
// subcommands: with no argument it shows the help; a word that is no command
// (which urfave/cli would answer with "No help topic for ...", exit 1) is a
// one-line usage error naming the valid commands.
func unknownCommand(parent string) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		if c.NArg() == 0 {
			if parent == "" {
				return ucli.ShowAppHelp(c)
			}
			return ucli.ShowSubcommandHelp(c)
		}
		cmds, help := c.App.VisibleCommands(), "snapaudit --help"
		if parent != "" {
			cmds, help = c.Command.VisibleCommands(), "snapaudit "+parent+" --help"
		}
		names := make([]string, 0, len(cmds))
		for _, cmd := range cmds {
			names = append(names, cmd.Name)
		}
		return usagef("unknown command %q (commands: %s; see %s)",
			strings.TrimSpace(parent+" "+c.Args().First()), strings.Join(names, ", "), help)
	}
}

// markUsageErrors makes flag-parsing errors of every command and subcommand
// usage errors (exit code 2), reported in one line instead of a help dump.
func markUsageErrors(parent string, cmds []*ucli.Command) {
	for _, c := range cmds {
		name := strings.TrimSpace(parent + " " + c.Name)
		c.OnUsageError = func(_ *ucli.Context, err error, _ bool) error {
			return usageError{fmt.Errorf("%s: %w (see snapaudit %s --help)", name, err, name)}
		}
		if len(c.Subcommands) > 0 && c.Action == nil {
			c.Action = unknownCommand(name)
		}
		markUsageErrors(name, c.Subcommands)
	}
}

// Run runs the application and maps its error to an exit code. It is the
// only place that decides exit codes.
func Run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	app := NewApp(streams{in: in, out: out, err: errw})
	err := app.RunContext(ctx, flagsFirst(app, args))
	return exitCode(err, errw)
}

func exitCode(err error, errw io.Writer) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, ErrFindings) {
		return ExitFindings
	}
	if errors.Is(err, ErrPartial) {
		return ExitPartial
	}
	fmt.Fprintf(errw, "snapaudit: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var me *analyze.MemoryError
	if errors.As(err, &me) {
		return ExitMemory
	}
	return ExitError
}
