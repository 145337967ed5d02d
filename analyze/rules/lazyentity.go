package rules

// An entity of input.entities is itself lazy: its properties are converted
// one at a time, when a check first reads them. A check reads two or three
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
// before. None of the built-in checks does any of them (TestLazyEntityRerun
// counts).

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// entityProperty is property name of e and whether e has it. With
// entityProperties, the only place this package reads an entity's property
// map.
func entityProperty(e *graph.Entity, name string) (any, bool) {
	v, ok := e.Properties[name]
	return v, ok
}

// entityProperties are every property of e except _key, _type and _class.
func entityProperties(e *graph.Entity) map[string]any { return e.Properties }

// fixedField reports whether name is one of the fields every entity has,
// whose struct fields win over a same-named property.
func fixedField(name string) bool { return name == "_key" || name == "_type" || name == "_class" }

// lazyEntity is one entity of input.entities, its properties converted on
// first read and cached. Safe for concurrent use.
type lazyEntity struct {
	// Object supplies only the unexported method of ast.Object (see
	// lazyObject); it is an empty object, never nil.
	ast.Object

	src  *entitySource
	i    int32
	hash int

	mu    sync.Mutex
	props []propTerm // the fields converted so far

	wholeOnce sync.Once
	whole     ast.Object
}

type propTerm struct{ name, value *ast.Term }

func newLazyEntity(src *entitySource, i int, key *ast.Term) *lazyEntity {
	return &lazyEntity{Object: emptyObject, src: src, i: int32(i), hash: key.Hash() + 0x5e7,
		props: []propTerm{{name: src.conv.keyName, value: key}}}
}

func (o *lazyEntity) entity() *graph.Entity { return o.src.ents[o.i] }

// Get is the value of field k, nil when absent.
func (o *lazyEntity) Get(k *ast.Term) *ast.Term {
	s, ok := k.Value.(ast.String)
	if !ok {
		return nil
	}
	name := string(s)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range o.props {
		if string(p.name.Value.(ast.String)) == name {
			return p.value
		}
	}
	e := o.entity()
	var p any
	if !fixedField(name) {
		if p, ok = entityProperty(e, name); !ok {
			return nil
		}
	}
	c := o.src.conv
	c.mu.Lock()
	defer c.mu.Unlock()
	var t *ast.Term
	var err error
	switch name {
	case "_type":
		t = c.c.name(e.Type)
	case "_class":
		t = ast.NewTerm(c.c.stringArray(e.Class))
	default:
		if t, err = c.c.term(p); err != nil {
			o.src.fail(fmt.Errorf("entity %s property %q: %w", e.Key, name, err))
			return nil
		}
	}
	o.src.propsBuilt.Add(1)
	o.props = append(o.props, propTerm{name: c.c.name(name), value: t})
	return t
}

func (o *lazyEntity) Find(path ast.Ref) (ast.Value, error) {
	if len(path) == 0 {
		return o, nil
	}
	t := o.Get(path[0])
	if t == nil {
		return nil, errNotFound
	}
	return t.Value.Find(path[1:])
}

func (o *lazyEntity) Len() int {
	e := o.entity()
	n := 3
	for name := range entityProperties(e) {
		if !fixedField(name) {
			n++
		}
	}
	return n
}

func (o *lazyEntity) IsGround() bool { return true }

// Hash is the hash of the entity's key: cheap, and equal for two reads of
// one entity. It is not the real object's hash; a real object can only
// equal an entity by being a copy of it, which counts as a whole use.
func (o *lazyEntity) Hash() int { return o.hash }

// forced is the real object of the entity, converted once.
func (o *lazyEntity) forced() ast.Object {
	o.wholeOnce.Do(func() {
		t, err := o.src.buildWhole(int(o.i), o.props[0].value)
		if err != nil {
			o.src.fail(err)
			o.whole = ast.NewObject()
			return
		}
		o.whole = t.Value.(ast.Object)
	})
	return o.whole
}

// wholeUse is forced, counted: the check may be building a real copy of
// the entity, so its evaluation on lazy entities is not trusted.
func (o *lazyEntity) wholeUse() ast.Object {
	o.src.wholeUses.Add(1)
	return o.forced()
}

// Compare answers without converting when other is another read of the
// same entity or no object; otherwise it compares the real objects.
func (o *lazyEntity) Compare(other ast.Value) int {
	if l, ok := other.(*lazyEntity); ok && l.src == o.src && l.i == o.i {
		return 0
	}
	if _, ok := other.(ast.Object); !ok {
		return ast.Compare(emptyObject, other)
	}
	return ast.Compare(o.forced(), forced(other))
}

func (o *lazyEntity) String() string    { return o.forced().String() }
func (o *lazyEntity) StringLength() int { return o.forced().StringLength() }

// Copy is the entity itself: it is never written (Insert panics).
func (o *lazyEntity) Copy() ast.Object { return o }

func (o *lazyEntity) Keys() []*ast.Term { return o.wholeUse().Keys() }
func (o *lazyEntity) KeysIterator() ast.ObjectKeysIterator {
	return o.wholeUse().KeysIterator()
}
func (o *lazyEntity) Iter(f func(k, v *ast.Term) error) error { return o.wholeUse().Iter(f) }
func (o *lazyEntity) Until(f func(k, v *ast.Term) bool) bool  { return o.wholeUse().Until(f) }
func (o *lazyEntity) Foreach(f func(k, v *ast.Term))          { o.wholeUse().Foreach(f) }
func (o *lazyEntity) Diff(other ast.Object) ast.Object {
	return o.wholeUse().Diff(forcedObject(other))
}
func (o *lazyEntity) Intersect(other ast.Object) [][3]*ast.Term {
	return o.wholeUse().Intersect(forcedObject(other))
}
func (o *lazyEntity) Map(f func(k, v *ast.Term) (*ast.Term, *ast.Term, error)) (ast.Object, error) {
	return o.wholeUse().Map(f)
}
func (o *lazyEntity) Merge(other ast.Object) (ast.Object, bool) {
	return o.wholeUse().Merge(forcedObject(other))
}
func (o *lazyEntity) MergeWith(other ast.Object, resolve func(v1, v2 *ast.Term) (*ast.Term, bool)) (ast.Object, bool) {
	return o.wholeUse().MergeWith(forcedObject(other), resolve)
}
func (o *lazyEntity) Filter(filter ast.Object) (ast.Object, error) {
	return o.wholeUse().Filter(forcedObject(filter))
}
func (o *lazyEntity) MarshalJSON() ([]byte, error) {
	b, err := ast.JSON(o.wholeUse())
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// Insert panics: see lazyObject.Insert. The engine evaluates a check that
// panics on lazy entities again on whole ones.
func (o *lazyEntity) Insert(k, _ *ast.Term) {
	panic(fmt.Sprintf("rules: write of %v into the read-only entity %s", k, o.entity().Key))
}

// entityCounters are what entitySource counts for the engine.
type entityCounters struct {
	propsBuilt atomic.Int64 // properties converted by lazy entities
	wholeUses  atomic.Int64 // lazy entities used whole (see wholeUse)
}
