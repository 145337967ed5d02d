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
// versions). When the run fails or ctx is cancelled the writer is aborted:
// no manifest is written, so dir is not a snapshot.
func Snapshot(ctx context.Context, dir string, cfg aws.Config, wopts []snapshot.WriterOption, opts ...Option) (*snapshot.Manifest, Summary, error) {
	w, err := snapshot.Create(dir, wopts...)
	if err != nil {
		return nil, Summary{}, fmt.Errorf("collect: %w", err)
	}
	c := New(cfg, opts...)
	sum, err := c.Run(ctx, w)
	if err != nil {
		if aerr := w.Abort(); aerr != nil {
			err = errors.Join(err, fmt.Errorf("abort snapshot %s: %w", dir, aerr))
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
	})
	if err != nil {
		return nil, sum, fmt.Errorf("commit snapshot %s: %w", dir, err)
	}
	return m, sum, nil
}
