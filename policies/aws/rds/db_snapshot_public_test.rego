package snapaudit.rules.rds_db_snapshot_public_test

import data.lib
import data.snapaudit.rules.rds_db_snapshot_public as check

_snap(public, shared, accounts) := {
	"_key": "arn:aws:rds:eu-west-1:111122223333:snapshot:export", "_type": "aws_db_snapshot",
	"_class": ["DataStore", "Database", "Image"], "id": "export", "accountId": "111122223333", "region": "eu-west-1",
	"snapshotType": "manual", "public": public, "shared": shared, "sharedWithAccounts": accounts,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_public if {
	f := _only(_snap(true, false, []))
	f == lib.fail(_snap(true, false, []), "DB snapshot export is public: any AWS account can restore a DB instance from it")
}

test_fail_public_and_shared if {
	f := _only(_snap(true, true, ["444455556666"]))
	f.message == "DB snapshot export is public: any AWS account can restore a DB instance from it, and it is shared with 444455556666"
}

test_fail_shared_medium if {
	f := _only(_snap(false, true, ["444455556666"]))
	f == lib.with_severity(lib.fail(_snap(false, true, ["444455556666"]), "DB snapshot export is shared with 444455556666"), "medium")
}

test_pass_shared_with_trusted_accounts if {
	f := _only(_snap(false, true, ["444455556666"])) with data.snapaudit.config as {"snapshot_trusted_accounts": ["444455556666"]}
	f.message == "DB snapshot export is shared only with trusted accounts 444455556666"
	f.status == "PASS"
}

test_pass_automated_snapshot if _only(object.union(_snap(false, false, []), {"snapshotType": "automated"})).status == "PASS"

test_error_unknown if _only(_snap(null, null, null)).status == "ERROR"

test_error_shared_without_accounts if _only(_snap(false, true, null)).status == "ERROR"

test_placeholder_skipped if {
	fs := check.findings with input as lib.build_input([object.union(_snap(true, false, []), {"_source": "system-mapper"})], [])
	count(fs) == 0
}
