package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"
)

// analyzeCommand is a placeholder until the command is built.
func analyzeCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:   "analyze",
		Usage:  "(not built yet)",
		Action: func(*ucli.Context) error { return errors.New("analyze: not built yet") },
	}
}
