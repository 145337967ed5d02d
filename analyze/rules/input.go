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
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// inputValue builds the input document for in.
func inputValue(in Input) (ast.Value, error) { return inputValueCtx(context.Background(), in) }

// ctxCheckEvery is how many entities or relationships inputValueCtx
// converts between looks at its context.
const ctxCheckEvery = 4096

// inputValueCtx is inputValue stopping when ctx is done. The work is split
// in two about equal halves on two goroutines, each with its own
// converter: the entities with the type, class and adjacency indexes, and
// the relationships.
func inputValueCtx(ctx context.Context, in Input) (ast.Value, error) {
	g := in.Graph
	if g == nil {
		g = graph.New()
	}
	ents := g.Entities()
	rels := g.Relationships()

	// One term per entity and relationship key, shared by the entities and
	// relationships objects, the type and class indexes, the relationships'
	// ends and the adjacency.
	keyTerms := make(map[string]*ast.Term, len(ents))
	for _, e := range ents {
		keyTerms[e.Key] = ast.StringTerm(e.Key)
	}
	relKeys := make([]*ast.Term, len(rels))
	for i, r := range rels {
		relKeys[i] = ast.StringTerm(r.Key)
	}
	keyTerm := func(k string) *ast.Term {
		if t := keyTerms[k]; t != nil {
			return t
		}
		return ast.StringTerm(k) // graph.AddRelationship keeps both ends in the graph
	}

	var (
		entities, types, classes, out, inb ast.Object
		entErr                             error
		done                               = make(chan struct{})
	)
	go func() {
		defer close(done)
		c := newConverter()
		entities, types, classes, entErr = c.entitiesValue(ctx, ents, keyTerms)
		if entErr == nil {
			out, inb, entErr = c.adjacencyValues(ctx, rels, relKeys, keyTerm)
		}
	}()
	relationships, relErr := newConverter().relationshipsValue(ctx, rels, relKeys, keyTerm)
	<-done
	if entErr != nil {
		return nil, entErr
	}
	if relErr != nil {
		return nil, relErr
	}

	doc := ast.NewObjectWithCapacity(8)
	doc.Insert(ast.StringTerm("entities"), ast.NewTerm(entities))
	doc.Insert(ast.StringTerm("types"), ast.NewTerm(types))
	doc.Insert(ast.StringTerm("classes"), ast.NewTerm(classes))
	doc.Insert(ast.StringTerm("relationships"), ast.NewTerm(relationships))
	doc.Insert(ast.StringTerm("out"), ast.NewTerm(out))
	doc.Insert(ast.StringTerm("in"), ast.NewTerm(inb))
	doc.Insert(ast.StringTerm("snapshot"), ast.NewTerm(snapshotValue(in.Snapshot)))
	doc.Insert(ast.StringTerm("gaps"), ast.NewTerm(gapsValue(in.Gaps)))
	return doc, nil
}

// entitiesValue is the entities object (by _key) and the types and
// classes indexes of ents (sorted by key).
func (c converter) entitiesValue(ctx context.Context, ents []*graph.Entity, keyTerms map[string]*ast.Term) (entities, types, classes ast.Object, err error) {
	entities = ast.NewObjectWithCapacity(len(ents))
	byType := map[string][]*ast.Term{}
	byClass := map[string][]*ast.Term{}
	for i, e := range ents {
		if i%ctxCheckEvery == 0 && ctx.Err() != nil {
			return nil, nil, nil, context.Cause(ctx)
		}
		k := keyTerms[e.Key]
		v, err := c.entityValue(e, k)
		if err != nil {
			return nil, nil, nil, err
		}
		entities.Insert(k, ast.NewTerm(v))
		byType[e.Type] = append(byType[e.Type], k) // ents is sorted by key
		for _, cl := range e.Class {
			byClass[cl] = append(byClass[cl], k)
		}
	}
	return entities, keyIndex(byType), keyIndex(byClass), nil
}

