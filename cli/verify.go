package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"
)

// verifyCommand is a placeholder until the command is built.
func verifyCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:   "verify",
		Usage:  "(not built yet)",
		Action: func(*ucli.Context) error { return errors.New("verify: not built yet") },
	}
}
