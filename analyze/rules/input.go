package rules

// The input document (specified in policies/README.md) is built here, once
// per Evaluate, directly as OPA terms: every check then reads the same
// ast.Value through rego.EvalParsedInput, so nothing is converted per check.
//
// Joins must never scan arrays in Rego (5k instances x 5k security groups
// took 23 s that way, 21 ms with object indexes), so besides the entities and
// relationships by _key the document carries the indexes checks join on:
// types and classes (sorted key lists) and out/in adjacency by verb. Lists
// are sorted, so the document — and therefore findings — is deterministic.

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// edge is one adjacency entry: the entity at the other end and the relationship key.
type edge struct{ other, rel string }

// inputValue builds the input document for in.
func inputValue(in Input) (ast.Value, error) { return inputValueCtx(context.Background(), in) }

// ctxCheckEvery is how many entities or relationships inputValueCtx
// converts between looks at its context.
const ctxCheckEvery = 4096

// inputValueCtx is inputValue stopping when ctx is done.
func inputValueCtx(ctx context.Context, in Input) (ast.Value, error) {
	g := in.Graph
	if g == nil {
		g = graph.New()
	}
	ents := g.Entities()
	rels := g.Relationships()

	c := converter{names: map[string]*ast.Term{}}
	entities := ast.NewObjectWithCapacity(len(ents))
	types := map[string][]string{}
	classes := map[string][]string{}
	for i, e := range ents {
		if i%ctxCheckEvery == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		v, err := c.entityValue(e)
		if err != nil {
			return nil, err
		}
		entities.Insert(ast.StringTerm(e.Key), ast.NewTerm(v))
		types[e.Type] = append(types[e.Type], e.Key) // ents is sorted by key
		for _, c := range e.Class {
			classes[c] = append(classes[c], e.Key)
		}
	}

	relationships := ast.NewObjectWithCapacity(len(rels))
	out := map[string]map[string][]edge{}
	inb := map[string]map[string][]edge{}
	for i, r := range rels {
		if i%ctxCheckEvery == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		v, err := c.relationshipValue(r)
		if err != nil {
			return nil, err
		}
		relationships.Insert(ast.StringTerm(r.Key), ast.NewTerm(v))
		addEdge(out, r.From, r.Class, edge{other: r.To, rel: r.Key})
		addEdge(inb, r.To, r.Class, edge{other: r.From, rel: r.Key})
	}

	doc := ast.NewObjectWithCapacity(8)
	doc.Insert(ast.StringTerm("entities"), ast.NewTerm(entities))
	doc.Insert(ast.StringTerm("types"), ast.NewTerm(keyIndex(types)))
	doc.Insert(ast.StringTerm("classes"), ast.NewTerm(keyIndex(classes)))
	doc.Insert(ast.StringTerm("relationships"), ast.NewTerm(relationships))
	doc.Insert(ast.StringTerm("out"), ast.NewTerm(adjacency(out)))
	doc.Insert(ast.StringTerm("in"), ast.NewTerm(adjacency(inb)))
	doc.Insert(ast.StringTerm("snapshot"), ast.NewTerm(snapshotValue(in.Snapshot)))
	doc.Insert(ast.StringTerm("gaps"), ast.NewTerm(gapsValue(in.Gaps)))
	return doc, nil
}

func addEdge(idx map[string]map[string][]edge, key, verb string, e edge) {
	byVerb := idx[key]
	if byVerb == nil {
		byVerb = map[string][]edge{}
		idx[key] = byVerb
	}
	byVerb[verb] = append(byVerb[verb], e)
}

// converter builds terms, sharing one term per property name: the same few
// dozen names repeat on every entity, and OPA terms are immutable once built.
type converter struct {
	names map[string]*ast.Term
}

func (c converter) name(k string) *ast.Term {
	t, ok := c.names[k]
	if !ok {
		t = ast.StringTerm(k)
		c.names[k] = t
	}
	return t
}

// entityValue is the flat J1 object of e: its properties plus _key, _type, _class.
func (c converter) entityValue(e *graph.Entity) (ast.Value, error) {
	obj, err := c.flatObject(e.Properties,
		[2]*ast.Term{ast.StringTerm("_key"), ast.StringTerm(e.Key)},
		[2]*ast.Term{ast.StringTerm("_type"), ast.StringTerm(e.Type)},
		[2]*ast.Term{ast.StringTerm("_class"), ast.NewTerm(stringArray(e.Class))},
	)
	if err != nil {
		return nil, fmt.Errorf("entity %s %w", e.Key, err)
	}
	return obj, nil
}

// relationshipValue is the flat J1 object of r, as graph.Relationship's
// MarshalJSON writes it (displayName defaults to the verb).
func (c converter) relationshipValue(r *graph.Relationship) (ast.Value, error) {
	obj, err := c.flatObject(r.Properties,
		[2]*ast.Term{ast.StringTerm("_key"), ast.StringTerm(r.Key)},
		[2]*ast.Term{ast.StringTerm("_type"), ast.StringTerm(r.Type)},
		[2]*ast.Term{ast.StringTerm("_class"), ast.StringTerm(r.Class)},
		[2]*ast.Term{ast.StringTerm("_fromEntityKey"), ast.StringTerm(r.From)},
		[2]*ast.Term{ast.StringTerm("_toEntityKey"), ast.StringTerm(r.To)},
	)
	if err != nil {
		return nil, fmt.Errorf("relationship %s %w", r.Key, err)
	}
	if _, ok := r.Properties["displayName"]; !ok {
		obj.Insert(ast.StringTerm("displayName"), ast.StringTerm(r.Class))
	}
	return obj, nil
}

