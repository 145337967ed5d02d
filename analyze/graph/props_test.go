package graph

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Property sets behave as maps: Set overwrites, nil is a value, Delete
// removes, and sets given the same names in the same order share a shape.
func TestProps(t *testing.T) {
	tests := []struct {
		name string
		ops  func(p *Props)
		want map[string]any
	}{
		{"empty", func(p *Props) {}, map[string]any{}},
		{"set and overwrite", func(p *Props) { p.Set("a", 1); p.Set("b", "x"); p.Set("a", 2) }, map[string]any{"a": 2, "b": "x"}},
		{"nil is a value", func(p *Props) { p.Set("public", nil) }, map[string]any{"public": nil}},
		{"delete keeps the rest", func(p *Props) {
			for i := range 12 {
				p.Set(fmt.Sprint("k", i), i)
			}
			p.Delete("k3")
			p.Delete("absent")
		}, map[string]any{"k0": 0, "k1": 1, "k2": 2, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8, "k9": 9, "k10": 10, "k11": 11}},
		{"from a map", func(p *Props) { *p = PropsOf(map[string]any{"z": true, "a": nil}) }, map[string]any{"z": true, "a": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Props
			tc.ops(&p)
			if diff := cmp.Diff(tc.want, p.Map()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if p.Len() != len(tc.want) {
				t.Errorf("Len %d, want %d", p.Len(), len(tc.want))
			}
			for k, v := range tc.want {
				if got, ok := p.Lookup(k); !ok || got != v || !p.Has(k) {
					t.Errorf("Lookup(%q) = %v, %v; want %v, true", k, got, ok, v)
				}
			}
			if _, ok := p.Lookup("never"); ok || p.Has("never") || p.Get("never") != nil {
				t.Error("an absent name is found")
			}
		})
	}
}

func TestPropsShareShapes(t *testing.T) {
	build := func(n int, v any) *Props {
		p := &Props{}
		for i := range n {
			p.Set(fmt.Sprint("shared-", i), v)
		}
		return p
	}
	for _, n := range []int{1, linearMax, linearMax + 5} {
		a, b := build(n, "x"), build(n, 7)
		if a.shape != b.shape || !a.shape.shared {
			t.Errorf("%d names: two sets built alike have shapes %p and %p", n, a.shape, b.shape)
		}
		if a.Get(fmt.Sprint("shared-", n-1)) != "x" || b.Get(fmt.Sprint("shared-", n-1)) != 7 {
			t.Errorf("%d names: values mixed up", n)
		}
	}
	// Sets that differ only in value order given through PropsOf share one.
	p, q := PropsOf(map[string]any{"a": 1, "b": 2}), PropsOf(map[string]any{"b": 3, "a": 4})
	if p.shape != q.shape {
		t.Error("PropsOf: same names, different shapes")
	}
}

// Past maxTransitions successors of one shape, a set gets a private shape
// it extends in place; it still behaves as a map, and its clone is its own.
func TestPropsPrivateShape(t *testing.T) {
	var sets []*Props
	for i := range maxTransitions + 10 {
		p := &Props{}
		p.Set("private-test-root", true)
		p.Set(fmt.Sprint("private-test-", i), i)
		sets = append(sets, p)
	}
	last := sets[len(sets)-1]
	if last.shape.shared {
		t.Fatal("the successor past the limit is shared")
	}
	for i := range 20 {
		last.Set(fmt.Sprint("more-", i), i)
	}
	if got := last.Get("more-19"); got != 19 {
		t.Errorf("more-19 = %v", got)
	}
	c := last.Clone()
	c.Set("only-in-clone", 1)
	last.Delete("more-0")
	if last.Has("only-in-clone") || !c.Has("more-0") || c.Len() != 23 || last.Len() != 21 {
		t.Errorf("clone and original not independent: %d %d", c.Len(), last.Len())
	}
	for i, p := range sets {
		if p.Get(fmt.Sprint("private-test-", i)) != i {
			t.Fatalf("set %d lost its value", i)
		}
	}
}

// Shapes are shared by every graph: sets built on many goroutines at once
// (go test -race) get consistent shapes.
func TestPropsConcurrentShapes(t *testing.T) {
	var wg sync.WaitGroup
	shapes := make([]*shape, 8)
	for g := range shapes {
		wg.Go(func() {
			var p Props
			for i := range 40 {
				p.Set(fmt.Sprint("concurrent-", i), g)
			}
			shapes[g] = p.shape
		})
	}
	wg.Wait()
	for _, s := range shapes[1:] {
		if s != shapes[0] {
			t.Fatal("goroutines building alike got different shapes")
		}
	}
}

// keyForms are relationships of every key form, for the key tests.
func keyForms() []*Relationship {
	ends := []string{"a", "a|b", "a-c", "ab", "b", "arn:aws:iam::1:role/r", "arn:aws:iam::1:role/r|x"}
	var rs []*Relationship
	for _, f := range ends {
		for _, to := range ends {
			rs = append(rs,
				NewRelationship(&Entity{Key: f, Type: "t_x"}, "HAS", &Entity{Key: to, Type: "t_y"}, nil),
				NewKeyedRelationship("t_access", "ALLOWS", f, "access", to, "", nil),
				NewKeyedRelationship("t_access", "ALLOWS", f, "access", to, "|sessions", nil),
				NewKeyedRelationship("t_allows", "ALLOWS", f, "allows", to, "", nil),
				NewCustomRelationship(f+":"+to, "t_rule", "ALLOWS", f, to, nil),
				NewCustomRelationship(f+"|has|"+to+"|", "t_rule", "HAS", f, to, nil))
		}
	}
	return rs
}

// The key is derived, not stored: Key, CompareKey and CompareRelationships
// agree with the concatenated strings.
func TestRelationshipKeyForms(t *testing.T) {
	rs := keyForms()
	want := func(r *Relationship) string {
		switch {
		case r.Type == "t_rule":
			return r.form.key
		case r.Type == "t_access":
			return r.From + "|access|" + r.To + r.form.tail
		}
		return RelationshipKey(r.From, r.Class, r.To)
	}
	for _, r := range rs {
		if r.Key() != want(r) {
			t.Fatalf("Key() = %q, want %q", r.Key(), want(r))
		}
	}
	if r := NewKeyedRelationship("t", "ALLOWS", "a", "allows", "b", "", nil); r.form != nil {
		t.Error("a keyed relationship of the default form keeps a form")
	}
	for _, a := range rs {
		for _, b := range rs {
			if got, w := CompareRelationships(a, b), strings.Compare(a.Key(), b.Key()); got != w {
				t.Fatalf("CompareRelationships(%q, %q) = %d, want %d", a.Key(), b.Key(), got, w)
			}
			for _, k := range []string{b.Key(), b.Key() + "x", b.Key()[:len(b.Key())-1], ""} {
				if got, w := a.CompareKey(k), strings.Compare(a.Key(), k); got != w {
					t.Fatalf("CompareKey(%q, %q) = %d, want %d", a.Key(), k, got, w)
				}
			}
		}
	}
}

func TestRelationshipIndex(t *testing.T) {
	g := New()
	for _, k := range []string{"a", "a|b", "a-c", "ab", "b", "arn:aws:iam::1:role/r", "arn:aws:iam::1:role/r|x"} {
		g.AddEntity(&Entity{Key: k, Type: "t"})
	}
	rs := keyForms()
	distinct := map[string]bool{}
	for _, r := range rs {
		if err := g.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
		distinct[r.Key()] = true
	}
	if _, n := g.Len(); n != len(distinct) {
		t.Errorf("Len: %d relationships, want %d", n, len(distinct))
	}
	for k := range distinct {
		if r := g.Relationship(k); r == nil || r.Key() != k {
			t.Errorf("Relationship(%q) = %v", k, r)
		}
	}
	for _, k := range []string{"", "a|has", "a|has|a|", "nope"} {
		if !distinct[k] && g.Relationship(k) != nil {
			t.Errorf("Relationship(%q) found an absent key", k)
		}
	}
	sorted := g.Relationships()
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1].Key() >= sorted[i].Key() {
			t.Fatalf("not sorted: %q before %q", sorted[i-1].Key(), sorted[i].Key())
		}
	}
}

