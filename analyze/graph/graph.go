package graph

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
)

// Entity is one node of the graph.
type Entity struct {
	Key   string
	Type  string
	Class []string
	// props holds every property except _key, _type and _class.
	// Values are JSON-compatible: string, bool, float64/int64, nil,
	// []any, []string, map[string]any (a string may be kept as a
	// *Template, which every accessor reads as its string).
	props Props
	// rank is the entity's position in key order, from 1, as of the
	// graph's last sort (Graph.sortEntities); fromRank is the same but 0
	// when its key is a prefix of another's: then the order of the keys
	// is not that of the relationship keys they begin. Only the sorts
	// use them, under the graph's sortMu.
	rank, fromRank uint32
}

// NewEntity returns an entity with the properties of props (which it does
// not keep).
func NewEntity(key, typ string, class []string, props map[string]any) *Entity {
	return &Entity{Key: key, Type: typ, Class: class, props: PropsOf(props)}
}

// Get returns a property value (nil when absent).
func (e *Entity) Get(name string) any { return e.props.Get(name) }

// Lookup returns a property value and whether it is set.
func (e *Entity) Lookup(name string) (any, bool) { return e.props.Lookup(name) }

// Has reports whether a property is set (possibly to nil).
func (e *Entity) Has(name string) bool { return e.props.Has(name) }

// String returns a string property, "" when absent or not a string.
func (e *Entity) String(name string) string {
	s, _ := e.props.Get(name).(string)
	return s
}

// Set sets a property.
func (e *Entity) Set(name string, v any) { e.props.Set(name, v) }

// SetTemplate replaces the string value of property name with t when t
// expands to that string over e's properties, and reports whether it did.
// The value then follows the properties t names: set it only once they
// are final (the builder does at the end of the build).
func (e *Entity) SetTemplate(name string, t *Template) bool { return e.props.setTemplate(name, t) }

// Delete removes a property.
func (e *Entity) Delete(name string) { e.props.Delete(name) }

// Len returns the number of properties.
func (e *Entity) Len() int { return e.props.Len() }

// Props yields every property, in no order callers may rely on.
func (e *Entity) Props() iter.Seq2[string, any] { return e.props.All() }

// PropMap returns the properties as a new map.
func (e *Entity) PropMap() map[string]any { return e.props.Map() }

// GrowProps makes room for n more properties.
func (e *Entity) GrowProps(n int) { e.props.Grow(n) }

// Equal reports whether e and o have the same key, type, classes and
// properties (go-cmp uses it).
func (e *Entity) Equal(o *Entity) bool {
	if e == nil || o == nil {
		return e == o
	}
	return e.Key == o.Key && e.Type == o.Type && slices.Equal(e.Class, o.Class) && e.props.equal(&o.props)
}

// MarshalJSON writes the entity flat, J1 style.
func (e *Entity) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, e.props.Len()+3)
	for k, v := range e.props.All() {
		m[k] = v
	}
	m["_key"] = e.Key
	m["_type"] = e.Type
	m["_class"] = e.Class
	return json.Marshal(m)
}

// UnmarshalJSON reads the flat J1 form written by MarshalJSON.
func (e *Entity) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	e.Key, _ = m["_key"].(string)
	e.Type, _ = m["_type"].(string)
	e.Class = nil
	if cs, ok := m["_class"].([]any); ok {
		for _, c := range cs {
			if s, ok := c.(string); ok {
				e.Class = append(e.Class, s)
			}
		}
	}
	delete(m, "_key")
	delete(m, "_type")
	delete(m, "_class")
	e.props = PropsOf(m)
	return nil
}

// Relationship is one directed edge of the graph.
//
// Its _key is not stored: it is derived from the ends and a key form (see
// Key), so a relationship costs no string of its own.
type Relationship struct {
	Type  string
	Class string // the J1 verb: HAS, CONTAINS, USES, PROTECTS, TRUSTS, ALLOWS, ...
	From  string // _fromEntityKey
	To    string // _toEntityKey
	form  *keyForm
	// props holds every property except _key, _type, _class,
	// _fromEntityKey and _toEntityKey. Relationships may share one set
	// (see NewKeyedRelationship).
	props *Props
}

