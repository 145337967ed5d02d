package access

import (
	"context"
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestCellExceptions: a scoped edge says in exceptIn where the evaluator
// refuses what it allows on "*", and Who does not read it there. One
// account (a member of an organisation) with role admin (every action on
// "*": an edge to the account), role ops (the same within a permissions
// boundary), a bucket, a Lambda function in each of eu-west-1 and
// us-west-2, and the roles themselves (IAM: us-east-1).
func TestCellExceptions(t *testing.T) {
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	member := func(deny string) map[string]any {
		return map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other, "organizationPath": "o-1/r-1/",
			"serviceControlPolicies":  orgLevelsJSON(orgLevel{"r-1", []orgPol{full, {"p-deny", "deny", doc(deny)}}}, orgLevel{acct, []orgPol{full}}),
			"resourceControlPolicies": orgLevelsJSON(orgLevel{"r-1", nil}, orgLevel{acct, nil})}
	}
	fnEU := "arn:aws:lambda:eu-west-1:" + acct + ":function:f"
	fnUS := "arn:aws:lambda:us-west-2:" + acct + ":function:f"
	type reading struct {
		resource string
		level    actions.AccessLevel
		want     bool
	}
	tests := []struct {
		name     string
		scp      string // the SCP's Deny ("" no organisation)
		boundary string // ops's permissions boundary ("" none: ops as admin)
		opsAllow string // ops's Allow statement ("" every action on "*")
		admin    []string
		ops      []string
		readings map[string][]reading // by principal
	}{
		{
			// IAM User Guide, reference_policies_examples_aws_deny-requested-region.html:
			// deny every action outside the listed Regions but the global
			// services'. On "*" the caller picks the Region (conditional);
			// on a regional resource the evaluator knows it and refuses.
			name: "a region guard SCP: not read onto the function in us-west-2",
			scp: `{"Effect":"Deny","NotAction":["iam:*","sts:*","s3:*","organizations:*","support:*"],"Resource":"*",` +
				`"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}`,
			admin: []string{"lambda@us-west-2"},
			ops:   []string{"lambda@us-west-2"},
			readings: map[string][]reading{roleARN("admin"): {
				{fnEU, actions.Write, true}, {fnUS, actions.Write, false}, {fnUS, actions.Read, false},
				{"arn:aws:s3:::data", actions.Write, true}, {roleARN("ops"), actions.Write, true},
			}},
		},
		{
			// IAM User Guide, access_policies_boundaries.html: the effective
			// permissions are the intersection of the identity policies and
			// the boundary. ops's AdministratorAccess within a boundary of
			// S3 and KMS: no Lambda, no IAM (nor sts:AssumeRole on a role).
			name:     "a permissions boundary of S3 and KMS: not read onto the function nor the roles",
			boundary: doc(`{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}`),
			ops:      []string{"iam", "lambda"},
			readings: map[string][]reading{
				roleARN("ops"): {
					{"arn:aws:s3:::data", actions.Write, true}, {fnEU, actions.Read, false}, {fnUS, actions.Write, false},
					{roleARN("admin"), actions.Write, false}, {roleARN("admin"), actions.PermissionsManagement, false},
				},
				roleARN("admin"): {{fnUS, actions.Write, true}, {roleARN("ops"), actions.Write, true}},
			},
		},
		{
			// The boundary names no service; ops's own Allow spares
			// Lambda (NotResource): services are not alike for it, so
			// each is asked rather than one for all.
			name:     "a boundary naming no service and an Allow with NotResource: each service asked",
			boundary: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
			opsAllow: `{"Effect":"Allow","Action":"*","NotResource":"arn:aws:lambda:*:*:*"}`,
			ops:      []string{"lambda"},
			readings: map[string][]reading{roleARN("ops"): {{fnEU, actions.Write, false}, {"arn:aws:s3:::data", actions.Write, true}}},
		},
		{
			// The trigger fires (an SCP may refuse one of the edge's
			// actions) but every level still holds in every cell: the
			// organisation's Deny of LeaveOrganization leaves others of its
			// level, and the account has no Organizations resource.
			name:  "an SCP denying one action: nothing varies, no exceptIn",
			scp:   `{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}`,
			admin: nil, ops: nil,
			readings: map[string][]reading{roleARN("admin"): {{fnUS, actions.Write, true}, {"arn:aws:s3:::data", actions.Write, true}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.scp != "" {
				a := w.g.Entity(model.AccountKey(acct))
				for k, v := range member(tc.scp) {
					a.Set(k, v)
				}
			}
			w.bucket("data", "")
			for _, arn := range []string{fnEU, fnUS} {
				w.add(arn, "aws_lambda_function", "Function", map[string]any{"arn": arn})
			}
			bound := ""
			if tc.boundary != "" {
				w.policy("Boundary", tc.boundary)
				bound = policyARN("Boundary")
			}
			trust := doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`)
			all := doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
			w.inline(w.role("admin", trust, ""), "all", all)
			opsAll := all
			if tc.opsAllow != "" {
				opsAll = doc(tc.opsAllow)
			}
			w.inline(w.role("ops", trust, bound), "all", opsAll)
			model.Everyone(w.g)
			st, err := Derive(context.Background(), w.g)
			if err != nil {
				t.Fatal(err)
			}
			for who, want := range map[string][]string{"admin": tc.admin, "ops": tc.ops} {
				r := w.g.Relationship(roleARN(who) + "|access|" + model.AccountKey(acct))
				if r == nil {
					t.Fatalf("%s has no edge to its account", who)
				}
				if got := stringList(r.Get(exceptInProp)); !slices.Equal(got, want) {
					t.Errorf("%s's exceptIn %q, want %q", who, got, want)
				}
				if want == nil && r.Has(exceptInProp) {
					t.Errorf("%s's edge has exceptIn %v: nothing varies", who, r.Get(exceptInProp))
				}
			}
			if n := len(tc.admin) + len(tc.ops); n > 0 && st.ExceptInEdges == 0 {
				t.Errorf("Stats.ExceptInEdges 0, want some")
			}
			ix := NewIndex(w.g)
			for p, rs := range tc.readings {
				for _, rd := range rs {
					acc, err := ix.Who(rd.resource, rd.level)
					if err != nil {
						t.Fatal(err)
					}
					got := slices.ContainsFunc(acc, func(a Access) bool { return a.Principal == p && a.Target != rd.resource })
					if got != rd.want {
						t.Errorf("Who(%s, %s) reads %s's scoped edge: %v, want %v (%+v)", rd.resource, rd.level, p, got, rd.want, acc)
					}
				}
			}
		})
	}
}

// TestExceptedIn: the entries of exceptIn and the cells they refuse.
func TestExceptedIn(t *testing.T) {
	lv := func(l ...actions.AccessLevel) levelSet { return levelSet(0).with(l) }
	ec2 := cell{svc: "ec2", region: "eu-west-1"}
	tests := []struct {
		in           []string
		c            cell
		no, copyOnly levelSet
	}{
		{nil, ec2, 0, 0},
		{[]string{"ec2@eu-west-1"}, ec2, ^levelSet(0), 0},
		{[]string{"ec2@us-east-1"}, ec2, 0, 0},
		{[]string{"ec2"}, ec2, ^levelSet(0), 0},
		{[]string{"ec2@eu-west-1|List", "ec2@eu-west-1|Write|copy", "lambda"}, ec2, lv(actions.List), lv(actions.Write)},
		{[]string{"ec2|Tagging"}, ec2, lv(actions.Tagging), 0},
		{[]string{"s3@"}, cell{svc: "s3"}, ^levelSet(0), 0},
	}
	for _, tc := range tests {
		no, copyOnly := exceptedIn(tc.in, tc.c)
		if no != tc.no || copyOnly != tc.copyOnly {
			t.Errorf("exceptedIn(%q, %s) = %08b %08b, want %08b %08b", tc.in, tc.c.label(), no, copyOnly, tc.no, tc.copyOnly)
		}
	}
}

// TestCellRequest: a grant's request narrowed to a cell.
func TestCellRequest(t *testing.T) {
	eu := cell{svc: "lambda", region: "eu-west-1", arnRegion: "eu-west-1", partition: "aws"}
	s3 := cell{svc: "s3", partition: "aws", noAccount: true}
	tests := []struct {
		req  string
		c    cell
		want string
		ok   bool
	}{
		{"*", eu, "arn:aws:lambda:eu-west-1:" + acct + ":*", true},
		{"*", s3, "arn:aws:s3:::*", true},
		{"arn:aws:lambda:*:*:function:*", eu, "arn:aws:lambda:eu-west-1:" + acct + ":function:*", true},
		{"arn:aws:lambda:us-west-2:*:function:*", eu, "", false},
		{"arn:aws:*:*:*:*", eu, "arn:aws:lambda:eu-west-1:" + acct + ":*", true},
		{"arn:aws:s3:::logs-*", s3, "arn:aws:s3:::logs-*", true},
		{"arn:aws:ec2:*:*:instance/*", eu, "", false},
		{"not an arn", eu, "", false},
	}
	for _, tc := range tests {
		got, ok := cellRequest(tc.req, tc.c, acct)
		if got != tc.want || ok != tc.ok {
			t.Errorf("cellRequest(%q, %s) = %q %v, want %q %v", tc.req, tc.c.label(), got, ok, tc.want, tc.ok)
		}
	}
}
