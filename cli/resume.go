package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/snapshot"
)

// resumeFlags are collect's flags for interrupted collections.
func resumeFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "resume", Usage: "finish the interrupted collection in `DIR` without repeating the calls it " +
			"completed (give the same settings: role, regions, redaction key)"},
		&ucli.BoolFlag{Name: "discard-partial", Usage: "with --out: delete an interrupted collection found in the " +
			"directory and start over (a committed snapshot is never touched)"},
	}
}

// collectTarget reads the directory from --out, the argument or --resume.
func collectTarget(c *ucli.Context) (dir string, resume bool, err error) {
	dir, resumeDir := c.String("out"), c.String("resume")
	switch {
	case resumeDir != "" && (dir != "" || c.NArg() > 0):
		return "", false, usagef("collect: --resume names the directory; do not give --out or an argument too")
	case resumeDir != "" && c.Bool("discard-partial"):
		return "", false, usagef("collect: --resume and --discard-partial exclude each other")
	case resumeDir != "":
		return resumeDir, true, nil
	case dir != "" && c.NArg() > 0:
		return "", false, usagef("collect: give the snapshot directory once (--out DIR or one argument)")
	case dir == "" && c.NArg() != 1:
		return "", false, usagef("collect: want the snapshot directory: --out DIR (got %d arguments)", c.NArg())
	case dir == "":
		dir = c.Args().First()
	}
	return dir, false, nil
}

// runCollect starts, restarts (--discard-partial) or resumes a collection.
func runCollect(ctx context.Context, dir string, resume, discard bool, cfg aws.Config, opts []collect.Option) (*snapshot.Manifest, collect.Summary, error) {
	if resume {
		return collect.Resume(ctx, dir, cfg, nil, opts...)
	}
	if discard {
		if err := snapshot.Discard(dir); err != nil {
			return nil, collect.Summary{}, fmt.Errorf("collect --discard-partial: %w", err)
		}
	}
	return collect.Snapshot(ctx, dir, cfg, nil, opts...)
}

// explainCollectError adds what the user can do about a leftover
// directory to err.
func explainCollectError(dir string, err error) error {
	var pe *snapshot.PartialError
	var se *collect.SettingsError
	discard := fmt.Sprintf("to discard it: snapaudit collect --discard-partial --out %s (or delete the directory)", dir)
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%w\n  resume with the settings it was collected with, or start over: "+
			"snapaudit collect --discard-partial --out %s", err, dir)
	case errors.As(err, &pe) && pe.Resumable:
		return fmt.Errorf("%w\n  to resume it:  snapaudit collect --resume %s (with the same settings)\n  %s", err, dir, discard)
	case errors.As(err, &pe):
		return fmt.Errorf("%w\n  %s", err, discard)
	case errors.Is(err, snapshot.ErrCommitted):
		return fmt.Errorf("%w; write the new snapshot to another directory", err)
	}
	// The run itself failed or was interrupted: say what was kept.
	if errors.As(snapshot.Leftover(dir), &pe) && pe.Resumable {
		return fmt.Errorf("%w\n  the %d calls completed so far are kept in %s: resume with snapaudit collect --resume %s",
			err, pe.Units, dir, dir)
	}
	return err
}