// keyForm says how a relationship's _key is made from its ends: From|mid|To
// followed by tail, or custom verbatim when custom is set. A nil form is
// J1's default, From|verb in lower case|To.
type keyForm struct {
	mid, tail string
	key       string
	isCustom  bool
}

// forms interns the key forms of NewKeyedRelationship: their middles and
// tails come from code (access, escalates, |sessions), so there are few.
var forms sync.Map // [2]string -> *keyForm

func formOf(mid, tail string) *keyForm {
	k := [2]string{mid, tail}
	if f, ok := forms.Load(k); ok {
		return f.(*keyForm)
	}
	f, _ := forms.LoadOrStore(k, &keyForm{mid: mid, tail: tail})
	return f.(*keyForm)
}

// NewKeyedRelationship returns a relationship whose _key is
// from|mid|to followed by tail (e.g. role|access|target|sessions). props
// may be shared by many relationships; it must not change afterwards
// unless the change is meant for all of them.
func NewKeyedRelationship(typ, class, from, mid, to, tail string, props *Props) *Relationship {
	var f *keyForm
	if tail != "" || mid != lowerVerb(class) {
		f = formOf(mid, tail)
	}
	return &Relationship{Type: typ, Class: class, From: from, To: to, form: f, props: props}
}

// NewCustomRelationship returns a relationship with a _key of its own that
// is not made of its ends.
func NewCustomRelationship(key, typ, class, from, to string, props map[string]any) *Relationship {
	r := &Relationship{Type: typ, Class: class, From: from, To: to, form: &keyForm{key: key, isCustom: true}}
	if len(props) > 0 {
		p := PropsOf(props)
		r.props = &p
	}
	return r
}

// keyParts returns the segments whose concatenation is the _key.
func (r *Relationship) keyParts() [6]string {
	switch f := r.form; {
	case f == nil:
		return [6]string{r.From, "|", lowerVerb(r.Class), "|", r.To, ""}
	case f.isCustom:
		return [6]string{f.key}
	default:
		return [6]string{r.From, "|", f.mid, "|", r.To, f.tail}
	}
}

