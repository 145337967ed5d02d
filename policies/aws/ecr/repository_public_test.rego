package snapaudit.rules.ecr_repository_public_test

import data.lib
import data.snapaudit.rules.ecr_repository_public as check

_everyone := {"_key": "global:everyone", "_type": "everyone", "_class": ["UserGroup", "Everyone"]}

_policy := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]})

_repo(public, policy) := {
	"_key": "arn:aws:ecr:us-east-1:111122223333:repository/base", "_type": "aws_ecr_repository",
	"_class": ["Repository"], "name": "base", "accountId": "111122223333", "region": "us-east-1",
	"public": public, "policy": policy,
}

_grant(levels, conditional) := object.union(lib.rel(_repo(true, _policy), "ALLOWS", _everyone), {
	"effective": true, "accessLevels": levels, "conditional": conditional, "actions": ["ecr:BatchGetImage"],
})

_only(repo, rels) := f if {
	fs := check.findings with input as lib.build_input([repo, _everyone], rels)
	count(fs) == 1
	some f in fs
}

test_fail_public_pull if {
	f := _only(_repo(true, _policy), [_grant(["Read"], false)])
	f == lib.with_severity(lib.fail(_repo(true, _policy), "repository base: the repository policy grants Read access to everyone: ecr:BatchGetImage"), "high")
}

test_fail_public_push_critical if _only(_repo(true, _policy), [_grant(["Read", "Write"], false)]).severity == "critical"

test_fail_conditional_medium if {
	f := _only(_repo(false, _policy), [_grant(["Read"], true)])
	f.severity == "medium"
	contains(f.message, "only under conditions")
}

test_fail_public_flag_without_grant if _only(_repo(true, _policy), []).status == "FAIL"

test_pass_not_effective if {
	rel := object.union(_grant(["Read"], false), {"effective": false})
	_only(_repo(false, _policy), [rel]).status == "PASS"
}

test_pass_no_policy if _only(_repo(false, null), []).message == "repository base: the repository has no repository policy"

test_error_unreadable_policy if _only(_repo(false, "{not json"), []).status == "ERROR"

test_error_unknown if _only(_repo(null, null), []).status == "ERROR"
