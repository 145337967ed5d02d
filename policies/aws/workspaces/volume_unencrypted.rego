# METADATA
# title: WorkSpaces volume not encrypted
# description: >-
#   A workspace's root volume (rootVolumeEncryptionEnabled) or user volume
#   (userVolumeEncryptionEnabled) is not encrypted at rest: the user's
#   profile, documents and cached credentials are stored in clear on the
#   volume and its snapshots. Both encrypted PASSes. A workspace for which
#   either setting is unknown (absent or null) is an ERROR; one of them false
#   still FAILs.
# custom:
#   id: AWS-WORKSPACES-001
#   severity: medium
#   resource_types:
#     - aws_workspace
#   frameworks:
#     - AWS Foundational Security Best Practices WorkSpaces.1
#     - AWS Foundational Security Best Practices WorkSpaces.2
#   remediation: >-
#     Encryption cannot be turned on for an existing workspace: create a new
#     workspace with root and user volume encryption on (a KMS key of the
#     account), move the user's data to it, and remove the old one.
package snapaudit.rules.workspaces_volume_unencrypted

import data.lib

_volumes := [["root", "rootVolumeEncryptionEnabled"], ["user", "userVolumeEncryptionEnabled"]]

findings contains f if {
	some w in lib.resources_of_type("aws_workspace")
	count(_clear(w)) > 0
	f := lib.fail(w, sprintf("workspace %s: the %s not encrypted", [_name(w), _volume_text(_clear(w))]))
}

findings contains f if {
	some w in lib.resources_of_type("aws_workspace")
	count(_clear(w)) == 0
	count(_unknown(w)) > 0
	f := lib.error(w, sprintf("workspace %s: whether the %s encrypted is unknown", [_name(w), _volume_text(_unknown(w))]))
}

findings contains f if {
	some w in lib.resources_of_type("aws_workspace")
	count(_clear(w)) == 0
	count(_unknown(w)) == 0
	f := lib.pass(w, sprintf("workspace %s: the root and user volumes are encrypted", [_name(w)]))
}

_clear(w) := [v | some [v, p] in _volumes; object.get(w, p, null) == false]

_unknown(w) := [v | some [v, p] in _volumes; not is_boolean(object.get(w, p, null))]

_volume_text(vs) := sprintf("%s volume is", [vs[0]]) if count(vs) == 1

else := "root and user volumes are"

_name(w) := sprintf("%s (%s, user %s)", [w.id, w.name, w.userName]) if {
	is_string(w.name)
	w.name != w.id
	is_string(w.userName)
} else := sprintf("%s (user %s)", [w.id, w.userName]) if {
	is_string(w.userName)
} else := object.get(w, "id", w._key)
