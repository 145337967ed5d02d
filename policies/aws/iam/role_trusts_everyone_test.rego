package snapaudit.rules.iam_role_trusts_everyone_test

import data.lib
import data.snapaudit.rules.iam_role_trusts_everyone as check

_role(doc) := {
	"_key": "arn:aws:iam::111122223333:role/deploy",
	"_type": "aws_iam_role",
	"_class": ["AccessRole"],
	"name": "deploy",
	"accountId": "111122223333",
	"assumeRolePolicyDocument": json.marshal(doc),
}

_trust(statements) := {"Version": "2012-10-17", "Statement": statements}

_allow(principal, action) := {"Effect": "Allow", "Principal": principal, "Action": action}

_findings(role) := fs if {
	fs := check.findings with input as lib.build_input([role], [])
}

# _only(role) is the single finding for role (undefined unless exactly one).
_only(role) := f if {
	fs := _findings(role)
	count(fs) == 1
	some f in fs
}

_status(doc) := _only(_role(doc)).status

test_fail_principal_star if _status(_trust([_allow("*", "sts:AssumeRole")])) == "FAIL"

test_fail_principal_aws_star if _status(_trust([_allow({"AWS": "*"}, "sts:AssumeRole")])) == "FAIL"

test_fail_principal_aws_list_with_star if {
	_status(_trust([_allow({"AWS": ["arn:aws:iam::444455556666:root", "*"]}, "sts:AssumeRole")])) == "FAIL"
}

test_fail_web_identity_in_action_list if {
	_status(_trust([_allow({"AWS": "*"}, ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"])])) == "FAIL"
}

test_fail_saml if _status(_trust([_allow("*", "sts:AssumeRoleWithSAML")])) == "FAIL"

test_fail_action_wildcards if {
	every action in ["sts:*", "*", "sts:Assume*", "sts:AssumeRole?ithSAML"] {
		_status(_trust([_allow("*", action)])) == "FAIL"
	}
}

test_fail_action_case_insensitive if _status(_trust([_allow("*", "STS:assumerole")])) == "FAIL"

test_fail_single_statement_object if {
	_status({"Version": "2012-10-17", "Statement": _allow("*", "sts:AssumeRole")}) == "FAIL"
}

test_fail_not_principal if {
	_status(_trust([{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}])) == "FAIL"
}

test_fail_not_action_leaves_assume if {
	_status(_trust([{"Effect": "Allow", "Principal": "*", "NotAction": ["iam:*", "s3:*"]}])) == "FAIL"
}

test_fail_unconditional_is_critical_default if {
	f := _only(_role(_trust([{"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}])))
	f.status == "FAIL"
	not f.severity
	f.message == "role deploy: the trust policy lets any AWS principal (\"*\") assume it (statement Open)"
}

test_fail_conditional_is_high_and_names_keys if {
	st := object.union(_allow("*", "sts:AssumeRole"), {"Condition": {
		"StringEquals": {"aws:PrincipalOrgID": "o-abc123", "sts:ExternalId": "x"},
		"Bool": {"aws:SecureTransport": "true"},
	}})
	f := _only(_role(_trust([st])))
	f.status == "FAIL"
	f.severity == "high"
	f.message == "role deploy: the trust policy lets any AWS principal (\"*\") assume it, limited only by conditions on aws:PrincipalOrgID, aws:SecureTransport, sts:ExternalId (statement #0): review that they restrict who can assume it"
}

test_fail_one_unconditional_among_conditional_is_critical if {
	conditional := object.union(_allow("*", "sts:AssumeRole"), {"Condition": {"StringEquals": {"sts:ExternalId": "x"}}})
	f := _only(_role(_trust([conditional, _allow({"AWS": "*"}, "sts:AssumeRole")])))
	f.status == "FAIL"
	not f.severity
	contains(f.message, "(statement #0, #1)")
}

test_fail_parsed_document_object if {
	role := object.union(_role({}), {"assumeRolePolicyDocument": _trust([_allow("*", "sts:AssumeRole")])})
	_only(role).status == "FAIL"
}

test_pass_specific_account if {
	_status(_trust([_allow({"AWS": "arn:aws:iam::444455556666:root"}, "sts:AssumeRole")])) == "PASS"
}

test_pass_service_principal if _status(_trust([_allow({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole")])) == "PASS"

test_pass_federated_web_identity if {
	_status(_trust([_allow({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, "sts:AssumeRoleWithWebIdentity")])) == "PASS"
}

test_pass_deny_star if _status(_trust([{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}])) == "PASS"

test_pass_star_without_assume_action if _status(_trust([_allow("*", ["sts:TagSession", "sts:SetSourceIdentity"])])) == "PASS"

test_pass_not_action_excludes_assume if {
	_status(_trust([{"Effect": "Allow", "Principal": "*", "NotAction": "sts:*"}])) == "PASS"
}

test_pass_empty_statement_list if _status(_trust([])) == "PASS"

test_pass_and_fail_per_role if {
	open := object.union(_role(_trust([_allow("*", "sts:AssumeRole")])), {"_key": "arn:aws:iam::111122223333:role/open", "name": "open"})
	closed := _role(_trust([_allow({"Service": "lambda.amazonaws.com"}, "sts:AssumeRole")]))
	fs := check.findings with input as lib.build_input([open, closed], [])
	{[f.resource_key, f.status] | some f in fs} == {
		["arn:aws:iam::111122223333:role/open", "FAIL"],
		["arn:aws:iam::111122223333:role/deploy", "PASS"],
	}
}

test_error_invalid_json if {
	role := object.union(_role({}), {"assumeRolePolicyDocument": "{\"Statement\": ["})
	f := _only(role)
	f.status == "ERROR"
	contains(f.message, "not a valid JSON policy document")
}

test_error_missing_document if {
	_only(object.remove(_role({}), ["assumeRolePolicyDocument"])).status == "ERROR"
}

test_error_statement_not_object if _status({"Statement": "Allow everyone"}) == "ERROR"

# A role of another account that a trust policy names is a placeholder with
# no trust policy of its own: not judged, not an ERROR.
test_placeholder_role_not_checked if {
	placeholder := {
		"_key": "arn:aws:iam::444455556666:role/ops-automation", "_type": "aws_iam_role", "_class": ["AccessRole"],
		"_source": "system-mapper", "external": true, "accountId": "444455556666",
	}
	count(_findings(placeholder)) == 0
}
