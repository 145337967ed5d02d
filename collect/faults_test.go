package collect

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// testReadTimeout is the read timeout of the fault tests: a stalled answer
// fails after it (and is retried).
const testReadTimeout = 500 * time.Millisecond

// collectWith runs the collector over the basic world with the faults set
// up, a short read timeout and immediate retries (3 attempts), into a
// snapshot, and reads the rows back from it.
func collectWith(t *testing.T, setup func(*fakeaws.Server)) ([]snapshot.Row, *snapshot.Manifest, Summary, *fakeaws.Server) {
	t.Helper()
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	if setup != nil {
		setup(srv)
	}
	cfg := fakeConfig(t, srv, func(o *ConfigOptions) { o.ReadTimeout = testReadTimeout })
	dir := t.TempDir() + "/snap"
	m, sum, err := Snapshot(t.Context(), dir, cfg, nil, testOpts()...)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rows []snapshot.Row
	for _, p := range snap.Partitions() {
		if err := snap.Rows(t.Context(), p.Service, p.Operation, func(r snapshot.Row) error {
			rows = append(rows, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return rows, m, sum, srv
}

// invocation names one invocation: "service:Operation region key".
func invocation(r snapshot.Row) string {
	return strings.TrimSpace(fmt.Sprintf("%s:%s %s %s", r.Service, r.Operation, r.Region, r.ParentKey))
}

// byInvocation groups rows by invocation, each group sorted by page.
func byInvocation(rows []snapshot.Row) map[string][]snapshot.Row {
	out := map[string][]snapshot.Row{}
	for _, r := range rows {
		out[invocation(r)] = append(out[invocation(r)], r)
	}
	for _, g := range out {
		slices.SortFunc(g, func(a, b snapshot.Row) int { return int(a.Page - b.Page) })
	}
	return out
}

// sameRow compares what a row says (not when it was written).
func sameRow(a, b snapshot.Row) bool {
	return a.Page == b.Page && a.Status == b.Status && a.Params == b.Params && a.Response == b.Response &&
		a.ErrorClass == b.ErrorClass && a.ErrorCode == b.ErrorCode
}

// checkNothingLost compares a faulted collection with the fault-free one:
// every invocation not in failed has exactly the baseline's rows (every page
// collected); every invocation in failed has the baseline's first pages and
// then one error row of the given class. Nothing else may differ.
func checkNothingLost(t *testing.T, base, got []snapshot.Row, failed map[string]snapshot.ErrorClass) {
	t.Helper()
	b, g := byInvocation(base), byInvocation(got)
	for _, inv := range slices.Sorted(maps.Keys(b)) {
		want, have := b[inv], g[inv]
		class, isFailed := failed[inv]
		if !isFailed {
			if len(have) != len(want) {
				t.Errorf("%s: %d rows, want %d (the fault-free rows)", inv, len(have), len(want))
				continue
			}
			for i := range want {
				if !sameRow(want[i], have[i]) {
					t.Errorf("%s page %d differs from the fault-free row:\n got %s %s %s %.120s\nwant %s %s %s %.120s", inv, i,
						have[i].Status, have[i].ErrorClass, have[i].ErrorCode, have[i].Response+have[i].ErrorMessage,
						want[i].Status, want[i].ErrorClass, want[i].ErrorCode, want[i].Response+want[i].ErrorMessage)
				}
			}
			continue
		}
		if len(have) == 0 {
			t.Errorf("%s: no rows at all, want an error row of class %s", inv, class)
			continue
		}
		last := have[len(have)-1]
		if last.Status != snapshot.StatusError || last.ErrorClass != class || last.ErrorMessage == "" {
			t.Errorf("%s: last row %s %q %q %q, want an error row of class %s with a message", inv, last.Status,
				last.ErrorClass, last.ErrorCode, last.ErrorMessage, class)
		}
		for i, r := range have[:len(have)-1] {
			if i >= len(want) || !sameRow(want[i], r) {
				t.Errorf("%s page %d: not the fault-free page", inv, i)
			}
		}
	}
	for inv := range g {
		if _, ok := b[inv]; !ok {
			t.Errorf("%s: rows that the fault-free collection does not have", inv)
		}
	}
	for inv := range failed {
		if _, ok := b[inv]; !ok {
			t.Errorf("test bug: %s is not an invocation of the basic world", inv)
		}
	}
}

// TestFaultsSurvived injects each kind of fault into the fake endpoint and
// runs the real collector over the real SDK clients into a snapshot: every
// page is collected after retries, or the invocation ends in an error row
// with its class, is incomplete in the manifest, and the run's Failures
// list it. Nothing is silently lost: the rows are
// compared with a fault-free collection of the same world.
func TestFaultsSurvived(t *testing.T) {
	base, _, baseSum, baseSrv := collectWith(t, nil)
	if len(baseSum.Failures) != 0 {
		t.Fatalf("fault-free collection has failures: %+v", baseSum.Failures)
	}
	const (
		ec2Instances = "ec2:DescribeInstances us-east-1"
		iamDetails   = "iam:GetAccountAuthorizationDetails global"
	)
	tests := []struct {
		name   string
		faults []fakeaws.Fault
		failed map[string]snapshot.ErrorClass // invocation -> class; nil = every page recovered
	}{
		// Throttling, in each protocol's dialect, recovered by retries.
		{name: "ec2 RequestLimitExceeded on page 2", faults: []fakeaws.Fault{{Service: "ec2", Operation: "DescribeInstances",
			Region: "us-east-1", Page: "page2", Code: "RequestLimitExceeded", Times: 2}}},
		{name: "query Throttling on page 1", faults: []fakeaws.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails",
			Page: fakeaws.FirstPage, Code: "Throttling", Times: 2}}},
		{name: "json 1.0 ThrottlingException", faults: []fakeaws.Fault{{Service: "dynamodb", Operation: "ListTables",
			Code: "ThrottlingException", Times: 2}}},
		{name: "json 1.1 ThrottlingException", faults: []fakeaws.Fault{{Service: "configservice", Operation: "DescribeConfigRules",
			Code: "ThrottlingException", Times: 2}}},
		{name: "s3 SlowDown 503", faults: []fakeaws.Fault{{Service: "s3", Operation: "ListBuckets", Code: "SlowDown", Times: 2}}},
		{name: "rest-json HTTP 429", faults: []fakeaws.Fault{{Service: "lambda", Operation: "ListFunctions",
			Code: "TooManyRequestsException", Status: 429, Times: 2}}},
		// Throttled beyond the retries: the pages before are kept.
		{name: "throttled on page 2 beyond the retries",
			faults: []fakeaws.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails", Page: "page2", Code: "Throttling", Times: -1}},
			failed: map[string]snapshot.ErrorClass{iamDetails: snapshot.ClassThrottled}},
		// Server errors.
		{name: "500 then success", faults: []fakeaws.Fault{{Service: "iam", Operation: "ListAccountAliases", Code: "InternalError",
			Status: 500, Times: 2}}},
		{name: "503 always",
			faults: []fakeaws.Fault{{Service: "ec2", Operation: "DescribeSecurityGroups", Region: "eu-west-1",
				Code: "ServiceUnavailable", Status: 503, Times: -1}},
			failed: map[string]snapshot.ErrorClass{"ec2:DescribeSecurityGroups eu-west-1": snapshot.ClassOther}},
		// Transport faults.
		{name: "connection reset on page 2", faults: []fakeaws.Fault{{Service: "ec2", Operation: "DescribeInstances",
			Region: "us-east-1", Page: "page2", Kind: fakeaws.FaultReset, Times: 2}}},
		{name: "connection reset always",
			faults: []fakeaws.Fault{{Service: "iam", Operation: "GetAccountSummary", Kind: fakeaws.FaultReset, Times: -1}},
			failed: map[string]snapshot.ErrorClass{"iam:GetAccountSummary global": snapshot.ClassOther}},
		{name: "stall past the read timeout", faults: []fakeaws.Fault{{Service: "dynamodb", Operation: "ListTables",
			Kind: fakeaws.FaultStall, Times: 1}}},
		{name: "stall always",
			faults: []fakeaws.Fault{{Service: "iam", Operation: "ListAccountAliases", Kind: fakeaws.FaultStall, Times: -1}},
			failed: map[string]snapshot.ErrorClass{"iam:ListAccountAliases global": snapshot.ClassOther}},
		{name: "truncated page 2", faults: []fakeaws.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails",
			Page: "page2", Kind: fakeaws.FaultTruncate, Times: 2}}},
		{name: "truncated json", faults: []fakeaws.Fault{{Service: "lambda", Operation: "ListFunctions", Region: "us-east-1",
			Kind: fakeaws.FaultTruncate, Times: 1}}},
		{name: "truncated always",
			faults: []fakeaws.Fault{{Service: "s3", Operation: "GetBucketPolicy", Kind: fakeaws.FaultTruncate, Times: -1,
				Match: map[string]string{"Bucket": euBucket}}},
			failed: map[string]snapshot.ErrorClass{"s3:GetBucketPolicy eu-west-1 " + euBucket: snapshot.ClassOther}},
		{name: "malformed once", faults: []fakeaws.Fault{{Service: "ec2", Operation: "DescribeInstances", Region: "us-east-1",
			Page: fakeaws.FirstPage, Kind: fakeaws.FaultMalformed, Times: 1}}},
		{name: "malformed always",
			faults: []fakeaws.Fault{{Service: "configservice", Operation: "DescribeConfigurationRecorders", Region: "us-east-1",
				Kind: fakeaws.FaultMalformed, Times: -1}},
			failed: map[string]snapshot.ErrorClass{"configservice:DescribeConfigurationRecorders us-east-1": snapshot.ClassOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, m, sum, srv := collectWith(t, func(s *fakeaws.Server) {
				for _, f := range tt.faults {
					s.Fail(f)
				}
			})
			checkNothingLost(t, base, rows, tt.failed)
			for inv, class := range tt.failed {
				f := strings.Fields(inv)
				svc, op, _ := strings.Cut(f[0], ":")
				cs, ok := m.Call(basicAccount, f[1], svc, op)
				if !ok || cs.Complete() || cs.Errors[class] == 0 || cs.FirstError == nil || cs.FirstError.Class != class {
					t.Errorf("manifest entry of %s: %+v (found %v), want it incomplete with a %s error", inv, cs, ok, class)
				}
			}
			var failed, want []string
			for _, f := range sum.Failures {
				for _, region := range f.Regions {
					failed = append(failed, f.Call+" "+region+" "+string(f.Class))
				}
			}
			for inv, class := range tt.failed {
				f := strings.Fields(inv)
				want = append(want, f[0]+" "+f[1]+" "+string(class))
			}
			slices.Sort(failed)
			slices.Sort(want)
			if !slices.Equal(failed, want) {
				t.Errorf("summary failures %v, want %v", failed, want)
			}
			// The fault fired: it took more requests than without it.
			f := tt.faults[0]
			if n, m := countRequests(srv, f.Service, f.Operation, ""), countRequests(baseSrv, f.Service, f.Operation, ""); n <= m {
				t.Errorf("%s:%s took %d requests, as many as without the fault (%d)", f.Service, f.Operation, n, m)
			}
		})
	}
}

