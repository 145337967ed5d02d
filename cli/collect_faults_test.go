package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// resetListener accepts loopback connections and resets each at once (a
// dead proxy or a firewall that answers with RST); it counts them.
func resetListener(t *testing.T) (url string, conns *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = &atomic.Int32{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
		}
	}()
	return "http://" + ln.Addr().String(), conns
}

// oneErrorLine checks that stderr is one line holding every want.
func oneErrorLine(t *testing.T, stderr string, want []string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
}

// TestCollectUnreachable: an endpoint that cannot be reached fails the
// collection after a few quick attempts (not the patient retry budget meant
// for throttling) with one line that says so, and leaves no snapshot.
func TestCollectUnreachable(t *testing.T) {
	resetURL, conns := resetListener(t)
	tests := []struct {
		name     string
		endpoint string
		want     []string
	}{
		{name: "connection refused", endpoint: "http://127.0.0.1:1",
			want: []string{"cannot reach AWS", "sts:GetCallerIdentity", "connection refused"}},
		{name: "connection reset", endpoint: resetURL,
			want: []string{"cannot reach AWS", "sts:GetCallerIdentity", "connection reset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			collectEnv(t)
			dir := filepath.Join(t.TempDir(), "snap")
			var out, errw bytes.Buffer
			code := Run(t.Context(), []string{"snapaudit", "collect", "--endpoint-url", tt.endpoint, dir}, nil, &out, &errw)
			if code != ExitError {
				t.Errorf("exit %d, want %d", code, ExitError)
			}
			oneErrorLine(t, errw.String(), tt.want)
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
	if n := conns.Load(); n == 0 || n > 3 {
		t.Errorf("the resetting endpoint saw %d connections, want 1 to 3 (a few quick attempts)", n)
	}
}

// TestCollectPartial: a collection with failed calls commits its snapshot,
// exits with ExitPartial and says which calls failed, grouped by call and
// class with their regions; not_found answers (a bucket without a policy)
// are not failures.
func TestCollectPartial(t *testing.T) {
	tests := []struct {
		name     string
		faults   []fakeaws.Fault
		wantCode int
		want     []string // stderr lines, in order (after trimming repeated spaces)
	}{
		{name: "not_found only", wantCode: ExitOK},
		{
			name: "denied in two regions and an error",
			faults: []fakeaws.Fault{
				{Service: "ec2", Operation: "DescribeVolumes", Code: "UnauthorizedOperation", Times: -1},
				{Service: "iam", Operation: "ListAccountAliases", Code: "ValidationError", Message: "bad request", Times: -1},
			},
			wantCode: ExitPartial,
			want: []string{
				"incomplete: 3 calls failed (exit code 4); the snapshot records each as an error row:",
				"ec2:DescribeVolumes denied 2 regions: eu-west-1, us-east-1 UnauthorizedOperation",
				"iam:ListAccountAliases other global ValidationError: bad request",
			},
		},
		{
			name:     "denied alone",
			faults:   []fakeaws.Fault{{Service: "s3", Operation: "GetBucketTagging", Code: "AccessDenied", Times: -1}},
			wantCode: ExitPartial,
			want: []string{
				"incomplete: 2 calls failed (exit code 4); the snapshot records each as an error row:",
				"s3:GetBucketTagging denied 2 regions: eu-west-1, us-east-1 AccessDenied",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			collectEnv(t)
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/basic"))
			for _, f := range tt.faults {
				srv.Fail(f)
			}
			dir := filepath.Join(t.TempDir(), "snap")
			var out, errw bytes.Buffer
			code := Run(t.Context(), []string{"snapaudit", "collect", "--endpoint-url", srv.URL(), dir}, nil, &out, &errw)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, errw.String())
			}
			if out.String() != dir+"\n" {
				t.Errorf("stdout %q, want the snapshot path (the snapshot is committed)", out.String())
			}
			if _, err := snapshot.Verify(t.Context(), dir); err != nil {
				t.Errorf("verify: %v", err)
			}
			var lines []string
			for l := range strings.Lines(errw.String()) {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			rest := lines
			for _, w := range tt.want {
				i := slices.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr lacks the line %q (in order):\n%s", w, errw.String())
				}
				rest = rest[i+1:]
			}
			if tt.want == nil && strings.Contains(errw.String(), "incomplete") {
				t.Errorf("stderr reports an incomplete collection:\n%s", errw.String())
			}
		})
	}
}

// TestCollectRegionsAndRoleFlags: region names that are not regions and
// --external-id without --role-arn are usage errors (exit 2, one line); a
// collection left with no region is an error, and no snapshot is written.
func TestCollectRegionsAndRoleFlags(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		want       []string
		noRequests bool // refused before contacting AWS
	}{
		{name: "region typo", args: []string{"--regions", "us-east1,eu-west-1"}, wantCode: ExitUsage, noRequests: true,
			want: []string{`unknown region "us-east1" (did you mean us-east-1?)`, "valid regions: af-south-1, ", "us-west-2"}},
		{name: "no such region", args: []string{"--regions", "us-east-7"}, wantCode: ExitUsage,
			want: []string{`unknown region "us-east-7" (did you mean us-east-1?)`, "valid regions: "}},
		{name: "region not enabled", args: []string{"--regions", "ap-east-1"}, wantCode: ExitError,
			want: []string{"no region to collect: ap-east-1: not enabled for the account"}},
		{name: "external id without role", args: []string{"--external-id", "x"}, wantCode: ExitUsage, noRequests: true,
			want: []string{"--external-id needs --role-arn"}},
		{name: "session name without role", args: []string{"--session-name", "x"}, wantCode: ExitUsage, noRequests: true,
			want: []string{"--session-name needs --role-arn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			collectEnv(t)
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/basic"))
			dir := filepath.Join(t.TempDir(), "snap")
			args := append([]string{"snapaudit", "collect", "--endpoint-url", srv.URL()}, tt.args...)
			var out, errw bytes.Buffer
			code := Run(t.Context(), append(args, dir), nil, &out, &errw)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, errw.String())
			}
			oneErrorLine(t, errw.String(), tt.want)
			if _, err := os.Stat(dir); tt.wantCode != ExitOK && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s left behind (%v): a settings error is not resumable", dir, err)
			}
			if n := len(srv.Requests()); tt.noRequests && n > 0 {
				t.Errorf("%d requests sent before the usage error", n)
			}
			if _, err := snapshot.Open(dir); err == nil {
				t.Error("a snapshot was written")
			}
		})
	}
}

// TestFailuresInJSONSummary: with --json the summary line carries the
// failed calls, for machines.
func TestFailuresInJSONSummary(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true, false)
	p.finish(collect.Summary{AccountID: "111122223333", Failures: []collect.CallFailure{{Call: "ec2:DescribeVolumes",
		Class: snapshot.ClassDenied, Codes: []string{"UnauthorizedOperation"}, Regions: []string{"eu-west-1"}, Invocations: 1}}}, nil, nil)
	var line struct {
		Kind    string
		Summary struct {
			Failures []collect.CallFailure `json:"failures"`
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if line.Kind != "summary" || len(line.Summary.Failures) != 1 || line.Summary.Failures[0].Call != "ec2:DescribeVolumes" {
		t.Errorf("summary line %s", buf.String())
	}
}
