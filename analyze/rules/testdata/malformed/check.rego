# METADATA
# title: Builds findings by hand, wrongly
# description: Returns findings without a status, and one with a bad severity.
# custom:
#   id: ACME-BAD-001
#   severity: low
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Use lib.fail and lib.pass.
package snapaudit.rules.malformed

import data.lib

findings contains {"resource_key": b._key, "message": "no status"} if {
	some b in lib.entities_of_type("aws_s3_bucket")
}

findings contains lib.with_severity(lib.fail(b, "bad severity"), "urgent") if {
	some b in lib.entities_of_type("aws_s3_bucket")
}