// flatObject is props plus the fixed J1 fields; the struct fields behind
// fixed are authoritative, so same-named entries of props are ignored.
func (c converter) flatObject(props map[string]any, fixed ...[2]*ast.Term) (ast.Object, error) {
	obj := ast.NewObjectWithCapacity(len(props) + len(fixed))
	for _, kv := range fixed {
		obj.Insert(kv[0], kv[1])
	}
	for k, p := range props {
		name := c.name(k)
		if strings.HasPrefix(k, "_") && obj.Get(name) != nil {
			continue
		}
		v, err := c.value(p)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", k, err)
		}
		obj.Insert(name, ast.NewTerm(v))
	}
	return obj, nil
}

// value converts a JSON-compatible property value. The shapes the
// graph holds (string, bool, numbers, nil, []any, []string, map[string]any)
// convert directly; anything else goes through OPA's JSON round trip.
func (c converter) value(p any) (ast.Value, error) {
	switch x := p.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("number %v has no JSON form", x)
		}
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("number %v has no JSON form", x)
		}
	case []any:
		terms := make([]*ast.Term, len(x))
		for i, it := range x {
			v, err := c.value(it)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			terms[i] = ast.NewTerm(v)
		}
		return ast.NewArray(terms...), nil
	case map[string]any:
		obj := ast.NewObjectWithCapacity(len(x))
		for k, it := range x {
			v, err := c.value(it)
			if err != nil {
				return nil, fmt.Errorf(".%s: %w", k, err)
			}
			obj.Insert(c.name(k), ast.NewTerm(v))
		}
		return obj, nil
	case time.Time:
		return ast.String(x.UTC().Format(time.RFC3339Nano)), nil
	}
	v, err := ast.InterfaceToValue(p)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func stringArray(ss []string) *ast.Array {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.NewArray(terms...)
}

// keyIndex converts name -> sorted keys.
func keyIndex(idx map[string][]string) ast.Object {
	obj := ast.NewObjectWithCapacity(len(idx))
	for name, keys := range idx {
		obj.Insert(ast.StringTerm(name), ast.NewTerm(stringArray(keys)))
	}
	return obj
}

// adjacency converts key -> verb -> edges, each list sorted by (other, rel)
// — the order Rego's sort() gives {"key","rel"} objects, so a test-built
// input (lib.build_input) matches the engine's.
func adjacency(idx map[string]map[string][]edge) ast.Object {
	keyTerm, relTerm := ast.StringTerm("key"), ast.StringTerm("rel")
	obj := ast.NewObjectWithCapacity(len(idx))
	for key, byVerb := range idx {
		verbs := ast.NewObjectWithCapacity(len(byVerb))
		for verb, edges := range byVerb {
			sort.Slice(edges, func(i, j int) bool {
				if edges[i].other != edges[j].other {
					return edges[i].other < edges[j].other
				}
				return edges[i].rel < edges[j].rel
			})
			terms := make([]*ast.Term, len(edges))
			for i, e := range edges {
				terms[i] = ast.ObjectTerm(
					[2]*ast.Term{keyTerm, ast.StringTerm(e.other)},
					[2]*ast.Term{relTerm, ast.StringTerm(e.rel)},
				)
			}
			verbs.Insert(ast.StringTerm(verb), ast.ArrayTerm(terms...))
		}
		obj.Insert(ast.StringTerm(key), ast.NewTerm(verbs))
	}
	return obj
}

func snapshotValue(s SnapshotInfo) ast.Object {
	accounts := append([]string(nil), s.Accounts...)
	regions := append([]string(nil), s.Regions...)
	sort.Strings(accounts)
	sort.Strings(regions)
	collected := ""
	if !s.CollectedAt.IsZero() {
		collected = s.CollectedAt.UTC().Format(time.RFC3339Nano)
	}
	return ast.NewObject(
		[2]*ast.Term{ast.StringTerm("accounts"), ast.NewTerm(stringArray(accounts))},
		[2]*ast.Term{ast.StringTerm("regions"), ast.NewTerm(stringArray(regions))},
		[2]*ast.Term{ast.StringTerm("collected_at"), ast.StringTerm(collected)},
	)
}

func gapsValue(gaps []Gap) *ast.Array {
	sorted := sortedGaps(gaps)
	terms := make([]*ast.Term, len(sorted))
	for i, g := range sorted {
		terms[i] = ast.ObjectTerm(
			[2]*ast.Term{ast.StringTerm("resource_type"), ast.StringTerm(g.ResourceType)},
			[2]*ast.Term{ast.StringTerm("account_id"), ast.StringTerm(g.AccountID)},
			[2]*ast.Term{ast.StringTerm("region"), ast.StringTerm(g.Region)},
			[2]*ast.Term{ast.StringTerm("service"), ast.StringTerm(g.Service)},
			[2]*ast.Term{ast.StringTerm("operation"), ast.StringTerm(g.Operation)},
			[2]*ast.Term{ast.StringTerm("reason"), ast.StringTerm(g.Reason)},
		)
	}
	return ast.NewArray(terms...)
}
