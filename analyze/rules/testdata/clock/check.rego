# METADATA
# title: Reports the evaluation date
# description: Shows which clock time builtins see.
# custom:
#   id: ACME-CLOCK-001
#   severity: info
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: None.
package snapaudit.rules.clock

import data.lib

findings contains f if {
	some b in lib.entities_of_type("aws_s3_bucket")
	print("clock check sees bucket", b.name)
	[y, m, d] := time.date(time.now_ns())
	f := lib.pass(b, sprintf("evaluated on %d-%02d-%02d", [y, m, d]))
}
