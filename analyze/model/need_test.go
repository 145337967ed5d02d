package model

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestNeedsReadEverything: the graph built from responses decoded along
// the need trees is the graph built from whole responses, for the test
// world (every type and relationship of the registry) and the demo
// snapshot. A registry path the need trees miss shows here as a missing
// property or relationship.
func TestNeedsReadEverything(t *testing.T) {
	for _, tc := range worldAndDemo(t) {
		t.Run(tc.name, func(t *testing.T) {
			docs := map[bool][]byte{}
			for _, whole := range []bool{false, true} {
				b := newBuilder()
				b.whole = whole
				if err := b.entities(context.Background(), tc.src); err != nil {
					t.Fatal(err)
				}
				if err := b.connect(context.Background(), tc.src); err != nil {
					t.Fatal(err)
				}
				doc, err := json.Marshal(b.g.Document())
				if err != nil {
					t.Fatal(err)
				}
				docs[whole] = doc
			}
			if string(docs[false]) != string(docs[true]) {
				t.Errorf("the graph from the need trees differs from the graph from whole responses (%d and %d bytes)",
					len(docs[false]), len(docs[true]))
			}
			if len(docs[true]) < 1000 {
				t.Errorf("graph of %d bytes: the source built nothing", len(docs[true]))
			}
		})
	}
}

// FuzzDecodeNeeded: decoding a response along its call's need tree fails
// exactly when decoding it whole fails, with the same error, and
// otherwise keeps exactly what the tree names (pruned, the oracle below).
// The seeds are every ok row of the test world and the malformed cases.
func FuzzDecodeNeeded(f *testing.F) {
	w := world(f)
	var calls []Call
	for c := range needs() {
		calls = append(calls, c)
	}
	slices.SortFunc(calls, func(a, b Call) int { return strings.Compare(a.String(), b.String()) })
	index := map[Call]int{}
	for i, c := range calls {
		index[c] = i
	}
	for c, rows := range w.rows {
		if i, ok := index[c]; ok {
			for _, r := range rows {
				if r.Status == snapshot.StatusOK {
					f.Add(uint16(i), r.Response)
				}
			}
		}
	}
	sg := uint16(index[op("ec2:DescribeSecurityGroups")])
	for _, tc := range malformedSGs {
		f.Add(sg, tc.response)
	}
	for _, s := range []string{
		`{"SecurityGroups":[{"Tags":[{"Key":"a"}],"Tags":null}]}`,                 // duplicate of a dropped field
		`{"SecurityGroups":[{"VpcId":null,"Unknown":{"a":1},"Unknown":[]}]}`,      // duplicate unknown key, dropped
		`{"SecurityGroups":[{"IpPermissionsEgress":[{"FromPort":"x"}]}]}`,         // wrong kind below a dropped field
		`{"SecurityGroups":[{"Description":"\u00e9","Gr\u006fupId":"sg-1"}]}`,     // escapes in kept values and keys
		`{"SecurityGroups":[{"GroupId":"sg-1","Gr\u006fupId":"sg-2"}]}`,           // duplicate by an escaped key
		`{"SecurityGroups":[{"IpPermissions":[{"UserIdGroupPairs":[{"x":1}]}]}]}`, // unknown key deep in a kept list
	} {
		f.Add(sg, s)
	}
	f.Fuzz(func(t *testing.T, idx uint16, response string) {
		c := calls[int(idx)%len(calls)]
		cs, err := shapeOf(c)
		if err != nil {
			t.Fatal(err)
		}
		n := needOf(c)
		whole, wholeErr := decodeResponse(response, cs.shape)
		got, err := decodeNeeded(response, cs.shape, n)
		switch {
		case (err == nil) != (wholeErr == nil):
			t.Fatalf("%s %q: along the need tree: %v; whole: %v", c, response, err, wholeErr)
		case err != nil:
			if err.Error() != wholeErr.Error() {
				t.Fatalf("%s %q: along the need tree: %v; whole: %v", c, response, err, wholeErr)
			}
		default:
			if want := pruned(whole, cs.shape, n); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %q: kept %#v, want %#v", c, response, got, want)
			}
		}
	})
}

// pruned is what decodeNeeded keeps of v (decoded whole), by need.go's
// rules written out plainly.
func pruned(v any, sh *shape, n *need) any {
	if sh != nil && sh.kind == kAny {
		sh = nil
	}
	if n.all || sh == nil || sh.kind == kMap || sh.kind == kPolicy {
		return v
	}
	switch x := v.(type) {
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, pruned(e, sh.elem, n))
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			var es *shape
			if f, ok := sh.fields[k]; ok {
				es = f.shape
			}
			switch kid, ok := n.kids[k]; {
			case ok:
				out[k] = pruned(e, es, kid)
			case e == nil, !n.flat:
			default:
				switch e.(type) {
				case []any, map[string]any:
				default:
					out[k] = e
				}
			}
		}
		return out
	}
	return v
}

// Entities built alike get their property names in the same order, so a
// second build of the same source makes no new graph shape: a builder that
// set names in map order (constants, enrichment settings, tag maps) would
// make new ones for the same entities on every build.
func TestBuildShapesStable(t *testing.T) {
	for _, tc := range worldAndDemo(t) {
		t.Run(tc.name, func(t *testing.T) {
			var after []int64
			for range 4 {
				if _, err := Build(context.Background(), tc.src); err != nil {
					t.Fatal(err)
				}
				after = append(after, graph.Shapes())
			}
			if after[0] != after[len(after)-1] {
				t.Errorf("shapes after each build: %v; want no new one after the first", after)
			}
		})
	}
}

// namedSource is a test source and its name.
type namedSource struct {
	name string
	src  Source
}

// worldAndDemo are the test world (every type and relationship of the
// registry) and the demo snapshot.
func worldAndDemo(t *testing.T) []namedSource {
	demo, err := snapshot.Open("../../testdata/snapshots/demo")
	if err != nil {
		t.Fatal(err)
	}
	return []namedSource{{"world", world(t)}, {"demo", demo}}
}

// TestPhaseNeeds: a call read by two phases is decoded in each along what
// that phase reads: ec2:DescribeInstances for aws_ami's relationship
// (phaseRels) only the instance and image ids, for the instances
// (phaseEntities) their scalars too.
func TestPhaseNeeds(t *testing.T) {
	c := op("ec2:DescribeInstances")
	item := func(ph phase) *need {
		n := phaseNeeds()[ph][c]
		if n == nil {
			t.Fatalf("phase %d: no need tree for %s", ph, c)
		}
		return n.kids["Reservations"].kids["Instances"]
	}
	rel := item(phaseRels)
	var names []string
	for k := range rel.kids {
		names = append(names, k)
	}
	slices.Sort(names)
	if want := []string{"ImageId", "InstanceId"}; rel.all || rel.flat || !slices.Equal(names, want) {
		t.Errorf("relationship phase reads instances' %v (all %t, flat %t), want %v", names, rel.all, rel.flat, want)
	}
	if ent := item(phaseEntities); !ent.flat || len(ent.kids) <= len(names) {
		t.Errorf("entity phase: flat %t, %d fields, want flat and more than the relationship phase", ent.flat, len(ent.kids))
	}
	if _, ok := phaseNeeds()[phaseEnrich][c]; ok {
		t.Errorf("enrichment phase has a need tree for %s, which it does not stream", c)
	}
}
