package model

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/snapshot"
)

// FuzzBuildResponse replaces the response of one ok row of the test world
// (chosen by index) with arbitrary JSON text and builds the graph.
// Invariants: no panic; an error names the row's call (and, for a
// response that is not JSON, the account and region) or an entity type the
// call feeds; a successful build is deterministic (same document twice),
// every relationship joins entities of the graph, and the document
// marshals to JSON.
func FuzzBuildResponse(f *testing.F) {
	w := world(f)
	type slot struct {
		call Call
		i    int
	}
	var slots []slot
	for _, c := range w.calls() {
		for i, r := range w.rows[c] {
			if r.Status == snapshot.StatusOK {
				slots = append(slots, slot{c, i})
			}
		}
	}
	for i, s := range slots {
		f.Add(uint16(i), w.rows[s.call][s.i].Response)
	}
	f.Add(uint16(0), `{"Reservations":[{"Instances":[{"InstanceId":7,"Tags":[{"Key":null}]}]}]}`)
	f.Add(uint16(1), `[1,2,`)
	feeds := map[Call][]string{}
	for _, t := range Types() {
		for _, c := range Sources(t.Type) {
			feeds[c] = append(feeds[c], t.Type)
		}
	}
	build := func(t *testing.T, src *memSource) ([]byte, error) {
		g, err := Build(context.Background(), src)
		if err != nil {
			return nil, err
		}
		for _, r := range g.Relationships() {
			if g.Entity(r.From) == nil || g.Entity(r.To) == nil {
				t.Fatalf("relationship %s joins %q and %q, not both in the graph", r.Key(), r.From, r.To)
			}
		}
		doc, err := json.Marshal(g.Document())
		if err != nil {
			t.Fatalf("marshal the graph: %v", err)
		}
		return doc, nil
	}
	f.Fuzz(func(t *testing.T, idx uint16, response string) {
		s := slots[int(idx)%len(slots)]
		src := &memSource{rows: map[Call][]snapshot.Row{}}
		for c, rows := range w.rows {
			src.rows[c] = rows
		}
		rows := append([]snapshot.Row(nil), w.rows[s.call]...)
		rows[s.i].Response = response
		src.rows[s.call] = rows
		r := rows[s.i]

		doc, err := build(t, src)
		if err != nil {
			msg := err.Error()
			named := strings.Contains(msg, s.call.String())
			for _, typ := range feeds[s.call] {
				named = named || strings.Contains(msg, typ)
			}
			if !named {
				t.Fatalf("error %q names neither %s nor a type it feeds", msg, s.call)
			}
			if !json.Valid([]byte(response)) && !strings.Contains(msg, where(r)) {
				t.Fatalf("error %q for a response that is not JSON does not name %q", msg, where(r))
			}
			return
		}
		again, err := build(t, src)
		if err != nil {
			t.Fatalf("second build fails: %v", err)
		}
		if !bytes.Equal(doc, again) {
			t.Fatalf("two builds of the same rows differ")
		}
	})
}
