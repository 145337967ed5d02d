package access

import (
	"context"
	"fmt"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/model"
)

const (
	// s3FullAccess is an AWS managed policy: one entity shared by every
	// account that holds it.
	s3FullAccess = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
	adminAccess  = "arn:aws:iam::aws:policy/AdministratorAccess"
	third        = "777788889999"
	s3FullDoc    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::c-data/*"}]}`
	adminDoc     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	sharedPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::b-shared/*"}]}`
)

var localARN = "arn:aws:iam::" + other + ":role/local"

// twoAccounts: accounts A (acct) and B (other) both hold the AWS managed
// policies s3:* on "*" and AdministratorAccess (role app in A, role local
// in B). A has bucket
// a-data; B has b-private (no bucket policy) and b-shared (a bucket policy
// granting A's role app s3:GetObject). Account C (third) holds nothing but
// bucket c-data, which a second statement of the policy names.
func twoAccounts(w *world) {
	in := func(e *graph.Entity, a string) *graph.Entity { e.Set("accountId", a); return e }
	model.Account(w.g, other)
	model.Account(w.g, third)
	app := w.role("app", "", "")
	local := in(w.add(localARN, "aws_iam_role", "AccessRole", map[string]any{"arn": localARN, "name": "local", "permissionsBoundaryArn": ""}), other)
	pol := w.add(s3FullAccess, "aws_iam_policy", "AccessPolicy", map[string]any{
		"arn": s3FullAccess, "name": "AmazonS3FullAccess", "awsManaged": true, "document": s3FullDoc,
	})
	admin := w.add(adminAccess, "aws_iam_policy", "AccessPolicy", map[string]any{
		"arn": adminAccess, "name": "AdministratorAccess", "awsManaged": true, "document": adminDoc,
	})
	for _, p := range []*graph.Entity{pol, admin} {
		w.rel(app, "HAS", p)
		w.rel(local, "HAS", p)
	}
	w.bucket("a-data", "")
	in(w.bucket("b-private", ""), other)
	in(w.bucket("b-shared", sharedPolicy), other)
	in(w.bucket("c-data", ""), third)
}

// TestManagedPolicyCrossAccount: a principal of account A gets no access
// to account B through an AWS managed policy that B also holds; only B's
// resource policy opens B to it (cross-account needs both sides). Each
// edge's presence is checked against the evaluator's answer.
func TestManagedPolicyCrossAccount(t *testing.T) {
	managed, err := iam.Parse(s3FullAccess, s3FullDoc)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := iam.Parse(adminAccess, adminDoc)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := iam.Parse("b-shared", sharedPolicy)
	if err != nil {
		t.Fatal(err)
	}
	ev := iam.NewEvaluator()
	app, local := roleARN("app"), localARN
	s3A, s3B := model.ServiceKey(acct, "s3"), model.ServiceKey(other, "s3")
	access := func(from, to string) string { return from + "|access|" + to }
	allows := func(to string) string { return s3FullAccess + "|allows|" + to }
	// Access edges: principal, target, the request the evaluator is asked
	// (resource, its account, its resource policy) and whether it allows.
	type edge struct {
		principal, target string
		resource, account string
		resPolicy         *iam.Policy
		want              bool
	}
	edges := []edge{
		{principal: app, target: s3A, resource: "*", account: acct, want: true},
		{principal: app, target: "arn:aws:s3:::a-data", resource: "arn:aws:s3:::a-data/*", account: acct, want: false}, // covered by s3A (scope service)
		{principal: app, target: "arn:aws:s3:::b-shared", resource: "arn:aws:s3:::b-shared/*", account: other, resPolicy: shared, want: true},
		{principal: app, target: s3B, resource: "*", account: other, want: false},
		{principal: app, target: "arn:aws:s3:::b-private", resource: "arn:aws:s3:::b-private/*", account: other, want: false},
		{principal: app, target: "arn:aws:s3:::c-data", resource: "arn:aws:s3:::c-data/*", account: third, want: false},
		{principal: local, target: s3B, resource: "*", account: other, want: true},
		{principal: local, target: s3A, resource: "*", account: acct, want: false},
		{principal: local, target: "arn:aws:s3:::c-data", resource: "arn:aws:s3:::c-data/*", account: third, want: false},
		// AdministratorAccess: the own account only. (Evaluated on "*" in
		// B, sts:GetCallerIdentity alone is allowed: it needs no
		// permission and is no access to B; asked about it, Derive used to
		// invent Read access from A to B.)
		{principal: app, target: model.AccountKey(acct), resource: "*", account: acct, want: true},
		{principal: app, target: model.AccountKey(other), resource: "*", account: other, want: false},
		{principal: local, target: model.AccountKey(acct), resource: "*", account: acct, want: false},
	}
	for _, exact := range []bool{false, true} {
		t.Run(map[bool]string{false: "shortcut", true: "exact"}[exact], func(t *testing.T) {
			w := newWorld(t)
			twoAccounts(w)
			if _, err := Derive(context.Background(), w.g, func(c *config) { c.exact = exact }); err != nil {
				t.Fatal(err)
			}
			for _, e := range edges {
				k := access(e.principal, e.target)
				if got := w.g.Relationship(k) != nil; got != e.want {
					t.Errorf("%s: present %v, want %v", k, got, e.want)
				}
				if e.target == "arn:aws:s3:::a-data" {
					continue // no edge because a wider one covers it, not because it is denied
				}
				pp, err := iam.ParsePrincipal(e.principal)
				if err != nil {
					t.Fatal(err)
				}
				res := ev.Evaluate(&iam.Request{Principal: pp, Action: "s3:GetObject", Resource: e.resource, ResourceAccount: e.account},
					&iam.Policies{Identity: []*iam.Policy{managed, admin}, Resource: e.resPolicy})
				if got := res.Decision == iam.Allowed; got != e.want {
					t.Errorf("%s: evaluator says allowed=%v (%v), the test wants %v", k, got, res.Reasons, e.want)
				}
			}
			// The managed policy ALLOWS targets in the accounts of the
			// principals that attach it, nowhere else.
			for k, want := range map[string]bool{
				allows(s3A): true, allows(s3B): true,
				allows(model.ServiceKey(third, "s3")): false, allows("arn:aws:s3:::c-data"): false,
			} {
				if got := w.g.Relationship(k) != nil; got != want {
					t.Errorf("%s: present %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestManagedPolicyWorkPerAccount: the evaluator work of an organisation
// of n identical accounts sharing the same AWS managed policies is n times
// that of one account, not n² (each principal once paid for every account
// holding its policies).
func TestManagedPolicyWorkPerAccount(t *testing.T) {
	managed := map[string]string{
		adminAccess:                              adminDoc,
		s3FullAccess:                             s3FullDoc,
		"arn:aws:iam::aws:policy/ReadOnlyAccess": doc(`{"Effect":"Allow","Action":["ec2:Describe*","s3:Get*","s3:List*","dynamodb:Describe*","lambda:List*"],"Resource":"*"}`),
	}
	build := func(accounts int) *graph.Graph {
		w := newWorld(t)
		pols := map[string]*graph.Entity{}
		for _, arn := range sortedKeys(managed) {
			pols[arn] = w.add(arn, "aws_iam_policy", "AccessPolicy", map[string]any{"arn": arn, "awsManaged": true, "document": managed[arn]})
		}
		for i := range accounts {
			a := fmt.Sprintf("1000000000%02d", i)
			model.Account(w.g, a)
			for j, arn := range sortedKeys(managed) {
				role := fmt.Sprintf("arn:aws:iam::%s:role/r%d", a, j)
				r := w.add(role, "aws_iam_role", "AccessRole", map[string]any{"arn": role, "name": fmt.Sprintf("r%d", j), "permissionsBoundaryArn": ""})
				r.Set("accountId", a)
				w.rel(r, "HAS", pols[arn])
				b := w.bucket(fmt.Sprintf("b-%s-%d", a, j), "")
				b.Set("accountId", a)
			}
		}
		return w.g
	}
	evals := map[int]int{}
	for _, n := range []int{1, 4} {
		st, err := Derive(context.Background(), build(n), func(c *config) { c.exact, c.workers = true, 1 }) // one worker: exact counts
		if err != nil {
			t.Fatal(err)
		}
		evals[n] = st.Evaluations
	}
	if evals[4] != 4*evals[1] {
		t.Errorf("evaluations: %d for one account, %d for four (want %d)", evals[1], evals[4], 4*evals[1])
	}
}
