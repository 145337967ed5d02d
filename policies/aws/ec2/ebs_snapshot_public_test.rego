package snapaudit.rules.ec2_ebs_snapshot_public_test

import data.lib
import data.snapaudit.rules.ec2_ebs_snapshot_public as check

_snap(public, shared, accounts) := {
	"_key": "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1", "_type": "aws_ebs_snapshot",
	"_class": ["DataStore", "Disk", "Image"], "id": "snap-1", "accountId": "111122223333", "region": "us-east-1",
	"public": public, "shared": shared, "sharedWithAccounts": accounts,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_public if {
	f := _only(_snap(true, false, []))
	f == lib.fail(_snap(true, false, []), "snapshot snap-1 is public: any AWS account can create a volume from it")
}

test_fail_public_and_shared if {
	f := _only(_snap(true, true, ["444455556666"]))
	f.status == "FAIL"
	endswith(f.message, "and it is shared with 444455556666")
	not f.severity
}

test_fail_shared_medium if {
	f := _only(_snap(false, true, ["444455556666", "777788889999"]))
	f == lib.with_severity(lib.fail(_snap(false, true, ["444455556666", "777788889999"]), "snapshot snap-1 is shared with 444455556666, 777788889999"), "medium")
}

test_fail_shared_with_an_untrusted_account if {
	f := _only(_snap(false, true, ["444455556666", "777788889999"])) with data.snapaudit.config as {"snapshot_trusted_accounts": ["444455556666"]}
	f.message == "snapshot snap-1 is shared with 777788889999"
}

test_pass_shared_with_trusted_accounts if {
	f := _only(_snap(false, true, ["444455556666"])) with data.snapaudit.config as {"snapshot_trusted_accounts": ["444455556666"]}
	f.status == "PASS"
}

test_pass_private if _only(_snap(false, false, [])).status == "PASS"

test_error_public_unknown if _only(_snap(null, false, [])).status == "ERROR"

test_error_shared_unknown if _only(_snap(false, null, [])).status == "ERROR"

test_error_shared_without_accounts if _only(_snap(false, true, null)).status == "ERROR"

test_error_absent if _only(object.remove(_snap(true, true, []), ["public", "shared"])).status == "ERROR"

# A value that is not a boolean is unknown, not private.
test_error_public_not_boolean if {
	f := _only(_snap("false", false, []))
	f.status == "ERROR"
	startswith(f.message, "snapshot snap-1: whether it is public or shared is unknown (public ")
}