// Key returns the relationship's _key (a new string for most
// relationships: keep it only when needed).
func (r *Relationship) Key() string {
	if r.form != nil && r.form.isCustom {
		return r.form.key
	}
	p := r.keyParts()
	n := 0
	for _, s := range p {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range p {
		b.WriteString(s)
	}
	return b.String()
}

// CompareKey compares r's _key with key as strings.Compare would, without
// building it.
func (r *Relationship) CompareKey(key string) int {
	for _, s := range r.keyParts() {
		n := min(len(s), len(key))
		if c := strings.Compare(s[:n], key[:n]); c != 0 {
			return c
		}
		if n < len(s) {
			return 1 // key ended first
		}
		key = key[n:]
	}
	if key != "" {
		return -1
	}
	return 0
}

// CompareRelationships orders relationships by _key without building the
// keys.
func CompareRelationships(a, b *Relationship) int {
	if a.form.custom() || b.form.custom() {
		return compareParts(a.keyParts(), b.keyParts())
	}
	// Both keys start with their From: when neither From is a prefix of
	// the other, they decide; equal ones leave what follows them.
	fa, fb := a.From, b.From
	if fa != fb {
		n := min(len(fa), len(fb))
		if c := strings.Compare(fa[:n], fb[:n]); c != 0 {
			return c
		}
		return compareParts(a.keyParts(), b.keyParts())
	}
	ma, ta, mb, tb := lowerVerb(a.Class), "", lowerVerb(b.Class), ""
	if a.form != nil {
		ma, ta = a.form.mid, a.form.tail
	}
	if b.form != nil {
		mb, tb = b.form.mid, b.form.tail
	}
	if ma == mb {
		if a.To == b.To {
			return strings.Compare(ta, tb)
		}
		return compareParts([6]string{a.To, ta}, [6]string{b.To, tb})
	}
	return compareParts([6]string{ma, "|", a.To, ta}, [6]string{mb, "|", b.To, tb})
}

// compareParts compares the concatenations of pa and pb.
func compareParts(pa, pb [6]string) int {
	i, j := 0, 0
	x, y := pa[0], pb[0]
	for {
		for x == "" && i < len(pa)-1 {
			i++
			x = pa[i]
		}
		for y == "" && j < len(pb)-1 {
			j++
			y = pb[j]
		}
		if x == "" || y == "" {
			switch {
			case x == "" && y == "":
				return 0
			case x == "":
				return -1
			default:
				return 1
			}
		}
		n := min(len(x), len(y))
		if c := strings.Compare(x[:n], y[:n]); c != 0 {
			return c
		}
		x, y = x[n:], y[n:]
	}
}

func (f *keyForm) custom() bool { return f != nil && f.isCustom }

// Get returns a property value (nil when absent).
func (r *Relationship) Get(name string) any {
	if r.props == nil {
		return nil
	}
	return r.props.Get(name)
}

// Lookup returns a property value and whether it is set.
func (r *Relationship) Lookup(name string) (any, bool) {
	if r.props == nil {
		return nil, false
	}
	return r.props.Lookup(name)
}

// Has reports whether a property is set (possibly to nil).
func (r *Relationship) Has(name string) bool { return r.props != nil && r.props.Has(name) }

// Set sets a property (on every relationship that shares r's set).
func (r *Relationship) Set(name string, v any) {
	if r.props == nil {
		r.props = &Props{}
	}
	r.props.Set(name, v)
}

// Len returns the number of properties.
func (r *Relationship) Len() int {
	if r.props == nil {
		return 0
	}
	return r.props.Len()
}

// Props yields every property, in no order callers may rely on.
func (r *Relationship) Props() iter.Seq2[string, any] {
	if r.props == nil {
		return func(func(string, any) bool) {}
	}
	return r.props.All()
}

// PropMap returns the properties as a new map.
func (r *Relationship) PropMap() map[string]any {
	if r.props == nil {
		return map[string]any{}
	}
	return r.props.Map()
}

// Equal reports whether r and o have the same key, type, class, ends and
// properties (go-cmp uses it).
func (r *Relationship) Equal(o *Relationship) bool {
	if r == nil || o == nil {
		return r == o
	}
	var empty Props
	rp, op := r.props, o.props
	if rp == nil {
		rp = &empty
	}
	if op == nil {
		op = &empty
	}
	return r.Type == o.Type && r.Class == o.Class && r.From == o.From && r.To == o.To &&
		CompareRelationships(r, o) == 0 && rp.equal(op)
}

// MarshalJSON writes the relationship flat, J1 style.
func (r *Relationship) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, r.Len()+6)
	for k, v := range r.Props() {
		m[k] = v
	}
	m["_key"] = r.Key()
	m["_type"] = r.Type
	m["_class"] = r.Class
	m["_fromEntityKey"] = r.From
	m["_toEntityKey"] = r.To
	if _, ok := m["displayName"]; !ok {
		m["displayName"] = r.Class
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the flat J1 form written by MarshalJSON.
func (r *Relationship) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	key, _ := m["_key"].(string)
	r.Type, _ = m["_type"].(string)
	r.Class, _ = m["_class"].(string)
	r.From, _ = m["_fromEntityKey"].(string)
	r.To, _ = m["_toEntityKey"].(string)
	r.form = formFor(key, r.From, r.To, r.Class)
	for _, k := range []string{"_key", "_type", "_class", "_fromEntityKey", "_toEntityKey"} {
		delete(m, k)
	}
	r.props = nil
	if len(m) > 0 {
		p := PropsOf(m)
		r.props = &p
	}
	return nil
}

