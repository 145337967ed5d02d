# METADATA
# title: No id
# description: A check whose METADATA lacks custom.id.
# custom:
#   severity: low
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Add an id.
package snapaudit.rules.missing_id

findings contains "x" if false
