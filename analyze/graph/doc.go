// Package graph holds the JupiterOne-style entity/relationship graph that the
// analyzer builds from a snapshot and that the Rego engine and the IAM
// derivations read.
//
// The shape follows J1's data model (see ../shared/spec/notes.md §4):
//
//   - an Entity has `_key`, `_type`, `_class` (always a list) and flat
//     properties (`name`, `displayName`, `tag.<Key>`, ...);
//   - a Relationship has `_key` = `<fromKey>|<verb lowercased>|<toKey>`,
//     `_type` = `<fromType>_<verb>_<toType minus the shared prefix>`,
//     `_class` = the verb in upper case, `_fromEntityKey`, `_toEntityKey`.
//
// # Representation
//
// The graph is compact because it is large (a million resources give about
// a million entities and six million relationships) and because a heap of
// millions of small pointer-rich objects costs the garbage collector:
//
//   - Properties are a Props: a shared, immutable shape (the names, in the
//     order they were first set, with a name -> position map past eight
//     names) and a slice of values per entity. Entities of one type are
//     built by the same code with the same names in the same order (the
//     builder flattens response fields in sorted order), so they share one
//     shape ("hidden classes"); setting a new name moves a set to the
//     shape's cached successor (a transition table shared by all graphs,
//     safe for concurrent use and bounded: past its limits a set gets a
//     private shape). Read them with Get, Lookup, Has, String, Props (an
//     iterator) and Len; PropMap copies them into a map. Iteration order
//     is the order of first Set: nothing may depend on it (the JSON
//     writers sort names). A string value made of other properties (an
//     entity's console webLink: text, region, id) may be kept as a
//     Template shared by many entities (Entity.SetTemplate, once the
//     properties are final); every accessor reads it as its string.
//   - A relationship does not store its _key: Key() derives it from the
//     ends and an interned key form (J1's default from|verb|to, or
//     from|mid|to followed by a tail, as aws_principal_access's
//     role|access|target|sessions; NewCustomRelationship keeps a key that is
//     not made of its ends). The graph keeps its relationships in a
//     chunked list in the order added and indexes their positions there by
//     a 32-bit hash of the key with every collision checked (an index with
//     no pointer for the garbage collector to scan), orders them with
//     CompareRelationships (the order of the key strings; the sorted order
//     is a list of positions, kept between calls of Relationships, which
//     sorts what was added by the integer ranks of their ends in the
//     sorted entities wherever those decide, and compares the rest as
//     strings) and finds one by key with Relationship. Entities keeps its
//     sorted order between calls too. Relationships may share one property set
//     (NewKeyedRelationship): a Set on one is then a Set on all.
//
// A Graph is built by one goroutine and read by many; it is not safe for
// concurrent mutation.
package graph
