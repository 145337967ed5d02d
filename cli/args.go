package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// flagsFirst reorders a command line so that each command's flags come
// before its positional arguments:
//
//	snapaudit analyze SNAP --format json  →  snapaudit analyze --format json SNAP
//
// urfave/cli v2 (like Go's flag package) stops parsing flags at the first
// positional argument, so without this the README's
// `snapaudit analyze SNAP --policies DIR` would be read as three
// arguments. The walk knows each command's flags, so it moves a flag's
// value with it (`--format json`), leaves `--name=value` and boolean flags
// as one word, descends into subcommands (`iam simulate`), and stops at
// "--": what follows stays positional. A lone "-" is a positional (stdin).
// Unknown flags move as they are, so the parser still reports them.
func flagsFirst(app *ucli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	return append(out, reorder(app.Flags, app.Commands, args[1:])...)
}

// reorder handles one level: flags of this level first, then, at the first
// positional that names a subcommand, that subcommand's own words.
func reorder(flags []ucli.Flag, cmds []*ucli.Command, args []string) []string {
	var front, back []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(append(front, back...), args[i:]...)
		case isFlag(a):
			front = append(front, a)
			if takesValue(flags, a) && i+1 < len(args) {
				i++
				front = append(front, args[i])
			}
		default:
			if len(back) == 0 {
				if cmd := findCommand(cmds, a); cmd != nil {
					rest := reorder(cmd.Flags, cmd.Subcommands, args[i+1:])
					return append(append(front, a), rest...)
				}
			}
			back = append(back, a)
		}
	}
	return append(front, back...)
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// takesValue reports whether flag word a ("-f", "--format") is a known
// flag that reads the next word as its value.
func takesValue(flags []ucli.Flag, a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	name := strings.TrimLeft(a, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				tv, ok := f.(ucli.DocGenerationFlag)
				return ok && tv.TakesValue()
			}
		}
	}
	return false
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
