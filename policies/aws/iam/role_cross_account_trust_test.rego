package snapaudit.rules.iam_role_cross_account_trust_test

import data.lib
import data.snapaudit.rules.iam_role_cross_account_trust as check

_trust_doc := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]})

_role := {
	"_key": "arn:aws:iam::111122223333:role/vendor", "_type": "aws_iam_role", "_class": ["AccessRole"],
	"name": "vendor", "accountId": "111122223333", "assumeRolePolicyDocument": _trust_doc,
}

# Placeholders as the derivations create them for principals outside the graph.
_vendor_account := {
	"_key": "arn:aws:iam::444455556666:root", "_type": "aws_account", "_class": ["Account"],
	"_source": "system-mapper", "external": true, "accountId": "444455556666", "arn": "arn:aws:iam::444455556666:root",
}

_vendor_role := {
	"_key": "arn:aws:iam::444455556666:role/integration", "_type": "aws_iam_role", "_class": ["AccessRole"],
	"_source": "system-mapper", "external": true, "accountId": "444455556666", "arn": "arn:aws:iam::444455556666:role/integration",
	"name": "integration",
}

_sibling_account := {
	"_key": "arn:aws:iam::777788889999:root", "_type": "aws_account", "_class": ["Account"],
	"_source": "system-mapper", "external": false, "accountId": "777788889999",
}

_everyone := {"_key": "global:everyone", "_type": "everyone", "_class": ["UserGroup"]}

_ec2 := {"_key": "111122223333:aws_ec2", "_type": "aws_ec2", "_class": ["Service"], "accountId": "111122223333"}

# _trusts(to, props) is a TRUSTS relationship shaped as the derivations write it.
_trusts(to, props) := object.union(
	object.union(lib.rel(_role, "TRUSTS", to), {
		"_type": "aws_iam_role_trusts_account", "effect": "Allow", "actions": ["sts:AssumeRole"],
		"conditional": false, "conditions": null, "crossAccount": true, "externalIdRequired": false,
		"principal": object.get(to, "arn", to._key), "sid": "",
	}),
	props,
)

_cond(blocks) := {"conditional": true, "conditions": json.marshal(blocks)}

_findings(entities, rels) := fs if {
	fs := check.findings with input as lib.build_input(entities, rels)
}

# _only(to, props) is the role's single finding when it trusts `to`.
_only(to, props) := f if {
	fs := _findings([_role, to], [_trusts(to, props)])
	count(fs) == 1
	some f in fs
}

test_fail_external_account_without_condition if {
	f := _only(_vendor_account, {})
	f.status == "FAIL"
	f.message == "role vendor: principals in accounts outside the snapshot can assume it without an external ID or another condition that limits the caller: arn:aws:iam::444455556666:root (account 444455556666)"
}

test_fail_external_role if {
	f := _only(_vendor_role, {})
	f.status == "FAIL"
	contains(f.message, "arn:aws:iam::444455556666:role/integration (account 444455556666)")
}

test_fail_external_id_if_exists_does_not_protect if {
	f := _only(_vendor_account, object.union(_cond([{"StringEqualsIfExists": {"sts:ExternalId": "abc"}}]), {"externalIdRequired": true}))
	f.status == "FAIL"
	contains(f.message, "(account 444455556666; conditions on sts:ExternalId do not limit the caller)")
}

test_fail_only_secure_transport if {
	f := _only(_vendor_account, _cond([{"Bool": {"aws:SecureTransport": "true"}}]))
	f.status == "FAIL"
	contains(f.message, "conditions on aws:SecureTransport do not limit the caller")
}

test_fail_one_statement_without_condition if {
	# conditional=false: an unconditional statement also grants the trust.
	f := _only(_vendor_account, {"conditional": false, "conditions": json.marshal([{"StringEquals": {"sts:ExternalId": "abc"}}])})
	f.status == "FAIL"
	contains(f.message, "one granting statement has no Condition")
}

test_fail_web_identity_action if {
	f := _only(_vendor_account, {"actions": ["sts:AssumeRoleWithWebIdentity"]})
	f.status == "FAIL"
}

test_fail_lists_every_external_principal_sorted if {
	fs := _findings([_role, _vendor_account, _vendor_role], [_trusts(_vendor_role, {}), _trusts(_vendor_account, {})])
	[f.message | some f in fs] == ["role vendor: principals in accounts outside the snapshot can assume it without an external ID or another condition that limits the caller: arn:aws:iam::444455556666:role/integration (account 444455556666); arn:aws:iam::444455556666:root (account 444455556666)"]
}

test_pass_external_id_required if {
	f := _only(_vendor_account, object.union(_cond([{"StringEquals": {"sts:ExternalId": "abc"}}]), {"externalIdRequired": true}))
	f.status == "PASS"
	f.message == "role vendor: no principal in an account outside the snapshot can assume it without an external ID or a condition"
}

test_pass_other_narrowing_condition if {
	every blocks in [
		[{"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}],
		[{"Bool": {"aws:MultiFactorAuthPresent": "true", "aws:SecureTransport": "true"}}],
		[{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"StringEquals": {"sts:ExternalId": "x"}}],
	] {
		_only(_vendor_account, _cond(blocks)).status == "PASS"
	}
}

test_pass_account_in_snapshot if _only(_sibling_account, {}).status == "PASS"

test_pass_collected_principal_in_other_account if {
	# A collected (non-placeholder) role is in an account the snapshot covers.
	ops := {"_key": "arn:aws:iam::777788889999:role/ops", "_type": "aws_iam_role", "_class": ["AccessRole"], "name": "ops", "accountId": "777788889999", "assumeRolePolicyDocument": _trust_doc}
	fs := _findings([_role, ops], [_trusts(ops, {})])
	{[f.resource_key, f.status] | some f in fs} == {[_role._key, "PASS"], [ops._key, "PASS"]}
}

test_pass_everyone_left_to_iam_001 if {
	f := _only(_everyone, {"principal": "*"})
	f.status == "PASS"
	f.message == "role vendor: no principal in an account outside the snapshot can assume it without an external ID or a condition (its trust of everyone is AWS-IAM-001's finding)"
}

test_pass_service_principal if {
	_only(_ec2, {"_type": "aws_iam_role_trusts_ec2", "crossAccount": false, "principal": "ec2.amazonaws.com"}).status == "PASS"
}

test_pass_tag_session_only if _only(_vendor_account, {"actions": ["sts:TagSession"]}).status == "PASS"

test_pass_not_cross_account if _only(_vendor_account, {"crossAccount": false}).status == "PASS"

test_pass_placeholder_role_not_checked if {
	fs := _findings([_vendor_role], [])
	count(fs) == 0
}

test_error_unreadable_trust_policy if {
	role := object.union(_role, {"assumeRolePolicyDocument": "{\"Statement\": ["})
	fs := _findings([role], [])
	[f.status | some f in fs] == ["ERROR"]
}

test_error_missing_trust_policy if {
	fs := _findings([object.remove(_role, ["assumeRolePolicyDocument"])], [])
	[f.status | some f in fs] == ["ERROR"]
}
