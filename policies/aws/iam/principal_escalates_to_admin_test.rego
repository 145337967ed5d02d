package snapaudit.rules.iam_principal_escalates_to_admin_test

import data.lib
import data.snapaudit.rules.iam_principal_escalates_to_admin as check

_acct_id := "111122223333"

_account(analyzed) := object.union(
	{"_key": "arn:aws:iam::111122223333:root", "_type": "aws_account", "_class": ["Account"], "accountId": _acct_id},
	{k: v | some k, v in {"escalationAnalyzed": true}; analyzed},
)

_user := {"_key": "arn:aws:iam::111122223333:user/dev", "_type": "aws_iam_user", "_class": ["User"], "name": "dev", "accountId": _acct_id}

_role := {"_key": "arn:aws:iam::111122223333:role/ops", "_type": "aws_iam_role", "_class": ["AccessRole"], "name": "ops", "accountId": _acct_id}

_path(conditional, keys) := {
	"_key": "arn:aws:iam::111122223333:user/dev|escalates|admin-path",
	"_type": "aws_principal_escalation",
	"_class": "ESCALATES",
	"_fromEntityKey": _user._key,
	"_toEntityKey": "arn:aws:iam::111122223333:root",
	"adminPath": true,
	"steps": 2,
	"path": [
		"1. assume-role -> arn:aws:iam::111122223333:role/ops using sts:AssumeRole on arn:aws:iam::111122223333:role/ops",
		"2. put-role-policy -> admin using iam:PutRolePolicy on arn:aws:iam::111122223333:role/ops",
	],
	"techniques": ["assume-role", "put-role-policy"],
	"conditional": conditional,
	"conditionKeys": keys,
}

# An edge that is not a path to administrator access decides nothing.
_edge := {
	"_key": "arn:aws:iam::111122223333:user/dev|escalates|assume-role|arn:aws:iam::111122223333:role/ops",
	"_type": "aws_principal_escalation",
	"_class": "ESCALATES",
	"_fromEntityKey": _user._key,
	"_toEntityKey": _role._key,
	"technique": "assume-role",
	"steps": 1,
	"conditional": false,
	"conditionKeys": null,
}

_findings(entities, rels) := fs if {
	fs := check.findings with input as lib.build_input(entities, rels)
}

_finding(fs, key) := f if {
	some f in fs
	f.resource_key == key
}

test_fail_with_path if {
	fs := _findings([_account(true), _user, _role], [_path(false, null), _edge])
	f := _finding(fs, _user._key)
	f.status == "FAIL"
	not f.severity
	contains(f.message, "2 step(s)")
	contains(f.message, "1. assume-role -> arn:aws:iam::111122223333:role/ops using sts:AssumeRole")
	contains(f.message, "2. put-role-policy -> admin")
}

test_conditional_path_is_medium if {
	fs := _findings([_account(true), _user], [_path(true, ["aws:multifactorauthpresent"])])
	f := _finding(fs, _user._key)
	f.status == "FAIL"
	f.severity == "medium"
	contains(f.message, "aws:multifactorauthpresent")
}

test_pass_without_path if {
	fs := _findings([_account(true), _user, _role], [_edge])
	_finding(fs, _user._key).status == "PASS"
	_finding(fs, _role._key).status == "PASS"
	count(fs) == 2
}

# Not analysed: one ERROR for the account, no PASS for its principals.
test_error_when_not_analyzed if {
	fs := _findings([_account(false), _user, _role], [])
	count(fs) == 1
	f := _finding(fs, "arn:aws:iam::111122223333:root")
	f.status == "ERROR"
	contains(f.message, "--escalation")
}

# A path without analysis marker still is not a silent PASS: the account errs.
test_error_not_pass_even_with_relationships if {
	fs := _findings([_account(false), _user], [_path(false, null)])
	every f in fs {
		f.status == "ERROR"
	}
	count(fs) == 1
}

# Skipped by analyze's default above its limit: the ERROR says why and how
# to run it anyway.
test_error_says_why_skipped if {
	acct := object.union(_account(false), {"escalationSkipped": "75680 principals > the limit 10000 for running it by default"})
	fs := _findings([acct, _user], [])
	count(fs) == 1
	f := _finding(fs, acct._key)
	f.status == "ERROR"
	contains(f.message, "was not run (75680 principals > the limit 10000 for running it by default)")
	contains(f.message, "snapaudit analyze --escalation")
}
