package access

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestOrgPolicyStatus: what a query knows of the organisation policies of
// the account, from its aws_account properties (analyze/model org.go).
// SCPs never apply to the management account's principals
// (orgs_manage_policies_scps.html, "Tasks and entities not restricted by
// SCPs"); a type the root has not enabled applies nowhere; a document that
// does not parse is not readable, and the limits name it.
func TestOrgPolicyStatus(t *testing.T) {
	const denyAll = `[{"target":"r-1","policies":[{"id":"p-1","name":"deny","document":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}]},{"target":"` + acct + `","policies":[]}]`
	tests := []struct {
		name       string
		props      map[string]any
		scps, rcps string
		allowed    bool
		limit      string
	}{
		{"no organisation: none apply", map[string]any{"organizationId": nil}, OrgPoliciesNone, OrgPoliciesNone, true, ""},
		{"member that could not read them", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other,
			"serviceControlPolicies": nil, "resourceControlPolicies": nil}, OrgPoliciesUnreadable, OrgPoliciesUnreadable, true, "not readable"},
		{"member with a deny-all SCP", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other,
			"organizationPath": "o-1/r-1/", "serviceControlPolicies": denyAll, "resourceControlPolicies": "[]"},
			OrgPoliciesApplied, OrgPoliciesNone, false, ""},
		{"the management account: SCPs do not apply", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": acct,
			"organizationPath": "o-1/r-1/", "serviceControlPolicies": denyAll, "resourceControlPolicies": "[]"},
			OrgPoliciesNone, OrgPoliciesNone, true, ""},
		{"a document that does not parse", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other,
			"serviceControlPolicies": `[{"target":"r-1","policies":[{"id":"p-bad","name":"bad","document":"{"}]}]`, "resourceControlPolicies": "[]"},
			OrgPoliciesUnreadable, OrgPoliciesNone, true, "SCP p-bad at r-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for k, v := range tc.props {
				w.g.Entity(model.AccountKey(acct)).Set(k, v)
			}
			w.bucket("data", "")
			admin := w.role("admin", "", "")
			w.inline(admin, "all", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
			q := newTestQuery(t, w)
			got, err := q.WhoCan(context.Background(), "s3:GetObject", "arn:aws:s3:::data/k")
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, a := range got {
				if a.Principal == roleARN("admin") {
					found = true
					if a.SCPs != tc.scps || a.RCPs != tc.rcps {
						t.Errorf("scps %q rcps %q, want %q %q", a.SCPs, a.RCPs, tc.scps, tc.rcps)
					}
				}
			}
			if found != tc.allowed {
				t.Errorf("admin allowed: %v, want %v (%+v)", found, tc.allowed, got)
			}
			limits := strings.Join(q.Limits(), "\n")
			if tc.limit != "" && !strings.Contains(limits, tc.limit) {
				t.Errorf("limits %q lack %q", limits, tc.limit)
			}
			if tc.limit == "" && strings.Contains(limits, "not readable") {
				t.Errorf("limits %q say not readable", limits)
			}
		})
	}
}

