package access

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// fixtureARNs returns the ARNs of the collected resources of g (not the
// accounts nor placeholders), sorted.
func fixtureARNs(g *graph.Graph) []string {
	var arns []string
	for _, e := range g.Entities() {
		if arn := e.String("arn"); strings.HasPrefix(arn, "arn:") && e.Type != "aws_account" && e.String("_source") != placeholderSource {
			arns = append(arns, arn)
		}
	}
	slices.Sort(arns)
	return arns
}

// compareWhoCan asks the graph (Index.WhoCan) and the evaluator
// (Query.WhoCan) who can do p, reports each difference in principals,
// conditional flags or condition keys, and checks that every user, role
// and role session the evaluator allows has access by the edges alone
// (Who). It returns the evaluator's answer, 1 when the answers differ and
// the number of allowed principals without an edge.
func compareWhoCan(t *testing.T, q *Query, ix *Index, p probe) (want []Answer, disagreement, missing int) {
	t.Helper()
	want, err := q.WhoCan(context.Background(), p.action, p.resource)
	if err != nil {
		t.Fatalf("evaluator: %s on %s: %v", p.action, p.resource, err)
	}
	got, err := ix.WhoCan(context.Background(), q, p.action, p.resource)
	if err != nil {
		t.Fatalf("graph: %s on %s: %v", p.action, p.resource, err)
	}
	w, gl := answerLines(want), answerLines(got)
	if !slices.Equal(w, gl) {
		disagreement = 1
		t.Errorf("who can %s on %s:\n  evaluator: %s\n  graph:     %s", p.action, p.resource, strings.Join(w, "; "), strings.Join(gl, "; "))
	}
	// The edges alone: every user, role and role session the evaluator
	// allows has access by Who (an aws_principal_access relationship
	// reaching the resource at the action's level, or a resource policy's
	// grant to its account or to Everyone joined with its own access). The
	// edges may say more: levels are coarser than actions.
	// An action that takes no resource, asked on an account: an edge to
	// the action's service entity or to the account at one of its levels
	// (where grants on "*" land); none says who may call an action that
	// needs no permission.
	act, _ := q.cat.Lookup(p.action)
	accts, accountScope := q.accountScope(p.action, p.resource)
	if accountScope && iam.NeedsNoPermission(p.action) {
		return want, disagreement, 0
	}
	edges := map[string]bool{}
	for _, l := range act.Levels() {
		if accountScope {
			for _, acct := range accts {
				for _, r := range ix.g.Relationships() {
					if r.Type == AccessType && slices.Contains(stringList(r.Get("accessLevels")), string(l)) &&
						(r.To == acct.Key || r.To == model.ServiceKey(accountOf(acct), act.Service)) {
						edges[r.From] = true
					}
				}
			}
			continue
		}
		addWho(t, ix, q.resource(p.resource).Key, l, edges)
	}
	for _, a := range want {
		inSnapshot := strings.HasPrefix(a.Principal, "arn:aws:iam::") || strings.HasPrefix(a.Principal, "arn:aws:sts::")
		covered := edges[a.Principal]
		if (a.External || a.PrincipalType == string(iam.PrincipalFederated)) && !accountScope {
			// Outside the snapshot (its own access is unknown), or a
			// SAML or OIDC provider: Who does not list it; the resource's
			// grant to it (ALLOWS, TRUSTS) is the edge.
			covered = slices.ContainsFunc(ix.grants[q.resource(p.resource).Key], func(r *graph.Relationship) bool { return r.To == a.Principal })
		}
		if pr, err := iam.ParsePrincipal(a.Principal); err == nil && pr.Type == iam.PrincipalAssumedRole {
			covered = covered || edges[pr.RoleARN] // every session has its role's access
		}
		if inSnapshot && !strings.HasSuffix(a.Principal, ":root") && !covered {
			missing++
			t.Errorf("who can %s on %s: the evaluator allows %s, no access edge says so", p.action, p.resource, a.Principal)
		}
	}
	return want, disagreement, missing
}

// objectRequests are the parts of a bucket every object action is asked
// about: all its objects, one object, and the prefixes the fixture's
// policies single out (b-logs' logs/, b-data's secret/, a-blue's
// private/), as a pattern and as one object.
var objectRequests = []string{"/*", "/x", "/logs/*", "/logs/x", "/secret/*", "/secret/x", "/private/*", "/private/x"}

