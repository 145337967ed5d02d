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

// publicAccessCases adds to the organisation fixture three buckets of the
// management account (no SCPs nor RCPs apply to it) with the same public
// policy: objects readable by "*", and writable by member A (a non-public
// delegation to an account). Amazon S3 User Guide,
// access-control-block-public-access.html: with RestrictPublicBuckets on,
// a bucket with a public policy is accessible only to AWS service
// principals and authorized users of the bucket owner's account; "public
// and cross-account access within any public bucket policy, including
// non-public delegation to specific accounts, is blocked". m-open has the
// setting off, m-shut on, m-unknown unknown (GetPublicAccessBlock failed:
// the property is absent).
func publicAccessCases(t testing.TB, g *graph.Graph) {
	b := &orgBuilder{t: t, g: g}
	for _, c := range []struct {
		name     string
		restrict any // nil: not collected
	}{{"m-open", false}, {"m-shut", true}, {"m-unknown", nil}} {
		e := b.bucket(mgmt, c.name, doc(
			`{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+c.name+`/*"}`,
			`{"Sid":"PartnerWrite","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberA+`:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::`+c.name+`/*"}`), nil)
		e.Set("policyPublic", true)
		if c.restrict == nil {
			e.Delete("effectiveRestrictPublicBuckets")
		} else {
			e.Set("effectiveRestrictPublicBuckets", c.restrict)
		}
	}
}

// TestPublicAccessBlock: what RestrictPublicBuckets changes, asked of the
// evaluator (Query.WhoCan) and of the graph (Index.WhoCan, the edges):
// m-shut keeps exactly m-open's principals of its own account; m-unknown
// keeps m-open's answer, the other accounts' principals and anonymous
// callers conditional on s3:restrictpublicbuckets.
func TestPublicAccessBlock(t *testing.T) {
	g := orgFixture(t)
	publicAccessCases(t, g)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	q := newGraphQuery(t, g)
	ix := NewIndex(g)
	who := func(action, bucket string) []string {
		t.Helper()
		want, err := q.WhoCan(ctx, action, "arn:aws:s3:::"+bucket+"/x")
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.WhoCan(ctx, q, action, "arn:aws:s3:::"+bucket+"/x")
		if err != nil {
			t.Fatal(err)
		}
		if w, gl := answerLines(want), answerLines(got); !slices.Equal(w, gl) {
			t.Errorf("who can %s on %s/x:\n  evaluator: %s\n  graph:     %s", action, bucket, strings.Join(w, "; "), strings.Join(gl, "; "))
		}
		return answerLines(want)
	}
	own := func(line string) bool {
		return strings.HasPrefix(line, "arn:aws:iam::"+mgmt+":") || strings.HasPrefix(line, "arn:aws:sts::"+mgmt+":")
	}
	const cond = " (conditional: " + iam.RestrictPublicKey + ")"
	bob, alice := iamARN(memberA, "user", "bob"), iamARN(mgmt, "user", "alice")
	for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
		open := who(action, "m-open")
		if !slices.Contains(open, bob) || !slices.Contains(open, model.AccountKey(memberA)) {
			t.Errorf("%s on m-open: want bob and member A's root (the policy grants them), got %v", action, open)
		}
		if action == "s3:GetObject" && !slices.Contains(open, "*") {
			t.Errorf("%s on m-open: want anonymous callers, got %v", action, open)
		}
		var wantShut, wantUnknown []string
		for _, l := range open {
			if own(l) {
				wantShut = append(wantShut, l)
				wantUnknown = append(wantUnknown, l)
			} else {
				wantUnknown = append(wantUnknown, l+cond)
			}
		}
		if !slices.Contains(wantShut, alice) {
			t.Errorf("%s on m-open: alice (the bucket's account) missing: %v", action, open)
		}
		if got := who(action, "m-shut"); !slices.Equal(got, wantShut) {
			t.Errorf("%s on m-shut: %v, want only the bucket account's %v", action, got, wantShut)
		}
		slices.Sort(wantUnknown)
		got := who(action, "m-unknown")
		slices.Sort(got)
		if !slices.Equal(got, wantUnknown) {
			t.Errorf("%s on m-unknown: %v, want %v", action, got, wantUnknown)
		}
	}

	// The edges say it.
	rel := func(key string) *graph.Relationship {
		t.Helper()
		r := g.Relationship(key)
		if r == nil {
			t.Fatalf("no relationship %s", key)
		}
		return r
	}
	pub := rel("arn:aws:s3:::m-shut|allows|" + model.EveryoneKey)
	if pub.Get("anonymousEffective") != false || pub.Get("restrictPublicBuckets") != true || !slices.Contains(stringList(pub.Get("exceptPrincipals")), bob) ||
		slices.Contains(stringList(pub.Get("exceptPrincipals")), alice) {
		t.Errorf("m-shut's grant to Everyone: %v", pub.PropMap())
	}
	if r := rel("arn:aws:s3:::m-shut|allows|" + model.AccountKey(memberA)); r.Get("effective") != false {
		t.Errorf("m-shut's grant to member A: effective %v, want false", r.Get("effective"))
	}
	if r := rel("arn:aws:s3:::m-open|allows|" + model.EveryoneKey); r.Get("anonymousEffective") != true || r.Has("restrictPublicBuckets") {
		t.Errorf("m-open's grant to Everyone: %v", r.PropMap())
	}
	if r := rel("arn:aws:s3:::m-unknown|allows|" + model.AccountKey(memberA)); r.Get("conditional") != true ||
		!slices.Equal(stringList(r.Get("conditionKeys")), []string{iam.RestrictPublicKey}) || r.Get("restrictPublicBuckets") != nil || !r.Has("restrictPublicBuckets") {
		t.Errorf("m-unknown's grant to member A: %v", r.PropMap())
	}
	// Who joins the grants with bob's own access (s3:* on "*": his
	// account's S3 service edge).
	whoRead := func(bucket string) (bobConditional, found bool) {
		t.Helper()
		acc, err := ix.Who("arn:aws:s3:::"+bucket, actions.Read)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acc {
			if a.Principal == bob {
				return a.Conditional, true
			}
		}
		return false, false
	}
	if c, ok := whoRead("m-open"); !ok || c {
		t.Errorf("Who reads m-open: bob found %v, conditional %v; want unconditional", ok, c)
	}
	if c, ok := whoRead("m-unknown"); !ok || !c {
		t.Errorf("Who reads m-unknown: bob found %v, conditional %v; want conditional", ok, c)
	}
	for _, lv := range []actions.AccessLevel{actions.Read, actions.Write} {
		acc, err := ix.Who("arn:aws:s3:::m-shut", lv)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acc {
			if !own(a.Principal) && a.Principal != model.AccountKey(mgmt) {
				t.Errorf("Who %s m-shut: %s (outside the bucket's account)", lv, a.Principal)
			}
		}
	}

	// iam explain says the layer decided.
	anon := iam.Principal{Raw: "*", Type: iam.PrincipalAnonymous}
	req, pol, unknown, _, err := q.Request(ctx, anon, "s3:GetObject", "arn:aws:s3:::m-shut/x")
	if err != nil {
		t.Fatal(err)
	}
	x := q.ev.Explain(req, pol, unknown)
	i := slices.IndexFunc(x.Layers, func(l iam.LayerOutcome) bool { return strings.HasPrefix(l.Layer, "S3 Block Public Access") })
	if x.Result.Decision != iam.ImplicitlyDenied || i < 0 || !strings.HasPrefix(x.Layers[i].Contribution, "decided") {
		t.Errorf("explain anonymous GetObject on m-shut: %s, layers %+v", x.Result.Decision, x.Layers)
	}
}