// formFor returns the key form that makes key from the ends from and to:
// J1's default or a form the code has made (NewKeyedRelationship); any
// other key, read from a file, is kept whole, so that data cannot grow
// the table of forms.
func formFor(key, from, to, class string) *keyForm {
	if rest, ok := strings.CutPrefix(key, from+"|"); ok {
		if mid, after, ok := strings.Cut(rest, "|"+to); ok && !strings.Contains(mid, "|") {
			if after == "" && mid == lowerVerb(class) {
				return nil
			}
			if f, ok := forms.Load([2]string{mid, after}); ok {
				return f.(*keyForm)
			}
		}
	}
	return &keyForm{key: key, isCustom: true}
}

// RelationshipKey is J1's default relationship key: fromKey|verb|toKey
// (what Key returns for a relationship made by NewRelationship).
func RelationshipKey(fromKey, verb, toKey string) string {
	return fromKey + "|" + lowerVerb(verb) + "|" + toKey
}

// lowerVerb is strings.ToLower for a verb; the J1 verbs (DESIGN.md) come
// from constants instead of a new string per relationship.
func lowerVerb(verb string) string {
	switch verb {
	case "HAS":
		return "has"
	case "CONTAINS":
		return "contains"
	case "USES":
		return "uses"
	case "PROTECTS":
		return "protects"
	case "TRUSTS":
		return "trusts"
	case "ALLOWS":
		return "allows"
	case "CONNECTS":
		return "connects"
	case "TRIGGERS":
		return "triggers"
	case "RUNS":
		return "runs"
	case "DEFINES":
		return "defines"
	case "ASSIGNED":
		return "assigned"
	case "EVALUATES":
		return "evaluates"
	case "IDENTIFIED":
		return "identified"
	case "LOGS":
		return "logs"
	case "IS":
		return "is"
	}
	return strings.ToLower(verb)
}

// RelationshipType is J1's generated relationship _type: the source type, the
// verb, and the target type with the leading `_`-separated words it shares
// with the source type removed (aws_instance USES aws_ebs_volume ->
// aws_instance_uses_ebs_volume; aws_ec2 HAS aws_instance -> aws_ec2_has_instance).
//
// The answer is remembered per (fromType, verb, toType): a graph has a few
// hundred such triples and hundreds of thousands of relationships, which
// then share one string each instead of splitting and joining per edge.
func RelationshipType(fromType, verb, toType string) string {
	k := relTypeKey{fromType, verb, toType}
	if t, ok := relTypes.Load(k); ok {
		return t.(string)
	}
	t, _ := relTypes.LoadOrStore(k, relationshipType(fromType, verb, toType))
	return t.(string)
}

// relTypes caches RelationshipType. Its keys are entity types and verbs,
// which come from the registries, not from snapshot data, so it stays
// small.
var relTypes sync.Map // relTypeKey -> string

type relTypeKey struct{ from, verb, to string }

func relationshipType(fromType, verb, toType string) string {
	from := strings.Split(fromType, "_")
	to := strings.Split(toType, "_")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	return fromType + "_" + lowerVerb(verb) + "_" + strings.Join(to[i:], "_")
}

// NewRelationship builds a relationship with J1's default _key and _type.
func NewRelationship(from *Entity, verb string, to *Entity, props map[string]any) *Relationship {
	verb = strings.ToUpper(verb)
	r := &Relationship{
		Type:  RelationshipType(from.Type, verb, to.Type),
		Class: verb,
		From:  from.Key,
		To:    to.Key,
	}
	if len(props) > 0 {
		p := PropsOf(props)
		r.props = &p
	}
	return r
}

