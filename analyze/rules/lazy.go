package rules

// The big top-level objects of the input document (entities,
// relationships, out, in) are lazy: an entry is converted to OPA terms the
// first time a check reads it, and cached for every later read by any check.
// The checks read a small part of a large graph (the entities of their
// types and the edges they follow), so the input costs what the checks read
// instead of a second copy of the whole graph. The entries of entities and
// relationships are lazy records themselves (lazyrecord.go), converted
// property by property.
//
// What OPA v1's evaluator calls on an object it walks, read in
// topdown/eval.go (evalTerm.get, evalTerm.enumerate) and ast/term.go
// (Term.Get, object.Find): IsGround and Get for a ground key, KeysIterator
// for a variable key, Find when the rule indexer resolves a ref into input.
// count, object.get, object.keys and the `in` operator use Len, Get, Keys and
// Until. Those are served lazily here; iteration converts every entry.
//
// What cannot be served: OPA's own code type-switches on its unexported
// *object in places — Compare and Equal against a real object (a panic, or
// a wrong "not equal"), JSON (json.marshal, a rule's value), `with`, which
// writes into a copy of input. No lazy object may reach those; lazyGuard
// (lazyguard.go) finds, in the compiled policies, every place where a check
// could use one of these objects as a whole value, and such a check is
// evaluated against the fully converted input instead.

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// lazySource is what a lazy object is made of: n entries, each with a
// key, in key order (the order a real ast.Object iterates in).
type lazySource interface {
	// len is the number of entries.
	len() int
	// key is the key of entry i.
	key(i int) string
	// lookup is the entry of key k.
	lookup(k string) (int, bool)
	// build converts entry i (with key term key). It may be called by
	// several goroutines at once for different entries.
	build(i int, key *ast.Term) (*ast.Term, error)
}

// deferredSource is a source made on first use, by a function that may
// wait: the relationships are sorted on another goroutine while the checks
// that read only entities start.
type deferredSource struct {
	once sync.Once
	make func() lazySource
	src  lazySource
}

func (d *deferredSource) get() lazySource {
	d.once.Do(func() { d.src = d.make() })
	return d.src
}

func (d *deferredSource) len() int                    { return d.get().len() }
func (d *deferredSource) key(i int) string            { return d.get().key(i) }
func (d *deferredSource) lookup(k string) (int, bool) { return d.get().lookup(k) }
func (d *deferredSource) build(i int, key *ast.Term) (*ast.Term, error) {
	return d.get().build(i, key)
}

// lazyObject is a read-only ast.Object whose values are built on first use
// and cached. It is safe for concurrent use: a slot is published with an
// atomic store, so a value is built at most a few times when checks race for
// it and every reader sees one complete term.
type lazyObject struct {
	viaWhole

	src       lazySource
	slotsOnce sync.Once // slots are made on first use: src may still be getting ready (deferredSource)
	slots     []atomic.Pointer[ast.Term]
	built     atomic.Int64 // entries converted
	onErr     func(error)  // records a build error (the entry then reads as absent)

	keysOnce   sync.Once
	keyTerms   []*ast.Term
	forcedOnce sync.Once
	whole      ast.Object
}

// emptyObject is every lazy object's embedded ast.Object.
var emptyObject = ast.NewObject()

func newLazyObject(src lazySource, onErr func(error)) *lazyObject {
	o := &lazyObject{src: src, onErr: onErr}
	o.viaWhole = viaWhole{Object: emptyObject, w: o}
	return o
}

// viaWhole is the part of a lazy object (lazyObject, lazyRecord) that
// answers with the real object, converted whole.
type viaWhole struct {
	// Object supplies only the unexported method of ast.Object, which OPA
	// calls on its own *object alone; every exported method is defined
	// here or on the lazy object. It is an empty object, never nil, so a
	// missed method cannot panic.
	ast.Object
	w interface {
		// forced is the real object.
		forced() ast.Object
		// wholeUse is forced, for an operation that may copy the
		// object whole.
		wholeUse() ast.Object
	}
}

// wholeUse is forced: a lazy object is never copied into a check's values
// unnoticed (lazyGuard).
func (o *lazyObject) wholeUse() ast.Object { return o.forced() }

// slotList is the cache, one slot per entry.
func (o *lazyObject) slotList() []atomic.Pointer[ast.Term] {
	o.slotsOnce.Do(func() { o.slots = make([]atomic.Pointer[ast.Term], o.src.len()) })
	return o.slots
}

// keys are the key terms in order.
func (o *lazyObject) keys() []*ast.Term {
	o.keysOnce.Do(func() {
		o.keyTerms = make([]*ast.Term, o.src.len())
		for i := range o.keyTerms {
			o.keyTerms[i] = ast.StringTerm(o.src.key(i))
		}
	})
	return o.keyTerms
}

// forced is the real object with every entry converted, lazy values
// (out's and in's verb objects, lazy entities) included.
func (o *lazyObject) forced() ast.Object {
	o.forcedOnce.Do(func() {
		keys := o.keys()
		obj := ast.NewObjectWithCapacity(len(keys))
		for i, k := range keys {
			v := o.at(i, k)
			if v == nil {
				continue
			}
			switch v.Value.(type) {
			case *lazyObject, *lazyRecord:
				v = ast.NewTerm(forced(v.Value))
			}
			obj.Insert(k, v)
		}
		o.whole = obj
	})
	return o.whole
}

