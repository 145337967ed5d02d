package snapaudit.rules.workspaces_volume_unencrypted_test

import data.lib
import data.snapaudit.rules.workspaces_volume_unencrypted as check

_ws(root, user) := {
	"_key": "arn:aws:workspaces:us-east-1:111122223333:workspace/ws-1", "_type": "aws_workspace", "_class": ["Host"],
	"id": "ws-1", "name": "WSAMZN-1", "userName": "carol", "accountId": "111122223333", "region": "us-east-1",
	"rootVolumeEncryptionEnabled": root, "userVolumeEncryptionEnabled": user,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_both_unencrypted if {
	_only(_ws(false, false)) == lib.fail(_ws(false, false), "workspace ws-1 (WSAMZN-1, user carol): the root and user volumes are not encrypted")
}

test_fail_user_volume if _only(_ws(true, false)).message == "workspace ws-1 (WSAMZN-1, user carol): the user volume is not encrypted"

test_fail_root_volume_with_user_unknown if _only(_ws(false, null)).status == "FAIL"

test_pass_encrypted if _only(_ws(true, true)).status == "PASS"

test_pass_unnamed_workspace_named_by_id_and_user if {
	w := object.union(_ws(true, true), {"name": "ws-1"})
	_only(w).message == "workspace ws-1 (user carol): the root and user volumes are encrypted"
}

test_error_unknown if _only(_ws(true, null)).message == "workspace ws-1 (WSAMZN-1, user carol): whether the user volume is encrypted is unknown"

test_error_absent if _only(object.remove(_ws(true, true), ["rootVolumeEncryptionEnabled", "userVolumeEncryptionEnabled"])).status == "ERROR"
