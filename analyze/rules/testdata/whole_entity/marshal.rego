# METADATA
# title: Serialises an entity
# description: >-
#   Test check: uses an entity as a whole value, which a lazy entity cannot
#   take part in; the engine evaluates it again on whole entities.
# custom:
#   id: ACME-ENTITY-003
#   severity: info
#   resource_types: [aws_security_group]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.entity.marshal

import data.lib

findings contains f if {
	some e in lib.resources_of_type("aws_security_group")
	f := lib.pass(e, sprintf("%s in JSON: %d keys", [e._key, count(json.unmarshal(json.marshal(e)))]))
}
