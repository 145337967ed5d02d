package access

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fmt"
	"github.com/google/go-cmp/cmp"
	"github.com/snapaudit/snapaudit/analyze/graph"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// TestResourceDenials: a resource policy's Deny refuses a principal
// whatever its identity policies allow (IAM User Guide,
// reference_policies_evaluation-logic.html: "an explicit deny in any of
// these policies overrides the allow"), so una's S3 service edge (s3:* on
// "*") is not read onto a bucket that denies her: "every principal but
// the administrator" (a Condition on aws:PrincipalArn, a fact), a Deny
// naming her for all but the List actions, a Deny to everyone; a Deny on request
// context alone (aws:SecureTransport) refuses nobody outright and leaves
// no mark. Who agrees with the evaluator on every bucket (the sweep).
func TestResourceDenials(t *testing.T) {
	w := newWorld(t)
	una, admin := w.user("una"), w.user("admin")
	for _, u := range []string{"una", "admin"} {
		w.inline(w.g.Entity(userARN(u)), "s3", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	}
	_, _ = una, admin
	res := func(b string) string { return `["arn:aws:s3:::` + b + `","arn:aws:s3:::` + b + `/*"]` }
	w.bucket("open", "")
	w.bucket("admins-only", doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":`+res("admins-only")+`,"Condition":{"StringNotEquals":{"aws:PrincipalArn":"`+userARN("admin")+`"}}}`))
	w.bucket("lists-for-una", doc(`{"Effect":"Deny","Principal":{"AWS":"`+userARN("una")+`"},"NotAction":["s3:List*"],"Resource":`+res("lists-for-una")+`}`))
	w.bucket("sealed", doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":`+res("sealed")+`}`))
	w.bucket("tls-only", doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":`+res("tls-only")+`,"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`))
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		bucket             string
		principals, levels []string
	}{
		{"open", nil, nil},
		{"admins-only", []string{userARN("una")}, nil},
		{"lists-for-una", nil, []string{userARN("una") + "|Permissions management", userARN("una") + "|Read", userARN("una") + "|Tagging", userARN("una") + "|Write"}},
		{"sealed", []string{acct}, nil},
		{"tls-only", nil, nil},
	} {
		e := w.g.Entity("arn:aws:s3:::" + tc.bucket)
		if d := cmp.Diff(tc.principals, stringList(e.Get(deniedPrincipalsProp))); d != "" {
			t.Errorf("%s deniedPrincipals (-want +got):\n%s", tc.bucket, d)
		}
		if d := cmp.Diff(tc.levels, stringList(e.Get(deniedLevelsProp))); d != "" {
			t.Errorf("%s deniedLevels (-want +got):\n%s", tc.bucket, d)
		}
	}
	ix := NewIndex(w.g)
	for _, tc := range []struct {
		bucket string
		level  string
		want   []string
	}{
		{"admins-only", "Write", []string{userARN("admin")}},
		{"lists-for-una", "Write", []string{userARN("admin")}},
		{"lists-for-una", "List", []string{userARN("admin"), userARN("una")}},
		{"sealed", "Write", nil},
		{"tls-only", "Write", []string{userARN("admin"), userARN("una")}},
	} {
		acc, err := ix.Who("arn:aws:s3:::"+tc.bucket, actions.AccessLevel(tc.level))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range acc {
			if !slices.Contains(got, a.Principal) {
				got = append(got, a.Principal)
			}
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("Who %s %s (-want +got):\n%s", tc.bucket, tc.level, d)
		}
	}
	if st := SweepWhoCan(t, newGraphQuery(t, w.g), w.g); st.Extra+st.Missing+st.Disagreements+st.CoarseJoined != 0 {
		t.Errorf("sweep: %+v", st)
	}
}

// BenchmarkResourceDenials: 1,000 users with s3:* and 1,000 buckets each
// denying every principal but one administrator by aws:PrincipalArn (the
// statement reads who the principal is: asked per principal of the
// account), derived whole; cpu-ns/op is the derivation's CPU.
func BenchmarkResourceDenials(b *testing.B) {
	cat, err := actions.Load()
	if err != nil {
		b.Fatal(err)
	}
	deriveReport(b, cat, func() *graph.Graph {
		w := newWorld(b)
		w.policy("S3", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
		for i := range 1000 {
			w.rel(w.user(fmt.Sprintf("u%04d", i)), "HAS", w.g.Entity(policyARN("S3")))
		}
		for i := range 1000 {
			name := fmt.Sprintf("locked-%04d", i)
			w.bucket(name, doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::`+name+`","arn:aws:s3:::`+name+`/*"],`+
				`"Condition":{"StringNotEquals":{"aws:PrincipalArn":"`+userARN("u0000")+`"}}}`))
		}
		return w.g
	})
}

// TestOwnDenyNamingResource: a Deny in a principal's own policy naming a
// bucket refuses it there whatever its s3:* on "*" grants (IAM User
// Guide, reference_policies_evaluation-logic.html), so its S3 service
// edge is not read onto that bucket (the bucket's deniedPrincipals /
// deniedLevels, owndeny.go): una's inline Deny refuses everything on prod,
// vic's only deleting it and its objects. Who agrees with the evaluator
// on every bucket (the sweep); ned, whose class shares una's policies,
// gets the same answer.
func TestOwnDenyNamingResource(t *testing.T) {
	w := newWorld(t)
	w.policy("S3NotProd", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::prod","arn:aws:s3:::prod/*"]}`),
		w.user("una"), w.user("ned"))
	vic := w.user("vic")
	w.inline(vic, "s3", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Effect":"Deny","NotAction":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::prod","arn:aws:s3:::prod/*"]}`))
	w.bucket("prod", "")
	w.bucket("dev", "")
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	prod := w.g.Entity("arn:aws:s3:::prod")
	if d := cmp.Diff([]string{userARN("ned"), userARN("una")}, stringList(prod.Get(deniedPrincipalsProp))); d != "" {
		t.Errorf("prod deniedPrincipals (-want +got):\n%s", d)
	}
	levels := stringList(prod.Get(deniedLevelsProp))
	if !slices.Contains(levels, userARN("vic")+"|Write") || slices.ContainsFunc(levels, func(l string) bool { return strings.HasSuffix(l, "|List") }) {
		t.Errorf("prod deniedLevels %q: want vic's Write, no List", levels)
	}
	if dev := w.g.Entity("arn:aws:s3:::dev"); dev.Get(deniedPrincipalsProp) != nil || dev.Get(deniedLevelsProp) != nil {
		t.Errorf("dev: marked %v %v, want nothing", dev.Get(deniedPrincipalsProp), dev.Get(deniedLevelsProp))
	}
	ix := NewIndex(w.g)
	acc, err := ix.Who("arn:aws:s3:::prod", actions.AccessLevel("Write"))
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 0 {
		t.Errorf("Who writes prod: %v, want nobody", acc)
	}
	if st := SweepWhoCan(t, newGraphQuery(t, w.g), w.g); st.Extra+st.Missing+st.Disagreements+st.CoarseJoined != 0 {
		t.Errorf("sweep: %+v", st)
	}
}
