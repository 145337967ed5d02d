# METADATA
# title: Bad severity
# description: A check whose severity is not in the allowed set.
# custom:
#   id: ACME-SEV-001
#   severity: urgent
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: Use critical, high, medium, low or info.
package snapaudit.rules.bad_severity

findings contains "x" if false
