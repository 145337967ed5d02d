# METADATA
# title: EBS snapshot is public or shared with other accounts
# description: >-
#   An EBS snapshot the account owns can be restored outside it: its
#   createVolumePermission names the group "all" (property public: anyone can
#   create a volume from it and read the disk), or names other AWS accounts
#   (properties shared and sharedWithAccounts, from
#   ec2:DescribeSnapshotAttribute). A public snapshot FAILs with severity
#   critical; one shared with named accounts FAILs with severity medium and
#   names them, for review (sharing with a backup or partner account can be
#   intended; list those accounts in data.snapaudit.config.
#   snapshot_trusted_accounts to PASS them). When public or shared is unknown
#   (absent or null: the attribute call failed or was not made) the snapshot
#   is an ERROR, never a PASS.
# custom:
#   id: AWS-EC2-003
#   severity: critical
#   resource_types:
#     - aws_ebs_snapshot
#   frameworks:
#     - AWS Foundational Security Best Practices EC2.1
#   remediation: >-
#     Remove the public permission (aws ec2 modify-snapshot-attribute
#     --attribute createVolumePermission --operation-type remove --group-names
#     all), remove accounts that should not restore it (--user-ids), turn on
#     block public access for EBS snapshots (aws ec2
#     enable-snapshot-block-public-access), and share encrypted snapshots only
#     with a customer managed KMS key the other account must be granted.
package snapaudit.rules.ec2_ebs_snapshot_public

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
	some key in object.get(input.resource_types, "aws_ebs_snapshot", [])
	s := input.entities[key]
	verdict := lib.sharing_verdict(
		object.get(s, "public", null), object.get(s, "shared", null), object.get(s, "sharedWithAccounts", null),
		"any AWS account can create a volume from it", trusted,
	)
	f := object.union(verdict.finding, {"resource_key": s._key, "message": sprintf("snapshot %s%s", [object.get(s, "id", s._key), verdict.text])})
}
