# METADATA
# title: Misplaced check
# description: Has an id but lives outside data.snapaudit.rules.
# custom:
#   id: ACME-MISPLACED-001
#   severity: low
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Move it under snapaudit.rules.
package acme.checks.misplaced

findings contains "x" if false
