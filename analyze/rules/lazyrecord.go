package rules

// An entity of input.entities, and a relationship of input.relationships,
// is itself lazy (a lazy record): its properties are converted one at a
// time, when a check first reads them. A check reads two or three
// of an entity's ~25 properties (AWS-TAG-001 reads its tags and name), so
// converting the whole entity on first read was most of the OPA terms the
// checks kept alive (1.1 GB at 1,000,000 resources).
//
// Unlike the big objects of lazy.go, an entity flows everywhere in a check:
// into arrays (lib.resources_of_type), comprehensions and function
// arguments, which OPA hashes (its function cache is keyed by the
// arguments) and compares. Lookups (Get, Find), Hash, IsGround and Compare
// are served without converting the whole entity: Hash is that of the
// entity's _key (keys are unique in a graph), two reads of one entity are
// equal without converting either, and every other comparison converts both
// sides and compares the real objects.
//
// What a lazy entity cannot serve (read in OPA v1's ast and topdown): OPA's
// object compares itself with another object by asserting its own
// unexported type (ast.Compare with a real object on the left panics),
// object.Equal of a real object and a lazy one answers false, JSON
// (json.marshal) refuses an object it does not know, and a real copy of an
// entity (iterating it into a comprehension, object.union) hashes unlike the
// entity. So a check's evaluation on lazy entities is only trusted when it
// did none of these: a panic, an evaluation error, or any use of a lazy
// entity as a whole (Keys, iteration, Copy's relatives, Merge, Filter...,
// counted in wholeUses) during the evaluation makes the engine evaluate the
// check again on whole entities (evalCheck), which is what every check read
// before. None of the built-in checks does any of them (TestLazyRecordRerun
// counts).