// relationshipsValue is the relationships object (by _key) of rels, whose
// key terms are relKeys.
func (c converter) relationshipsValue(ctx context.Context, rels []*graph.Relationship, relKeys []*ast.Term, keyTerm func(string) *ast.Term) (ast.Object, error) {
	relationships := ast.NewObjectWithCapacity(len(rels))
	for i, r := range rels {
		if i%ctxCheckEvery == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		v, err := c.relationshipValue(r, relKeys[i], keyTerm(r.From), keyTerm(r.To))
		if err != nil {
			return nil, err
		}
		relationships.Insert(relKeys[i], ast.NewTerm(v))
	}
	return relationships, nil
}

// adjacencyValues are the out and in adjacency indexes of rels.
func (c converter) adjacencyValues(ctx context.Context, rels []*graph.Relationship, relKeys []*ast.Term, keyTerm func(string) *ast.Term) (out, inb ast.Object, err error) {
	if ctx.Err() != nil {
		return nil, nil, context.Cause(ctx)
	}
	out = c.adjacency(rels, relKeys, keyTerm, func(r *graph.Relationship) (string, string) { return r.From, r.To })
	if ctx.Err() != nil {
		return nil, nil, context.Cause(ctx)
	}
	inb = c.adjacency(rels, relKeys, keyTerm, func(r *graph.Relationship) (string, string) { return r.To, r.From })
	return out, inb, nil
}

// converter builds terms, sharing one term per property name and per
// short string value: the same few dozen names, and account ids, regions,
// types, verbs and states, repeat on every entity, and OPA terms are
// immutable once built. A converter is used by one goroutine.
type converter struct {
	names map[string]*ast.Term
	short map[string]*ast.Term
}

// shortString is the longest string value converter shares.
const shortString = 32

func newConverter() converter {
	return converter{names: map[string]*ast.Term{}, short: map[string]*ast.Term{}}
}

func (c converter) name(k string) *ast.Term {
	t, ok := c.names[k]
	if !ok {
		t = ast.StringTerm(k)
		c.names[k] = t
	}
	return t
}

// str is the term of string value s, shared when s is short.
func (c converter) str(s string) *ast.Term {
	if len(s) > shortString {
		return ast.StringTerm(s)
	}
	t, ok := c.short[s]
	if !ok {
		t = ast.StringTerm(s)
		c.short[s] = t
	}
	return t
}

// entityValue is the flat J1 object of e: its properties plus _key, _type,
// _class (key is the term of e.Key).
func (c converter) entityValue(e *graph.Entity, key *ast.Term) (ast.Value, error) {
	obj, err := c.flatObject(e.Properties,
		[2]*ast.Term{c.name("_key"), key},
		[2]*ast.Term{c.name("_type"), c.name(e.Type)},
		[2]*ast.Term{c.name("_class"), ast.NewTerm(c.stringArray(e.Class))},
	)
	if err != nil {
		return nil, fmt.Errorf("entity %s %w", e.Key, err)
	}
	return obj, nil
}

// relationshipValue is the flat J1 object of r, as graph.Relationship's
// MarshalJSON writes it (displayName defaults to the verb); key, from and
// to are the terms of its key and ends.
func (c converter) relationshipValue(r *graph.Relationship, key, from, to *ast.Term) (ast.Value, error) {
	class := c.name(r.Class)
	obj, err := c.flatObject(r.Properties,
		[2]*ast.Term{c.name("_key"), key},
		[2]*ast.Term{c.name("_type"), c.name(r.Type)},
		[2]*ast.Term{c.name("_class"), class},
		[2]*ast.Term{c.name("_fromEntityKey"), from},
		[2]*ast.Term{c.name("_toEntityKey"), to},
	)
	if err != nil {
		return nil, fmt.Errorf("relationship %s %w", r.Key, err)
	}
	if _, ok := r.Properties["displayName"]; !ok {
		obj.Insert(c.name("displayName"), class)
	}
	return obj, nil
}