// Two keys with one hash: the second goes to the overflow index and both
// are found (the collision is planted: maphash gives none on demand).
func TestRelationshipHashCollision(t *testing.T) {
	g := New()
	a, _ := g.AddEntity(&Entity{Key: "a", Type: "t"})
	b, _ := g.AddEntity(&Entity{Key: "b", Type: "t"})
	first := NewRelationship(a, "HAS", b, map[string]any{"n": 1})
	if err := g.AddRelationship(first); err != nil {
		t.Fatal(err)
	}
	second := NewRelationship(b, "HAS", a, map[string]any{"n": 2})
	g.index[g.hashParts(second.keyParts())] = g.index[g.hashParts(first.keyParts())] // the planted collision
	for range 2 {                                                                    // the second add merges into the first
		if err := g.AddRelationship(second); err != nil {
			t.Fatal(err)
		}
	}
	if got := g.Relationship("b|has|a"); got != second {
		t.Errorf("colliding key found %v", got)
	}
	if got := g.Relationship("a|has|b"); got != first || first.Get("n") != 1 {
		t.Errorf("first key found %v", got)
	}
	if _, n := g.Len(); n != 2 {
		t.Errorf("%d relationships, want 2", n)
	}
}

// The J1 JSON of each key form reads back to the same relationship.
func TestRelationshipJSONKeyForms(t *testing.T) {
	for _, r := range keyForms()[:12] {
		r.Set("p", "v")
		r.Set("displayName", r.Class) // what reading back adds
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Relationship
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if !back.Equal(r) || back.Key() != r.Key() {
			t.Errorf("%s: read back as %s (%v)", raw, back.Key(), back.PropMap())
		}
	}
}

