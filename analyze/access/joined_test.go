package access

import (
	"context"
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestJoinedGrantExceptions pins what a grant to Everyone or to an
// account says of each principal it is joined with (joined.go): B's bucket
// b-split lets the organisation read its objects and principals tagged
// team=blue write them, so every other principal of the snapshot is
// refused Write only (exceptLevels, "principal|Level"), whatever its own
// access; B's role reader trusts A's root when the caller is tagged blue,
// so A's other principals are refused outright (exceptPrincipals on the
// TRUSTS); B's AWS managed key k3 (kms:CallerAccount) refuses every
// principal of the other accounts, one entry per account; b-arn's grant
// reads the caller's ARN (asked per principal); B's role anyone trusts "*", which B's vic may not use (his own
// Deny) and wes may (a permissions boundary does not limit a same-account
// grant to him). Who leaves out what they say, and the evaluator agrees
// on every action of b-split and on assuming anyone.
func TestJoinedGrantExceptions(t *testing.T) {
	g := orgFixture(t)
	b := &orgBuilder{t: t, g: g}
	b.bucket(memberB, "b-split", doc(
		`{"Sid":"OrgRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-split/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`"}}}`,
		`{"Sid":"BlueWrite","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b-split/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`), nil)
	// b-arn lets users whose name starts with b read (aws:PrincipalArn:
	// asked per principal).
	b.bucket(memberB, "b-arn", doc(
		`{"Sid":"B","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-arn/*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/b*"}}}`), nil)
	// B's role anyone trusts "*": vic's own Deny refuses it, wes's
	// boundary (S3 only) may.
	b.role(memberB, "anyone", doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`), "", nil)
	vic := b.user(memberB, "vic", nil)
	b.inline(vic, "noassume", doc(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`))
	b.policy(memberB, "S3Only", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	b.user(memberB, "wes", nil).Set("permissionsBoundaryArn", iamARN(memberB, "policy", "S3Only"))
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	bucket := "arn:aws:s3:::b-split"
	carol, bob, kim, erin := iamARN(memberA, "user", "carol"), iamARN(memberA, "user", "bob"), iamARN(memberB, "user", "kim"), iamARN(memberB, "user", "erin")

	r := g.Relationship(bucket + "|allows|" + model.EveryoneKey)
	if r == nil {
		t.Fatal("b-split: no ALLOWS to Everyone")
	}
	levels := stringList(r.Get(exceptLevelsProp))
	for _, want := range []string{carol + "|Write", kim + "|Write"} {
		if !slices.Contains(levels, want) {
			t.Errorf("b-split's grant to Everyone: exceptLevels %q lacks %q", levels, want)
		}
	}
	for _, p := range []string{bob, erin} {
		if slices.ContainsFunc(levels, func(s string) bool { return s == p+"|Write" || s == p+"|Read" }) {
			t.Errorf("b-split's grant to Everyone: exceptLevels %q refuses %s (tagged blue)", levels, p)
		}
	}
	if except := stringList(r.Get("exceptPrincipals")); slices.Contains(except, carol) || slices.Contains(except, kim) {
		t.Errorf("b-split's grant to Everyone: exceptPrincipals %q lists a principal it grants Read", except)
	}

	if r := g.Relationship("arn:aws:s3:::b-arn|allows|" + model.EveryoneKey); r == nil {
		t.Error("b-arn: no ALLOWS to Everyone")
	} else if except := stringList(r.Get("exceptPrincipals")); !slices.Contains(except, carol) || slices.Contains(except, bob) {
		t.Errorf("b-arn's grant to users named b*: exceptPrincipals %q, want carol, not bob", except)
	}

	// k3 (AWS managed: kms:CallerAccount is B) refuses every principal of
	// the other accounts: one entry per account, not one per principal.
	k3 := g.Relationship("arn:aws:kms:eu-west-1:" + memberB + ":key/k3|allows|" + model.EveryoneKey)
	if k3 == nil {
		t.Fatal("k3: no ALLOWS to Everyone")
	}
	if except := stringList(k3.Get("exceptPrincipals")); !slices.Equal(except, []string{mgmt, memberA}) {
		t.Errorf("k3's grant to Everyone (kms:CallerAccount %s): exceptPrincipals %q, want the other two accounts", memberB, except)
	}

	ix := NewIndex(g)
	who := func(key string, l actions.AccessLevel) []string {
		acc, err := ix.Who(key, l)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range acc {
			out = append(out, x.Principal)
		}
		return out
	}
	if w := who("arn:aws:s3:::b-arn", actions.Read); !slices.Contains(w, bob) || slices.Contains(w, carol) {
		t.Errorf("Who Read on b-arn: %q, want bob, not carol", w)
	}
	if w := who(k3.From, actions.Write); slices.Contains(w, iamARN(mgmt, "user", "alice")) || slices.Contains(w, iamARN(memberA, "role", "ops")) {
		t.Errorf("Who Write on k3: %q lists a principal of another account", w)
	}
	for _, c := range []struct {
		level actions.AccessLevel
		p     string
		want  bool
	}{
		{actions.Write, carol, false}, {actions.Read, carol, true},
		{actions.Write, kim, false}, {actions.Read, kim, true},
		{actions.Write, bob, true}, {actions.Write, erin, true},
	} {
		if got := slices.Contains(who(bucket, c.level), c.p); got != c.want {
			t.Errorf("Who %s on b-split: %s listed %v, want %v", c.level, c.p, got, c.want)
		}
	}

	reader := iamARN(memberB, "role", "reader")
	tr := g.Relationship(reader + "|trusts|" + model.AccountKey(memberA))
	if tr == nil {
		t.Fatal("reader: no TRUSTS to A's account")
	}
	except := stringList(tr.Get("exceptPrincipals"))
	if !slices.Contains(except, carol) || !slices.Contains(except, iamARN(memberA, "role", "ops")) || slices.Contains(except, bob) {
		t.Errorf("reader's trust of A's root (team=blue only): exceptPrincipals %q, want carol and ops, not bob", except)
	}
	if w := who(reader, actions.Write); slices.Contains(w, iamARN(memberA, "role", "ops")) {
		t.Errorf("Who can assume reader: %q lists ops (untagged)", w)
	}

	anyone := iamARN(memberB, "role", "anyone")
	if at := g.Relationship(anyone + "|trusts|" + model.EveryoneKey); at == nil || !slices.Contains(stringList(at.Get("exceptPrincipals")), vic.Key) {
		t.Errorf("anyone's trust of \"*\": want vic (his own Deny) in exceptPrincipals")
	}
	if w := who(anyone, actions.Write); slices.Contains(w, vic.Key) {
		t.Errorf("Who can assume anyone: %q lists vic", w)
	}

	q := newGraphQuery(t, g)
	for _, p := range slices.Concat(everyProbe(q.cat, bucket), everyProbe(q.cat, "arn:aws:s3:::b-arn"), []probe{{"sts:AssumeRole", anyone}}) {
		if _, d, m := compareWhoCan(t, q, ix, p); d+m != 0 {
			t.Errorf("%s on %s: the graph and the evaluator disagree", p.action, p.resource)
		}
	}
}

// TestJoinedSkipsExceptResources: an own edge of a principal's that lists
// a resource in exceptResources (the scoped-edge work: resource keys the
// edge must not be read onto) is not joined with that resource's grants.
// bob's S3 edge (s3:* on "*") is read onto B's b-data and b-logs through
// their grants to the organisation and to A; excepting b-data removes
// that reading only. (dan's ABAC edge was the example: it goes to his
// team's buckets now, abacTargets.)
func TestJoinedSkipsExceptResources(t *testing.T) {
	g := orgFixture(t)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	bob := iamARN(memberA, "user", "bob")
	listed := func(bucket string) bool {
		acc, err := NewIndex(g).Who("arn:aws:s3:::"+bucket, actions.Read)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(acc, func(x Access) bool { return x.Principal == bob })
	}
	if !listed("b-data") || !listed("b-logs") {
		t.Fatal("bob: not joined with b-data's and b-logs's grants (the fixture changed?)")
	}
	n := 0
	for _, r := range g.Relationships() {
		if r.Type == AccessType && r.From == bob && r.To == model.ServiceKey(memberA, "s3") {
			r.Set("exceptResources", []string{"arn:aws:s3:::b-data"})
			n++
		}
	}
	if n == 0 {
		t.Fatal("bob: no access edge to A's S3 service entity")
	}
	if listed("b-data") {
		t.Error("bob is joined with b-data's grant through an edge whose exceptResources lists b-data")
	}
	if !listed("b-logs") {
		t.Error("bob is no longer joined with b-logs's grant (not in exceptResources)")
	}
}
