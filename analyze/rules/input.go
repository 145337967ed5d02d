package rules

// The input document (specified in policies/README.md) is built here, once
// per Evaluate, as OPA terms: every check then reads the same ast.Value
// through rego.EvalParsedInput, so nothing is converted per check. Its big
// objects (entities, relationships, out, in) are lazy (lazy.go): an entry is
// converted when a check first reads it, so the input costs what the checks
// read, not a second copy of the graph.
//
// Joins must never scan arrays in Rego (5k instances x 5k security groups
// took 23 s that way, 21 ms with object indexes), so besides the entities and
// relationships by _key the document carries the indexes checks join on:
// types and classes (sorted key lists) and out/in adjacency by verb. Lists
// are sorted, so the document — and therefore findings — is deterministic.

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// inputDoc is the input document of one Evaluate. Its entities,
// relationships, out and in are lazy objects (lazy.go) over the graph; the
// type and class indexes, snapshot and gaps are small and built at once.
type inputDoc struct {
	// lazy is the document checks read: its entities and relationships
	// are lazy records (lazyrecord.go). whole is the same document with
	// every record converted whole on first read, for a check whose
	// evaluation on lazy records cannot be trusted (evalCheck).
	lazy, whole ast.Value
	// eager is the same document with every lazy object converted, for
	// the checks lazyGuard sends to it; built on first use.
	eager func() ast.Value

	objs      []*lazyObject
	wholeObjs []*lazyObject // the entities and relationships of whole
	counts    *recordCounters
	reruns    atomic.Int64 // checks evaluated again on whole records

	mu  sync.Mutex
	err error // the first entry that failed to convert
}

// converted is how many entries of the lazy objects have been read, of
// how many (it waits for the relationship sort); a record read by the
// checks evaluated again on whole records counts twice.
func (d *inputDoc) converted() (n, of int) {
	for _, o := range d.objs {
		n += int(o.built.Load())
		of += o.Len()
	}
	for _, o := range d.wholeObjs {
		n += int(o.built.Load())
	}
	return n, of
}

// fail records err, the first of which Evaluate reports.
func (d *inputDoc) fail(err error) {
	d.mu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.mu.Unlock()
}

// buildErr is the first conversion error, if any.
func (d *inputDoc) buildErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// recordCounts are how many fields lazy entities and relationships have
// converted, and how many times a check used one whole.
func (d *inputDoc) recordCounts() (fields, wholeUses int64) {
	return d.counts.fieldsBuilt.Load(), d.counts.wholeUses.Load()
}