// at is entry i, built when needed; nil when it failed to build.
func (o *lazyObject) at(i int, key *ast.Term) *ast.Term {
	slots := o.slotList()
	if t := slots[i].Load(); t != nil {
		return t
	}
	if key == nil {
		key = ast.StringTerm(o.src.key(i))
	}
	t, err := o.src.build(i, key)
	if err != nil {
		o.onErr(err)
		return nil
	}
	if slots[i].CompareAndSwap(nil, t) {
		o.built.Add(1)
		return t
	}
	return slots[i].Load() // another reader built it first: every reader gets the same term
}

// Get is the value of k, nil when absent.
func (o *lazyObject) Get(k *ast.Term) *ast.Term {
	s, ok := k.Value.(ast.String)
	if !ok {
		return nil // every key is a string
	}
	i, ok := o.src.lookup(string(s))
	if !ok {
		return nil
	}
	return o.at(i, nil) // the key term is made only if the entry is built: a read of a built entry allocates nothing
}

// errNotFound is Find's answer for a missing path (OPA's own is unexported;
// its callers test for any error).
var errNotFound = errors.New("find: not found")

func (o *lazyObject) Find(path ast.Ref) (ast.Value, error) { return find(o, path) }

// find is Find for a lazy object o: a lookup of the first key.
func find(o ast.Object, path ast.Ref) (ast.Value, error) {
	if len(path) == 0 {
		return o, nil
	}
	t := o.Get(path[0])
	if t == nil {
		return nil, errNotFound
	}
	return t.Value.Find(path[1:])
}

func (o *lazyObject) Len() int       { return len(o.slotList()) }
func (o *lazyObject) IsGround() bool { return true }

// Hash is cheap and does not convert anything: OPA hashes a value when it
// is inserted into an object (the input document itself). It is not the
// hash of the equal real object; lazyGuard keeps lazy objects out of sets,
// object keys and comparisons, where that would matter.
func (o *lazyObject) Hash() int { return 0x1a2b }

func (o *lazyObject) Keys() []*ast.Term {
	return append([]*ast.Term(nil), o.keys()...)
}

func (o *lazyObject) KeysIterator() ast.ObjectKeysIterator {
	return &lazyKeys{keys: o.keys()}
}

type lazyKeys struct {
	keys []*ast.Term
	next int
}

func (it *lazyKeys) Next() (*ast.Term, bool) {
	if it.next >= len(it.keys) {
		return nil, false
	}
	it.next++
	return it.keys[it.next-1], true
}

func (o *lazyObject) Iter(f func(k, v *ast.Term) error) error {
	for i, k := range o.keys() {
		if v := o.at(i, k); v != nil {
			if err := f(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *lazyObject) Until(f func(k, v *ast.Term) bool) bool {
	for i, k := range o.keys() {
		if v := o.at(i, k); v != nil && f(k, v) {
			return true
		}
	}
	return false
}

func (o *lazyObject) Foreach(f func(k, v *ast.Term)) {
	for i, k := range o.keys() {
		if v := o.at(i, k); v != nil {
			f(k, v)
		}
	}
}

// The operations below need the whole object: they convert every entry
// once and answer with the real object. forced unwraps a lazy argument,
// since OPA's object asserts its own type on the other side.

func forced(v ast.Value) ast.Value {
	switch l := v.(type) {
	case *lazyObject:
		return l.forced()
	case *lazyRecord:
		return l.forced()
	}
	return v
}

func forcedObject(v ast.Object) ast.Object {
	return forced(v).(ast.Object)
}

// Compare converts both sides, unless they are the same object (OPA's
// caches compare their keys, which may be a local bound to a lazy object)
// or other is no object: values of different types compare by type alone,
// and OPA compares an expression's value with false to decide whether it
// holds (`not input.out[k]`).
func (o *lazyObject) Compare(other ast.Value) int {
	if l, ok := other.(*lazyObject); ok && l == o {
		return 0
	}
	if _, ok := other.(ast.Object); !ok {
		return ast.Compare(emptyObject, other)
	}
	return ast.Compare(o.forced(), forced(other))
}

func (o *lazyObject) Copy() ast.Object { return o.forced().Copy() }

func (v viaWhole) String() string    { return v.w.forced().String() }
func (v viaWhole) StringLength() int { return v.w.forced().StringLength() }
func (v viaWhole) Diff(other ast.Object) ast.Object {
	return v.w.wholeUse().Diff(forcedObject(other))
}
func (v viaWhole) Intersect(other ast.Object) [][3]*ast.Term {
	return v.w.wholeUse().Intersect(forcedObject(other))
}
func (v viaWhole) Map(f func(k, v *ast.Term) (*ast.Term, *ast.Term, error)) (ast.Object, error) {
	return v.w.wholeUse().Map(f)
}
func (v viaWhole) Merge(other ast.Object) (ast.Object, bool) {
	return v.w.wholeUse().Merge(forcedObject(other))
}
func (v viaWhole) MergeWith(other ast.Object, resolve func(v1, v2 *ast.Term) (*ast.Term, bool)) (ast.Object, bool) {
	return v.w.wholeUse().MergeWith(forcedObject(other), resolve)
}
func (v viaWhole) Filter(filter ast.Object) (ast.Object, error) {
	return v.w.wholeUse().Filter(forcedObject(filter))
}
func (v viaWhole) MarshalJSON() ([]byte, error) {
	b, err := ast.JSON(v.w.wholeUse())
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// Insert panics: the input document is shared by every check and never
// written. OPA writes into input only for `with input...`, which lazyGuard
// sends to the fully converted input.
func (o *lazyObject) Insert(k, _ *ast.Term) {
	panic(fmt.Sprintf("rules: write of %v into the read-only lazy input document", k))
}
