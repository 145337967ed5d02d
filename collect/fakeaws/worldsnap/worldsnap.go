// Package worldsnap collects fakeaws worlds with the real collector and
// SDK clients into one snapshot, for tests of the packages that read
// snapshots (analyze/access, cli): a member account together with its
// organisation's management account, or a world with faults.
package worldsnap

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// Clock is the collection time of every snapshot Collect writes.
var Clock = func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }

// Collect collects the account each server serves, one Run per account,
// into one snapshot at dir, committed with the registry's plan. The AWS
// environment of the test is cleared first, so no profile, region or
// endpoint of the machine is read.
func Collect(t testing.TB, dir string, servers ...*fakeaws.Server) {
	t.Helper()
	CollectCalls(t, dir, collect.Registry(), servers...)
}

// CollectCalls is Collect with only calls collected and planned: the
// snapshot of a collector that did not know the other calls yet (a
// snapshot older than the model). calls must hold sts GetCallerIdentity
// and ec2 DescribeRegions.
func CollectCalls(t testing.TB, dir string, calls []collect.Call, servers ...*fakeaws.Server) {
	t.Helper()
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	w, err := snapshot.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	var accounts []string
	regions := []string{collect.RowGlobal}
	for _, srv := range servers {
		cfg, err := collect.LoadConfig(t.Context(), collect.ConfigOptions{Region: "us-east-1", EndpointURL: srv.URL(),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDTESTFAKE", "test-secret", ""), MaxAttempts: 1, NoBackoff: true})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := collect.New(cfg, collect.WithClock(Clock), collect.WithPollInterval(0),
			collect.WithRedactionKey([]byte("k")), collect.WithCalls(calls)).Run(t.Context(), w)
		if err != nil {
			t.Fatalf("collect %s: %v", srv.URL(), err)
		}
		accounts = append(accounts, sum.AccountID)
		regions = append(regions, sum.Regions...)
	}
	slices.Sort(regions)
	if _, err := w.Commit(t.Context(), snapshot.Metadata{Accounts: accounts, Regions: slices.Compact(regions),
		Caller: snapshot.Caller{AccountID: accounts[0]}, StartedAt: Clock(), FinishedAt: Clock(), Plan: collect.Plan(calls)}); err != nil {
		t.Fatal(err)
	}
}