// partRequests are the parts of a resource, by ARN prefix, that actions
// are asked about besides the resource itself: a bucket's objects
// (objectRequests), a function's version or alias (a qualified ARN).
var partRequests = []struct {
	prefix string
	parts  []string
}{
	{"arn:aws:lambda:", []string{":1", ":prod"}},
	{"arn:aws:s3:::", objectRequests},
}

// everyProbe returns, for one resource ARN, every catalog action that acts
// on it (actionsOn: its service's, and those of the services whose actions
// act on it, sts:AssumeRole* on roles), each on the ARN itself and on each
// of its partRequests it applies to.
func everyProbe(cat *actions.Catalog, arn string) []probe {
	var parts []string
	for _, pr := range partRequests {
		if strings.HasPrefix(arn, pr.prefix) {
			parts = pr.parts
		}
	}
	var out []probe
	actionsOn(cat, resourceServices(arnService(arn)), arn, parts, func(a actions.Action, request string) {
		out = append(out, probe{a.String(), request})
	})
	return out
}

// accountProbes returns every catalog action of the fixture's services
// that takes no resource (Resource "*": s3:ListAllMyBuckets, iam:ListRoles,
// kms:ListKeys, sts:GetCallerIdentity, ...), asked on each collected
// account and on "*" (every account).
func accountProbes(cat *actions.Catalog, g *graph.Graph, arns []string) []probe {
	svcs := []string{"sts"}
	for _, arn := range arns {
		svcs = append(svcs, arnService(arn))
	}
	var out []probe
	targets := []string{"*"}
	for _, acct := range g.EntitiesOfType("aws_account") {
		if acct.String("_source") != placeholderSource {
			targets = append(targets, acct.String("arn"))
		}
	}
	for _, target := range targets {
		for _, s := range cat.Services() {
			if !slices.Contains(svcs, s.Prefix) {
				continue
			}
			for _, a := range s.Actions {
				if len(a.Resources) == 0 {
					out = append(out, probe{a.String(), target})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b probe) int { return strings.Compare(a.resource+" "+a.action, b.resource+" "+b.action) })
	return out
}

// TestOrgWhoCanEveryAction is TestOrgWhoCanAgrees for every action: for
// every collected resource of the organisation fixture and every catalog
// action of its service that applies to it (a bucket's object actions on
// its objects and the prefixes its policies name, a function's on its
// qualified ARNs), and for every account and every action of those
// services that takes no resource, the graph's who-can gives exactly the
// evaluator's principals, conditional flags and keys, every principal
// allowed has an access edge, and every explicit edge is allowed
// (SweepWhoCan). About 9,600 requests: 2 CPU-seconds, so it runs whole,
// also with -short.
func TestOrgWhoCanEveryAction(t *testing.T) {
	g := orgFixture(t)
	orgLevelCases(t, g)
	orgNamedPrincipals(t, g)
	publicAccessCases(t, g)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	st := SweepWhoCan(t, newGraphQuery(t, g), g)
	if st.ResourceProbes < 1000 || st.Probes-st.ResourceProbes < 50 {
		t.Errorf("only %d resource and %d account probes: the fixture or the catalog lost resources or actions", st.ResourceProbes, st.Probes-st.ResourceProbes)
	}
	// No joined reading is left on a coarse own edge: ops's
	// AdministratorAccess account edge, whose boundary (S3, KMS) refuses
	// sts:AssumeRole, says so in its exceptIn (cells.go), and dan's ABAC S3
	// grant goes to his team's buckets (abacTargets).
	if st.CoarseJoined > 0 {
		t.Errorf("%d joined readings on a coarse own edge, want none", st.CoarseJoined)
	}
}

// orgNamedPrincipals adds to the organisation fixture policies that name
// principals themselves: B's role direct names A's bob (no sts identity
// policy: cross-account, so no access) and gus (who gets sts:AssumeRole on
// "*"), B's erin (same account: the trust alone) and the session of A's
// app; B's role open trusts "*" in the organisation. gus's grant on "*"
// is an edge to A's STS service entity, which Who joins with the trusts
// of other accounts' roles to A's root (auditor, reader) and to "*"
// (open). B's bucket b-named grants hal (same account) directly, every
// principal but kim (an Allow with NotPrincipal: anonymous callers too),
// CloudTrail's service principal, and A's account written as a bare
// account ID; B's role notp trusts every principal but kim; B's key k5
// names erin and A's carol. B's role sso trusts a SAML provider.
func orgNamedPrincipals(t testing.TB, g *graph.Graph) {
	b := &orgBuilder{t: t, g: g}
	b.add(memberB, "arn:aws:iam::"+memberB+":saml-provider/okta", "aws_iam_saml_provider", "AccessProvider", map[string]any{"name": "okta"})
	b.role(memberB, "sso", doc(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::`+memberB+`:saml-provider/okta"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],`+
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`), "", nil)
	b.bucket(memberB, "b-named", doc(
		`{"Sid":"Hal","Effect":"Allow","Principal":{"AWS":"`+iamARN(memberB, "user", "hal")+`"},"Action":["s3:GetObject","s3:ListBucket"],`+
			`"Resource":["arn:aws:s3:::b-named","arn:aws:s3:::b-named/*"]}`,
		`{"Sid":"AllButKim","Effect":"Allow","NotPrincipal":{"AWS":"`+iamARN(memberB, "user", "kim")+`"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b-named/*"}`,
		`{"Sid":"Trail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b-named/AWSLogs/*"}`,
		`{"Sid":"A","Effect":"Allow","Principal":{"AWS":"`+memberA+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b-named/*"}`), nil)
	b.role(memberB, "notp", doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"`+iamARN(memberB, "user", "kim")+`"},"Action":"sts:AssumeRole"}`), "", nil)
	b.key(memberB, "eu-west-1", "k5", doc(`{"Sid":"Erin","Effect":"Allow","Principal":{"AWS":"`+iamARN(memberB, "user", "erin")+`"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"Carol","Effect":"Allow","Principal":{"AWS":"`+iamARN(memberA, "user", "carol")+`"},"Action":"kms:Decrypt","Resource":"*"}`), nil)
	b.role(memberB, "direct", doc(`{"Effect":"Allow","Principal":{"AWS":["`+iamARN(memberA, "user", "bob")+`","`+iamARN(memberA, "user", "gus")+`","`+
		iamARN(memberB, "user", "erin")+`","arn:aws:sts::`+memberA+`:assumed-role/app/i-0123"]},"Action":["sts:AssumeRole","sts:TagSession"]}`), "", nil)
	b.inline(g.Entity(iamARN(memberA, "user", "gus")), "assume", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`))
	b.role(memberB, "open", doc(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`"}}}`), "", nil)
}

// addWho sets in reached every principal the edges give access to the
// resource key at level l (Index.Who).
func addWho(t testing.TB, ix *Index, key string, l actions.AccessLevel, reached map[string]bool) {
	t.Helper()
	acc, err := ix.Who(key, l)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range acc {
		reached[x.Principal] = true
	}
}

// derivedOrgFixture is orgFixture with orgLevelCases and publicAccessCases,
// derived.
func derivedOrgFixture(t *testing.T) *graph.Graph {
	t.Helper()
	g := orgFixture(t)
	orgLevelCases(t, g)
	publicAccessCases(t, g)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

// checkWhoCan checks that the evaluator (Query.WhoCan) and the graph
// (Index.WhoCan) both answer want (answerLines, in any order) for action
// on resource.
func checkWhoCan(t *testing.T, q *Query, ix *Index, action, resource string, want []string) {
	t.Helper()
	ev, err := q.WhoCan(context.Background(), action, resource)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ix.WhoCan(context.Background(), q, action, resource)
	if err != nil {
		t.Fatal(err)
	}
	want = slices.Sorted(slices.Values(want))
	if w := answerLines(ev); !slices.Equal(w, want) {
		t.Errorf("evaluator:\n got  %q\n want %q", w, want)
	}
	if gl := answerLines(got); !slices.Equal(gl, want) {
		t.Errorf("graph:\n got  %q\n want %q", gl, want)
	}
	for _, x := range got {
		if x.Resource != resource && x.Resource != "*" {
			t.Errorf("%s: resource %q, want %q or \"*\" (an action that takes no resource)", x.Principal, x.Resource, resource)
		}
	}
}

// Sweep counts what SweepWhoCan asked and found.
type Sweep struct {
	Probes, ResourceProbes, Resources int
	Disagreements, Missing, Extra     int
	// CoarseJoined counts Who's readings the evaluator refuses of a
	// resource policy's (or trust policy's) grant to an account or to
	// Everyone joined with the principal's own access where the
	// principal's own side refuses (ownSideRefuses). A joined reading the
	// grant's policy refuses is an error (Extra), and so is any reading of
	// a service- or account-scope edge the evaluator refuses (its exceptIn
	// says where it does not hold, cells.go) and either reading of an own
	// edge whose conditionKeys hold a resource tag (abacOwnEdge: ABAC
	// grants go to the resources their tags accept).
	CoarseJoined int
}

// SweepWhoCan asks Index.WhoCan and Query.WhoCan (q over g, derived) about
// every collected resource of g and every catalog action that applies to
// it (everyProbe), and every action that takes no resource on each account
// and on "*" (accountProbes); each difference, each allowed principal
// without an access edge (compareWhoCan) and each explicit edge level the
// evaluator refuses is an error. Exported for the collected organisation's
// test (package access_test).
func SweepWhoCan(t *testing.T, q *Query, g *graph.Graph) Sweep {
	t.Helper()
	ix := NewIndex(g)
	arns := fixtureARNs(g)
	var probes []probe
	for _, arn := range arns {
		probes = append(probes, everyProbe(q.cat, arn)...)
	}
	resourceProbes := len(probes)
	probes = append(probes, accountProbes(q.cat, g, arns)...)
	disagreements, missing := 0, 0
	// allowed[resource key][level]: the principals the evaluator allows
	// some action of the level on the resource or a part of it.
	allowed := map[string]map[actions.AccessLevel]map[string]bool{}
	byKey := map[string][]probe{} // the resource probes of each resource key
	for i, p := range probes {
		want, d, m := compareWhoCan(t, q, ix, p)
		disagreements += d
		missing += m
		if i >= resourceProbes {
			continue
		}
		act, _ := q.cat.Lookup(p.action)
		key := q.resource(p.resource).Key
		byKey[key] = append(byKey[key], p)
		if allowed[key] == nil {
			allowed[key] = map[actions.AccessLevel]map[string]bool{}
		}
		for _, l := range act.Levels() {
			if allowed[key][l] == nil {
				allowed[key][l] = map[string]bool{}
			}
			for _, a := range want {
				allowed[key][l][a.Principal] = true
			}
		}
	}
	// The other way: every user, role and role session that an explicit
	// edge gives access to a resource at a level is allowed some action of
	// that level on it (or a part of it) by the evaluator, and so is each
	// one a service or account edge gives it (Who reads it onto the
	// resource but in the cells its exceptIn names: cells.go; an ABAC
	// grant goes to the resources whose tags accept it: abacTargets).
	// Counted, not failed: a resource policy's (or a role trust policy's)
	// grant to an account or to Everyone joined with a principal's own
	// access where the principal's own side is what the evaluator refuses
	// (ownSideRefuses; none is left on the fixture). A
	// joined reading the grant's own policy refuses (its Conditions on the
	// principal's facts, its NotPrincipal, a Deny, the resource account's
	// RCPs; for a principal of the resource's account anything) is an
	// error: exceptPrincipals and exceptLevels say so.
	extra, coarseJoined := 0, 0
	for _, arn := range arns {
		key := q.resource(arn).Key
		for _, lf := range levelOrder {
			acc, err := ix.Who(key, lf.level)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range acc {
				if x.Principal == model.EveryoneKey || strings.HasSuffix(x.Principal, ":root") || allowed[key][lf.level][x.Principal] {
					continue
				}
				explicit := g.Relationship(x.Principal + "|access|" + key)
				if pr, err := iam.ParsePrincipal(x.Principal); err == nil && pr.Type == iam.PrincipalAssumedRole {
					explicit = g.Relationship(pr.RoleARN + "|access|" + key + "|sessions")
				}
				if abac := abacOwnEdge(g, x); abac != nil {
					extra++
					t.Errorf("%s has %s access to %s by its edge to %s (via %v), conditional on a resource tag: "+
						"an ABAC grant is not uniform over its service (abacTargets)", x.Principal, lf.level, key, abac.To, x.Via)
					continue
				}
				if x.Target != key {
					extra++
					t.Errorf("%s has %s access to %s by its %s edge to %s (via %v), which the evaluator allows for no action of the level: "+
						"its exceptIn should say so", x.Principal, lf.level, key, x.Scope, x.Target, x.Via)
					continue
				}
				if explicit == nil {
					if ownSideRefuses(t, q, x.Principal, lf.level, byKey[key]) {
						coarseJoined++
						if testing.Verbose() {
							t.Logf("coarse joined: %s %s on %s (via %v)", x.Principal, lf.level, key, x.Via)
						}
						continue
					}
					extra++
					t.Errorf("%s has %s access to %s by a grant joined with its own access (via %v), which the grant's policy refuses: "+
						"the grant's exceptPrincipals or exceptLevels should say so", x.Principal, lf.level, key, x.Via)
					continue
				}
				extra++
				t.Errorf("%s has %s access to %s by its edge (via %v), which the evaluator allows for no action of the level",
					x.Principal, lf.level, key, x.Via)
			}
		}
	}
	st := Sweep{Probes: len(probes), ResourceProbes: resourceProbes, Resources: len(arns), Disagreements: disagreements, Missing: missing,
		Extra: extra, CoarseJoined: coarseJoined}
	t.Logf("%d probes (%d on %d resources, %d on accounts), %d disagreements, %d principals without an access edge, "+
		"%d edge levels the evaluator refuses (explicit edges, joined grants their policy refuses; Who's coarser readings: %d of joined grants on a coarse own edge)",
		st.Probes, st.ResourceProbes, st.Resources, st.Probes-st.ResourceProbes, st.Disagreements, st.Missing, st.Extra, st.CoarseJoined)
	return st
}

// abacOwnEdge returns the principal's own service- or account-scope edge
// behind a coarse reading x (the edge x reads, or for a joined reading
// one of its own edges from a policy x names) whose conditionKeys hold a
// resource tag (aws:resourcetag/...), nil when none: an ABAC grant read
// onto a resource whose tags it did not ask about.
func abacOwnEdge(g *graph.Graph, x Access) *graph.Relationship {
	for _, r := range g.Relationships() {
		if r.Type != AccessType || r.From != x.Principal || r.Get("scope") == scopeResource {
			continue
		}
		if r.To != x.Target && !slices.ContainsFunc(stringList(r.Get("via")), func(v string) bool { return slices.Contains(x.Via, v) }) {
			continue
		}
		if slices.ContainsFunc(stringList(r.Get("conditionKeys")), func(k string) bool { return strings.HasPrefix(k, "aws:resourcetag/") }) {
			return r
		}
	}
	return nil
}

// ownSideRefuses reports whether a joined reading of principal (Who: a
// grant to its account or to Everyone joined with its own access) that
// the evaluator refuses at level is refused by the principal's own side
// (its identity policies, boundary, SCPs: its own scoped edge is coarser
// than the evaluator, analyze/access's "coarse scoped" edges) rather than
// by the grant's policy: asked again with its own side allowing
// everything, the evaluator allows some action of the level (probes: the
// resource's). A principal of the resource's account reads the grant
// alone: any refusal is the grant's.
func ownSideRefuses(t *testing.T, q *Query, principal string, level actions.AccessLevel, probes []probe) bool {
	t.Helper()
	pr, err := iam.ParsePrincipal(principal)
	if err != nil {
		t.Fatalf("%s: %v", principal, err)
	}
	for _, p := range probes {
		act, _ := q.cat.Lookup(p.action)
		if !slices.Contains(act.Levels(), level) {
			continue
		}
		req, pol, unknown, _, err := q.Request(context.Background(), pr, p.action, p.resource)
		if err != nil {
			t.Fatalf("%s on %s: %v", p.action, p.resource, err)
		}
		if req.ResourceAccount == pr.Account {
			return false
		}
		cp := *pol
		cp.Identity, cp.Boundaries, cp.SCPs = []*iam.Policy{allowAll()}, nil, nil
		if q.ev.EvaluateUnknown(req, &cp, unknown).Decision == iam.Allowed {
			return true
		}
	}
	return false
}

// TestOrgAccountScopeAnswers pins who-can answers for actions that take
// no resource, asked on an account or on "*", which the sweep above found
// wrong: the graph looked for candidates among the account's IAM edges
// (the account ARN's service) and missed those whose grant on "*" is an
// edge to the action's own service (bob's and carol's s3:*); the evaluator
// asked about the account's ARN as if it were the request's resource, and
// answered sts:GetCallerIdentity, which needs no permission, for every
// principal of every account on any account. A principal calls such an
// action in its own account on "*" (IAM User Guide,
// reference_policies_elements_resource.html: actions that do not support
// resource-level permissions need "Resource": "*").
func TestOrgAccountScopeAnswers(t *testing.T) {
	g := orgFixture(t)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	q := newGraphQuery(t, g)
	ix := NewIndex(g)
	a, b, m := func(kind, n string) string { return iamARN(memberA, kind, n) }, func(kind, n string) string { return iamARN(memberB, kind, n) },
		func(kind, n string) string { return iamARN(mgmt, kind, n) }
	root := model.AccountKey
	region := " (conditional: aws:requestedregion)"
	tests := []struct {
		name, action, resource string
		want                   []string
	}{
		{"s3:* on \"*\" is an edge to the S3 service entity: bob and carol list A's buckets, ops within its boundary",
			"s3:ListAllMyBuckets", root(memberA), []string{root(memberA), a("role", "ops"), a("user", "bob"), a("user", "carol")}},
		{"on \"*\": every account's callers, each in its own account", "s3:ListAllMyBuckets", "*", []string{
			m("role", "auditor"), root(mgmt), m("user", "alice"), root(memberA), a("role", "ops"), a("user", "bob"), a("user", "carol"), root(memberB),
		}},
		{"sts:GetCallerIdentity needs no permission: every principal of B, none of another account", "sts:GetCallerIdentity", root(memberB), []string{
			b("role", "reader"), root(memberB), b("user", "erin"), b("user", "hal"), b("user", "kim"), b("user", "max"), b("user", "quinn"),
		}},
		{"B's region guard: a call on \"*\" goes to the Region the caller picks", "lambda:ListFunctions", root(memberB), []string{
			root(memberB) + region, b("user", "kim") + region,
		}},
		{"A's SCP denies KMS, ops's boundary allows it: nobody of A lists keys", "kms:ListKeys", root(memberA), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkWhoCan(t, q, ix, tc.action, tc.resource, tc.want)
			got, err := ix.WhoCan(context.Background(), q, tc.action, tc.resource)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range got {
				if x.Resource != "*" {
					t.Errorf("%s: resource %q, want \"*\" (the request's resource)", x.Principal, x.Resource)
				}
			}
		})
	}
}

// TestTrustPolicyGrants pins what the sweep of the collected organisation
// found missing from the edges: a trust policy naming a user of its own
// account lets the user assume the role without any identity policy
// (reference_policies_evaluation-logic-basics: a same-account resource
// policy naming the principal suffices), so it is an access edge of the
// user's, conditional as the trust statement is; a trust policy's grant to
// "*" reaches every principal of the role's account, which Who joins as it
// joins a resource policy's grant to Everyone. Both were allowed by the
// evaluator with no edge saying so.
func TestTrustPolicyGrants(t *testing.T) {
	w := newWorld(t)
	w.user("alice")
	w.user("bob")
	w.role("breakglass", doc(`{"Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+`"},"Action":"sts:AssumeRole",`+
		`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`), "")
	w.role("open", doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`), "")
	model.Everyone(w.g)
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	r := w.g.Relationship(userARN("alice") + "|access|" + roleARN("breakglass"))
	if r == nil {
		t.Fatal("alice, whom breakglass's trust policy names: no access edge")
	}
	if c, _ := r.Get("conditional").(bool); !c || !slices.Equal(stringList(r.Get("conditionKeys")), []string{"aws:multifactorauthpresent"}) ||
		!slices.Equal(stringList(r.Get("accessLevels")), []string{"Write"}) {
		t.Errorf("alice's access to breakglass: %v, want Write, conditional on aws:multifactorauthpresent", r.PropMap())
	}
	if r := w.g.Relationship(userARN("bob") + "|access|" + roleARN("breakglass")); r != nil {
		t.Errorf("bob, whom no policy names: access edge %v", r.PropMap())
	}
	q := newGraphQuery(t, w.g)
	ix := NewIndex(w.g)
	for _, role := range []string{roleARN("breakglass"), roleARN("open")} {
		want, _, missing := compareWhoCan(t, q, ix, probe{"sts:AssumeRole", role})
		if len(want) == 0 || missing != 0 {
			t.Errorf("sts:AssumeRole on %s: the evaluator allows %q, %d without an edge", role, answerLines(want), missing)
		}
	}
	acc, err := ix.Who(roleARN("open"), actions.Write)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, x := range acc {
		who = append(who, x.Principal)
	}
	if want := []string{roleARN("breakglass"), roleARN("open"), userARN("alice"), userARN("bob")}; !slices.Equal(who, want) {
		t.Errorf("Who can assume open (trusts \"*\"): %q, want %q", who, want)
	}
}

// TestOrgTrustJoins pins what the sweep found with orgNamedPrincipals: gus's
// sts:AssumeRole on "*" is an edge to his account's STS service entity,
// and the roles of other accounts that trust his account's root (auditor,
// reader when the caller is tagged blue) or "*" (open) let him assume them;
// Who joins such trusts with his own access, as it joins a resource
// policy's grant to an account (it read only Everyone's, and only in the
// role's account). A trust naming a principal of another account is no
// access without its own identity policy (bob), one naming a principal of
// the role's account is access by itself (erin).
func TestOrgTrustJoins(t *testing.T) {
	g := orgFixture(t)
	orgNamedPrincipals(t, g)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	gus, bob, erin := iamARN(memberA, "user", "gus"), iamARN(memberA, "user", "bob"), iamARN(memberB, "user", "erin")
	ix := NewIndex(g)
	for _, c := range []struct {
		role string
		who  string
		want bool
	}{
		{iamARN(mgmt, "role", "auditor"), gus, true},
		{iamARN(memberB, "role", "reader"), gus, true},
		{iamARN(memberB, "role", "open"), gus, true},
		{iamARN(memberB, "role", "direct"), gus, true},
		{iamARN(memberB, "role", "direct"), erin, true},
		{iamARN(memberB, "role", "direct"), bob, false},
	} {
		acc, err := ix.Who(c.role, actions.Write)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.ContainsFunc(acc, func(x Access) bool { return x.Principal == c.who }); got != c.want {
			t.Errorf("Who can assume %s: %s listed %v, want %v", c.role, c.who, got, c.want)
		}
	}
	// app's session is named too, but app's own policies allow assuming
	// reader only.
	checkWhoCan(t, newGraphQuery(t, g), ix, "sts:AssumeRole", iamARN(memberB, "role", "direct"), []string{gus, erin})
}

// TestWhoCanCandidates pins two disagreements the sweep found with
// orgNamedPrincipals: a bucket policy naming an account by its bare ID
// made the graph list that account's root twice (the raw entry and the
// root ARN were two candidates); an Allow with NotPrincipal grants every
// other principal, anonymous callers too (IAM User Guide,
// reference_policies_elements_notprincipal.html: "anonymous users" are
// among those allowed), whom the evaluator's candidates lacked (the graph
// asked about "*", its TRUSTS and ALLOWS going to Everyone).
func TestWhoCanCandidates(t *testing.T) {
	g := orgFixture(t)
	orgNamedPrincipals(t, g)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	q, ix := newGraphQuery(t, g), NewIndex(g)
	for _, c := range []struct {
		action, resource, principal string
		n                           int
	}{
		{"s3:GetObject", "arn:aws:s3:::b-named/x", model.AccountKey(memberA), 1},
		{"s3:PutObject", "arn:aws:s3:::b-named/x", "*", 0}, // B's RCP keeps S3 to the organisation
		{"sts:AssumeRole", iamARN(memberB, "role", "notp"), "*", 1},
		{"sts:AssumeRole", iamARN(memberB, "role", "notp"), iamARN(memberB, "user", "kim"), 0},
	} {
		ev, err := q.WhoCan(context.Background(), c.action, c.resource)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.WhoCan(context.Background(), q, c.action, c.resource)
		if err != nil {
			t.Fatal(err)
		}
		count := func(as []Answer) int {
			return len(slices.DeleteFunc(slices.Clone(as), func(a Answer) bool { return a.Principal != c.principal }))
		}
		if count(ev) != c.n || count(got) != c.n {
			t.Errorf("who can %s on %s: %s listed %d times by the evaluator, %d by the graph, want %d", c.action, c.resource, c.principal, count(ev), count(got), c.n)
		}
	}
}