// newInputDoc indexes in's graph for the lazy objects and builds the small
// parts of the document. It converts no entity or relationship.
func newInputDoc(ctx context.Context, in Input) (*inputDoc, error) {
	g := in.Graph
	if g == nil {
		g = graph.New()
	}
	// Sorting the relationships is most of the work here (0.4 s of CPU
	// for 600k, 1.9 s for 1.8M): it runs on its own goroutine, and
	// relationships, out and in wait for it on first use, so the entities
	// are indexed and the checks that read only entities run meanwhile.
	var rels []*graph.Relationship
	sorted := make(chan struct{})
	go func() {
		defer close(sorted)
		rels = g.Relationships()
	}()
	ents := g.Entities()
	d := &inputDoc{}
	conv := newLockedConverter()
	d.counts = &recordCounters{fail: d.fail}
	es := &entitySource{ents: ents, index: make(map[string]int32, len(ents)), conv: conv, counts: d.counts}
	byType, byClass := newKeyIndex(), newKeyIndex()
	for i, e := range ents {
		es.index[e.Key] = int32(i)
		k := ast.StringTerm(e.Key)
		placeholder := e.String("_source") == placeholderSource
		byType.add(e.Type, k, placeholder) // ents is sorted by key
		for _, cl := range e.Class {
			byClass.add(cl, k, placeholder)
		}
	}
	// The indexes are immutable and shared by the lazy, whole and eager
	// documents.
	types, resourceTypes := byType.objects()
	classes, resourceClasses := byClass.objects()
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	type edges struct {
		rels    *relationshipSource
		out, in *adjacencySource
	}
	byRel := sync.OnceValue(func() edges {
		<-sorted
		out, inb := newAdjacency(es, rels, conv, d.fail)
		return edges{rels: &relationshipSource{rels: rels, conv: conv, counts: d.counts}, out: out, in: inb}
	})
	type named struct {
		name string
		obj  *lazyObject
	}
	// The records (entities, relationships) twice: lazy ones, and whole
	// ones for the checks that cannot be trusted with lazy ones.
	records := func(whole bool) []named {
		return []named{
			{"entities", newLazyObject(recordTable{es, whole}, d.fail)},
			{"relationships", newLazyObject(&deferredSource{make: func() lazySource { return recordTable{byRel().rels, whole} }}, d.fail)},
		}
	}
	lazyRecs, wholeRecs := records(false), records(true)
	adjacency := []named{
		{"out", newLazyObject(&deferredSource{make: func() lazySource { return byRel().out }}, d.fail)},
		{"in", newLazyObject(&deferredSource{make: func() lazySource { return byRel().in }}, d.fail)},
	}
	for _, l := range append(lazyRecs, adjacency...) {
		d.objs = append(d.objs, l.obj)
	}
	for _, l := range wholeRecs {
		d.wholeObjs = append(d.wholeObjs, l.obj)
	}
	doc := func(recs []named, value func(*lazyObject) ast.Value) ast.Value {
		obj := ast.NewObjectWithCapacity(8)
		for _, l := range append(slices.Clone(recs), adjacency...) {
			obj.Insert(ast.StringTerm(l.name), ast.NewTerm(value(l.obj)))
		}
		obj.Insert(ast.StringTerm("types"), types)
		obj.Insert(ast.StringTerm("classes"), classes)
		obj.Insert(ast.StringTerm("resource_types"), resourceTypes)
		obj.Insert(ast.StringTerm("resource_classes"), resourceClasses)
		obj.Insert(ast.StringTerm("snapshot"), ast.NewTerm(snapshotValue(in.Snapshot)))
		obj.Insert(ast.StringTerm("gaps"), ast.NewTerm(gapsValue(in.Gaps)))
		return obj
	}
	asIs := func(l *lazyObject) ast.Value { return l }
	d.lazy = doc(lazyRecs, asIs)
	d.whole = doc(wholeRecs, asIs)
	d.eager = sync.OnceValue(func() ast.Value { return doc(wholeRecs, func(l *lazyObject) ast.Value { return l.forced() }) })
	return d, nil
}

// entitySource is the graph's entities (sorted by key) by _key.
type entitySource struct {
	ents   []*graph.Entity
	index  map[string]int32
	conv   *lockedConverter
	counts *recordCounters
}

func (s *entitySource) len() int         { return len(s.ents) }
func (s *entitySource) key(i int) string { return s.ents[i].Key }
func (s *entitySource) lookup(k string) (int, bool) {
	i, ok := s.index[k]
	return int(i), ok
}

// recordTable is the entities or relationships object: of lazy records
// (lazyrecord.go), or of records converted whole.
type recordTable struct {
	src   recordSource
	whole bool
}

func (t recordTable) len() int                    { return t.src.len() }
func (t recordTable) key(i int) string            { return t.src.key(i) }
func (t recordTable) lookup(k string) (int, bool) { return t.src.lookup(k) }
func (t recordTable) build(i int, key *ast.Term) (*ast.Term, error) {
	if t.whole {
		return t.src.buildWhole(i, key)
	}
	return ast.NewTerm(newLazyRecord(t.src, i, key)), nil
}

// buildWhole converts entity i, every property.
func (s *entitySource) buildWhole(i int, key *ast.Term) (*ast.Term, error) {
	s.conv.mu.Lock()
	defer s.conv.mu.Unlock()
	v, err := s.conv.c.entityValue(s.ents[i], key)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(v), nil
}

// relationshipSource is the relationships object: rels (sorted by key) by
// _key.
type relationshipSource struct {
	rels   []*graph.Relationship
	conv   *lockedConverter
	counts *recordCounters
}

func (s *relationshipSource) len() int         { return len(s.rels) }
func (s *relationshipSource) key(i int) string { return s.rels[i].Key() }
func (s *relationshipSource) lookup(k string) (int, bool) {
	return slices.BinarySearchFunc(s.rels, k, func(r *graph.Relationship, k string) int { return r.CompareKey(k) })
}
func (s *relationshipSource) buildWhole(i int, key *ast.Term) (*ast.Term, error) {
	r := s.rels[i]
	s.conv.mu.Lock()
	defer s.conv.mu.Unlock()
	v, err := s.conv.c.relationshipValue(r, key, ast.StringTerm(r.From), ast.StringTerm(r.To))
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(v), nil
}

