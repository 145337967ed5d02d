package graph

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRelationshipType(t *testing.T) {
	tests := []struct {
		name, from, verb, to, want string
	}{
		{"shared aws_ prefix", "aws_instance", "USES", "aws_ebs_volume", "aws_instance_uses_ebs_volume"},
		{"service to entity", "aws_ec2", "HAS", "aws_instance", "aws_ec2_has_instance"},
		{"longer shared prefix", "aws_iam_user", "HAS", "aws_iam_user_policy", "aws_iam_user_has_policy"},
		{"shared aws_iam", "aws_iam_role", "HAS", "aws_iam_policy", "aws_iam_role_has_policy"},
		{"target equal to source keeps its last word", "aws_security_group", "ALLOWS", "aws_security_group", "aws_security_group_allows_group"},
		{"nothing shared", "aws_iam_user", "IS", "Person", "aws_iam_user_is_Person"},
		{"verb lowercased", "aws_vpc", "contains", "aws_subnet", "aws_vpc_contains_subnet"},
		{"service name that is a prefix", "aws_apigateway", "HAS", "aws_api_gateway_rest_api", "aws_apigateway_has_api_gateway_rest_api"},
		{"config rule to iam user", "aws_config_rule", "EVALUATES", "aws_iam_user", "aws_config_rule_evaluates_iam_user"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 { // computed, then remembered
				if got := RelationshipType(tc.from, tc.verb, tc.to); got != tc.want {
					t.Errorf("RelationshipType(%s, %s, %s) = %s, want %s", tc.from, tc.verb, tc.to, got, tc.want)
				}
			}
		})
	}
}

// TestAll: All yields every entity once, and stops when asked.
func TestAll(t *testing.T) {
	g := New()
	for _, k := range []string{"c", "a", "b"} {
		g.AddEntity(&Entity{Key: k, Type: "t"})
	}
	seen := map[string]int{}
	for e := range g.All() {
		seen[e.Key]++
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1, "c": 1}, seen); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	n := 0
	for range g.All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("All yielded %d entities after a break, want 1", n)
	}
}

