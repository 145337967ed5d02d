# METADATA
# title: S3 bucket versioning is off
# description: ACME requires versioning on every bucket so deleted objects can be restored.
# custom:
#   id: ACME-S3-001
#   severity: medium
#   resource_types: [aws_s3_bucket]
#   frameworks: ["ACME storage standard 4.1"]
#   remediation: Enable versioning on the bucket.
package snapaudit.rules.acme.s3_versioning

import data.acme.helpers
import data.lib

findings contains f if {
	some b in lib.entities_of_type("aws_s3_bucket")
	not helpers.versioned(b)
	f := lib.fail(b, sprintf("bucket %s has versioning off", [b.name]))
}

findings contains f if {
	some b in lib.entities_of_type("aws_s3_bucket")
	helpers.versioned(b)
	f := lib.pass(b, sprintf("bucket %s is versioned", [b.name]))
}
