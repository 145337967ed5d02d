package access

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

var testCatalog = sync.OnceValues(actions.Load)

func newTestQuery(t *testing.T, w *world) *Query {
	t.Helper()
	cat, err := testCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ev := iam.NewEvaluator(iam.WithClock(func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }))
	return NewQuery(w.g, ev, cat)
}

// summary is one who-can line: principal, and the condition keys when the
// answer is conditional.
type summary struct {
	Principal string
	Keys      []string
}

func summarize(as []Answer) []summary {
	out := []summary{}
	for _, a := range as {
		s := summary{Principal: a.Principal}
		if a.Conditional {
			s.Keys = a.ConditionKeys
		}
		out = append(out, s)
	}
	return out
}

func TestWhoCan(t *testing.T) {
	const pii = "arn:aws:s3:::pii"
	w := newWorld(t)
	w.g.Entity(model.AccountKey(acct)).Set("organizationId", "o-exampleorg")
	w.bucket("pii", doc(
		`{"Sid":"PublicPrefix","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pii/public/*"}`,
		`{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+other+`:role/partner"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pii/*"}`,
		`{"Sid":"OrgOnly","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pii/org/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg"}}}`,
		`{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::pii/*/secret/*"}`))
	admin := w.role("admin", "", "")
	w.inline(admin, "all", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	blue := w.role("blue", "", "")
	blue.Set("tag.team", "blue")
	red := w.role("red", "", "")
	red.Set("tag.team", "red")
	teamRead := doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`)
	w.policy("TeamRead", teamRead, blue, red)
	office := w.user("office")
	w.policy("OfficeOnly", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::pii/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`), office)
	bounded := w.role("bounded", "", policyARN("Boundary"))
	w.inline(bounded, "all", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	w.policy("Boundary", doc(`{"Effect":"Allow","Action":"s3:List*","Resource":"*"}`))
	q := newTestQuery(t, w)

	root := model.AccountKey(acct)
	partner := "arn:aws:iam::" + other + ":role/partner"
	ext := []string{"identity policies of account " + other + " (not in the snapshot)"}
	tests := []struct {
		name     string
		action   string
		resource string
		want     []summary
	}{
		// In the bucket's account a Principal "*" Allow grants by itself
		// (IAM User Guide, reference_policies_evaluation-logic.html): no
		// identity policy is needed and the boundary does not limit it.
		{"public prefix: anyone, and so every principal of the account; the partner if its account allows",
			"s3:GetObject", pii + "/public/a.txt", []summary{
				{Principal: "*"}, {Principal: roleARN("admin")}, {Principal: roleARN("blue")}, {Principal: roleARN("bounded")},
				{Principal: roleARN("red")}, {Principal: root}, {Principal: userARN("office")}, {Principal: partner, Keys: ext},
			}},
		{"private prefix: the tagged role, the office user from its network, the partner, admins",
			"s3:GetObject", pii + "/private/a.txt", []summary{
				{Principal: roleARN("admin")}, {Principal: roleARN("blue")}, {Principal: root},
				{Principal: userARN("office"), Keys: []string{"aws:sourceip"}}, {Principal: partner, Keys: ext},
			}},
		{"org prefix: the org condition is a known fact, so every principal of the account qualifies by the bucket policy",
			"s3:GetObject", pii + "/org/b.txt", []summary{
				{Principal: roleARN("admin")}, {Principal: roleARN("blue")}, {Principal: roleARN("bounded")},
				{Principal: roleARN("red")}, {Principal: root}, {Principal: userARN("office")}, {Principal: partner, Keys: ext},
			}},
		{"a narrower Deny survives", "s3:GetObject", pii + "/public/secret/k", []summary{}},
		{"writes: admin and root only", "s3:PutObject", pii + "/x", []summary{{Principal: roleARN("admin")}, {Principal: root}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := q.WhoCan(context.Background(), tc.action, tc.resource)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, summarize(got)); d != "" {
				t.Errorf("who can %s on %s (-want +got):\n%s", tc.action, tc.resource, d)
			}
			// Every answer is the evaluator's own for that principal.
			for _, a := range got {
				pr, _ := iam.ParsePrincipal(a.Principal)
				if a.Principal == "*" {
					pr = iam.Principal{Type: iam.PrincipalAnonymous, Raw: "*"}
				}
				req, pol, unknown, _, err := q.Request(context.Background(), pr, tc.action, tc.resource)
				if err != nil {
					t.Fatal(err)
				}
				if r := q.ev.EvaluateUnknown(req, pol, unknown); r.Decision != iam.Allowed {
					t.Errorf("%s listed but the evaluator says %s", a.Principal, r.Decision)
				}
			}
		})
	}
	if _, err := q.WhoCan(context.Background(), "s3:GetObject", "arn:aws:s3:::nope/k"); err == nil {
		t.Error("a resource outside the snapshot: no error")
	}
	if _, err := q.WhoCan(context.Background(), "s3:GetObjekt", pii+"/k"); err == nil {
		t.Error("a misspelt action: no error")
	}
}

func TestCan(t *testing.T) {
	w := newWorld(t)
	w.bucket("logs", "")
	reader := w.user("reader")
	w.policy("Read", doc(`{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketTagging"],"Resource":"arn:aws:s3:::logs"}`,
		`{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}`), reader)
	q := newTestQuery(t, w)
	got, err := q.Can(context.Background(), userARN("reader"), CanFilter{Service: "s3"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range got {
		lines = append(lines, a.Action+" "+a.Resource)
	}
	// ListAllMyBuckets takes no resource: it is asked without one.
	want := []string{
		"s3:GetBucketTagging arn:aws:s3:::logs", "s3:ListBucket arn:aws:s3:::logs", "s3:ListAllMyBuckets ",
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("can (-want +got):\n%s", d)
	}
	if _, err := q.Can(context.Background(), userARN("nobody"), CanFilter{}); err == nil {
		t.Error("a principal outside the snapshot: no error")
	}
}