// Graph is a set of entities and relationships indexed by key.
type Graph struct {
	entities map[string]*Entity
	byType   map[string][]*Entity
	// entSorted is the entities sorted by key as of the last sort, when
	// byType[t] had entSortedN[t] of them (under sortMu, as sorted).
	entSorted  []*Entity
	entSortedN map[string]int

	// Every relationship, in the order added, and the index of their
	// positions there by a 32-bit hash of their _key (which they do not
	// store): the index holds no pointer, so the garbage collector never
	// scans it. The rare second key of one hash goes to more by its
	// string.
	seed  maphash.Seed
	rels  relList
	index map[uint32]int32
	more  map[string]int32

	// The positions of the relationships sorted by key: the first
	// len(sorted) added, as of the last call of Relationships, which sorts
	// only those added since and merges them in (the IAM derivation and
	// the checks ask for the sorted list on a graph of millions of
	// relationships).
	sortMu sync.Mutex
	sorted []int32
}

// relList is a list of relationships in chunks of a fixed size: it grows
// without copying what it holds and wastes at most one chunk's room.
type relList struct {
	chunks [][]*Relationship
	n      int
}

const (
	relChunkBits = 14
	relChunk     = 1 << relChunkBits
	// maxRels bounds the relationships of a graph (positions are int32).
	maxRels = math.MaxInt32
)

