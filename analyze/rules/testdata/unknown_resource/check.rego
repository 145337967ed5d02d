# METADATA
# title: Reports a resource that is not in the graph
# description: A finding whose resource_key names no entity.
# custom:
#   id: ACME-UNKNOWN-001
#   severity: info
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Report entities of the input.
package snapaudit.rules.unknown_resource

import data.lib

findings contains lib.fail({"_key": "arn:aws:s3:::not-in-graph"}, "ghost")
