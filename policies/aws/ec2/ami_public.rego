# METADATA
# title: AMI owned by the account is public
# description: >-
#   An AMI the account owns has a launch permission for the group "all"
#   (property public, from ec2:DescribeImages Public, which the collector asks
#   for the account's own images only): anyone can launch it and read what it
#   contains, including data and credentials baked into its snapshots. An AMI
#   whose public flag is unknown (absent or null) is an ERROR, never a PASS.
#   Sharing with named accounts is not a finding here (the launch permissions
#   per account are not collected).
# custom:
#   id: AWS-EC2-002
#   severity: high
#   resource_types:
#     - aws_ami
#   frameworks: []
#   remediation: >-
#     Remove the public launch permission (aws ec2 modify-image-attribute
#     --launch-permission "Remove=[{Group=all}]"), share the AMI with the
#     accounts that need it instead, and turn on the account's block public
#     access for AMIs (aws ec2 enable-image-block-public-access).
package snapaudit.rules.ec2_ami_public

import data.lib

findings contains f if {
	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_ami", [])
	ami := input.entities[key]
	f := _verdict(ami, object.get(ami, "public", null))
}

_verdict(ami, true) := lib.fail(ami, sprintf("AMI %s is public: any AWS account can launch it and copy its snapshots", [_name(ami)]))

_verdict(ami, false) := lib.pass(ami, sprintf("AMI %s is not public", [_name(ami)]))

_verdict(ami, v) := lib.error(ami, sprintf("AMI %s: whether it is public is unknown (public is %v)", [_name(ami), v])) if not is_boolean(v)

_name(e) := sprintf("%s (%s)", [e.id, e.name]) if {
	is_string(e.name)
	e.name != e.id
} else := object.get(e, "id", e._key)