import (
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// recordSource is what lazy records are made of: the entities or the
// relationships of the graph, by key (as lazySource) and field by field.
type recordSource interface {
	len() int
	key(i int) string
	lookup(k string) (int, bool)
	// field is field name of record i (nil when absent), converted.
	field(i int32, name string) (*ast.Term, error)
	// fields is how many fields record i has.
	fields(i int32) int
	// buildWhole converts record i, every field; key is its key term.
	buildWhole(i int, key *ast.Term) (*ast.Term, error)
	recordKey(i int32) string
	counters() *recordCounters
}

// recordCounters are what the lazy records of one input document count,
// entities and relationships together.
type recordCounters struct {
	fieldsBuilt atomic.Int64 // fields converted by lazy records
	wholeUses   atomic.Int64 // lazy records used whole (see wholeUse)
	fail        func(error)  // records a field that failed to convert (it then reads as absent)
}

// lazyRecord is one entity or relationship, its fields converted on first
// read and cached. Safe for concurrent use.
type lazyRecord struct {
	viaWhole

	src  recordSource
	i    int32
	hash int

	mu    sync.Mutex
	props []propTerm // the fields converted so far, _key first

	wholeOnce sync.Once
	whole     ast.Object
}

type propTerm struct {
	name  string
	value *ast.Term
}

func newLazyRecord(src recordSource, i int, key *ast.Term) *lazyRecord {
	o := &lazyRecord{src: src, i: int32(i), hash: key.Hash() + 0x5e7,
		props: []propTerm{{name: "_key", value: key}}}
	o.viaWhole = viaWhole{Object: emptyObject, w: o}
	return o
}

// Get is the value of field k, nil when absent.
func (o *lazyRecord) Get(k *ast.Term) *ast.Term {
	s, ok := k.Value.(ast.String)
	if !ok {
		return nil
	}
	name := string(s)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range o.props {
		if p.name == name {
			return p.value
		}
	}
	t, err := o.src.field(o.i, name)
	if err != nil {
		o.src.counters().fail(err)
		return nil
	}
	if t == nil {
		return nil
	}
	o.src.counters().fieldsBuilt.Add(1)
	o.props = append(o.props, propTerm{name: name, value: t})
	return t
}

func (o *lazyRecord) Find(path ast.Ref) (ast.Value, error) { return find(o, path) }

func (o *lazyRecord) Len() int       { return o.src.fields(o.i) }
func (o *lazyRecord) IsGround() bool { return true }

// Hash is the hash of the record's key: cheap, and equal for two reads of
// one record. It is not the real object's hash; a real object can only
// equal a record by being a copy of it, which counts as a whole use.
func (o *lazyRecord) Hash() int { return o.hash }

// forced is the real object of the record, converted once.
func (o *lazyRecord) forced() ast.Object {
	o.wholeOnce.Do(func() {
		t, err := o.src.buildWhole(int(o.i), o.props[0].value)
		if err != nil {
			o.src.counters().fail(err)
			o.whole = ast.NewObject()
			return
		}
		o.whole = t.Value.(ast.Object)
	})
	return o.whole
}

// wholeUse is forced, counted: the check may be building a real copy of
// the record, so its evaluation on lazy records is not trusted.
func (o *lazyRecord) wholeUse() ast.Object {
	o.src.counters().wholeUses.Add(1)
	return o.forced()
}

// Compare answers without converting when other is another read of the
// same record or no object; otherwise it compares the real objects.
func (o *lazyRecord) Compare(other ast.Value) int {
	if l, ok := other.(*lazyRecord); ok && l.src == o.src && l.i == o.i {
		return 0
	}
	if _, ok := other.(ast.Object); !ok {
		return ast.Compare(emptyObject, other)
	}
	return ast.Compare(o.forced(), forced(other))
}

// Copy is the record itself: it is never written (Insert panics).
func (o *lazyRecord) Copy() ast.Object { return o }

func (o *lazyRecord) Keys() []*ast.Term { return o.wholeUse().Keys() }
func (o *lazyRecord) KeysIterator() ast.ObjectKeysIterator {
	return o.wholeUse().KeysIterator()
}
func (o *lazyRecord) Iter(f func(k, v *ast.Term) error) error { return o.wholeUse().Iter(f) }
func (o *lazyRecord) Until(f func(k, v *ast.Term) bool) bool  { return o.wholeUse().Until(f) }
func (o *lazyRecord) Foreach(f func(k, v *ast.Term))          { o.wholeUse().Foreach(f) }

// Insert panics: see lazyObject.Insert. The engine evaluates a check that
// panics on lazy records again on whole ones.
func (o *lazyRecord) Insert(k, _ *ast.Term) {
	panic(fmt.Sprintf("rules: write of %v into the read-only input record %s", k, o.src.recordKey(o.i)))
}

// The entities' fields: _key, _type, _class (which win over same-named
// properties) and the properties.

func (s *entitySource) recordKey(i int32) string  { return s.ents[i].Key }
func (s *entitySource) counters() *recordCounters { return s.counts }

var entityFixed = []string{"_key", "_type", "_class"}

func (s *entitySource) fields(i int32) int {
	return countFields(s.ents[i].Props(), entityFixed)
}

// countFields is how many fields a record with the fixed fields and props
// has (a property named like a fixed field is not one).
func countFields(props iter.Seq2[string, any], fixed []string) int {
	n := len(fixed)
	for name := range props {
		if !slices.Contains(fixed, name) {
			n++
		}
	}
	return n
}

// propertyTerm is property name (value p) of the record what (its key) as
// a term.
func (c converter) propertyTerm(what, key, name string, p any) (*ast.Term, error) {
	t, err := c.term(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s property %q: %w", what, key, name, err)
	}
	return t, nil
}

func (s *entitySource) field(i int32, name string) (*ast.Term, error) {
	e := s.ents[i]
	c := s.conv
	c.mu.Lock()
	defer c.mu.Unlock()
	switch name {
	case "_key":
		return ast.StringTerm(e.Key), nil
	case "_type":
		return c.c.name(e.Type), nil
	case "_class":
		return ast.NewTerm(c.c.stringArray(e.Class)), nil
	}
	p, ok := e.Lookup(name)
	if !ok {
		return nil, nil
	}
	return c.c.propertyTerm("entity", e.Key, name, p)
}

// The relationships' fields: _key, _type, _class, _fromEntityKey,
// _toEntityKey (which win over same-named properties), the properties and
// displayName, the verb when no property sets it (relationshipValue).

var relationshipFixed = []string{"_key", "_type", "_class", "_fromEntityKey", "_toEntityKey"}

func (s *relationshipSource) recordKey(i int32) string  { return s.rels[i].Key() }
func (s *relationshipSource) counters() *recordCounters { return s.counts }

func (s *relationshipSource) fields(i int32) int {
	r := s.rels[i]
	n := countFields(r.Props(), relationshipFixed)
	if _, ok := r.Lookup("displayName"); !ok {
		n++
	}
	return n
}

func (s *relationshipSource) field(i int32, name string) (*ast.Term, error) {
	r := s.rels[i]
	c := s.conv
	c.mu.Lock()
	defer c.mu.Unlock()
	switch name {
	case "_key":
		return ast.StringTerm(r.Key()), nil
	case "_type":
		return c.c.name(r.Type), nil
	case "_class":
		return c.c.name(r.Class), nil
	case "_fromEntityKey":
		return ast.StringTerm(r.From), nil
	case "_toEntityKey":
		return ast.StringTerm(r.To), nil
	}
	p, ok := r.Lookup(name)
	if !ok {
		if name == "displayName" {
			return c.c.name(r.Class), nil
		}
		return nil, nil
	}
	return c.c.propertyTerm("relationship", r.Key(), name, p)
}
