package access_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/collect/fakeaws/worldsnap"
)

// The demo account (a member) and the management account of its
// organisation, served by collect/fakeaws.
const (
	demoWorld = "../../testdata/fakeaws/demo"
	orgWorld  = "../../testdata/fakeaws/org"
	demoAcct  = "111122223333"
	mgmtAcct  = "999988887777"
)

// collectWorlds collects each world with the real collector and SDK clients
// into one snapshot (one writer, one Run per account) and loads its graph as
// `snapaudit iam` does.
func collectWorlds(t *testing.T, worlds ...string) (*access.Query, *graph.Graph) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	var servers []*fakeaws.Server
	for _, world := range worlds {
		servers = append(servers, fakeaws.New(t, fakeaws.LoadWorld(t, world)))
	}
	worldsnap.Collect(t, dir, servers...)
	g, err := analyze.LoadGraph(t.Context(), dir, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := actions.Load()
	if err != nil {
		t.Fatal(err)
	}
	ev := iam.NewEvaluator(iam.WithRCPServices(cat.RCPServices()), iam.WithClock(worldsnap.Clock))
	return access.NewQuery(g, ev, cat), g
}

// TestOrganizationPoliciesEndToEnd: collected with the real SDK clients
// against fakeaws, the demo member account alone cannot read its
// organisation (AccessDenied: every answer and the limits say its SCPs and
// RCPs were not readable); collected with its management account, who-can
// applies the SCP on the member's OU (deny-bucket-deletion: SCPs filter
// what the member's principals may do, even an administrator;
// orgs_manage_policies_scps_evaluation.html) and the RCP on the root
// (s3-organisation-only: an RCP denies principals outside the
// organisation, including anonymous callers of a public bucket policy;
// orgs_manage_policies_rcps_evaluation.html).
func TestOrganizationPoliciesEndToEnd(t *testing.T) {
	const (
		admin     = "arn:aws:iam::111122223333:user/dave-admin"
		appData   = "arn:aws:s3:::example-corp-app-data"
		publicObj = "arn:aws:s3:::example-corp-public-assets/index.html"
	)
	principals := func(as []access.Answer) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Principal)
		}
		return out
	}
	answerFor := func(as []access.Answer, p string) *access.Answer {
		for i := range as {
			if as[i].Principal == p {
				return &as[i]
			}
		}
		return nil
	}
	member, memberGraph := collectWorlds(t, demoWorld)
	both, bothGraph := collectWorlds(t, demoWorld, orgWorld)

	// Bucket deletion: the member's administrator, until the SCP.
	del, err := member.WhoCan(t.Context(), "s3:DeleteBucket", appData)
	if err != nil {
		t.Fatal(err)
	}
	if a := answerFor(del, admin); a == nil || a.SCPs != access.OrgPoliciesUnreadable || a.RCPs != access.OrgPoliciesUnreadable {
		t.Errorf("member only: %s answer %+v, want allowed with SCPs and RCPs not readable", admin, a)
	}
	if l := member.Limits(); len(l) == 0 || !containsAll(l[0], "service control policies of account "+demoAcct, "not readable") {
		t.Errorf("member only: limits %q do not say its SCPs were not readable", l)
	}
	del, err = both.WhoCan(t.Context(), "s3:DeleteBucket", appData)
	if err != nil {
		t.Fatal(err)
	}
	if len(del) != 0 {
		t.Errorf("with the management account: s3:DeleteBucket allowed to %q, want nobody (SCP deny-bucket-deletion)", principals(del))
	}
	req, pol, unknown, _, err := both.Request(t.Context(), mustPrincipal(t, admin), "s3:DeleteBucket", appData)
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Context["aws:PrincipalOrgPaths"]; !slices.Equal(got, []string{"o-exampleorgid/r-exmp/ou-exmp-workload1/ou-exmp-prod0001/"}) {
		t.Errorf("aws:PrincipalOrgPaths = %q", got)
	}
	if unknown("aws:principalorgpaths") || unknown("aws:resourceorgpaths") {
		t.Error("organisation paths are known, but reported unknown")
	}
	if len(pol.SCPs) != 4 || len(pol.RCPs) != 4 {
		t.Errorf("%d SCP and %d RCP levels, want 4 each (root, 2 OUs, account)", len(pol.SCPs), len(pol.RCPs))
	}
	for _, l := range both.Limits() {
		if containsAll(l, "not readable") {
			t.Errorf("with the management account, limits still say %q", l)
		}
	}

	// Reading the public bucket's objects: anonymous "*" through the bucket
	// policy, until the RCP; the organisation's own principals still can.
	get, err := member.WhoCan(t.Context(), "s3:GetObject", publicObj)
	if err != nil {
		t.Fatal(err)
	}
	if answerFor(get, "*") == nil {
		t.Errorf("member only: anonymous not allowed to read %s: %q", publicObj, principals(get))
	}
	get, err = both.WhoCan(t.Context(), "s3:GetObject", publicObj)
	if err != nil {
		t.Fatal(err)
	}
	if answerFor(get, "*") != nil {
		t.Errorf("with the management account: anonymous still allowed (RCP s3-organisation-only): %q", principals(get))
	}
	if a := answerFor(get, admin); a == nil || a.SCPs != access.OrgPoliciesApplied || a.RCPs != access.OrgPoliciesApplied {
		t.Errorf("with the management account: %s answer %+v, want allowed with SCPs and RCPs applied", admin, a)
	}

	// The region guard on Workloads (us-east-1-only): a function in
	// eu-west-1 is requested there, so no principal of the member may read
	// it; one in us-east-1 stays readable without a condition on the
	// Region (aws:RequestedRegion from its ARN, IAM User Guide
	// reference_policies_condition-keys.html#condition-keys-requestedregion).
	const (
		euFn = "arn:aws:lambda:eu-west-1:111122223333:function:image-resizer"
		usFn = "arn:aws:lambda:us-east-1:111122223333:function:nightly-report"
	)
	for _, c := range []struct {
		q       *access.Query
		g       *graph.Graph
		fn      string
		allowed bool
	}{
		{member, memberGraph, euFn, true}, {both, bothGraph, euFn, false}, {both, bothGraph, usFn, true},
	} {
		want, err := c.q.WhoCan(t.Context(), "lambda:GetFunction", c.fn)
		if err != nil {
			t.Fatal(err)
		}
		got, err := access.NewIndex(c.g).WhoCan(t.Context(), c.q, "lambda:GetFunction", c.fn)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(principals(want), principals(got)) {
			t.Errorf("lambda:GetFunction on %s: evaluator %q, graph %q", c.fn, principals(want), principals(got))
		}
		a := answerFor(want, admin)
		switch {
		case c.allowed && (a == nil || (a.Conditional && a.SCPs == access.OrgPoliciesApplied)):
			t.Errorf("lambda:GetFunction on %s: %s answer %+v, want allowed (unconditionally where the SCPs apply)", c.fn, admin, a)
		case !c.allowed && len(want) != 0:
			t.Errorf("lambda:GetFunction on %s: allowed to %q, want nobody (region guard)", c.fn, principals(want))
		}
	}

	// The graph (derived by LoadGraph) says the same: the member's account
	// could not read its policies and its edges say they were derived
	// without them; with the management account they are applied, the
	// public grant no longer reaches anonymous callers, and who-can over
	// the edges gives the evaluator's answers.
	for _, c := range []struct {
		name                 string
		g                    *graph.Graph
		q                    *access.Query
		status               string
		without, anonymous   bool
		deleters, publicRead int
	}{
		{"member only", memberGraph, member, access.OrgPoliciesUnreadable, true, true, 1, 1},
		{"with the management account", bothGraph, both, access.OrgPoliciesApplied, false, false, 0, 0},
	} {
		acctEnt := c.g.Entity(model.AccountKey(demoAcct))
		if got := [2]string{acctEnt.String("serviceControlPoliciesStatus"), acctEnt.String("resourceControlPoliciesStatus")}; got != [2]string{c.status, c.status} {
			t.Errorf("%s: account SCPs, RCPs %q, want %q", c.name, got, c.status)
		}
		edges := 0
		for _, r := range c.g.Relationships() {
			if r.Type == access.AccessType && r.From == admin {
				edges++
				if got, _ := r.Get("derivedWithoutSCPs").(bool); got != c.without {
					t.Errorf("%s: %s derivedWithoutSCPs %v, want %v", c.name, r.Key(), got, c.without)
				}
			}
		}
		if edges == 0 {
			t.Errorf("%s: %s has no access edges", c.name, admin)
		}
		pub := c.g.Relationship("arn:aws:s3:::example-corp-public-assets|allows|" + model.EveryoneKey)
		if pub == nil || pub.Get("anonymousEffective") != c.anonymous {
			t.Errorf("%s: the public grant's anonymousEffective should be %v: %v", c.name, c.anonymous, pub)
		}
		ix := access.NewIndex(c.g)
		del, err := ix.WhoCan(t.Context(), c.q, "s3:DeleteBucket", appData)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(slices.DeleteFunc(del, func(a access.Answer) bool { return a.Principal != admin })); n != c.deleters {
			t.Errorf("%s: graph who-can s3:DeleteBucket: %s %d times, want %d", c.name, admin, n, c.deleters)
		}
		get, err := ix.WhoCan(t.Context(), c.q, "s3:GetObject", publicObj)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(slices.DeleteFunc(get, func(a access.Answer) bool { return a.Principal != "*" })); n != c.publicRead {
			t.Errorf("%s: graph who-can s3:GetObject on %s: anonymous %d times, want %d", c.name, publicObj, n, c.publicRead)
		}
	}
}

func mustPrincipal(t *testing.T, arn string) iam.Principal {
	t.Helper()
	p, err := iam.ParsePrincipal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