// flatObject is props plus the fixed J1 fields; the struct fields behind
// fixed are authoritative, so same-named entries of props are ignored.
func (c converter) flatObject(props map[string]any, fixed ...[2]*ast.Term) (ast.Object, error) {
	obj := ast.NewObjectWithCapacity(len(props) + len(fixed) + 1)
	for _, kv := range fixed {
		obj.Insert(kv[0], kv[1])
	}
	for k, p := range props {
		name := c.name(k)
		if strings.HasPrefix(k, "_") && obj.Get(name) != nil {
			continue
		}
		v, err := c.term(p)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", k, err)
		}
		obj.Insert(name, v)
	}
	return obj, nil
}

// Terms of the constants, shared.
var (
	trueTerm  = ast.BooleanTerm(true)
	falseTerm = ast.BooleanTerm(false)
	nullTerm  = ast.NullTerm()
)

// term is value(p) as a term, shared for short strings, booleans and null.
func (c converter) term(p any) (*ast.Term, error) {
	switch x := p.(type) {
	case string:
		return c.str(x), nil
	case bool:
		if x {
			return trueTerm, nil
		}
		return falseTerm, nil
	case nil:
		return nullTerm, nil
	}
	v, err := c.value(p)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(v), nil
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
			t, err := c.term(it)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			terms[i] = t
		}
		return ast.NewArray(terms...), nil
	case []string:
		return c.stringArray(x), nil
	case map[string]any:
		obj := ast.NewObjectWithCapacity(len(x))
		for k, it := range x {
			t, err := c.term(it)
			if err != nil {
				return nil, fmt.Errorf(".%s: %w", k, err)
			}
			obj.Insert(c.name(k), t)
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

func (c converter) stringArray(ss []string) *ast.Array {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = c.str(s)
	}
	return ast.NewArray(terms...)
}

// keyIndex converts name -> sorted key terms.
func keyIndex(idx map[string][]*ast.Term) ast.Object {
	obj := ast.NewObjectWithCapacity(len(idx))
	for name, keys := range idx {
		obj.Insert(ast.StringTerm(name), ast.ArrayTerm(keys...))
	}
	return obj
}

// adjacency is key -> verb -> edges of rels (whose key terms are relKeys),
// each relationship listed under the end ends names first, with the other
// end; each list is sorted by (other, rel) — the order Rego's sort() gives
// {"key","rel"} objects, so a test-built input (lib.build_input) matches the
// engine's. The relationships are put in that order by sorting their
// indexes, which needs no index maps.
func (c converter) adjacency(rels []*graph.Relationship, relKeys []*ast.Term, keyTerm func(string) *ast.Term,
	ends func(*graph.Relationship) (self, other string)) ast.Object {
	keyName, relName := ast.StringTerm("key"), ast.StringTerm("rel")
	order := make([]int32, len(rels))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := rels[a], rels[b]
		sa, oa := ends(ra)
		sb, ob := ends(rb)
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		if c := strings.Compare(ra.Class, rb.Class); c != 0 {
			return c
		}
		if c := strings.Compare(oa, ob); c != 0 {
			return c
		}
		return strings.Compare(ra.Key, rb.Key)
	})
	obj := ast.NewObjectWithCapacity(0)
	for i := 0; i < len(order); {
		self, _ := ends(rels[order[i]])
		verbs := ast.NewObjectWithCapacity(1)
		for i < len(order) {
			if s, _ := ends(rels[order[i]]); s != self {
				break
			}
			verb := rels[order[i]].Class
			var terms []*ast.Term
			for ; i < len(order); i++ {
				r := rels[order[i]]
				s, o := ends(r)
				if s != self || r.Class != verb {
					break
				}
				terms = append(terms, ast.ObjectTerm(
					[2]*ast.Term{keyName, keyTerm(o)},
					[2]*ast.Term{relName, relKeys[order[i]]},
				))
			}
			verbs.Insert(c.name(verb), ast.ArrayTerm(terms...))
		}
		obj.Insert(keyTerm(self), ast.NewTerm(verbs))
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
