package graph

import (
	"iter"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Props is the property set of an entity or relationship: a shape (the
// property names, in the order they were first set) and one value per name.
//
// Entities of one type are built by the same code and get the same names
// in the same order, so they share one immutable shape ("hidden class")
// and each keeps only its values: a slice of interfaces instead of a hash
// map of about 1 KB. Setting a name the shape lacks moves the set to the
// shape's successor for that name, found in a transition table shared by
// every graph and safe for concurrent use. Names that vary per item (tag
// keys of one resource) would grow the table without bound, so a shape
// takes at most maxTransitions successors and the table at most
// maxShapes shapes; past that a property set gets a private shape of its
// own, which it then extends in place.
//
// The order of Props.All is the order names were first set. Nothing may
// depend on it (the JSON writers sort names).
//
// The zero Props is empty and ready to use. A Props is not safe for
// concurrent mutation.
type Props struct {
	shape *shape
	vals  []any
}

// shape is a list of property names. A shared shape never changes; a
// private one belongs to one Props, which appends to it.
type shape struct {
	names  []string
	index  map[string]int // name -> position, for shapes of more than linearMax names
	shared bool

	mu   sync.Mutex                        // serialises adding transitions
	next atomic.Pointer[map[string]*shape] // successors by added name; copy-on-write
}

const (
	// linearMax is the largest shape searched by scanning its names.
	linearMax = 8
	// maxTransitions bounds the successors of one shape: far above what
	// code-given names reach (the empty shape's successors are the first
	// names of every entity type), low enough that names taken from data
	// (tag keys) cannot grow the table without bound.
	maxTransitions = 4096
	// maxShapes bounds the shared shapes of the process.
	maxShapes = 1 << 18
)

var (
	emptyShape = &shape{shared: true}
	shapeCount atomic.Int64
)

// find returns the position of name, or -1.
func (s *shape) find(name string) int {
	if s == nil {
		return -1
	}
	if s.index != nil {
		if i, ok := s.index[name]; ok {
			return i
		}
		return -1
	}
	for i, n := range s.names {
		if n == name {
			return i
		}
	}
	return -1
}

// with returns the shape of s's names plus name (which s lacks). A private
// s is extended in place.
func (s *shape) with(name string) *shape {
	if !s.shared {
		s.names = append(s.names, name)
		s.indexLast()
		return s
	}
	if m := s.next.Load(); m != nil {
		if n, ok := (*m)[name]; ok {
			return n
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.next.Load()
	if old != nil {
		if n, ok := (*old)[name]; ok {
			return n
		}
	}
	shared := (old == nil || len(*old) < maxTransitions) && shapeCount.Load() < maxShapes
	n := &shape{names: make([]string, len(s.names), len(s.names)+1), shared: shared}
	copy(n.names, s.names)
	n.names = append(n.names, name)
	if len(n.names) > linearMax {
		n.index = make(map[string]int, len(n.names))
		for i, k := range n.names {
			n.index[k] = i
		}
	}
	if !shared {
		return n
	}
	m := make(map[string]*shape, 1)
	if old != nil {
		m = maps.Clone(*old)
	}
	m[name] = n
	s.next.Store(&m)
	shapeCount.Add(1)

	return n
}

// indexLast keeps a private shape's index in step with its names.
func (s *shape) indexLast() {
	last := len(s.names) - 1
	switch {
	case s.index != nil:
		s.index[s.names[last]] = last
	case len(s.names) > linearMax:
		s.index = make(map[string]int, 2*len(s.names))
		for i, k := range s.names {
			s.index[k] = i
		}
	}
}

// PropsOf returns the properties of m. The names are set in sorted order,
// so that maps with the same names share a shape.
func PropsOf(m map[string]any) Props {
	var p Props
	if len(m) == 0 {
		return p
	}
	p.vals = make([]any, 0, len(m))
	var buf [32]string // the names of most maps, without an allocation
	names := buf[:0]
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		p.Set(k, m[k])
	}
	return p
}

// Len returns the number of properties.
func (p *Props) Len() int { return len(p.vals) }

// Lookup returns the value of name and whether it is set (a set value may
// be nil: J1's null).
func (p *Props) Lookup(name string) (any, bool) {
	if i := p.shape.find(name); i >= 0 {
		return p.value(i), true
	}
	return nil, false
}

// value returns the value at position i, a Template expanded.
func (p *Props) value(i int) any {
	if t, ok := p.vals[i].(*Template); ok {
		return t.expand(p)
	}
	return p.vals[i]
}

// Template is a string property value made of literal text and the
// values of other string properties of the same set (a console link made
// of the region and the id). Read through any accessor it is the string
// it expands to; it keeps no string of its own, so one Template shared by
// the entities of a type replaces a string and a box per entity. It reads
// the named properties when read: see SetTemplate.
type Template struct {
	lits  []string // len(names)+1 texts around the names
	names []string
}

// NewTemplate returns the template lits[0] names[0] lits[1] ... names[n-1]
// lits[n]; nil unless len(lits) == len(names)+1.
func NewTemplate(lits, names []string) *Template {
	if len(lits) != len(names)+1 {
		return nil
	}
	return &Template{lits: slices.Clone(lits), names: slices.Clone(names)}
}

// part returns the string value of the i-th named property.
func (t *Template) part(p *Props, i int) (string, bool) {
	j := p.shape.find(t.names[i])
	if j < 0 {
		return "", false
	}
	s, ok := p.vals[j].(string)
	return s, ok
}

// matches reports whether t expands over p to s, without building the
// expansion.
func (t *Template) matches(p *Props, s string) bool {
	for i, lit := range t.lits {
		var ok bool
		if s, ok = strings.CutPrefix(s, lit); !ok {
			return false
		}
		if i == len(t.names) {
			break
		}
		v, ok := t.part(p, i)
		if !ok {
			return false
		}
		if s, ok = strings.CutPrefix(s, v); !ok {
			return false
		}
	}
	return s == ""
}

// expand returns the string t makes over p (nil when a named property is
// missing or not a string, which SetTemplate rules out until one of them
// changes).
func (t *Template) expand(p *Props) any {
	n := 0
	for i, lit := range t.lits {
		n += len(lit)
		if i < len(t.names) {
			v, ok := t.part(p, i)
			if !ok {
				return nil
			}
			n += len(v)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i, lit := range t.lits {
		b.WriteString(lit)
		if i < len(t.names) {
			v, _ := t.part(p, i)
			b.WriteString(v)
		}
	}
	return b.String()
}

// setTemplate replaces the string value of name with t when t expands to
// it and names no property that is itself a template, and reports whether
// it did.
func (p *Props) setTemplate(name string, t *Template) bool {
	i := p.shape.find(name)
	if i < 0 || t == nil || slices.Contains(t.names, name) {
		return false
	}
	s, ok := p.vals[i].(string)
	if !ok || !t.matches(p, s) {
		return false
	}
	p.vals[i] = t
	return true
}

// Get returns the value of name, nil when absent.
func (p *Props) Get(name string) any {
	v, _ := p.Lookup(name)
	return v
}

// Has reports whether name is set.
func (p *Props) Has(name string) bool { return p.shape.find(name) >= 0 }

// Set sets name to v.
func (p *Props) Set(name string, v any) {
	if i := p.shape.find(name); i >= 0 {
		p.vals[i] = v
		return
	}
	if p.shape == nil {
		p.shape = emptyShape
	}
	p.shape = p.shape.with(name)
	if len(p.vals) == cap(p.vals) {
		// Grown by an eighth, not doubled: builders size the set (Grow)
		// and a set rarely gains many names afterwards, so doubling would
		// leave most of the new room empty for good.
		vals := make([]any, len(p.vals), len(p.vals)+max(2, len(p.vals)/8))
		copy(vals, p.vals)
		p.vals = vals
	}
	p.vals = append(p.vals, v)
}

// Delete removes name. The rest keep their order; the set gets the shape
// of that order.
func (p *Props) Delete(name string) {
	i := p.shape.find(name)
	if i < 0 {
		return
	}
	names, vals := p.shape.names, p.vals
	*p = Props{vals: make([]any, 0, len(vals)-1)}
	for j, k := range names {
		if j != i {
			p.Set(k, vals[j])
		}
	}
}

// Grow makes room for n more properties.
func (p *Props) Grow(n int) {
	if cap(p.vals)-len(p.vals) < n {
		vals := make([]any, len(p.vals), len(p.vals)+n)
		copy(vals, p.vals)
		p.vals = vals
	}
}

// All yields every property, in the order the names were first set.
func (p *Props) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		if p.shape == nil {
			return
		}
		for i := range p.vals {
			if !yield(p.shape.names[i], p.value(i)) {
				return
			}
		}
	}
}

// Map returns the properties as a new map (for tests and callers that
// need one).
func (p *Props) Map() map[string]any {
	m := make(map[string]any, len(p.vals))
	for k, v := range p.All() {
		m[k] = v
	}
	return m
}

// Clone returns a copy that shares no values slice with p.
func (p *Props) Clone() Props {
	if p.shape != nil && !p.shape.shared {
		q := PropsOf(nil)
		for k, v := range p.All() {
			q.Set(k, v)
		}
		return q
	}
	return Props{shape: p.shape, vals: slices.Clone(p.vals)}
}

// mergeMissing sets every property of q that p lacks.
func (p *Props) mergeMissing(q *Props) {
	for k, v := range q.All() {
		if !p.Has(k) {
			p.Set(k, v)
		}
	}
}

// equal reports whether p and q have the same names with equal values, in
// any order.
func (p *Props) equal(q *Props) bool {
	if p.Len() != q.Len() {
		return false
	}
	for k, v := range p.All() {
		w, ok := q.Lookup(k)
		if !ok || !reflect.DeepEqual(v, w) {
			return false
		}
	}
	return true
}

// Shapes returns the number of shared shapes made so far in the process.
// Building the same input twice must not change it (tests): a builder that
// sets names in map order makes new shapes for the same entities.
func Shapes() int64 { return shapeCount.Load() }
