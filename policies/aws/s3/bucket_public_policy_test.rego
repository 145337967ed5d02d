package snapaudit.rules.s3_bucket_public_policy_test

import data.lib
import data.snapaudit.rules.s3_bucket_public_policy as check

_everyone := {"_key": "global:everyone", "_type": "everyone", "_class": ["UserGroup"]}

_policy := json.marshal({"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}]})

_bucket := {
	"_key": "arn:aws:s3:::assets", "_type": "aws_s3_bucket", "_class": ["DataStore"],
	"name": "assets", "accountId": "111122223333", "region": "us-east-1",
	"policy": _policy, "policyPublic": true, "restrictPublicBuckets": false,
}

# _grant(props) is a bucket ALLOWS Everyone relationship shaped as the
# derivations write it, with props overriding the defaults.
_grant(props) := object.union(
	object.union(lib.rel(_bucket, "ALLOWS", _everyone), {
		"_type": "aws_s3_bucket_allows_everyone", "effect": "Allow", "effective": true,
		"accessLevels": ["Read"], "conditionalLevels": [], "conditional": false, "conditions": null,
		"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::assets/*"], "sid": "PublicRead",
		"principal": "*", "crossAccount": true, "admin": false, "scope": "resource",
	}),
	props,
)

_findings(bucket, rels) := fs if {
	fs := check.findings with input as lib.build_input([bucket, _everyone], rels)
}

# _only(bucket, rels) is the single finding (undefined unless exactly one).
_only(bucket, rels) := f if {
	fs := _findings(bucket, rels)
	count(fs) == 1
	some f in fs
}

test_fail_public_read_is_high if {
	f := _only(_bucket, [_grant({})])
	f.status == "FAIL"
	f.severity == "high"
	f.message == "bucket assets: the bucket policy grants Read access to everyone (Principal \"*\"): s3:GetObject on arn:aws:s3:::assets/* (statement PublicRead)"
}

test_fail_public_write_is_critical if {
	f := _only(_bucket, [_grant({"accessLevels": ["Read", "Write"], "actions": ["s3:GetObject", "s3:PutObject"], "sid": "A,B"})])
	f.status == "FAIL"
	not f.severity
	f.message == "bucket assets: the bucket policy grants Read, Write access to everyone (Principal \"*\"): s3:GetObject, s3:PutObject on arn:aws:s3:::assets/* (statement A,B)"
}

test_fail_public_permissions_management_is_critical if {
	f := _only(_bucket, [_grant({"accessLevels": ["Permissions management"], "actions": ["s3:PutBucketPolicy"], "sid": ""})])
	f.status == "FAIL"
	not f.severity
	f.message == "bucket assets: the bucket policy grants Permissions management access to everyone (Principal \"*\"): s3:PutBucketPolicy on arn:aws:s3:::assets/*"
}

test_fail_conditional_is_medium_and_names_keys if {
	cond := json.marshal([{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "StringEquals": {"aws:PrincipalOrgID": "o-abc"}}])
	f := _only(_bucket, [_grant({"accessLevels": ["Read", "Write"], "conditionalLevels": ["Read", "Write"], "conditional": true, "conditions": cond})])
	f.status == "FAIL"
	f.severity == "medium"
	f.message == "bucket assets: the bucket policy grants Read, Write access only under conditions on aws:PrincipalOrgID, aws:SourceIp (review that they restrict who can use it) to everyone (Principal \"*\"): s3:GetObject on arn:aws:s3:::assets/* (statement PublicRead)"
}

test_fail_conditional_write_firm_read if {
	cond := json.marshal([{"StringEquals": {"aws:SourceVpce": "vpce-1"}}])
	f := _only(_bucket, [_grant({"accessLevels": ["Read", "Write"], "conditionalLevels": ["Write"], "conditions": cond})])
	f.status == "FAIL"
	f.severity == "high"
	contains(f.message, "grants Read access, and Write access under conditions on aws:SourceVpce, to everyone")
}

test_fail_non_narrowing_condition_counts_as_unconditional if {
	cond := json.marshal([{"Bool": {"aws:SecureTransport": "true"}}])
	f := _only(_bucket, [_grant({"accessLevels": ["Write"], "conditionalLevels": ["Write"], "conditional": true, "conditions": cond})])
	f.status == "FAIL"
	not f.severity
}

test_fail_not_principal if {
	f := _only(_bucket, [_grant({"notPrincipal": ["arn:aws:iam::111122223333:role/admin"], "principal": "arn:aws:iam::111122223333:role/admin"})])
	f.status == "FAIL"
	contains(f.message, "to everyone except arn:aws:iam::111122223333:role/admin (NotPrincipal)")
}

test_fail_status_public_without_derived_grant if {
	f := _only(_bucket, [])
	f.status == "FAIL"
	f.severity == "high"
	contains(f.message, "S3 reports the bucket policy as public")
}

test_fail_unknown_restrict_setting if {
	f := _only(object.remove(_bucket, ["restrictPublicBuckets"]), [_grant({})])
	f.status == "FAIL"
}

test_fail_actions_without_level if {
	f := _only(_bucket, [_grant({"accessLevels": [], "actions": ["s3:NewAction"]})])
	f.status == "FAIL"
	f.severity == "high"
	contains(f.message, "grants access (actions without a catalog access level) to everyone")
}

test_pass_no_policy if {
	b := object.union(object.remove(_bucket, ["policy"]), {"policyPublic": false})
	f := _only(b, [])
	f.status == "PASS"
	f.message == "bucket assets: the bucket has no bucket policy"
}

test_pass_grant_not_effective if {
	f := _only(object.union(_bucket, {"policyPublic": false}), [_grant({"effective": false})])
	f.status == "PASS"
	f.message == "bucket assets: the bucket policy grants nothing to everyone"
}

test_pass_restrict_public_buckets if {
	f := _only(object.union(_bucket, {"restrictPublicBuckets": true}), [_grant({})])
	f.status == "PASS"
	f.message == "bucket assets: the bucket policy grants Read access to everyone (Principal \"*\"), but RestrictPublicBuckets is on, so S3 ignores the public grant"
}

# Amazon S3 User Guide, access-control-block-public-access.html: S3
# applies the most restrictive combination of the bucket-level and
# account-level settings, so the account's RestrictPublicBuckets alone
# neutralises the public policy (the model's effectiveRestrictPublicBuckets).
test_pass_account_restrict_public_buckets if {
	f := _only(object.union(_bucket, {"effectiveRestrictPublicBuckets": true}), [_grant({"restrictPublicBuckets": true})])
	f.status == "PASS"
	f.message == "bucket assets: the bucket policy grants Read access to everyone (Principal \"*\"), but the account's Block Public Access has RestrictPublicBuckets on, so S3 ignores the public grant"
}

# The account's block unreadable, the bucket's off: not known to be
# restricted, so the public grant FAILs with its own severity (the
# derivation makes every level conditional on the pseudo key
# s3:restrictpublicbuckets and keeps the policy's own in
# policyConditionalLevels), and the message says the setting is unknown.
test_fail_account_restrict_unknown if {
	b := object.union(_bucket, {"effectiveRestrictPublicBuckets": null})
	f := _only(b, [_grant({
		"restrictPublicBuckets": null, "conditional": true, "conditionalLevels": ["Read"],
		"policyConditionalLevels": [], "conditionKeys": ["s3:restrictpublicbuckets"],
	})])
	f.status == "FAIL"
	f.severity == "high"
	f.message == "bucket assets: the bucket policy grants Read access to everyone (Principal \"*\"): s3:GetObject on arn:aws:s3:::assets/* (statement PublicRead); S3 ignores the grant if RestrictPublicBuckets is on, which is unknown (a public access block, the bucket's or the account's, was not read)"
}

# Unknown restriction and no derived grant, but S3 says the policy is
# public: FAIL for review, never a PASS.
test_fail_status_public_restrict_unknown if {
	f := _only(object.union(_bucket, {"effectiveRestrictPublicBuckets": null}), [])
	f.status == "FAIL"
	contains(f.message, "S3 reports the bucket policy as public")
}

# Both levels off: the grant FAILs as it always did.
test_fail_both_levels_off if {
	f := _only(object.union(_bucket, {"effectiveRestrictPublicBuckets": false}), [_grant({})])
	f.status == "FAIL"
	f.severity == "high"
}

test_pass_grant_to_other_principal if {
	role := {"_key": "arn:aws:iam::111122223333:role/web", "_type": "aws_iam_role", "_class": ["AccessRole"]}
	r := object.union(lib.rel(_bucket, "ALLOWS", role), {"effective": true, "accessLevels": ["Write"]})
	fs := check.findings with input as lib.build_input([object.union(_bucket, {"policyPublic": false}), role], [r])
	[f.status | some f in fs] == ["PASS"]
}

test_pass_and_fail_per_bucket if {
	private := object.union(_bucket, {"_key": "arn:aws:s3:::private", "name": "private", "policyPublic": false})
	fs := check.findings with input as lib.build_input([_bucket, private, _everyone], [_grant({})])
	{[f.resource_key, f.status] | some f in fs} == {["arn:aws:s3:::assets", "FAIL"], ["arn:aws:s3:::private", "PASS"]}
}

test_error_unreadable_policy if {
	f := _only(object.union(_bucket, {"policy": "{\"Statement\": ["}), [])
	f.status == "ERROR"
	contains(f.message, "not a readable policy document")
}

test_error_policy_statement_not_object if {
	f := _only(object.union(_bucket, {"policy": json.marshal({"Statement": ["Allow"]})}), [_grant({})])
	f.status == "ERROR"
}