// adjacencySource is out or in: entity key -> verb -> edges, for the
// entities that have an edge in that direction; the verbs of an entity are
// a lazy object too. edges[start[e]:start[e+1]]
// are the indexes (into rels) of entity e's relationships.
type adjacencySource struct {
	ents  *entitySource
	rels  []*graph.Relationship
	start []int32
	edges []int32
	// has are the entities with an edge, in key order; slot maps an entity
	// index to its position in has (-1 without edges).
	has  []int32
	slot []int32
	// ends are a relationship's end on this side and the other end.
	ends func(*graph.Relationship) (self, other string)
	conv *lockedConverter
	fail func(error)
}

// newAdjacency groups rels by their from (out) and to (in) entity.
func newAdjacency(es *entitySource, rels []*graph.Relationship, conv *lockedConverter, fail func(error)) (out, inb *adjacencySource) {
	from := func(r *graph.Relationship) (string, string) { return r.From, r.To }
	to := func(r *graph.Relationship) (string, string) { return r.To, r.From }
	out = &adjacencySource{ents: es, rels: rels, ends: from, conv: conv, fail: fail}
	inb = &adjacencySource{ents: es, rels: rels, ends: to, conv: conv, fail: fail}
	for _, a := range []*adjacencySource{out, inb} {
		n := len(es.ents)
		self := make([]int32, len(rels)) // entity index of each relationship's end on a's side
		a.start = make([]int32, n+1)
		for i, r := range rels {
			s, _ := a.ends(r)
			e, ok := es.index[s]
			if !ok { // graph.AddRelationship keeps both ends in the graph
				e = -1
			}
			self[i] = e
			if e >= 0 {
				a.start[e+1]++
			}
		}
		for e := range n {
			a.start[e+1] += a.start[e]
		}
		a.edges = make([]int32, a.start[n])
		next := slices.Clone(a.start[:n])
		for i, e := range self {
			if e >= 0 {
				a.edges[next[e]] = int32(i)
				next[e]++
			}
		}
		a.slot = make([]int32, n)
		for e := range n {
			a.slot[e] = -1
			if a.start[e+1] > a.start[e] {
				a.slot[e] = int32(len(a.has))
				a.has = append(a.has, int32(e))
			}
		}
	}
	return out, inb
}

func (a *adjacencySource) len() int         { return len(a.has) }
func (a *adjacencySource) key(i int) string { return a.ents.ents[a.has[i]].Key }
func (a *adjacencySource) lookup(k string) (int, bool) {
	e, ok := a.ents.index[k]
	if !ok || a.slot[e] < 0 {
		return 0, false
	}
	return int(a.slot[e]), true
}

// build is the verbs of entity has[i]: a lazy object (verb -> edges), so
// a check that follows one verb does not convert an entity's other edges
// (a role's TRUSTS next to its thousands of derived ALLOWS).
func (a *adjacencySource) build(i int, _ *ast.Term) (*ast.Term, error) {
	e := a.has[i]
	vs := &verbSource{a: a, idx: slices.Clone(a.edges[a.start[e]:a.start[e+1]])}
	slices.SortStableFunc(vs.idx, func(x, y int32) int { return strings.Compare(a.rels[x].Class, a.rels[y].Class) })
	for j := 0; j < len(vs.idx); {
		k := j + 1
		for k < len(vs.idx) && a.rels[vs.idx[k]].Class == a.rels[vs.idx[j]].Class {
			k++
		}
		vs.verbs = append(vs.verbs, a.rels[vs.idx[j]].Class)
		vs.ends = append(vs.ends, int32(k))
		j = k
	}
	return ast.NewTerm(newLazyObject(vs, a.fail)), nil
}

// verbSource is one entity's verb -> edges: idx are its relationships
// sorted by verb, verbs[v]'s are idx[ends[v-1]:ends[v]].
type verbSource struct {
	a     *adjacencySource
	idx   []int32
	verbs []string
	ends  []int32
}

func (s *verbSource) len() int         { return len(s.verbs) }
func (s *verbSource) key(i int) string { return s.verbs[i] }
func (s *verbSource) lookup(k string) (int, bool) {
	return slices.BinarySearch(s.verbs, k)
}

