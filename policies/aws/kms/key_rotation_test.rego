package snapaudit.rules.kms_key_rotation_test

import data.lib
import data.snapaudit.rules.kms_key_rotation as check

_key(extra) := object.union(
	{
		"_key": "arn:aws:kms:eu-west-1:111122223333:key/k1", "_type": "aws_kms_key", "_class": ["CryptoKey"],
		"id": "k1", "name": "alias/app-data", "accountId": "111122223333", "region": "eu-west-1",
		"keyManager": "CUSTOMER", "keySpec": "SYMMETRIC_DEFAULT", "enabled": true, "keyState": "Enabled",
		"origin": "AWS_KMS", "rotationEnabled": true,
	},
	extra,
)

_findings(k) := fs if {
	fs := check.findings with input as lib.build_input([k], [])
}

_only(k) := f if {
	fs := _findings(k)
	count(fs) == 1
	some f in fs
}

test_pass_rotation_enabled if {
	f := _only(_key({"rotationPeriodInDays": 365}))
	f == lib.pass(_key({"rotationPeriodInDays": 365}), "KMS key alias/app-data (k1): automatic key rotation is enabled (every 365 days)")
}

test_fail_rotation_disabled if {
	f := _only(_key({"rotationEnabled": false}))
	f.status == "FAIL"
	f.message == "KMS key alias/app-data (k1): automatic key rotation is disabled"
}

test_error_rotation_unread if {
	f := _only(_key({"rotationEnabled": null}))
	f.status == "ERROR"
	f.message == "KMS key alias/app-data (k1): its rotation status could not be read"
}

test_error_rotation_absent if {
	k := json.remove(_key({}), ["rotationEnabled"])
	_only(k).status == "ERROR"
}

test_error_facts_unknown if {
	f := _only(_key({"keySpec": null, "origin": null}))
	f.status == "ERROR"
	f.message == "KMS key alias/app-data (k1): keySpec, origin unknown, so whether rotation is required is unknown"
}

test_not_judged_aws_managed if count(_findings(_key({"keyManager": "AWS", "rotationEnabled": null}))) == 0

test_not_judged_asymmetric if count(_findings(_key({"keySpec": "RSA_2048", "rotationEnabled": null}))) == 0

test_not_judged_disabled if count(_findings(_key({"enabled": false, "keyState": "PendingDeletion", "rotationEnabled": null}))) == 0

test_not_judged_imported_material if count(_findings(_key({"origin": "EXTERNAL", "rotationEnabled": false}))) == 0

test_name_without_alias if {
	f := _only(_key({"name": "k1", "rotationEnabled": false}))
	f.message == "KMS key k1: automatic key rotation is disabled"
}
