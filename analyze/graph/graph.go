package graph

import (
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
)

// Entity is one node of the graph.
type Entity struct {
	Key   string
	Type  string
	Class []string
	// Properties holds every property except _key, _type and _class.
	// Values are JSON-compatible: string, bool, float64/int64, nil,
	// []any, []string, map[string]any.
	Properties map[string]any
}

// Get returns a property value (nil when absent).
func (e *Entity) Get(name string) any { return e.Properties[name] }

// String returns a string property, "" when absent or not a string.
func (e *Entity) String(name string) string {
	s, _ := e.Properties[name].(string)
	return s
}

// Set sets a property, allocating the map when needed.
func (e *Entity) Set(name string, v any) {
	if e.Properties == nil {
		e.Properties = map[string]any{}
	}
	e.Properties[name] = v
}

// MarshalJSON writes the entity flat, J1 style.
func (e *Entity) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(e.Properties)+3)
	for k, v := range e.Properties {
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
	e.Properties = m
	return nil
}

// Relationship is one directed edge of the graph.
type Relationship struct {
	Key   string
	Type  string
	Class string // the J1 verb: HAS, CONTAINS, USES, PROTECTS, TRUSTS, ALLOWS, ...
	From  string // _fromEntityKey
	To    string // _toEntityKey
	// Properties holds every property except _key, _type, _class,
	// _fromEntityKey and _toEntityKey.
	Properties map[string]any
}

// Set sets a property, allocating the map when needed.
func (r *Relationship) Set(name string, v any) {
	if r.Properties == nil {
		r.Properties = map[string]any{}
	}
	r.Properties[name] = v
}

// MarshalJSON writes the relationship flat, J1 style.
func (r *Relationship) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Properties)+6)
	for k, v := range r.Properties {
		m[k] = v
	}
	m["_key"] = r.Key
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
	r.Key, _ = m["_key"].(string)
	r.Type, _ = m["_type"].(string)
	r.Class, _ = m["_class"].(string)
	r.From, _ = m["_fromEntityKey"].(string)
	r.To, _ = m["_toEntityKey"].(string)
	for _, k := range []string{"_key", "_type", "_class", "_fromEntityKey", "_toEntityKey"} {
		delete(m, k)
	}
	r.Properties = m
	return nil
}

// RelationshipKey is J1's default relationship key: fromKey|verb|toKey.
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
	return &Relationship{
		Key:        RelationshipKey(from.Key, verb, to.Key),
		Type:       RelationshipType(from.Type, verb, to.Type),
		Class:      verb,
		From:       from.Key,
		To:         to.Key,
		Properties: props,
	}
}

// Graph is a set of entities and relationships indexed by key.
type Graph struct {
	entities map[string]*Entity
	rels     map[string]*Relationship
	byType   map[string][]*Entity

	// Relationships in insertion order, and the sorted view of the first
	// len(sortedRels) of them: Relationships sorts only what was added since
	// its last call and merges it in (the IAM derivation and the checks ask
	// for the sorted list on a graph of millions of relationships).
	relOrder   []*Relationship
	sortMu     sync.Mutex
	sortedRels []*Relationship
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{
		entities: map[string]*Entity{},
		rels:     map[string]*Relationship{},
		byType:   map[string][]*Entity{},
	}
}

// AddEntity adds e. When an entity with the same key exists already the
// existing one is kept, e's properties that it lacks are merged into it, and
// AddEntity returns the existing entity and false.
func (g *Graph) AddEntity(e *Entity) (*Entity, bool) {
	if old, ok := g.entities[e.Key]; ok {
		for k, v := range e.Properties {
			if _, has := old.Properties[k]; !has {
				old.Set(k, v)
			}
		}
		return old, false
	}
	if e.Properties == nil {
		e.Properties = map[string]any{}
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

// AddRelationship adds r. Both ends must exist. A relationship whose key
// exists already is not added again (its properties are merged).
func (g *Graph) AddRelationship(r *Relationship) error {
	if g.entities[r.From] == nil {
		return fmt.Errorf("relationship %s: no entity %q", r.Key, r.From)
	}
	if g.entities[r.To] == nil {
		return fmt.Errorf("relationship %s: no entity %q", r.Key, r.To)
	}
	if old, ok := g.rels[r.Key]; ok {
		for k, v := range r.Properties {
			if _, has := old.Properties[k]; !has {
				old.Set(k, v)
			}
		}
		return nil
	}
	g.rels[r.Key] = r
	g.relOrder = append(g.relOrder, r)
	return nil
}

// Relationship returns the relationship with the given key, or nil.
func (g *Graph) Relationship(key string) *Relationship { return g.rels[key] }

// Len returns the number of entities and relationships.
func (g *Graph) Len() (entities, relationships int) { return len(g.entities), len(g.rels) }

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

// Entities returns every entity sorted by key.
func (g *Graph) Entities() []*Entity {
	out := make([]*Entity, 0, len(g.entities))
	for _, e := range g.entities {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *Entity) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Relationships returns every relationship sorted by key, in a new slice
// the caller may keep or change. The sorted order is kept between calls, so
// a call sorts only the relationships added since the last one.
func (g *Graph) Relationships() []*Relationship {
	g.sortMu.Lock()
	defer g.sortMu.Unlock()
	if n := len(g.sortedRels); n < len(g.relOrder) {
		added := slices.Clone(g.relOrder[n:])
		slices.SortFunc(added, compareRelationships)
		g.sortedRels = mergeSorted(g.sortedRels, added)
	}
	return slices.Clone(g.sortedRels)
}

func compareRelationships(a, b *Relationship) int { return strings.Compare(a.Key, b.Key) }

// mergeSorted merges two slices sorted by key into a new one.
func mergeSorted(a, b []*Relationship) []*Relationship {
	if len(a) == 0 {
		return b
	}
	out := make([]*Relationship, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].Key < b[0].Key {
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