func TestRelationshipKey(t *testing.T) {
	tests := []struct{ name, from, verb, to, want string }{
		{"verb lowercased", "a:1", "HAS", "b:2", "a:1|has|b:2"},
		{"keys kept verbatim", "arn:aws:iam::1:user/x", "Contains", "arn:aws:iam::1:group/y", "arn:aws:iam::1:user/x|contains|arn:aws:iam::1:group/y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RelationshipKey(tc.from, tc.verb, tc.to); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAddEntityMerge(t *testing.T) {
	tests := []struct {
		name      string
		first     map[string]any
		second    map[string]any
		want      map[string]any
		wantClass []string
	}{
		{"new properties merged, existing kept", map[string]any{"a": 1, "b": "x"}, map[string]any{"b": "y", "c": true},
			map[string]any{"a": 1, "b": "x", "c": true}, []string{"Host"}},
		{"explicit null is a value and is kept", map[string]any{"public": nil}, map[string]any{"public": true},
			map[string]any{"public": nil}, []string{"Host"}},
		{"first without properties", nil, map[string]any{"a": 1}, map[string]any{"a": 1}, []string{"Host"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := New()
			e1, added := g.AddEntity(NewEntity("k:0000000001", "t", []string{"Host"}, tc.first))
			if !added {
				t.Fatal("first AddEntity not added")
			}
			e2, added := g.AddEntity(NewEntity("k:0000000001", "t", []string{"Other"}, tc.second))
			if added || e2 != e1 {
				t.Fatalf("second AddEntity: added=%v same=%v", added, e2 == e1)
			}
			if diff := cmp.Diff(tc.want, e1.PropMap()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !cmp.Equal(e1.Class, tc.wantClass) {
				t.Errorf("class %v, want the first entity's %v", e1.Class, tc.wantClass)
			}
			if n := len(g.EntitiesOfType("t")); n != 1 {
				t.Errorf("EntitiesOfType has %d, want 1", n)
			}
		})
	}
}

func TestAddRelationship(t *testing.T) {
	g := New()
	a, _ := g.AddEntity(&Entity{Key: "a:000000001", Type: "aws_ec2", Class: []string{"Service"}})
	b, _ := g.AddEntity(&Entity{Key: "b:000000001", Type: "aws_instance", Class: []string{"Host"}})
	tests := []struct {
		name    string
		rel     *Relationship
		wantErr string
	}{
		{"both ends exist", NewRelationship(a, "has", b, map[string]any{"x": 1}), ""},
		{"duplicate merges properties", NewRelationship(a, "HAS", b, map[string]any{"x": 2, "y": 3}), ""},
		{"missing source", NewCustomRelationship("k1", "", "", "nope", b.Key, nil), `no entity "nope"`},
		{"missing target", NewCustomRelationship("k2", "", "", a.Key, "nope", nil), `no entity "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := g.AddRelationship(tc.rel)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	r := g.Relationship("a:000000001|has|b:000000001")
	if r == nil || r.Type != "aws_ec2_has_instance" || r.Class != "HAS" {
		t.Fatalf("relationship %+v", r)
	}
	if diff := cmp.Diff(map[string]any{"x": 1, "y": 3}, r.PropMap()); diff != "" {
		t.Errorf("merged properties (-want +got):\n%s", diff)
	}
	if n, m := g.Len(); n != 2 || m != 1 {
		t.Errorf("Len = %d, %d", n, m)
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	g := New()
	a, _ := g.AddEntity(NewEntity("z:000000001", "t1", []string{"A", "B"}, map[string]any{"n": "x", "tag.K": true}))
	b, _ := g.AddEntity(&Entity{Key: "a:000000001", Type: "t2", Class: []string{"C"}})
	if err := g.AddRelationship(NewRelationship(a, "USES", b, nil)); err != nil {
		t.Fatal(err)
	}
	doc := g.Document()
	if doc.Entities[0].Key != "a:000000001" {
		t.Errorf("entities not sorted by key: %s first", doc.Entities[0].Key)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"_key":"z:000000001"`, `"_class":["A","B"]`, `"tag.K":true`, `"_fromEntityKey":"z:000000001"`, `"displayName":"USES"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("document lacks %s: %s", want, raw)
		}
	}
	var back Document
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc.Entities, back.Entities); diff != "" {
		t.Errorf("entities round trip (-want +got):\n%s", diff)
	}
	if back.Relationships[0].Key() != doc.Relationships[0].Key() || back.Relationships[0].Type != "t1_uses_t2" ||
		back.Relationships[0].Get("displayName") != "USES" {
		t.Errorf("relationship round trip: %+v", back.Relationships[0])
	}
}

// Relationships stays sorted and complete when relationships are added
// between calls (it merges what was added into the order it kept), and the
// slice it returns is the caller's.
func TestRelationshipsSortedAcrossAdds(t *testing.T) {
	g := New()
	var want []string
	for i := range 40 {
		g.AddEntity(&Entity{Key: fmt.Sprintf("e%02d", i), Type: "t"})
	}
	add := func(from, to int) {
		r := NewRelationship(g.Entity(fmt.Sprintf("e%02d", from)), "HAS", g.Entity(fmt.Sprintf("e%02d", to)), nil)
		if err := g.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r.Key())
	}
	keys := func() []string {
		var ks []string
		for _, r := range g.Relationships() {
			ks = append(ks, r.Key())
		}
		return ks
	}
	// Three rounds, each adding keys that sort before, between and after
	// the ones already there.
	for round, pairs := range [][][2]int{{{20, 1}, {5, 2}, {30, 3}}, {{1, 4}, {25, 5}, {39, 6}, {20, 7}}, {{0, 8}, {21, 9}}} {
		for _, p := range pairs {
			add(p[0], p[1])
		}
		add(pairs[0][0], pairs[0][1]) // a duplicate key is not added twice
		want = want[:len(want)-1]
		got := keys()
		sorted := slices.Clone(want)
		slices.Sort(sorted)
		if diff := cmp.Diff(sorted, got); diff != "" {
			t.Fatalf("round %d: Relationships keys (-want +got):\n%s", round, diff)
		}
	}
	rs := g.Relationships()
	rs[0] = nil
	if g.Relationships()[0] == nil {
		t.Fatal("changing the returned slice changed the graph's sorted view")
	}
}

// Entities and Relationships give the order of the key strings, however
// the keys overlap: keys that are prefixes of others (with the next byte
// below or above '|'), keys holding '|', custom keys and keyed forms with
// tails, with entities and relationships added between the calls.
func TestSortedOrderIsKeyOrder(t *testing.T) {
	defer func(n int) { parallelSort = n }(parallelSort)
	parallelSort = 50 // the halves on two goroutines too
	rng := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte("ab|}-~")
	g := New()
	var keys []string
	for round := range 4 {
		for range 60 {
			n := 1 + rng.IntN(4)
			k := make([]byte, n)
			for i := range k {
				k[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if e, added := g.AddEntity(&Entity{Key: string(k), Type: "t"}); added {
				keys = append(keys, e.Key)
			}
		}
		for range 300 {
			from, to := g.Entity(keys[rng.IntN(len(keys))]), g.Entity(keys[rng.IntN(len(keys))])
			var r *Relationship
			switch rng.IntN(4) {
			case 0:
				r = NewRelationship(from, "HAS", to, nil)
			case 1:
				r = NewRelationship(from, "USES", to, nil)
			case 2:
				r = NewKeyedRelationship("t_access", "ALLOWS", from.Key, "access", to.Key, []string{"", "|s", "|a"}[rng.IntN(3)], nil)
			default:
				r = NewCustomRelationship(fmt.Sprintf("%s:%d", from.Key, rng.IntN(50)), "t_rule", "ALLOWS", from.Key, to.Key, nil)
			}
			if err := g.AddRelationship(r); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		for _, e := range g.Entities() {
			got = append(got, e.Key)
		}
		if !slices.IsSorted(got) || len(got) != len(keys) {
			t.Fatalf("round %d: %d entities, want %d, in key order: %q", round, len(got), len(keys), got)
		}
		got = got[:0]
		for _, r := range g.Relationships() {
			got = append(got, r.Key())
		}
		if _, n := g.Len(); !slices.IsSorted(got) || len(got) != n {
			t.Fatalf("round %d: %d relationships, want %d, in key order: %q", round, len(got), n, got)
		}
	}
}
