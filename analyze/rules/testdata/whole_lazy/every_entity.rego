# METADATA
# title: Sees every entity and relationship
# description: >-
#   Test check: iterates over every entity, relationship and adjacency entry
#   of the input and reports each, so a lazy input that hid an entry shows.
# custom:
#   id: ACME-WHOLE-001
#   severity: info
#   resource_types: [aws_instance]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.whole.every_entity

import data.lib

findings contains f if {
	some k, e in input.entities
	f := lib.pass(e, sprintf("entity %s of type %s", [k, e._type]))
}

findings contains f if {
	some k, r in input.relationships
	f := lib.pass(input.entities[r._fromEntityKey], sprintf("relationship %s %s", [k, r._class]))
}

findings contains f if {
	some from, verbs in input.out
	some verb, edges in verbs
	some edge in edges
	f := lib.pass(lib.entity(from), sprintf("out %s %s %s", [verb, edge.key, edge.rel]))
}

findings contains f if {
	some to, verbs in input["in"]
	some verb, edges in verbs
	some edge in edges
	f := lib.pass(lib.entity(to), sprintf("in %s %s %s", [verb, edge.key, edge.rel]))
}

# Whole-object builtins the lazy objects answer themselves.
findings contains f if {
	k := min(object.keys(input.entities))
	e := input.entities[k]
	e in input.entities
	k, e in input.entities
	f := lib.pass(e, sprintf("%d entities, %d relationships, %d with edges out, %d with edges in, %d out keys", [
		count(input.entities), count(input.relationships), count(input.out), count(input["in"]),
		count(object.keys(input.out)),
	]))
}

findings contains f if {
	some k in object.keys(input.out)
	edges := object.get(input.out, [k, "PROTECTS"], [])
	count(edges) > 0
	f := lib.pass(input.entities[k], sprintf("protects %d", [count(edges)]))
}

# Truth of lazy objects: no conversion.
findings contains f if {
	some k, e in input.entities
	not input.out[k]
	input["in"]
	f := lib.pass(e, sprintf("no edges out: %s", [k]))
}

# One property of an entity, read alone.
findings contains f if {
	some e in lib.resources_of_type("aws_instance")
	e.cpu > 1000
	f := lib.pass(e, sprintf("cpu %v", [e.cpu]))
}
