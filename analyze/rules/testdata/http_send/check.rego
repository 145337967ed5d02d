# METADATA
# title: Calls out
# description: Tries to reach the network.
# custom:
#   id: ACME-NET-001
#   severity: low
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Do not.
package snapaudit.rules.http_send

import data.lib

findings contains f if {
	some b in lib.entities_of_type("aws_s3_bucket")
	resp := http.send({"method": "GET", "url": "http://127.0.0.1:1/"})
	f := lib.fail(b, resp.body)
}
