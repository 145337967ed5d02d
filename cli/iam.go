package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"
)

// iamCommand is a placeholder until the command is built.
func iamCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:   "iam",
		Usage:  "(not built yet)",
		Action: func(*ucli.Context) error { return errors.New("iam: not built yet") },
	}
}
