# METADATA
# title: Iterates a relationship
# description: >-
#   Test check: uses a relationship as a whole value, which a lazy one cannot
#   take part in; the engine evaluates it again on whole entities.
# custom:
#   id: ACME-ENTITY-005
#   severity: info
#   resource_types: [aws_security_group]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.entity.relationship

import data.lib

findings contains f if {
	some k, r in input.relationships
	rebuilt := {n: v | some n, v in r}
	rebuilt == r
	f := lib.pass(input.entities[r._fromEntityKey], sprintf("%s rebuilt: %v", [k, object.keys(r)]))
}