// TestAssumedRoleSessionExpires: the fake's AssumeRole sessions expire a
// second after they are handed out, and the run is held up past the first
// session's expiry. The SDK's credential cache must assume the role again
// (no call may fail with an expired token, every page is collected); with
// credentials that cannot be refreshed, the calls after the expiry fail as
// denied and are reported, never lost.
func TestAssumedRoleSessionExpires(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/audit"
	collectRole := func(t *testing.T, expire bool, static bool) ([]snapshot.Row, Summary, *fakeaws.Server) {
		t.Helper()
		srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
		if expire {
			srv.ExpireSessions(time.Second)
		}
		cfg := fakeConfig(t, srv, func(o *ConfigOptions) {
			o.RoleARN, o.SessionRefreshWindow = role, 100*time.Millisecond
		})
		if static {
			// One session, never refreshed: what a cache that ignores
			// the expiry would do.
			creds, err := cfg.Credentials.Retrieve(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			cfg.Credentials = credentials.StaticCredentialsProvider{Value: creds}
		}
		var once sync.Once
		hold := func(e Event) {
			if e.Kind != EventCallFinished || e.Region == RowGlobal || !expire {
				return
			}
			once.Do(func() {
				// Sessions expire at half past a second and signing times
				// are whole seconds: past expiry+0.5s, a request signed
				// with the first session is refused.
				exp := srv.Sessions()[0].Expires
				time.Sleep(time.Until(exp.Add(600 * time.Millisecond)))
			})
		}
		w := &memWriter{}
		sum, err := New(cfg, testOpts(WithEvents(hold))...).Run(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		return w.rows, sum, srv
	}
	base, _, _ := collectRole(t, false, false)

	t.Run("refreshed", func(t *testing.T) {
		rows, sum, srv := collectRole(t, true, false)
		checkNothingLost(t, base, rows, nil)
		if len(sum.Failures) != 0 {
			t.Errorf("failures %+v", sum.Failures)
		}
		sessions := srv.Sessions()
		if len(sessions) < 2 {
			t.Fatalf("%d AssumeRole sessions, want the role assumed again after the first expired", len(sessions))
		}
		used := map[string]int{}
		for _, r := range srv.Requests() {
			used[r.AccessKeyID]++
		}
		if used[sessions[0].AccessKeyID] == 0 || used[sessions[1].AccessKeyID] == 0 {
			t.Errorf("requests per key %v: want both the first and the refreshed session used", used)
		}
	})
	t.Run("not refreshable", func(t *testing.T) {
		rows, sum, _ := collectRole(t, true, true)
		expired := 0
		for _, r := range rows {
			switch r.ErrorCode {
			case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
				expired++
				if r.ErrorClass != snapshot.ClassDenied {
					t.Errorf("%s: %s classified %s, want denied", rowID(r), r.ErrorCode, r.ErrorClass)
				}
			}
		}
		if expired == 0 {
			t.Fatal("no call failed with an expired token: the fake's sessions did not expire")
		}
		n := 0
		for _, f := range sum.Failures {
			if f.Class == snapshot.ClassDenied {
				n += f.Invocations
			}
		}
		if n != expired {
			t.Errorf("failures report %d denied invocations, rows have %d expired-token errors", n, expired)
		}
	})
}

// TestRegionValidation: --regions names that are neither known regions nor
// enabled for the account are a usage error naming the valid ones; a new
// region the account has enabled is accepted; a run left with no region to
// collect is an error, never a quiet success.
func TestRegionValidation(t *testing.T) {
	tests := []struct {
		name        string
		regions     []string
		world       func(*fakeaws.World)
		setup       func(*fakeaws.Server)
		wantUnknown []string // want an *UnknownRegionsError naming these
		wantErr     string   // want another error containing this
		wantRegions []string
	}{
		{name: "typo", regions: []string{"us-east1", "eu-west-1"}, wantUnknown: []string{"us-east1"}},
		{name: "no such region", regions: []string{"us-east-7"}, wantUnknown: []string{"us-east-7"}},
		{name: "new region the account has enabled", regions: []string{"ap-southeast-7"},
			world: func(w *fakeaws.World) { w.Regions = append(w.Regions, "ap-southeast-7") }, wantRegions: []string{"ap-southeast-7"}},
		{name: "known but not enabled", regions: []string{"ap-east-1"}, wantErr: "no region to collect"},
		{name: "every region refused", setup: func(s *fakeaws.Server) {
			s.Fail(fakeaws.Fault{Service: "ec2", Operation: "DescribeVpcs", Code: "AuthFailure", Times: -1})
		}, wantErr: "no region could be collected"},
		{name: "valid", regions: []string{"eu-west-1"}, wantRegions: []string{"eu-west-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := fakeaws.LoadWorld(t, basicWorld)
			if tt.world != nil {
				tt.world(w)
			}
			srv := fakeaws.New(t, w)
			if tt.setup != nil {
				tt.setup(srv)
			}
			var opts []Option
			if tt.regions != nil {
				opts = append(opts, WithRegions(tt.regions...))
			}
			sum, err := New(fakeConfig(t, srv, nil), testOpts(opts...)...).Run(t.Context(), &memWriter{})
			var ue *UnknownRegionsError
			switch {
			case tt.wantUnknown != nil:
				if !errors.As(err, &ue) || !slices.Equal(ue.Unknown, tt.wantUnknown) {
					t.Fatalf("err = %v, want an unknown-regions error for %v", err, tt.wantUnknown)
				}
				if !slices.Contains(ue.Valid, "eu-west-1") || !slices.Contains(ue.Valid, "us-east-1") ||
					!strings.Contains(err.Error(), "valid regions: ") {
					t.Errorf("error %q does not name the valid regions", err)
				}
			case tt.wantErr != "":
				if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want an error containing %q", err, tt.wantErr)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(sum.Regions, tt.wantRegions) {
					t.Errorf("regions %v, want %v", sum.Regions, tt.wantRegions)
				}
			}
		})
	}
}

// TestManifestRegions: the manifest lists the regions collected, "global"
// included (snapshot/FORMAT.md, section 4), as analyze hands them to the
// policies (input.snapshot.regions).
func TestManifestRegions(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	dir := t.TempDir() + "/snap"
	m, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts()...)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"eu-west-1", RowGlobal, "us-east-1"}; !slices.Equal(m.Regions, want) {
		t.Errorf("manifest regions %v, want %v", m.Regions, want)
	}
	for _, c := range m.Calls {
		if !slices.Contains(m.Regions, c.Region) {
			t.Errorf("call %s:%s has rows in %s, which the manifest's regions lack", c.Service, c.Operation, c.Region)
		}
	}
}

