# METADATA
# title: Copies an entity
# description: >-
#   Test check: uses an entity as a whole value, which a lazy entity cannot
#   take part in; the engine evaluates it again on whole entities.
# custom:
#   id: ACME-ENTITY-001
#   severity: info
#   resource_types: [aws_security_group]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.entity.copy

import data.lib

# A real copy of an entity equals it, in either order.
findings contains f if {
	some e in lib.resources_of_type("aws_security_group")
	c := object.union(e, {})
	c == e
	e == c
	count({c, e}) == 1
	f := lib.pass(e, sprintf("copy of %s equals it", [e._key]))
}
