package collect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// The basic world (testdata/fakeaws/basic, written for these tests).
const (
	basicWorld   = "../testdata/fakeaws/basic"
	basicAccount = "123456789012"
	basicSecret  = "hunter2-demo-secret" // a Lambda environment value in the world
	usBucket     = "example-logs-123456789012"
	euBucket     = "example-data-eu-123456789012"
)

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// isolateEnv keeps the developer's AWS environment out of a test.
func isolateEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_EC2", "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// fakeConfig returns a config that reaches srv with static test keys and
// retries without sleeping.
func fakeConfig(t *testing.T, srv *fakeaws.Server, mod func(*ConfigOptions)) aws.Config {
	t.Helper()
	isolateEnv(t)
	o := ConfigOptions{
		Region:      "us-east-1",
		EndpointURL: srv.URL(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTESTFAKE", "test-secret", ""),
		MaxAttempts: 3,
		NoBackoff:   true,
	}
	if mod != nil {
		mod(&o)
	}
	cfg, err := LoadConfig(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// memWriter is an in-memory RowWriter.
type memWriter struct {
	mu   sync.Mutex
	rows []snapshot.Row
}

func (w *memWriter) Write(_ context.Context, r snapshot.Row) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rows = append(w.rows, r)
	return nil
}

// testOpts are the options every test run uses.
func testOpts(extra ...Option) []Option {
	return append([]Option{WithClock(func() time.Time { return fixedTime }), WithPollInterval(0),
		WithRedactionKey([]byte("test-key")), WithConcurrency(4)}, extra...)
}

func collectBasic(t *testing.T, setup func(*fakeaws.Server), opts ...Option) ([]snapshot.Row, Summary, *fakeaws.Server, error) {
	t.Helper()
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	if setup != nil {
		setup(srv)
	}
	w := &memWriter{}
	sum, err := New(fakeConfig(t, srv, nil), testOpts(opts...)...).Run(t.Context(), w)
	return w.rows, sum, srv, err
}

// rowID names a row in failure messages and lookups.
func rowID(r snapshot.Row) string {
	return fmt.Sprintf("%s:%s %s %s #%d", r.Service, r.Operation, r.Region, r.ParentKey, r.Page)
}

func findRows(rows []snapshot.Row, service, op, region string) []snapshot.Row {
	var out []snapshot.Row
	for _, r := range rows {
		if r.Service == service && r.Operation == op && (region == "" || r.Region == region) {
			out = append(out, r)
		}
	}
	return out
}

func countRequests(srv *fakeaws.Server, service, op, region string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Service == service && r.Operation == op && (region == "" || r.Region == region) {
			n++
		}
	}
	return n
}

func TestCollectBasic(t *testing.T) {
	rows, sum, srv, err := collectBasic(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.AccountID != basicAccount || !slices.Equal(sum.Regions, []string{"eu-west-1", "us-east-1"}) {
		t.Fatalf("summary account %q regions %v", sum.AccountID, sum.Regions)
	}
	if sum.Rows != len(rows) {
		t.Errorf("summary counts %d rows, writer got %d", sum.Rows, len(rows))
	}
	byID := map[string]snapshot.Row{}
	for _, r := range rows {
		if _, dup := byID[rowID(r)]; dup {
			t.Errorf("duplicate row %s", rowID(r))
		}
		byID[rowID(r)] = r
		if r.AccountID != basicAccount || !r.CollectedAt.Equal(fixedTime) {
			t.Errorf("row %s: account %q collected %v", rowID(r), r.AccountID, r.CollectedAt)
		}
		if r.Status == snapshot.StatusError && r.ErrorClass == snapshot.ClassOther {
			t.Errorf("row %s failed unexpectedly: %s %s", rowID(r), r.ErrorCode, r.ErrorMessage)
		}
	}

	tests := []struct {
		name     string
		id       string // rowID of the expected row
		status   string
		class    snapshot.ErrorClass
		contains string // a substring of Response (ok) or ErrorCode (error)
	}{
		{name: "caller identity", id: "sts:GetCallerIdentity global  #0", status: "ok", contains: basicAccount},
		{name: "regions recorded", id: "ec2:DescribeRegions global  #0", status: "ok", contains: "eu-west-1"},
		{name: "ec2 page 1", id: "ec2:DescribeInstances us-east-1  #0", status: "ok", contains: "Reservations"},
		{name: "ec2 page 2", id: "ec2:DescribeInstances us-east-1  #1", status: "ok", contains: "Reservations"},
		{name: "ec2 other region", id: "ec2:DescribeInstances eu-west-1  #0", status: "ok"},
		{name: "iam page 1", id: "iam:GetAccountAuthorizationDetails global  #0", status: "ok", contains: "UserDetailList"},
		{name: "iam page 2", id: "iam:GetAccountAuthorizationDetails global  #1", status: "ok", contains: "UserDetailList"},
		{name: "per user access keys", id: "iam:ListAccessKeys global alice #0", status: "ok", contains: "AKIAIOSFODNN7EXAMPLE"},
		{name: "per key last used", id: "iam:GetAccessKeyLastUsed global AKIAIOSFODNN7EXAMPLE #0", status: "ok"},
		{name: "credential report", id: "iam:GetCredentialReport global  #0", status: "ok", contains: "Content"},
		{name: "password policy absent", id: "iam:GetAccountPasswordPolicy global  #0", status: "error",
			class: snapshot.ClassNotFound, contains: "NoSuchEntity"},
		{name: "organizations not in use", id: "organizations:DescribeOrganization global  #0", status: "error",
			class: snapshot.ClassNotFound, contains: "AWSOrganizationsNotInUseException"},
		{name: "bucket location", id: "s3:GetBucketLocation global " + euBucket + " #0", status: "ok", contains: "eu-west-1"},
		{name: "eu bucket policy in its region", id: "s3:GetBucketPolicy eu-west-1 " + euBucket + " #0", status: "ok",
			contains: "Statement"},
		{name: "us bucket without policy", id: "s3:GetBucketPolicy us-east-1 " + usBucket + " #0", status: "error",
			class: snapshot.ClassNotFound, contains: "NoSuchBucketPolicy"},
		{name: "lambda tags per function arn", id: "lambda:ListTags us-east-1 arn:aws:lambda:us-east-1:123456789012:function:orders-api #0",
			status: "ok"},
		{name: "dynamodb tags via token loop", id: "dynamodb:ListTagsOfResource us-east-1 arn:aws:dynamodb:us-east-1:123456789012:table/orders #0",
			status: "ok"},
		{name: "config rule compliance", id: "configservice:GetComplianceDetailsByConfigRule us-east-1 s3-bucket-versioning-enabled #0",
			status: "ok", contains: "EvaluationResults"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := byID[tt.id]
			if !ok {
				t.Fatalf("no row %q", tt.id)
			}
			if r.Status != tt.status || r.ErrorClass != tt.class {
				t.Fatalf("status %s class %q (%s %s), want %s %q", r.Status, r.ErrorClass, r.ErrorCode, r.ErrorMessage,
					tt.status, tt.class)
			}
			got := r.Response
			if r.Status == snapshot.StatusError {
				got = r.ErrorCode
			}
			if !strings.Contains(got, tt.contains) {
				t.Errorf("%q does not contain %q", got, tt.contains)
			}
			if strings.Contains(r.Response, "ResultMetadata") || strings.Contains(r.Params, "Token") {
				t.Errorf("row carries ResultMetadata or a token: params %s", r.Params)
			}
		})
	}

	t.Run("global calls once for two regions", func(t *testing.T) {
		for _, op := range []string{"ListAccountAliases", "GetAccountSummary", "GetAccountPasswordPolicy"} {
			if n := countRequests(srv, "iam", op, ""); n != 1 {
				t.Errorf("iam %s requested %d times, want 1", op, n)
			}
		}
		if n := countRequests(srv, "iam", "GetAccountAuthorizationDetails", ""); n != 2 {
			t.Errorf("GetAccountAuthorizationDetails requested %d times, want 2 (two pages)", n)
		}
	})
	t.Run("s3 per-bucket calls go to the bucket region", func(t *testing.T) {
		for _, r := range srv.Requests() {
			if r.Service != "s3" || r.Operation == "ListBuckets" || r.Operation == "GetBucketLocation" {
				continue
			}
			want := map[string]string{usBucket: "us-east-1", euBucket: "eu-west-1"}[r.Params["Bucket"]]
			if r.Region != want {
				t.Errorf("%s for %s sent to %s, want %s", r.Operation, r.Params["Bucket"], r.Region, want)
			}
		}
		if n := countRequests(srv, "s3", "GetBucketPolicy", "eu-west-1"); n != 1 {
			t.Errorf("GetBucketPolicy in eu-west-1: %d requests, want 1", n)
		}
	})
	t.Run("secret redacted", func(t *testing.T) {
		fns := findRows(rows, "lambda", "ListFunctions", "us-east-1")
		if len(fns) == 0 {
			t.Fatal("no ListFunctions row")
		}
		want := redactor{key: []byte("test-key")}.marker(basicSecret)
		if !strings.Contains(fns[0].Response, want) {
			t.Errorf("ListFunctions response lacks marker %s: %s", want, fns[0].Response)
		}
		for _, r := range rows {
			if strings.Contains(r.Response+r.Params+r.ErrorMessage, basicSecret) {
				t.Errorf("secret in row %s", rowID(r))
			}
		}
	})
}

func TestCollectFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault fakeaws.Fault
		check func(t *testing.T, rows []snapshot.Row, sum Summary, srv *fakeaws.Server)
	}{
		{
			name:  "region answers AccessDenied for one call",
			fault: fakeaws.Fault{Service: "ec2", Operation: "DescribeInstances", Region: "eu-west-1", Code: "AccessDenied", Status: 403, Times: -1},
			check: func(t *testing.T, rows []snapshot.Row, sum Summary, _ *fakeaws.Server) {
				eu := findRows(rows, "ec2", "DescribeInstances", "eu-west-1")
				if len(eu) != 1 || eu[0].ErrorClass != snapshot.ClassDenied || eu[0].ErrorCode != "AccessDenied" {
					t.Errorf("eu-west-1 rows %+v, want one denied row", eu)
				}
				if us := findRows(rows, "ec2", "DescribeInstances", "us-east-1"); len(us) != 2 || us[0].Status != "ok" || us[1].Status != "ok" {
					t.Errorf("us-east-1 rows %+v, want two ok pages", us)
				}
				if sum.Errors[snapshot.ClassDenied] != 1 {
					t.Errorf("summary errors %v, want one denied", sum.Errors)
				}
			},
		},
		{
			name:  "throttled once then retried",
			fault: fakeaws.Fault{Service: "iam", Operation: "ListAccountAliases", Code: "Throttling", Status: 400, Times: 1},
			check: func(t *testing.T, rows []snapshot.Row, _ Summary, srv *fakeaws.Server) {
				got := findRows(rows, "iam", "ListAccountAliases", "")
				if len(got) != 1 || got[0].Status != "ok" {
					t.Errorf("rows %+v, want one ok row", got)
				}
				if n := countRequests(srv, "iam", "ListAccountAliases", ""); n != 2 {
					t.Errorf("fake saw %d requests, want 2", n)
				}
			},
		},
		{
			name:  "throttled beyond the retries",
			fault: fakeaws.Fault{Service: "lambda", Operation: "ListFunctions", Region: "us-east-1", Code: "TooManyRequestsException", Status: 429, Times: -1},
			check: func(t *testing.T, rows []snapshot.Row, _ Summary, srv *fakeaws.Server) {
				got := findRows(rows, "lambda", "ListFunctions", "us-east-1")
				if len(got) != 1 || got[0].ErrorClass != snapshot.ClassThrottled {
					t.Errorf("rows %+v, want one throttled row", got)
				}
				if n := countRequests(srv, "lambda", "ListFunctions", "us-east-1"); n != 3 {
					t.Errorf("fake saw %d requests, want 3 (max attempts)", n)
				}
				if n := len(findRows(rows, "lambda", "ListTags", "us-east-1")); n != 0 {
					t.Errorf("%d child rows of a failed parent", n)
				}
			},
		},
		{
			name:  "probe refused skips the region",
			fault: fakeaws.Fault{Service: "ec2", Operation: "DescribeVpcs", Region: "eu-west-1", Code: "OptInRequired", Status: 401, Times: -1},
			check: func(t *testing.T, rows []snapshot.Row, sum Summary, srv *fakeaws.Server) {
				if _, ok := sum.SkippedRegions["eu-west-1"]; !ok || slices.Contains(sum.Regions, "eu-west-1") {
					t.Errorf("summary regions %v skipped %v", sum.Regions, sum.SkippedRegions)
				}
				for _, r := range srv.Requests() {
					if r.Region == "eu-west-1" && r.Operation != "DescribeVpcs" && r.Service != "s3" {
						t.Errorf("request %s:%s sent to a skipped region", r.Service, r.Operation)
					}
				}
				for _, name := range []string{"DescribeInstances", "DescribeVpcs"} {
					got := findRows(rows, "ec2", name, "eu-west-1")
					if len(got) != 1 || got[0].ErrorClass != snapshot.ClassUnsupported || got[0].ErrorCode != "OptInRequired" {
						t.Errorf("%s rows %+v, want one unsupported row", name, got)
					}
				}
				if len(findRows(rows, "ec2", "DescribeInstances", "us-east-1")) != 2 {
					t.Error("us-east-1 was not collected")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, sum, srv, err := collectBasic(t, func(s *fakeaws.Server) { s.Fail(tt.fault) })
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, rows, sum, srv)
		})
	}
}