// TestThrottledIdentity: the first call fails fast only when the endpoint
// cannot be reached; a throttled STS gets the patient retry budget.
func TestThrottledIdentity(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	srv.Fail(fakeaws.Fault{Service: "sts", Operation: "GetCallerIdentity", Code: "Throttling", Times: 5})
	cfg := fakeConfig(t, srv, func(o *ConfigOptions) { o.MaxAttempts = 10 })
	sum, err := New(cfg, testOpts(WithRegions("eu-west-1"))...).Run(t.Context(), &memWriter{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.AccountID != basicAccount {
		t.Errorf("account %q", sum.AccountID)
	}
	if n := countRequests(srv, "sts", "GetCallerIdentity", ""); n != 6 {
		t.Errorf("%d GetCallerIdentity requests, want 6 (5 throttled)", n)
	}
}

// TestDeadProxy: a proxy that refuses connections is an unreachable
// endpoint too: the run fails at its first call, in a few quick attempts,
// saying so. (The proxy is set on the transport: Go reads the proxy
// environment once per process.)
func TestDeadProxy(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	cfg := fakeConfig(t, srv, func(o *ConfigOptions) { o.EndpointURL = "http://aws.snapaudit.invalid" })
	dead, err := url.Parse("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTPClient = cfg.HTTPClient.(*awshttp.BuildableClient).WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = http.ProxyURL(dead)
	})
	_, err = New(cfg, testOpts()...).Run(t.Context(), &memWriter{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach AWS") || !strings.Contains(err.Error(), "proxyconnect") {
		t.Fatalf("err = %v, want cannot reach AWS through the proxy", err)
	}
}
