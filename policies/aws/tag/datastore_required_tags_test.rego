package snapaudit.rules.datastore_required_tags_test

import data.lib
import data.snapaudit.rules.datastore_required_tags as check

_bucket(tags) := object.union(
	{
		"_key": "arn:aws:s3:::audit-logs",
		"_type": "aws_s3_bucket",
		"_class": ["DataStore"],
		"name": "audit-logs",
		"accountId": "111122223333",
		"region": "eu-west-1",
	},
	{sprintf("tag.%s", [k]): v | some k, v in tags},
)

_volume(tags) := object.union(
	{
		"_key": "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123456789abcdef0",
		"_type": "aws_ebs_volume",
		"_class": ["DataStore", "Disk"],
		"name": "data",
		"accountId": "111122223333",
		"region": "eu-west-1",
	},
	{sprintf("tag.%s", [k]): v | some k, v in tags},
)

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_no_tags if {
	f := _only(_bucket({}))
	f.status == "FAIL"
	f.message == "aws_s3_bucket audit-logs is missing required tag(s): Classification, Owner"
}

test_fail_missing_owner if {
	f := _only(_volume({"Classification": "internal", "Name": "data"}))
	f.status == "FAIL"
	f.message == "aws_ebs_volume data is missing required tag(s): Owner"
}

test_fail_empty_value_counts_as_missing if {
	f := _only(_bucket({"Classification": "", "Owner": "team-a"}))
	f.status == "FAIL"
	endswith(f.message, "missing required tag(s): Classification")
}

test_fail_null_value_counts_as_missing if _only(_bucket({"Classification": null, "Owner": "team-a"})).status == "FAIL"

test_fail_tag_names_are_case_sensitive if _only(_bucket({"classification": "internal", "owner": "team-a"})).status == "FAIL"

test_fail_configured_tags if {
	fs := check.findings with input as lib.build_input([_bucket({"Classification": "internal", "Owner": "team-a"})], [])
		with data.snapaudit.config as {"required_tags": ["Owner", "CostCenter"]}
	[f.status | some f in fs] == ["FAIL"]
	some f in fs
	endswith(f.message, "missing required tag(s): CostCenter")
}

test_pass_both_tags if {
	f := _only(_bucket({"Classification": "confidential", "Owner": "security@example.com"}))
	f.status == "PASS"
	f.message == "aws_s3_bucket audit-logs has the required tags: Classification, Owner"
}

test_pass_converted_values if {
	# J1 converts tag values: "true" -> true, "42" -> 42; both are present values.
	_only(_volume({"Classification": true, "Owner": 42})).status == "PASS"
}

test_pass_configured_tags if {
	fs := check.findings with input as lib.build_input([_bucket({"Owner": "team-a"})], [])
		with data.snapaudit.config as {"required_tags": ["Owner"]}
	[f.status | some f in fs] == ["PASS"]
}

test_pass_non_datastores_ignored if {
	instance := {"_key": "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "_type": "aws_instance", "_class": ["Host"]}
	fs := check.findings with input as lib.build_input([instance], [])
	count(fs) == 0
}

test_pass_and_fail_per_store if {
	fs := check.findings with input as lib.build_input([_bucket({"Classification": "public", "Owner": "web"}), _volume({})], [])
	{[f.resource_key, f.status] | some f in fs} == {
		["arn:aws:s3:::audit-logs", "PASS"],
		["arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123456789abcdef0", "FAIL"],
	}
}

test_fail_missing_tags_in_configured_order if {
	fs := check.findings with input as lib.build_input([_bucket({})], [])
		with data.snapaudit.config as {"required_tags": ["Owner", "CostCenter", "Classification"]}
	some f in fs
	f.status == "FAIL"
	endswith(f.message, "missing required tag(s): Owner, CostCenter, Classification")
}
