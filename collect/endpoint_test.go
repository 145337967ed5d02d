package collect

import (
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestServiceWithoutEndpoint: where AWS does not offer a service, its
// regional host name does not resolve and nothing is sent. The fake makes
// WorkSpaces and Transfer Family unresolvable in eu-west-1 (the error Go's
// resolver gives, through the SDK's real clients): their calls there are
// recorded as unsupported (NoEndpoint), not retried, not counted as
// failures of the run, while us-east-1 is collected as usual.
func TestServiceWithoutEndpoint(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	missing := []string{"transfer:ListServers", "workspaces:DescribeWorkspaces"}
	for _, name := range missing {
		svc, _, _ := strings.Cut(name, ":")
		srv.NoEndpoint(svc, "eu-west-1")
	}
	cfg := fakeConfig(t, srv, nil)
	cfg.HTTPClient = srv.Client(cfg.HTTPClient)
	m, sum, err := Snapshot(t.Context(), t.TempDir()+"/snap", cfg, nil, testOpts()...)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]snapshot.CallStatus{}
	for _, cs := range m.Calls {
		status[cs.Service+":"+cs.Operation+" "+cs.Region] = cs
	}
	for _, name := range missing {
		t.Run(name, func(t *testing.T) {
			eu := status[name+" eu-west-1"]
			if eu.Status != snapshot.CallError || eu.Errors[snapshot.ClassUnsupported] != 1 || eu.FirstError == nil ||
				eu.FirstError.Code != "NoEndpoint" || !strings.Contains(eu.FirstError.Message, ".eu-west-1.amazonaws.com") {
				t.Errorf("eu-west-1: %+v (first error %+v), want one unsupported NoEndpoint error naming the host", eu, eu.FirstError)
			}
			if us := status[name+" us-east-1"]; us.Status != snapshot.CallOK {
				t.Errorf("us-east-1: status %q, want ok", us.Status)
			}
			svc, op, _ := strings.Cut(name, ":")
			if n := countRequests(srv, svc, op, "eu-west-1"); n != 0 {
				t.Errorf("%d requests reached the endpoint that does not exist", n)
			}
			if slices.ContainsFunc(sum.Failures, func(f CallFailure) bool { return f.Call == name }) {
				t.Errorf("the run reports %s as a failure: %+v", name, sum.Failures)
			}
		})
	}
	if n := sum.Errors[snapshot.ClassUnsupported]; n != len(missing) {
		t.Errorf("%d unsupported calls, want %d", n, len(missing))
	}
}

// TestRegionWithoutEC2Endpoint: a region whose EC2 endpoint does not
// resolve (the probe answers NoEndpoint) is skipped with the reason, like a
// region that is not enabled, not collected call by call.
func TestRegionWithoutEC2Endpoint(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	srv.NoEndpoint("ec2", "eu-west-1")
	cfg := fakeConfig(t, srv, nil)
	cfg.HTTPClient = srv.Client(cfg.HTTPClient)
	sum, err := New(cfg, testOpts()...).Run(t.Context(), &memWriter{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Regions, []string{"us-east-1"}) || !strings.Contains(sum.SkippedRegions["eu-west-1"], "NoEndpoint") {
		t.Errorf("regions %v, skipped %v: want eu-west-1 skipped for NoEndpoint", sum.Regions, sum.SkippedRegions)
	}
	if len(sum.Failures) != 0 {
		t.Errorf("failures %+v, want none", sum.Failures)
	}
	for _, r := range srv.Requests() {
		if r.Region == "eu-west-1" && r.Service != "s3" {
			t.Errorf("request sent to the skipped region: %s:%s", r.Service, r.Operation)
		}
	}
}
