# METADATA
# title: Parses a bad document
# description: Calls json.unmarshal on text that is not JSON; with strict builtin errors this must surface.
# custom:
#   id: ACME-STRICT-001
#   severity: low
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Check json.is_valid first.
package snapaudit.rules.strict_error

import data.lib

findings contains f if {
	some b in lib.entities_of_type("aws_s3_bucket")
	doc := json.unmarshal(b.policy)
	f := lib.fail(b, sprintf("%v", [doc]))
}
