package model

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

var update = flag.Bool("update", false, "rewrite golden files")

func buildWorld(t testing.TB) *graph.Graph {
	t.Helper()
	g, err := Build(context.Background(), world(t))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return g
}

// golden compares got with testdata/<name>, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./analyze/model -update and review the diff):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// TestTypeGoldens builds the world from its fixtures and compares, per
// _type, its entities and the relationships they start with
// testdata/types/<_type>.golden.json (go test ./analyze/model -update
// writes them; review the diff). Every type of the registry and every
// service placeholder must have entities in the world, so a new type
// comes with its fixtures and its golden; a golden of a type the world no
// longer has is stale.
func TestTypeGoldens(t *testing.T) {
	g := buildWorld(t)
	docs := map[string]*graph.Document{}
	doc := func(typ string) *graph.Document {
		if docs[typ] == nil {
			docs[typ] = &graph.Document{Entities: []*graph.Entity{}, Relationships: []*graph.Relationship{}}
		}
		return docs[typ]
	}
	for _, e := range g.Entities() {
		d := doc(e.Type)
		d.Entities = append(d.Entities, e)
	}
	for _, r := range g.Relationships() {
		d := doc(g.Entity(r.From).Type)
		d.Relationships = append(d.Relationships, r)
	}
	for _, et := range registry {
		if len(g.EntitiesOfType(et.Type)) == 0 {
			t.Errorf("the world has no %s: add fixtures (testdata/calls) that produce one", et.Type)
		}
	}
	for _, s := range services {
		if len(g.EntitiesOfType(s.Type())) == 0 {
			t.Errorf("the world has no %s", s.Type())
		}
	}
	dir := filepath.Join("testdata", "types")
	for typ, d := range docs {
		t.Run(typ, func(t *testing.T) {
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("types", typ+".golden.json"), append(got, '\n'))
		})
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.golden.json"))
	for _, f := range files {
		typ := strings.TrimSuffix(filepath.Base(f), ".golden.json")
		if docs[typ] == nil {
			if *update {
				if err := os.Remove(f); err != nil {
					t.Error(err)
				}
				continue
			}
			t.Errorf("%s: the world has no %s (stale golden; -update removes it)", f, typ)
		}
	}
}

// TestEveryRelationshipBuilt: every relationship kind the registry declares
// (Relationships: the records' Rels, the hatches' Produces, account and
// service edges) is built at least once from the fixtures, between
// entities of the declared types.
func TestEveryRelationshipBuilt(t *testing.T) {
	g := buildWorld(t)
	built := map[RelInfo]bool{}
	for _, r := range g.Relationships() {
		from, to := g.Entity(r.From), g.Entity(r.To)
		built[RelInfo{From: from.Type, Verb: r.Class, To: to.Type, Type: r.Type}] = true
	}
	for _, ri := range Relationships() {
		if ri.To == "Person" {
			continue // aws_iam_user IS Person needs Person entities from outside the snapshot: TestMapPersons
		}
		if !built[ri] {
			t.Errorf("%s %s %s (%s) is declared but the world builds none: add fixtures that produce it", ri.From, ri.Verb, ri.To, ri.Type)
		}
	}
}

// Every registry webLink but those of a parent's key can be kept as a
// template, and linkTemplates tries the region with each property a
// field's placeholder may be, the id first.
func TestLinkTemplates(t *testing.T) {
	for _, et := range registry {
		if et.WebLink != "" && !strings.Contains(et.WebLink, "{parent}") && len(linkTemplates(et.WebLink)) == 0 {
			t.Errorf("%s: no template for %q", et.Type, et.WebLink)
		}
	}
	e := graph.NewEntity("k", "t", nil, map[string]any{"region": "r1", "id": "x", "name": "n1", "groupName": "g1",
		"webLink": "https://c/r1/g1"})
	tmpls := linkTemplates("https://c/{region}/{GroupName}")
	if len(tmpls) != 3 {
		t.Fatalf("%d templates, want 3 (id, name, groupName)", len(tmpls))
	}
	if e.SetTemplate("webLink", tmpls[0]) || e.SetTemplate("webLink", tmpls[1]) || !e.SetTemplate("webLink", tmpls[2]) {
		t.Error("the link was not taken by the groupName template alone")
	}
	if got := e.String("webLink"); got != "https://c/r1/g1" {
		t.Errorf("webLink = %q", got)
	}
	if linkTemplates("https://c/{parent}/x") != nil {
		t.Error("a template of the parent's key")
	}
}
