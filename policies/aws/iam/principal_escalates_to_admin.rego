# METADATA
# title: IAM principal can escalate to administrator access
# description: >-
#   A user or role that is not an administrator has a privilege-escalation
#   path to administrator access ("*" on "*") in its account: by assuming a
#   role, passing a role to a service that runs its code, changing its own or
#   its group's policies, policy versions, boundary or a role's trust policy,
#   adding itself to an administrators group, creating credentials for
#   another user, or running code as a role through an existing function or
#   instance (the techniques of analyze/access/techniques.go, each decided by
#   the IAM evaluator with the snapshot's policies, boundaries, SCPs and
#   RCPs). The check reads the ESCALATES relationships with adminPath that
#   `snapaudit analyze` adds: the message lists the path step by
#   step with the permissions used. A path that holds only if conditions the
#   snapshot cannot know hold (MFA, source IP, external ID, ...) is a FAIL of
#   severity medium naming the condition keys.
#
#   The analysis runs by default unless the snapshot has more principals
#   than a limit (20,000: it adds about a fifth to the CPU of the
#   analysis; docs/performance.md, "Escalation"), or with --escalation
#   whatever the size; --no-escalation turns it off. An account whose
#   escalationAnalyzed is not true is an ERROR saying why
#   (escalationSkipped) and how to run it, never a PASS. Administrators
#   themselves pass: they need no path.
# custom:
#   id: AWS-IAM-003
#   severity: high
#   resource_types:
#     - aws_account
#     - aws_iam_role
#     - aws_iam_user
#   frameworks: []
#   remediation: >-
#     Remove the permission of the first step of the path (or scope it to the
#     resources the principal must manage, with a permissions boundary on the
#     roles and users it may create or change), or add an explicit Deny or an
#     SCP for it; `snapaudit iam escalation SNAPSHOT --principal ARN` lists
#     every edge out of the principal.
package snapaudit.rules.iam_principal_escalates_to_admin

import data.lib

_principal_types := ["aws_iam_role", "aws_iam_user"]

findings contains f if {
	some acct in lib.resources_of_type("aws_account")
	not _analyzed(acct)
	f := lib.error(acct, sprintf("account %s: the privilege-escalation analysis was not run%s: run snapaudit analyze --escalation (or snapaudit iam escalation)", [lib.account(acct), _why(acct)]))
}

# _why(acct) is why the analysis was not run, as analyze recorded it.
_why(acct) := sprintf(" (%s)", [acct.escalationSkipped]) if {
	is_string(acct.escalationSkipped)
} else := ""

# One rule judges each principal of an analysed account once: its admin
# path is looked up in the rule body, by its key
# (PRINCIPAL|escalates|admin-path, access.AdminPathKey) rather than by
# walking every ESCALATES edge of the principal, and _verdict(paths) gives the status and the message after the
# principal's name (every principal without a path shares one cached
# verdict). The finding is written out (a Rego function call per principal
# costs OPA more than the object).
findings contains f if {
	_any_analyzed
	analyzed := _analyzed_accounts
	some t in _principal_types
	some p in lib.resources_of_type(t)
	analyzed[object.get(p, "accountId", "")]
	paths := [r |
		r := input.relationships[concat("", [p._key, "|escalates|admin-path"])]
		r._fromEntityKey == p._key
		r.adminPath == true
	]
	verdict := _verdict(paths)
	name := sprintf("%s %s", [trim_prefix(p._type, "aws_iam_"), object.get(p, "name", p._key)])
	f := object.union(verdict.finding, {"resource_key": p._key, "message": concat("", [name, verdict.text])})
}

# _verdict(paths) is the verdict of a principal whose admin paths (none or
# one) are paths.
_verdict([]) := {"finding": {"status": "PASS"}, "text": ": no privilege-escalation path to administrator access"}

_verdict([path]) := {"finding": {"status": "FAIL"}, "text": sprintf(" can become an administrator in %d step(s): %s", [path.steps, concat("; ", path.path)])} if {
	not path.conditional
}

_verdict([path]) := {"finding": {"status": "FAIL", "severity": "medium"}, "text": sprintf(" can become an administrator in %d step(s) if the conditions on %s hold: %s", [path.steps, concat(", ", lib.list(path, "conditionKeys")), concat("; ", path.path)])} if {
	path.conditional == true
}

_analyzed(acct) if acct.escalationAnalyzed == true

# _any_analyzed: without the analysis (the default) the principals are not
# visited at all (150,000 of them at 2,000,000 resources).
_any_analyzed if count(_analyzed_accounts) > 0

# _analyzed_accounts are the account ids the analysis covered (once, not per
# principal).
_analyzed_accounts contains lib.account(acct) if {
	some acct in lib.resources_of_type("aws_account")
	_analyzed(acct)
}
