package access

import (
	"sort"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// The declarative tables: each row is checked against what it claims.

func TestDerivationsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range derivations {
		t.Run(d.Name, func(t *testing.T) {
			if d.Name == "" || d.run == nil || d.Produces == "" {
				t.Fatalf("derivation %+v lacks a name, a function or a description", d)
			}
			if seen[d.Name] {
				t.Fatalf("duplicate derivation %s", d.Name)
			}
			for _, n := range d.Needs {
				if !seen[n] {
					t.Errorf("%s needs %s, which does not run before it", d.Name, n)
				}
			}
			seen[d.Name] = true
		})
	}
}

func TestResourcePolicyTypes(t *testing.T) {
	cat, err := actions.Load()
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{}
	for _, s := range cat.Services() {
		prefixes[s.Prefix] = true
	}
	if !sort.SliceIsSorted(resourcePolicyTypes, func(i, j int) bool { return resourcePolicyTypes[i].Type < resourcePolicyTypes[j].Type }) {
		t.Fatal("resourcePolicyTypes is not sorted by Type")
	}
	for i, rt := range resourcePolicyTypes {
		t.Run(rt.Type, func(t *testing.T) {
			if i > 0 && resourcePolicyTypes[i-1].Type == rt.Type {
				t.Errorf("duplicate %s", rt.Type)
			}
			if !strings.HasPrefix(rt.Type, "aws_") || rt.Prop == "" {
				t.Errorf("%+v: want an aws_ type and a property", rt)
			}
			if !prefixes[rt.Service] {
				t.Errorf("%s: service %q is not an action prefix of the catalog", rt.Type, rt.Service)
			}
			if got, ok := resourcePolicyOf(rt.Type); !ok || got != rt {
				t.Errorf("resourcePolicyOf(%s) = %+v, %v", rt.Type, got, ok)
			}
			// Types the model builds must carry the declared property.
			if et, ok := model.TypeOf(rt.Type); ok {
				found := false
				for _, en := range et.Enrich {
					for _, p := range en.Props {
						found = found || p.Name == rt.Prop
					}
				}
				for _, p := range et.Props {
					found = found || p.Name == rt.Prop
				}
				if !found {
					t.Errorf("model type %s has no property %q", rt.Type, rt.Prop)
				}
			}
		})
	}
}

func TestSubResources(t *testing.T) {
	if !sort.SliceIsSorted(subResources, func(i, j int) bool { return subResources[i].Service < subResources[j].Service }) {
		t.Fatal("subResources is not sorted by Service")
	}
	for _, sr := range subResources {
		t.Run(sr.Service, func(t *testing.T) {
			if sr.Keep < 1 || sr.Example == "" || sr.Parent == "" {
				t.Fatalf("%+v: want Keep, Example and Parent", sr)
			}
			w := newWorld(t)
			p, ok := arnParts(sr.Parent)
			if !ok || p[2] != sr.Service {
				t.Fatalf("Parent %q is not an ARN of service %s", sr.Parent, sr.Service)
			}
			w.add(sr.Parent, "resource", "Resource", map[string]any{"arn": sr.Parent})
			hits := newResourceIndex(w.g).match(sr.Example, nil)
			if len(hits) != 1 || hits[0].e.Key != sr.Parent || hits[0].request != sr.Example {
				t.Errorf("match(%s) = %v, want the parent %s with request %s", sr.Example, hits, sr.Parent, sr.Example)
			}
		})
	}
}

func TestCrossService(t *testing.T) {
	if !sort.SliceIsSorted(crossService, func(i, j int) bool { return crossService[i].Action < crossService[j].Action }) {
		t.Fatal("crossService is not sorted by Action")
	}
}

// TestPlaceholdersNotIndexed: entities the derivations create are never
// taken for collected resources by a later Derive.
func TestPlaceholdersNotIndexed(t *testing.T) {
	g := graph.New()
	g.AddEntity(graph.NewEntity("arn:aws:iam::"+other+":role/x", "aws_iam_role", nil, map[string]any{"arn": "arn:aws:iam::" + other + ":role/x", "_source": placeholderSource}))
	g.AddEntity(graph.NewEntity("arn:aws:iam::"+acct+":role/y", "aws_iam_role", nil, map[string]any{"arn": "arn:aws:iam::" + acct + ":role/y"}))
	if n := newResourceIndex(g).n; n != 1 {
		t.Errorf("indexed %d entities, want 1 (the collected role)", n)
	}
}