func (l *relList) add(r *Relationship) int32 {
	if l.n%relChunk == 0 {
		l.chunks = append(l.chunks, make([]*Relationship, 0, relChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, r)
	l.n++
	return int32(l.n - 1)
}

func (l *relList) at(i int32) *Relationship { return l.chunks[i>>relChunkBits][i&(relChunk-1)] }

// New returns an empty graph.
func New() *Graph {
	return &Graph{
		entities: map[string]*Entity{},
		index:    map[uint32]int32{},
		byType:   map[string][]*Entity{},
		seed:     maphash.MakeSeed(),
	}
}

// AddEntity adds e. When an entity with the same key exists already the
// existing one is kept, e's properties that it lacks are merged into it, and
// AddEntity returns the existing entity and false.
func (g *Graph) AddEntity(e *Entity) (*Entity, bool) {
	if old, ok := g.entities[e.Key]; ok {
		old.props.mergeMissing(&e.props)
		return old, false
	}
	g.entities[e.Key] = e
	g.byType[e.Type] = append(g.byType[e.Type], e)
	return e, true
}

// Entity returns the entity with the given key, or nil.
func (g *Graph) Entity(key string) *Entity { return g.entities[key] }

// EntitiesOfType returns the entities of one _type in insertion order.
// The slice must not be modified.
func (g *Graph) EntitiesOfType(typ string) []*Entity { return g.byType[typ] }

// hashParts hashes the concatenation of parts; hashKey of that
// concatenation equals it.
func (g *Graph) hashParts(parts [6]string) uint32 {
	var h maphash.Hash
	h.SetSeed(g.seed)
	for _, s := range parts {
		h.WriteString(s)
	}
	return uint32(h.Sum64())
}

// hashKey hashes a _key.
func (g *Graph) hashKey(key string) uint32 {
	return uint32(maphash.String(g.seed, key))
}

// AddRelationship adds r. Both ends must exist. A relationship whose key
// exists already is not added again (its properties are merged).
func (g *Graph) AddRelationship(r *Relationship) error {
	if g.entities[r.From] == nil {
		return fmt.Errorf("relationship %s: no entity %q", r.Key(), r.From)
	}
	if g.entities[r.To] == nil {
		return fmt.Errorf("relationship %s: no entity %q", r.Key(), r.To)
	}
	h := g.hashParts(r.keyParts())
	pos, ok := g.index[h]
	if ok && CompareRelationships(g.rels.at(pos), r) != 0 {
		// Another key with the same hash.
		k := r.Key()
		if pos, ok = g.more[k]; !ok {
			if g.rels.n >= maxRels {
				return fmt.Errorf("relationship %s: the graph holds %d relationships already, its limit", k, g.rels.n)
			}
			if g.more == nil {
				g.more = map[string]int32{}
			}
			g.more[k] = g.rels.add(r)
			return nil
		}
	}
	if !ok {
		if g.rels.n >= maxRels {
			return fmt.Errorf("relationship %s: the graph holds %d relationships already, its limit", r.Key(), g.rels.n)
		}
		g.index[h] = g.rels.add(r)
		return nil
	}
	if old := g.rels.at(pos); r.props != nil && old.props != r.props {
		if old.props == nil {
			old.props = &Props{}
		}
		old.props.mergeMissing(r.props)
	}
	return nil
}

// Relationship returns the relationship with the given key, or nil.
func (g *Graph) Relationship(key string) *Relationship {
	if pos, ok := g.index[g.hashKey(key)]; ok {
		if r := g.rels.at(pos); r.CompareKey(key) == 0 {
			return r
		}
	}
	if pos, ok := g.more[key]; ok {
		return g.rels.at(pos)
	}
	return nil
}

// Len returns the number of entities and relationships.
func (g *Graph) Len() (entities, relationships int) { return len(g.entities), g.rels.n }

// All yields every entity in no particular order, without the sorted copy
// Entities makes.
func (g *Graph) All() iter.Seq[*Entity] {
	return func(yield func(*Entity) bool) {
		for _, e := range g.entities {
			if !yield(e) {
				return
			}
		}
	}
}

// Entities returns every entity sorted by key, in a new slice the caller
// may keep or change. The sorted order is kept between calls, so a call
// sorts only the entities added since the last one.
func (g *Graph) Entities() []*Entity {
	g.sortMu.Lock()
	defer g.sortMu.Unlock()
	g.sortEntities()
	// Never nil: an empty graph's document says "entities": [].
	return append(make([]*Entity, 0, len(g.entSorted)), g.entSorted...)
}

// compareEntities orders entities by key.
func compareEntities(a, b *Entity) int { return strings.Compare(a.Key, b.Key) }

// sortEntities sorts the entities added since the last call into
// entSorted and gives every entity its rank (under sortMu).
func (g *Graph) sortEntities() {
	if len(g.entSorted) == len(g.entities) {
		return
	}
	if g.entSortedN == nil {
		g.entSortedN = map[string]int{}
	}
	added := make([]*Entity, 0, len(g.entities)-len(g.entSorted))
	for t, ents := range g.byType {
		added = append(added, ents[g.entSortedN[t]:]...)
		g.entSortedN[t] = len(ents)
	}
	sorted := make([]*Entity, 0, len(added))
	sortParallel(added, compareEntities, func(e *Entity) { sorted = append(sorted, e) })
	g.entSorted = mergeSorted(g.entSorted, sorted, compareEntities)
	for i, e := range g.entSorted {
		e.rank, e.fromRank = uint32(i+1), uint32(i+1)
		// A key that is a prefix of others is directly followed by one.
		if i+1 < len(g.entSorted) && strings.HasPrefix(g.entSorted[i+1].Key, e.Key) {
			e.fromRank = 0
		}
	}
}

// Relationships returns every relationship sorted by key, in a new slice
// the caller may keep or change. The sorted order is kept between calls, so
// a call sorts only the relationships added since the last one.
//
// Those are ordered by integer ranks where the ranks decide what comparing
// the key strings would: the rank of their From entity in key order
// (unless its key is a prefix of another's), then, for equal From and
// verb, the rank of their To entity (unless a tail follows To). Custom
// keys and the rest are compared as strings.
func (g *Graph) Relationships() []*Relationship {
	g.sortMu.Lock()
	defer g.sortMu.Unlock()
	if n := len(g.sorted); n < g.rels.n {
		g.sortEntities()
		rs := relSorter{g: g}
		added := make([]relRank, g.rels.n-n)
		for i := range added {
			pos := int32(n + i)
			added[i].pos = pos
			if r := g.rels.at(pos); !r.form.custom() {
				added[i].from, added[i].mid = g.fromRank(r.From), rs.midID(r.mid())
				if r.form == nil || r.form.tail == "" {
					added[i].to = g.rank(r.To)
				}
			}
		}
		pos := make([]int32, 0, len(added))
		sortParallel(added, rs.compare, func(a relRank) { pos = append(pos, a.pos) })
		g.sorted = mergeSorted(g.sorted, pos, g.compare)
	}
	out := make([]*Relationship, len(g.sorted))
	for i, pos := range g.sorted {
		out[i] = g.rels.at(pos)
	}
	return out
}

// rank and fromRank are the ranks of the entity with key k (0 for none).
func (g *Graph) rank(k string) uint32 {
	if e := g.entities[k]; e != nil {
		return e.rank
	}
	return 0
}

func (g *Graph) fromRank(k string) uint32 {
	if e := g.entities[k]; e != nil {
		return e.fromRank
	}
	return 0
}

// relRank is a relationship being sorted with the ranks of its ends: from
// is its From's fromRank, to its To's rank when nothing follows To in its
// key (0: compare the key as a string).
type relRank struct {
	from, to uint32
	pos      int32
	mid      int32 // the key's middle: relSorter.mids[mid]
}

// relSorter orders relationships by key (relRank).
type relSorter struct {
	g    *Graph
	mids []string // the key middles (verbs) seen: a handful
}

// midID returns the number of a key middle.
func (rs *relSorter) midID(mid string) int32 {
	for i, m := range rs.mids {
		if m == mid {
			return int32(i)
		}
	}
	rs.mids = append(rs.mids, mid)
	return int32(len(rs.mids) - 1)
}

// compare orders two relationships by key, by their ends' ranks where
// those decide.
func (rs *relSorter) compare(a, b relRank) int {
	if a.from != 0 && b.from != 0 {
		if a.from != b.from {
			return cmp.Compare(a.from, b.from)
		}
		// One From: the middles and then To (and tail) decide.
		if a.mid != b.mid {
			ma, mb := rs.mids[a.mid], rs.mids[b.mid]
			n := min(len(ma), len(mb))
			if c := strings.Compare(ma[:n], mb[:n]); c != 0 {
				return c
			}
		} else if a.to != 0 && b.to != 0 && a.to != b.to {
			return cmp.Compare(a.to, b.to)
		}
	}
	return rs.g.compare(a.pos, b.pos)
}

// mid is the part of a relationship's key between its ends.
func (r *Relationship) mid() string {
	if r.form != nil {
		return r.form.mid
	}
	return lowerVerb(r.Class)
}

// compare orders the relationships at two positions by key.
func (g *Graph) compare(a, b int32) int { return CompareRelationships(g.rels.at(a), g.rels.at(b)) }

// sortParallel sorts s by cmp, a large one in two halves on two
// goroutines, and calls emit with its elements in order (the halves
// merged as they are emitted: no copy).
func sortParallel[T any](s []T, cmp func(a, b T) int, emit func(T)) {
	half := len(s)
	if len(s) >= parallelSort {
		half = len(s) / 2
		var wg sync.WaitGroup
		wg.Go(func() { slices.SortFunc(s[half:], cmp) })
		slices.SortFunc(s[:half], cmp)
		wg.Wait()
	} else {
		slices.SortFunc(s, cmp)
	}
	a, b := s[:half], s[half:]
	for len(a) > 0 && len(b) > 0 {
		if cmp(a[0], b[0]) <= 0 {
			emit(a[0])
			a = a[1:]
		} else {
			emit(b[0])
			b = b[1:]
		}
	}
	for _, x := range a {
		emit(x)
	}
	for _, x := range b {
		emit(x)
	}
}

// parallelSort is the length from which sortParallel uses two goroutines
// (a variable for the tests).
var parallelSort = 1 << 15

// mergeSorted merges two lists sorted by cmp into a new one (a itself
// when b is empty, b when a is).
func mergeSorted[T any](a, b []T, cmp func(a, b T) int) []T {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]T, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if cmp(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Document is the `--graph-out` JSON shape: {"entities": [...], "relationships": [...]}.
type Document struct {
	Entities      []*Entity       `json:"entities"`
	Relationships []*Relationship `json:"relationships"`
}

// Document returns the graph in its sorted, serialisable form.
func (g *Graph) Document() Document {
	return Document{Entities: g.Entities(), Relationships: g.Relationships()}
}
