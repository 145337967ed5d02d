# METADATA
# title: Iterates an entity
# description: >-
#   Test check: uses an entity as a whole value, which a lazy entity cannot
#   take part in; the engine evaluates it again on whole entities.
# custom:
#   id: ACME-ENTITY-004
#   severity: info
#   resource_types: [aws_security_group]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.entity.iterate

import data.lib

findings contains f if {
	some e in lib.resources_of_type("aws_security_group")
	rebuilt := {k: v | some k, v in e}
	rebuilt == e
	f := lib.pass(e, sprintf("%s rebuilt: %d keys, %v", [e._key, count(rebuilt), object.keys(e)]))
}