// TestDeriveOrgPolicies: the derived edges apply the organisation
// policies as the evaluator does, and say what they knew. One account
// (acct) with role admin (s3:* on "*": an edge to its aws_s3), role team
// (the same, tagged team=blue), a service-linked role with the same, and a
// bucket whose policy lets anyone read its objects.
func TestDeriveOrgPolicies(t *testing.T) {
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	scps := func(deny string) string {
		return orgLevelsJSON(orgLevel{"r-1", []orgPol{full, {"p-deny", "deny", doc(deny)}}}, orgLevel{acct, []orgPol{full}})
	}
	noRCPs := orgLevelsJSON(orgLevel{"r-1", nil}, orgLevel{acct, nil})
	member := func(scp, rcp string) map[string]any {
		return map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other, "organizationPath": "o-1/r-1/",
			"serviceControlPolicies": scp, "resourceControlPolicies": rcp}
	}
	denyS3 := `{"Effect":"Deny","Action":"s3:*","Resource":"*"}`
	slr := roleARN("aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3")
	type edge struct {
		present bool
		keys    []string // conditionKeys
	}
	tests := []struct {
		name             string
		props            map[string]any
		scpSt, rcpSt     string
		admin, team, slr edge
		without          bool // derivedWithoutSCPs and derivedWithoutRCPs on admin's edge
		anonymous        bool // the public grant's anonymousEffective
		except           []string
	}{
		{"no organisation: nothing to apply", map[string]any{"organizationId": nil}, OrgPoliciesNone, OrgPoliciesNone,
			edge{present: true}, edge{present: true}, edge{present: true}, false, true, []string{}},
		{"a member that could not read them: the edges say so", member("", ""), OrgPoliciesUnreadable, OrgPoliciesUnreadable,
			edge{present: true}, edge{present: true}, edge{present: true}, true, true, []string{}},
		{"the management account: its SCPs do not apply", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": acct,
			"serviceControlPolicies": scps(denyS3), "resourceControlPolicies": noRCPs}, OrgPoliciesNone, OrgPoliciesNone,
			edge{present: true}, edge{present: true}, edge{present: true}, false, true, []string{}},
		{"an SCP denying S3: no access but the service-linked role's; the public grant excepts them", member(scps(denyS3), noRCPs),
			OrgPoliciesApplied, OrgPoliciesApplied, edge{}, edge{}, edge{present: true}, false, true, []string{roleARN("admin"), roleARN("team")}},
		{"an SCP Deny with NotResource, narrower than the grant on \"*\": the access stays", member(scps(
			`{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::pub/*"}`), noRCPs), OrgPoliciesApplied, OrgPoliciesApplied,
			edge{present: true}, edge{present: true}, edge{present: true}, false, true, []string{}},
		{"an SCP Deny on request context: the access is conditional on its key", member(scps(
			`{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), noRCPs),
			OrgPoliciesApplied, OrgPoliciesApplied, edge{true, []string{"aws:sourceip"}}, edge{true, []string{"aws:sourceip"}},
			edge{present: true}, false, true, []string{}},
		{"an SCP Deny on a fact: only team blue keeps S3", member(scps(
			`{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"blue"}}}`), noRCPs),
			OrgPoliciesApplied, OrgPoliciesApplied, edge{}, edge{present: true}, edge{present: true}, false, true, []string{roleARN("admin")}},
		{"an RCP for the organisation only: anonymous callers lose the public grant, the organisation keeps its access",
			member(orgLevelsJSON(orgLevel{"r-1", []orgPol{full}}), orgLevelsJSON(orgLevel{"r-1", []orgPol{{"p-org", "orgonly", doc(
				`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}}`)}}})),
			OrgPoliciesApplied, OrgPoliciesApplied, edge{present: true}, edge{present: true}, edge{present: true}, false, false, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			a := w.g.Entity(model.AccountKey(acct))
			for k, v := range tc.props {
				a.Set(k, v)
			}
			w.bucket("pub", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}`))
			for _, n := range []string{"admin", "team", "aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3"} {
				r := w.role(n, "", "")
				w.inline(r, "s3", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
				if n == "team" {
					r.Set("tag.team", "blue")
				}
			}
			if _, err := Derive(context.Background(), w.g); err != nil {
				t.Fatal(err)
			}
			if got := [2]any{a.Get(scpStatusProp), a.Get(rcpStatusProp)}; got != [2]any{tc.scpSt, tc.rcpSt} {
				t.Errorf("account SCPs, RCPs: %q, want %q %q", got, tc.scpSt, tc.rcpSt)
			}
			for _, c := range []struct {
				role string
				want edge
			}{{roleARN("admin"), tc.admin}, {roleARN("team"), tc.team}, {slr, tc.slr}} {
				r := w.g.Relationship(c.role + "|access|" + model.ServiceKey(acct, "s3"))
				if (r != nil) != c.want.present {
					t.Errorf("%s: access to aws_s3 %v, want %v", c.role, r != nil, c.want.present)
					continue
				}
				if r == nil {
					continue
				}
				keys := stringList(r.Get("conditionKeys"))
				if cond, _ := r.Get("conditional").(bool); !slices.Equal(keys, c.want.keys) || cond != (len(c.want.keys) > 0) {
					t.Errorf("%s: conditional %v on %q, want %q", c.role, cond, keys, c.want.keys)
				}
				if c.role != roleARN("admin") {
					continue
				}
				for _, p := range []string{withoutSCPsProp, withoutRCPsProp} {
					if got, _ := r.Get(p).(bool); got != tc.without {
						t.Errorf("%s: %s %v, want %v", c.role, p, got, tc.without)
					}
				}
			}
			pub := w.g.Relationship("arn:aws:s3:::pub|allows|" + model.EveryoneKey)
			if pub == nil {
				t.Fatal("no public grant")
			}
			if got, _ := pub.Get("anonymousEffective").(bool); got != tc.anonymous || pub.Get("effective") != true {
				t.Errorf("public grant: effective %v, anonymousEffective %v, want true, %v", pub.Get("effective"), got, tc.anonymous)
			}
			if got := stringList(pub.Get("exceptPrincipals")); !slices.Equal(got, tc.except) {
				t.Errorf("public grant: exceptPrincipals %q, want %q", got, tc.except)
			}
			who, err := Who(w.g, "arn:aws:s3:::pub", actions.Read)
			if err != nil {
				t.Fatal(err)
			}
			public := slices.ContainsFunc(who, func(a Access) bool { return a.Principal == model.EveryoneKey })
			if public != tc.anonymous {
				t.Errorf("Who lists Everyone: %v, want %v", public, tc.anonymous)
			}
		})
	}
}

// TestDeriveOrgPoliciesPerResource: an organisation answer about an STS
// (or IAM, KMS) action is not shared between resources, since the
// evaluator's own rules read them: RCPs do not apply to requests on
// service-linked roles, so the answer for one (asked first: its key sorts
// first) must not stand for role zeta, whose assumption the RCP's MFA
// condition decides.
func TestDeriveOrgPoliciesPerResource(t *testing.T) {
	w := newWorld(t)
	mfa := orgPol{"p-mfa", "MFAAssume", doc(`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*",` +
		`"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`)}
	for k, v := range map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other, "organizationPath": "o-1/r-1/",
		"serviceControlPolicies": "[]", "resourceControlPolicies": orgLevelsJSON(orgLevel{"r-1", []orgPol{mfa}})} {
		w.g.Entity(model.AccountKey(acct)).Set(k, v)
	}
	trust := doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`)
	w.role("aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3", trust, "")
	zeta := w.role("zeta", trust, "")
	admin := w.user("admin")
	w.inline(admin, "roles", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::`+acct+`:role/*"}`))
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	r := w.g.Relationship(admin.Key + "|access|" + zeta.Key)
	if r == nil {
		t.Fatal("no access edge to role zeta")
	}
	if c, _ := r.Get("conditional").(bool); !c || !slices.Equal(stringList(r.Get("conditionKeys")), []string{"aws:multifactorauthpresent"}) {
		t.Errorf("zeta: conditional %v on %v, want conditional on aws:multifactorauthpresent", r.Get("conditional"), r.Get("conditionKeys"))
	}
}
