package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"
)

// collectCommand is a placeholder until the command is built.
func collectCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:   "collect",
		Usage:  "(not built yet)",
		Action: func(*ucli.Context) error { return errors.New("collect: not built yet") },
	}
}