// A Template value reads as the string it replaced, through every
// accessor, and is set only when it expands to that string.
func TestTemplate(t *testing.T) {
	link := NewTemplate([]string{"https://console/?region=", "#id=", ""}, []string{"region", "id"})
	e := NewEntity("k", "t", []string{"Host"}, map[string]any{"region": "eu-west-1", "id": "i-1", "n": nil,
		"webLink": "https://console/?region=eu-west-1#id=i-1"})
	want := e.PropMap()
	wantJSON, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tmpl *Template
	}{
		{"n", link},      // not a string
		{"absent", link}, // not set
		{"webLink", nil}, // no template (NewTemplate refused the parts)
		{"id", NewTemplate([]string{"i-", ""}, []string{"id"})}, // names itself
		{"webLink", NewTemplate([]string{"https://console/?region=", "#id=", "x"}, []string{"region", "id"})},
		{"webLink", NewTemplate([]string{"https://console/?region=", "#id="}, []string{"region", "id"})},
		{"webLink", NewTemplate([]string{"https://console/?region=", "#id=", ""}, []string{"region", "n"})},
	} {
		if e.SetTemplate(tc.name, tc.tmpl) {
			t.Errorf("SetTemplate(%q, %v) replaced a value it does not make", tc.name, tc.tmpl)
		}
	}
	if !e.SetTemplate("webLink", link) {
		t.Fatal("SetTemplate refused the template of the value")
	}
	if _, ok := e.props.vals[e.props.shape.find("webLink")].(*Template); !ok {
		t.Fatal("the value is not kept as the template")
	}
	if diff := cmp.Diff(want, e.PropMap()); diff != "" {
		t.Errorf("PropMap (-want +got):\n%s", diff)
	}
	if got := e.String("webLink"); got != want["webLink"] {
		t.Errorf("String = %q", got)
	}
	if got, err := json.Marshal(e); err != nil || string(got) != string(wantJSON) {
		t.Errorf("JSON = %s, %v; want %s", got, err, wantJSON)
	}
	c := e.props.Clone()
	if !e.Equal(&Entity{Key: "k", Type: "t", Class: []string{"Host"}, props: c}) {
		t.Error("a clone is not equal")
	}
	e.Set("id", "i-2") // the template follows the properties it names
	if got := e.String("webLink"); got != "https://console/?region=eu-west-1#id=i-2" {
		t.Errorf("after a change of id: %q", got)
	}
}