func TestCollectRegionsOption(t *testing.T) {
	var mu sync.Mutex
	var skipped []Event
	rows, sum, srv, err := collectBasic(t, nil, WithRegions("eu-west-1", "ap-east-1", "cn-north-1"),
		WithEvents(func(e Event) {
			if e.Kind == EventRegionSkipped {
				mu.Lock()
				skipped = append(skipped, e)
				mu.Unlock()
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Regions, []string{"eu-west-1"}) {
		t.Errorf("regions %v, want [eu-west-1]", sum.Regions)
	}
	for _, r := range srv.Requests() {
		if r.Service == "ec2" && r.Operation != "DescribeRegions" && r.Region != "eu-west-1" {
			t.Errorf("ec2 %s sent to %s", r.Operation, r.Region)
		}
	}
	if len(findRows(rows, "ec2", "DescribeInstances", "us-east-1")) != 0 {
		t.Error("us-east-1 collected although not requested")
	}
	got := map[string]bool{}
	for _, e := range skipped {
		got[e.Region] = true
	}
	if !got["ap-east-1"] || !got["cn-north-1"] {
		t.Errorf("skipped events %+v, want ap-east-1 and cn-north-1", skipped)
	}
}

// TestOtherPartitionRegions: an endpoint that lists China or GovCloud
// regions as enabled (emulators do) gets them skipped with the reason; with
// --regions, regions nobody asked for are not reported at all.
func TestOtherPartitionRegions(t *testing.T) {
	for _, tt := range []struct {
		name        string
		opts        []Option
		wantSkipped []string
	}{
		{name: "every region", wantSkipped: []string{"cn-north-1", "us-gov-west-1"}},
		{name: "restricted", opts: []Option{WithRegions("eu-west-1")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := fakeaws.LoadWorld(t, basicWorld)
			w.Regions = append(w.Regions, "cn-north-1", "us-gov-west-1")
			srv := fakeaws.New(t, w)
			mw := &memWriter{}
			sum, err := New(fakeConfig(t, srv, nil), testOpts(tt.opts...)...).Run(t.Context(), mw)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(maps.Keys(sum.SkippedRegions))
			if !slices.Equal(got, tt.wantSkipped) {
				t.Errorf("skipped regions %v, want %v", got, tt.wantSkipped)
			}
			for _, r := range sum.Regions {
				if strings.HasPrefix(r, "cn-") || strings.HasPrefix(r, "us-gov-") {
					t.Errorf("collected %s", r)
				}
			}
			for _, r := range srv.Requests() {
				if strings.HasPrefix(r.Region, "cn-") || strings.HasPrefix(r.Region, "us-gov-") {
					t.Errorf("request %s:%s sent to %s", r.Service, r.Operation, r.Region)
				}
			}
		})
	}
}

func TestCallerIdentityFailureStopsTheRun(t *testing.T) {
	_, _, _, err := collectBasic(t, func(s *fakeaws.Server) {
		s.Fail(fakeaws.Fault{Service: "sts", Operation: "GetCallerIdentity", Code: "InvalidClientTokenId", Status: 403, Times: -1})
	})
	if err == nil || !strings.Contains(err.Error(), "InvalidClientTokenId") {
		t.Fatalf("err = %v, want the caller identity failure", err)
	}
}

func TestEvents(t *testing.T) {
	var events []Event // WithEvents serializes calls: no lock needed
	rows, sum, _, err := collectBasic(t, nil, WithEvents(func(e Event) { events = append(events, e) }))
	if err != nil {
		t.Fatal(err)
	}
	started, finished, rowsSeen := 0, 0, 0
	for _, e := range events {
		switch e.Kind {
		case EventCallStarted:
			started++
		case EventCallFinished:
			finished++
			rowsSeen += e.Rows
		}
	}
	if last := events[len(events)-1]; last.Kind != EventDone || last.Summary == nil || last.Summary.Rows != sum.Rows {
		t.Errorf("last event %+v, want done with the summary", last)
	}
	if started != finished || finished != sum.Calls {
		t.Errorf("started %d finished %d, summary calls %d", started, finished, sum.Calls)
	}
	if rowsSeen != len(rows) {
		t.Errorf("events count %d rows, writer got %d", rowsSeen, len(rows))
	}
}

func TestCancellation(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	cfg := fakeConfig(t, srv, nil)
	dir := t.TempDir() + "/snap"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Cancel as soon as the first regional call finishes (Ctrl-C mid-run).
	m, _, err := Snapshot(ctx, dir, cfg, nil, testOpts(WithEvents(func(e Event) {
		if e.Kind == EventCallFinished && e.Region != RowGlobal {
			cancel()
		}
	}))...)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if m != nil {
		t.Error("a manifest was returned")
	}
	if _, err := snapshot.Open(dir); err == nil {
		t.Error("the cancelled run left a snapshot that opens")
	}
}

// TestManifestRecordsPlan: the committed snapshot's manifest records the
// collection plan, every registry call with its scope and parent, so
// analysis reads what was attempted instead of guessing it.
func TestManifestRecordsPlan(t *testing.T) {
	snap, err := snapshot.Open(filepath.Join("..", "testdata", "snapshots", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	m := snap.Manifest()
	reg := Registry()
	if len(m.Plan) != len(reg) {
		t.Fatalf("plan has %d calls, the registry %d", len(m.Plan), len(reg))
	}
	for _, c := range reg {
		p, ok := m.Planned(c.Service, c.Operation)
		if !ok || p.Scope != c.Scope.String() || p.Parent != c.Parent {
			t.Errorf("%s: planned %+v (%v), want scope %s parent %q", c.Name(), p, ok, c.Scope, c.Parent)
		}
	}
}