// build is the edges of verbs[v] as {"key": other, "rel": relKey}, sorted
// by (other, rel) — the order Rego's sort() gives such objects, so a
// test-built input (lib.build_input) matches the engine's.
func (s *verbSource) build(v int, _ *ast.Term) (*ast.Term, error) {
	from := int32(0)
	if v > 0 {
		from = s.ends[v-1]
	}
	a := s.a
	idx := slices.Clone(s.idx[from:s.ends[v]])
	slices.SortFunc(idx, func(x, y int32) int {
		rx, ry := a.rels[x], a.rels[y]
		_, ox := a.ends(rx)
		_, oy := a.ends(ry)
		if c := strings.Compare(ox, oy); c != 0 {
			return c
		}
		return graph.CompareRelationships(rx, ry)
	})
	terms := make([]*ast.Term, len(idx))
	a.conv.mu.Lock()
	defer a.conv.mu.Unlock()
	keyName, relName := a.conv.c.name("key"), a.conv.c.name("rel")
	for j, x := range idx {
		r := a.rels[x]
		_, other := a.ends(r)
		terms[j] = ast.ObjectTerm([2]*ast.Term{keyName, ast.StringTerm(other)}, [2]*ast.Term{relName, ast.StringTerm(r.Key())})
	}
	return ast.ArrayTerm(terms...), nil
}

// lockedConverter is the converter the lazy objects share: checks running
// in parallel convert entries, one at a time.
type lockedConverter struct {
	mu      sync.Mutex
	c       converter
	keyName *ast.Term // "_key"
}

func newLockedConverter() *lockedConverter {
	c := newConverter()
	return &lockedConverter{c: c, keyName: c.name("_key")}
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
	obj, err := c.flatObject(e.Props(), e.Len(),
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
	obj, err := c.flatObject(r.Props(), r.Len(),
		[2]*ast.Term{c.name("_key"), key},
		[2]*ast.Term{c.name("_type"), c.name(r.Type)},
		[2]*ast.Term{c.name("_class"), class},
		[2]*ast.Term{c.name("_fromEntityKey"), from},
		[2]*ast.Term{c.name("_toEntityKey"), to},
	)
	if err != nil {
		return nil, fmt.Errorf("relationship %s %w", r.Key(), err)
	}
	if !r.Has("displayName") {
		obj.Insert(c.name("displayName"), class)
	}
	return obj, nil
}

// flatObject is props plus the fixed J1 fields; the struct fields behind
// fixed are authoritative, so same-named entries of props are ignored.
func (c converter) flatObject(props iter.Seq2[string, any], n int, fixed ...[2]*ast.Term) (ast.Object, error) {
	obj := ast.NewObjectWithCapacity(n + len(fixed) + 1)
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
// placeholderSource is the _source of the entities the derivations made
// for principals and accounts outside the snapshot (lib.placeholder).
const placeholderSource = "system-mapper"

// keyIndex is the keys of the entities by type (or class), sorted, and the
// same without the placeholders: input.types and input.resource_types
// (lib.resources_of_type reads the latter, so a check over every data store
// does not test each entity's _source in Rego).
type keyIndex struct {
	keys map[string][]*ast.Term
	// resources are the keys less the placeholders, for the names that
	// have a placeholder; the others' lists are shared.
	resources map[string][]*ast.Term
}

func newKeyIndex() keyIndex {
	return keyIndex{keys: map[string][]*ast.Term{}, resources: map[string][]*ast.Term{}}
}

func (x keyIndex) add(name string, key *ast.Term, placeholder bool) {
	keys := x.keys[name]
	res, split := x.resources[name]
	switch {
	case placeholder && !split:
		x.resources[name] = slices.Clone(keys) // every key so far is a resource
	case !placeholder && split:
		x.resources[name] = append(res, key)
	}
	x.keys[name] = append(keys, key)
}

// objects are the index with and without the placeholders; a name whose
// entities are all placeholders is absent from the second.
func (x keyIndex) objects() (all, resources *ast.Term) {
	allObj := ast.NewObjectWithCapacity(len(x.keys))
	resObj := ast.NewObjectWithCapacity(len(x.keys))
	for name, keys := range x.keys {
		list := ast.ArrayTerm(keys...)
		allObj.Insert(ast.StringTerm(name), list)
		res, split := x.resources[name]
		switch {
		case !split:
			resObj.Insert(ast.StringTerm(name), list)
		case len(res) > 0:
			resObj.Insert(ast.StringTerm(name), ast.ArrayTerm(res...))
		}
	}
	return ast.NewTerm(allObj), ast.NewTerm(resObj)
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
