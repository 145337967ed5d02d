# METADATA
# title: Duplicate id
# description: Reuses the id of a built-in check.
# custom:
#   id: AWS-EC2-001
#   severity: low
#   resource_types: [aws_security_group]
#   frameworks: []
#   remediation: Pick your own id.
package snapaudit.rules.acme.copy_of_ec2

findings contains "x" if false
