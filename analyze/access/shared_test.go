package access

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// sharedWorld has classes of roles and users with the same policies:
// tags a condition reads (team) and tags none reads (Owner), a boundary,
// a Deny, a personal policy (${aws:username}), buckets with and without
// a policy, one naming a role of a class (its access is its own), and a
// group's users.
func sharedWorld(t testing.TB, org bool) *graph.Graph {
	w := newWorld(t)
	w.policy("Boundary", doc(`{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}`))
	read := w.policy("Read", doc(`{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}`))
	abac := w.policy("ABAC", doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`))
	tagged := w.policy("Tagged", doc(`{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`))
	deny := w.policy("NoSecrets", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-1/secret/*"}`))
	home := w.policy("Home", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b-0/home/${aws:username}/*"}`))
	for i := range 4 {
		b := w.bucket(fmt.Sprintf("b-%d", i), "")
		b.Set("tag.team", []string{"blue", "red"}[i%2])
	}
	w.bucket("b-pol", doc(`{"Effect":"Allow","Principal":{"AWS":"`+roleARN("r-03")+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b-pol/*"}`,
		`{"Effect":"Deny","Principal":{"AWS":"`+roleARN("r-05")+`"},"Action":"s3:*","Resource":"*"}`))
	sets := [][]*graph.Entity{{read}, {read, abac}, {tagged, deny}, {deny}, {home}}
	for i := range 30 {
		boundary := ""
		if i%7 == 0 {
			boundary = policyARN("Boundary")
		}
		r := w.role(fmt.Sprintf("r-%02d", i), "", boundary)
		r.Set("tag.team", []string{"blue", "red", "green"}[i%3])
		r.Set("tag.Owner", fmt.Sprintf("owner-%02d", i))
		for _, p := range sets[i%len(sets)] {
			w.rel(r, "HAS", p)
		}
	}
	var users []*graph.Entity
	for i := range 6 {
		u := w.user(fmt.Sprintf("u-%d", i))
		u.Set("tag.team", []string{"blue", "red"}[i%2])
		users = append(users, u)
	}
	g := w.group("readers", users...)
	w.rel(g, "HAS", read)
	w.rel(g, "HAS", abac)
	if org {
		benchOrg(w.g)
	}
	return w.g
}

// exactWorld is a fixture the exactness tests derive twice.
type exactWorld struct {
	name  string
	world func(testing.TB) *graph.Graph
}

// exactWorlds are the fixtures of TestSharedAccessExact and
// TestFastPathsExact.
var exactWorlds = []exactWorld{
	{"classes", func(t testing.TB) *graph.Graph { return sharedWorld(t, false) }},
	{"classes in an organisation", func(t testing.TB) *graph.Graph { return sharedWorld(t, true) }},
	{"organisation fixture", orgFixture},
	{"ABAC fan-out", func(t testing.TB) *graph.Graph { return abacWorld(t, 2, 30, 300, 3) }},
}

// derivedDoc derives g with opts and returns its graph document and the
// evaluations asked.
func derivedDoc(t *testing.T, g *graph.Graph, opts ...Option) ([]byte, int) {
	t.Helper()
	st, err := Derive(context.Background(), g, opts...)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(g.Document())
	if err != nil {
		t.Fatal(err)
	}
	return doc, st.Evaluations + st.OrgEvaluations
}

// TestSharedAccessExact: principals sharing their class's access get the
// relationships a derivation of their own gives, byte for byte, and the
// sharing saves evaluations.
func TestSharedAccessExact(t *testing.T) {
	for _, tc := range exactWorlds {
		t.Run(tc.name, func(t *testing.T) {
			var docs [2][]byte
			var evals [2]int
			for i, alone := range []bool{false, true} {
				docs[i], evals[i] = derivedDoc(t, tc.world(t), func(c *config) { c.noShare, c.workers = alone, 1 }) // one worker: exact counts
			}
			if !bytes.Equal(docs[0], docs[1]) {
				t.Error("sharing changes the derived graph")
			}
			if tc.name == "classes" && evals[0] >= evals[1] {
				t.Errorf("sharing saved no evaluation (%d with, %d without)", evals[0], evals[1])
			}
		})
	}
}

// TestFastPathsExact: the graph is byte for byte the same with and
// without the shortcuts that find a property set by its grants
// (fastProps), share organisation answers between accounts with the
// same policies (canonicalOrgs), and answer a scoped edge's cells from a
// cached grant's or from the organisation's answers alone (cells.go).
func TestFastPathsExact(t *testing.T) {
	for _, tc := range append(exactWorlds, exactWorld{"organisation fixture, accounts with the same policies", sameOrgPolicies}) {
		t.Run(tc.name, func(t *testing.T) {
			var docs [2][]byte
			for i, slow := range []bool{false, true} {
				docs[i], _ = derivedDoc(t, tc.world(t), func(c *config) { c.noFast = slow })
			}
			if !bytes.Equal(docs[0], docs[1]) {
				t.Error("the fast paths change the derived graph")
			}
		})
	}
}

// sameOrgPolicies is the organisation fixture with the second member
// account given the first's SCPs and RCPs (under other names), so that
// canonicalOrgs shares them.
func sameOrgPolicies(t testing.TB) *graph.Graph {
	g := orgFixture(t)
	a, b := g.Entity(model.AccountKey(memberA)), g.Entity(model.AccountKey(memberB))
	for _, prop := range []string{"serviceControlPolicies", "resourceControlPolicies"} {
		b.Set(prop, strings.ReplaceAll(a.String(prop), memberA, memberB))
	}
	org, _ := orgInfos(g)
	if c := canonicalOrgs(g, org); c.scp[org[memberB]] != org[memberA] {
		t.Fatalf("accounts %s and %s with the same SCPs do not share them", memberA, memberB)
	}
	return g
}

func TestOrgLevelsSignature(t *testing.T) {
	deny := doc(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`)
	full := doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
	base := orgLevelsJSON(orgLevel{"r-1", []orgPol{{"p-full", "FullAWSAccess", full}}}, orgLevel{"111111111111", []orgPol{{"p-deny", "NoS3", deny}}})
	for _, tc := range []struct {
		name, raw string
		same, ok  bool
	}{
		{"other targets and names", orgLevelsJSON(orgLevel{"r-2", []orgPol{{"p-x", "X", full}}}, orgLevel{"222222222222", []orgPol{{"p-y", "Y", deny}}}), true, true},
		{"levels swapped", orgLevelsJSON(orgLevel{"r-1", []orgPol{{"p-deny", "NoS3", deny}}}, orgLevel{"111111111111", []orgPol{{"p-full", "FullAWSAccess", full}}}), false, true},
		{"one level fewer", orgLevelsJSON(orgLevel{"r-1", []orgPol{{"p-full", "FullAWSAccess", full}, {"p-deny", "NoS3", deny}}}), false, true},
		{"not JSON", `[{"policies":`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, _ := orgLevelsSignature(base)
			got, ok := orgLevelsSignature(tc.raw)
			if ok != tc.ok || (ok && (got == want) != tc.same) {
				t.Errorf("signature ok=%v same=%v, want ok=%v same=%v", ok, got == want, tc.ok, tc.same)
			}
		})
	}
}
