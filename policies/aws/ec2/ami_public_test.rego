package snapaudit.rules.ec2_ami_public_test

import data.lib
import data.snapaudit.rules.ec2_ami_public as check

_ami(public) := {
	"_key": "arn:aws:ec2:us-east-1:111122223333:image/ami-0123", "_type": "aws_ami", "_class": ["Image"],
	"id": "ami-0123", "name": "golden-2026", "accountId": "111122223333", "region": "us-east-1", "public": public,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_public if _only(_ami(true)) == lib.fail(_ami(true), "AMI ami-0123 (golden-2026) is public: any AWS account can launch it and copy its snapshots")

test_pass_private if _only(_ami(false)).status == "PASS"

test_pass_unnamed_ami_named_by_id if {
	ami := object.remove(_ami(false), ["name"])
	_only(ami).message == "AMI ami-0123 is not public"
}

test_error_unknown if _only(_ami(null)).status == "ERROR"

test_error_absent if _only(object.remove(_ami(true), ["public"])).status == "ERROR"

test_error_not_boolean if _only(_ami("true")).status == "ERROR"
