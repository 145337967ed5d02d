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
// A Graph is built by one goroutine and read by many; it is not safe for
// concurrent mutation.
package graph
