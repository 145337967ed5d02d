# METADATA
# title: Compares an entity with another object
# description: >-
#   Test check: uses an entity as a whole value, which a lazy entity cannot
#   take part in; the engine evaluates it again on whole entities.
# custom:
#   id: ACME-ENTITY-002
#   severity: info
#   resource_types: [aws_security_group]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.entity.compare

import data.lib

findings contains f if {
	some e in lib.resources_of_type("aws_security_group")
	{} != e
	e != {}
	{"name": e.name} != e
	f := lib.pass(e, sprintf("%s is not {}: %v", [e._key, [{}, e] == sort([e, {}])]))
}
