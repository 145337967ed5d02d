package catalog

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect"
)

var update = flag.Bool("update", false, "rewrite the generated documents in docs/")

const (
	specDir = "../../testdata/spec"
	docsDir = "../../docs"
)

func readTable(t *testing.T, path, name string) []Row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadTSV(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readSpec(t *testing.T) Spec {
	t.Helper()
	var s Spec
	s.Entities = readTable(t, filepath.Join(specDir, "entities.tsv"), "entities.tsv")
	for _, n := range []string{"relationships.tsv", "relationships_implied.tsv"} {
		s.Relationships = append(s.Relationships, readTable(t, filepath.Join(specDir, n), n)...)
	}
	return s
}

func readDecisions(t *testing.T) []Decision {
	t.Helper()
	ds, err := ParseDecisions(readTable(t, "decisions.tsv", "decisions.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func coverage(t *testing.T) Coverage {
	t.Helper()
	cat := Build()
	cov, err := Compare(cat, readSpec(t), readDecisions(t))
	if err != nil {
		t.Fatal(err)
	}
	if cov.APIs, err = CheckAPIs(cat, readTable(t, "apis.tsv", "apis.tsv")); err != nil {
		t.Fatal(err)
	}
	return cov
}

// TestDocs keeps docs/resource-types.md and docs/coverage.md in step with
// the registries, the spec and decisions.tsv.
func TestDocs(t *testing.T) {
	for _, d := range []struct{ name, got string }{
		{"resource-types.md", ResourceTypesDoc(Build())},
		{"coverage.md", CoverageDoc(coverage(t))},
	} {
		t.Run(d.name, func(t *testing.T) {
			path := filepath.Join(docsDir, d.name)
			if *update {
				if err := os.WriteFile(path, []byte(d.got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(want) != d.got {
				t.Fatalf("docs/%s is stale: run %s", d.name, DocsCommand)
			}
		})
	}
}

// TestBuildCoversRegistries: every record, service placeholder and
// relationship kind of the registries is in the catalog, with the calls,
// IAM actions and properties the registries give it.
func TestBuildCoversRegistries(t *testing.T) {
	cat := Build()
	if !slices.IsSortedFunc(cat.EntityTypes, func(a, b EntityType) int { return strings.Compare(a.Type, b.Type) }) {
		t.Fatal("entity types are not sorted")
	}
	for _, mt := range model.Types() {
		e, ok := cat.Entity(mt.Type)
		if !ok || e.Kind != KindResource {
			t.Errorf("%s: not a resource of the catalog (%+v)", mt.Type, e)
			continue
		}
		if e.Source != mt.Source.String() || !slices.Equal(e.Class, mt.Class) || e.Scope != mt.Scope().String() ||
			!slices.Equal(e.Properties, mt.Properties()) || !slices.Equal(e.Key, mt.Key) {
			t.Errorf("%s: catalog entry %+v differs from the record", mt.Type, e)
		}
		var calls []string
		for _, ci := range e.Calls {
			calls = append(calls, ci.Call)
			if ci.Action == "" || !slices.Contains(e.Permissions, ci.Action) {
				t.Errorf("%s: call %s has action %q, permissions %v", mt.Type, ci.Call, ci.Action, e.Permissions)
			}
		}
		var want []string
		for _, c := range model.Sources(mt.Type) {
			want = append(want, c.String())
		}
		if !slices.Equal(calls, want) || !slices.Contains(calls, e.Source) {
			t.Errorf("%s: calls %v, model.Sources says %v", mt.Type, calls, want)
		}
	}
	for _, s := range model.Services() {
		if e, ok := cat.Entity(s.Type()); !ok || e.Kind != KindService {
			t.Errorf("service %s: not a service of the catalog", s.Type())
		}
	}
	rels := map[RelationshipType]bool{}
	for _, r := range cat.RelationshipTypes {
		rels[r] = true
		for _, end := range []string{r.From, r.To} {
			if _, ok := cat.Entity(end); !ok && !IsPlaceholder(end) {
				t.Errorf("relationship %+v: end %s is no entity type of the catalog", r, end)
			}
		}
	}
	for _, r := range model.Relationships() {
		if !rels[RelationshipType{Type: r.Type, From: r.From, Verb: r.Verb, To: r.To, Origin: OriginRegistry}] {
			t.Errorf("model relationship %+v is not in the catalog", r)
		}
	}
	for _, r := range access.Relationships() {
		if !rels[RelationshipType{Type: r.Type, From: r.From, Verb: r.Verb, To: r.To, Origin: OriginDerived}] {
			t.Errorf("derived relationship %+v is not in the catalog", r)
		}
	}
}

// TestDocsNameEveryType: resource-types.md has a section for every entity
// type of the catalog, and lists every relationship kind.
func TestDocsNameEveryType(t *testing.T) {
	cat := Build()
	doc := ResourceTypesDoc(cat)
	for _, e := range cat.EntityTypes {
		if !strings.Contains(doc, "\n### "+e.Type+"\n") {
			t.Errorf("resource-types.md has no section for %s", e.Type)
		}
	}
	for _, r := range cat.RelationshipTypes {
		row := fmt.Sprintf("| %s | %s | %s | %s | %s |", code(r.Type), code(r.From), r.Verb, code(r.To), r.Origin)
		if !strings.Contains(doc, row) {
			t.Errorf("resource-types.md does not list %s", row)
		}
	}
}

// TestCoverageCounts: the coverage agrees with the registries: an
// entities.tsv row is produced exactly when its _type is a record or a
// service placeholder, a relationship row exactly when the catalog has
// its kind or a decision maps it; the totals the document prints are
// those counts.
func TestCoverageCounts(t *testing.T) {
	cat := Build()
	spec := readSpec(t)
	cov := coverage(t)
	if len(cov.Entities) != len(spec.Entities) || len(cov.Relationships) != len(spec.Relationships) {
		t.Fatalf("coverage has %d/%d rows, the spec %d/%d", len(cov.Entities), len(cov.Relationships), len(spec.Entities), len(spec.Relationships))
	}
	registered := map[string]bool{}
	for _, mt := range model.Types() {
		registered[mt.Type] = true
	}
	for _, s := range model.Services() {
		registered[s.Type()] = true
	}
	wantEnts := 0
	for _, rc := range cov.Entities {
		typ := rc.Row.Cols["type"]
		if registered[typ] {
			wantEnts++
		}
		if rc.Produced != registered[typ] {
			t.Errorf("entities.tsv:%d %s: produced %v, registered %v", rc.Row.Line, typ, rc.Produced, registered[typ])
		}
		if !rc.Produced && rc.Note == "" {
			t.Errorf("entities.tsv:%d %s: not produced, and no reason", rc.Row.Line, typ)
		}
	}
	kinds := map[string]bool{}
	for _, r := range cat.RelationshipTypes {
		kinds[r.From+" "+r.Verb+" "+r.To] = true
	}
	decided := map[string]Decision{}
	for _, d := range readDecisions(t) {
		decided[d.Row] = d
	}
	wantRels := 0
	for _, rc := range cov.Relationships {
		c := rc.Row.Cols
		key := c["from_type"] + " " + c["verb"] + " " + c["to_type"]
		want := kinds[key] || decided[key].Decision == ProducedAs
		if want {
			wantRels++
		}
		if rc.Produced != want {
			t.Errorf("%s:%d %s: produced %v, want %v", rc.Row.File, rc.Row.Line, key, rc.Produced, want)
		}
		if !rc.Produced && rc.Note == "" {
			t.Errorf("%s:%d %s: not produced, and no reason", rc.Row.File, rc.Row.Line, key)
		}
	}
	doc := CoverageDoc(cov)
	for _, total := range []string{
		fmt.Sprintf("**Entity types: %d of %d**", wantEnts, len(spec.Entities)),
		fmt.Sprintf("**Relationships: %d of %d**", wantRels, len(spec.Relationships)),
	} {
		if !strings.Contains(doc, total) {
			t.Errorf("coverage.md does not say %s", total)
		}
	}
}

// TestCheckAPIsRefusesBadRows: apis.tsv names every collected service
// once, with the SDK packages its types read and a known status.
func TestCheckAPIsRefusesBadRows(t *testing.T) {
	cat := Build()
	good := readTable(t, "apis.tsv", "apis.tsv")
	tests := []struct {
		name string
		edit func([]Row) []Row
		want string
	}{
		{"missing service", func(rs []Row) []Row { return rs[1:] }, "apis.tsv: no row for the service aws_acm"},
		{"twice", func(rs []Row) []Row { return append(rs, rs[0]) }, "aws_acm: listed twice"},
		{"not a service", func(rs []Row) []Row { rs[0].Cols["service"] = "aws_nothing"; return rs }, "aws_nothing: not a service placeholder"},
		{"bad status", func(rs []Row) []Row { rs[0].Cols["status"] = "gone"; return rs }, `aws_acm: status "gone"`},
		{"retired without finding", func(rs []Row) []Row { rs[0].Cols["status"] = "retired"; return rs }, "aws_acm: status retired needs a finding"},
		{"wrong sdk", func(rs []Row) []Row { rs[0].Cols["sdk"] = "acmpca"; return rs }, `aws_acm: sdk "acmpca": its types read acm`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([]Row, len(good))
			for i, r := range good {
				rows[i] = Row{File: r.File, Line: r.Line, Cols: maps.Clone(r.Cols)}
			}
			_, err := CheckAPIs(cat, tc.edit(rows))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestEveryBuildableRowDecided: a spec relationship row whose both ends
// the registries produce is built, or decisions.tsv says why not.
func TestEveryBuildableRowDecided(t *testing.T) {
	for _, rc := range coverage(t).Relationships {
		if rc.Produced || !(strings.HasPrefix(rc.Note, unbuilt) || strings.HasPrefix(rc.Note, undecided)) {
			continue
		}
		c := rc.Row.Cols
		t.Errorf("%s:%d %s %s %s: both ends are produced: add a RelSpec, or a decision to decisions.tsv (%s)",
			rc.Row.File, rc.Row.Line, c["from_type"], c["verb"], c["to_type"], rc.Note)
	}
}

// TestCompareRefusesStaleDecisions: a decision that no longer holds is an
// error naming its line.
func TestCompareRefusesStaleDecisions(t *testing.T) {
	spec := readSpec(t)
	tests := []struct {
		name, tsv, want string
	}{
		{"row in no table", "aws_nothing HAS aws_else\tnot-produced\t\tbecause", "decisions.tsv:2: row \"aws_nothing HAS aws_else\" is in no spec table"},
		{"produced now", "aws_ec2 HAS aws_instance\tnot-produced\t\tbecause", "decisions.tsv:2: aws_ec2 HAS aws_instance is produced now"},
		{"entity produced now", "aws_instance\tnot-produced\t\tbecause", "decisions.tsv:2: aws_instance is produced now"},
		{"unknown kind", "aws_s3_bucket ALLOWS <principal>\tproduced-as\taws_s3_bucket ALLOWS nobody\tbecause", `decisions.tsv:2: aws_s3_bucket ALLOWS <principal>: "aws_s3_bucket ALLOWS nobody" is not a relationship kind`},
		{"bad decision", "aws_instance\tmaybe\t\tbecause", `decisions.tsv:2: row "aws_instance": decision "maybe"`},
		{"no reason", "aws_instance\tnot-produced\t\t", `decisions.tsv:2: row "aws_instance": reason: empty`},
		{"duplicate", "aws_acm_certificate\tnot-produced\t\tx\naws_acm_certificate\tnot-produced\t\ty", `decisions.tsv:3: row "aws_acm_certificate": decided already at decisions.tsv:2`},
		{"too many cells", "aws_instance\tnot-produced\t\tx\ty", "decisions.tsv:2: 5 cells, the header has 4 columns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ReadTSV(strings.NewReader("row\tdecision\tas\treason\n"+tc.tsv+"\n"), "decisions.tsv")
			var ds []Decision
			if err == nil {
				ds, err = ParseDecisions(rows)
			}
			if err == nil {
				_, err = Compare(Build(), spec, ds)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestCallsAsCollected: every call of the catalog is one the collector
// makes, with the scope, parent and IAM action its registry declares.
func TestCallsAsCollected(t *testing.T) {
	reg := map[string]collect.Call{}
	for _, c := range collect.Registry() {
		reg[c.Name()] = c
	}
	for _, e := range Build().EntityTypes {
		for _, ci := range e.Calls {
			c, ok := reg[ci.Call]
			if !ok || ci.Action != c.IAMAction() || ci.Scope != c.Scope.String() || ci.Parent != c.Parent {
				t.Errorf("%s: call %+v; the collector's registry says %s %s parent %q action %s", e.Type, ci, c.Name(), c.Scope, c.Parent, c.IAMAction())
			}
		}
	}
}
