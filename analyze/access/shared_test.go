package access

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
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

// TestSharedAccessExact: principals sharing their class's access get the
// relationships a derivation of their own gives, byte for byte, and the
// sharing saves evaluations.
func TestSharedAccessExact(t *testing.T) {
	for _, tc := range []struct {
		name  string
		world func(testing.TB) *graph.Graph
	}{
		{"classes", func(t testing.TB) *graph.Graph { return sharedWorld(t, false) }},
		{"classes in an organisation", func(t testing.TB) *graph.Graph { return sharedWorld(t, true) }},
		{"organisation fixture", orgFixture},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs [2][]byte
			var evals [2]int
			for i, alone := range []bool{false, true} {
				g := tc.world(t)
				st, err := Derive(context.Background(), g, func(c *config) { c.noShare, c.workers = alone, 1 }) // one worker: exact counts
				if err != nil {
					t.Fatal(err)
				}
				evals[i] = st.Evaluations + st.OrgEvaluations
				if docs[i], err = json.Marshal(g.Document()); err != nil {
					t.Fatal(err)
				}
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
