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

findings contains f if {
	some s in lib.resources_of_type("aws_ebs_snapshot")
	f := _verdict(s, object.get(s, "public", null), object.get(s, "shared", null))
}

_verdict(s, true, _) := lib.fail(s, sprintf("snapshot %s is public: any AWS account can create a volume from it%s", [_name(s), _also_shared(s)]))

_verdict(s, false, true) := lib.with_severity(lib.fail(s, sprintf("snapshot %s is shared with %s", [_name(s), concat(", ", _untrusted(s))])), "medium") if {
	count(_untrusted(s)) > 0
}

_verdict(s, false, true) := lib.pass(s, sprintf("snapshot %s is shared only with trusted accounts %s", [_name(s), concat(", ", lib.list(s, "sharedWithAccounts"))])) if {
	count(lib.list(s, "sharedWithAccounts")) > 0
	count(_untrusted(s)) == 0
}

_verdict(s, false, true) := lib.error(s, sprintf("snapshot %s is shared, but the accounts it is shared with are unknown", [_name(s)])) if {
	count(lib.list(s, "sharedWithAccounts")) == 0
}

_verdict(s, false, false) := lib.pass(s, sprintf("snapshot %s is neither public nor shared with other accounts", [_name(s)]))

_verdict(s, public, shared) := lib.error(s, sprintf("snapshot %s: whether it is public or shared is unknown (public %v, shared %v)", [_name(s), public, shared])) if {
	not _known(public, shared)
}

_known(true, _)

_known(false, shared) if is_boolean(shared)

_untrusted(s) := [a | some a in lib.list(s, "sharedWithAccounts"); not a in trusted_accounts]

_also_shared(s) := sprintf(", and it is shared with %s", [concat(", ", lib.list(s, "sharedWithAccounts"))]) if {
	count(lib.list(s, "sharedWithAccounts")) > 0
} else := ""

_name(s) := object.get(s, "id", s._key)
