# METADATA
# title: Uses the entities object whole
# description: >-
#   Test check: compares and serialises input.entities as a value, which a
#   lazy object cannot take part in; the engine gives it the fully converted
#   input.
# custom:
#   id: ACME-WHOLE-002
#   severity: info
#   resource_types: [aws_instance]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.acme.whole.marshal

import data.lib

all_entities := input.entities

_in_json := count(json.unmarshal(json.marshal(input.entities)))

_not_empty if {
	all_entities != {}
	{} != all_entities
}

findings contains f if {
	_not_empty
	some k, e in all_entities
	f := lib.pass(e, sprintf("entity %s, %d in the JSON", [k, _in_json]))
}
