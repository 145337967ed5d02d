# METADATA
# title: RDS DB snapshot is public or shared with other accounts
# description: >-
#   A manual DB snapshot the account owns can be restored outside it: its
#   restore attribute names "all" (property public: any AWS account can
#   restore a DB instance from it and read the data), or names other AWS
#   accounts (properties shared and sharedWithAccounts, from
#   rds:DescribeDBSnapshotAttributes). Automated snapshots cannot be shared.
#   A public snapshot FAILs with severity critical; one shared with named
#   accounts FAILs with severity medium and names them, for review (list the
#   accounts it may be shared with in data.snapaudit.config.
#   snapshot_trusted_accounts to PASS them). When public or shared is unknown
#   (the attribute call failed or was not made) the snapshot is an ERROR,
#   never a PASS.
# custom:
#   id: AWS-RDS-001
#   severity: critical
#   resource_types:
#     - aws_db_snapshot
#   frameworks:
#     - AWS Foundational Security Best Practices RDS.1
#   remediation: >-
#     Remove the public permission (aws rds modify-db-snapshot-attribute
#     --attribute-name restore --values-to-remove all), remove accounts that
#     should not restore it (--values-to-remove ACCOUNT), and share only
#     encrypted snapshots with a customer managed KMS key the other account
#     must be granted.
package snapaudit.rules.rds_db_snapshot_public

import data.lib

# Accounts a snapshot may be shared with without a finding.
trusted_accounts := lib.config("snapshot_trusted_accounts", [])

# The verdict is lib.sharing_verdict's, from the snapshot's properties (one
# verdict per distinct combination, cached); the finding is written out
# (a Rego function call per snapshot costs OPA more than the object).
findings contains f if {
	trusted := trusted_accounts

	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_db_snapshot", [])
	s := input.entities[key]
	verdict := lib.sharing_verdict(
		object.get(s, "public", null), object.get(s, "shared", null), object.get(s, "sharedWithAccounts", null),
		"any AWS account can restore a DB instance from it", trusted,
	)
	f := object.union(verdict.finding, {"resource_key": s._key, "message": sprintf("DB snapshot %s%s", [object.get(s, "id", s._key), verdict.text])})
}
