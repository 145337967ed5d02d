package collect

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/snapaudit/snapaudit/snapshot"
)

// Snapshot collects the account cfg reaches into a new snapshot directory
// dir: it creates the writer, runs the collector, and commits the snapshot
// with its metadata (caller identity, account, regions, times, tool and SDK
// versions). The writer keeps a resume journal in dir's staging area. When
// the run fails or ctx is cancelled no manifest is written, so dir is not a
// snapshot; once a call has completed, the journal is kept so Resume can
// finish the collection, otherwise dir is removed. A dir that already holds
// an interrupted collection is refused with a *snapshot.PartialError.
func Snapshot(ctx context.Context, dir string, cfg aws.Config, wopts []snapshot.WriterOption, opts ...Option) (*snapshot.Manifest, Summary, error) {
	c := New(cfg, opts...)
	info, err := c.journalInfo()
	if err != nil {
		return nil, Summary{}, fmt.Errorf("collect: journal: %w", err)
	}
	w, err := snapshot.Create(dir, append(wopts[:len(wopts):len(wopts)], snapshot.WithJournal(info))...)
	if err != nil {
		return nil, Summary{}, fmt.Errorf("collect: %w", err)
	}
	return c.commit(ctx, dir, w)
}

// commit runs the collector into w and commits the snapshot.
func (c *Collector) commit(ctx context.Context, dir string, w *snapshot.Writer) (*snapshot.Manifest, Summary, error) {
	sum, err := c.Run(ctx, w)
	if err != nil {
		var se *SettingsError
		if errors.As(err, &se) && se.Dir == "" {
			se.Dir = dir
		}
		end, verb := w.Abort, "abort"
		var unknown *UnknownRegionsError
		settings := errors.Is(err, ErrNoRegion) || errors.As(err, &unknown) // resuming cannot help
		if j := w.Journal(); j != nil && j.Completed() > 0 && !settings {
			end, verb = w.Suspend, "keep the journal of"
		}
		if aerr := end(); aerr != nil {
			err = errors.Join(err, fmt.Errorf("%s snapshot %s: %w", verb, dir, aerr))
		}
		return nil, sum, err
	}
	tool, mods := snapshot.BuildInfo()
	if v := c.opts.toolVersion; v != "" && (tool.Version == "" || tool.Version == "(devel)") {
		tool.Version = v
	}
	m, err := w.Commit(ctx, snapshot.Metadata{
		Tool:       tool,
		SDKModules: mods,
		Caller:     snapshot.Caller{AccountID: sum.AccountID, ARN: sum.CallerARN, UserID: sum.CallerUserID},
		Accounts:   []string{sum.AccountID},
		Regions:    append(slices.Clone(sum.Regions), RowGlobal), // FORMAT.md: "including global"
		StartedAt:  sum.StartedAt,
		FinishedAt: sum.FinishedAt,
		Plan:       Plan(c.calls),
	})
	if err != nil {
		return nil, sum, fmt.Errorf("commit snapshot %s: %w", dir, err)
	}
	return m, sum, nil
}

// Plan is the collection plan a manifest records for calls (the calls a
// collector is set to run): each call with its scope and parent.
func Plan(calls []Call) []snapshot.PlannedCall {
	out := make([]snapshot.PlannedCall, 0, len(calls))
	for _, c := range calls {
		out = append(out, snapshot.PlannedCall{Service: c.Service, Operation: c.Operation, Scope: c.Scope.String(), Parent: c.Parent})
	}
	return out
}
