# METADATA
# title: IAM role trusts another account without an external ID or condition
# description: >-
#   The role's trust policy lets a principal in an account outside the
#   snapshot assume it (an aws_iam_role TRUSTS relationship with
#   crossAccount=true, an sts:AssumeRole* action, to a principal the
#   derivations mark external: an account, user or role placeholder with
#   external=true) and does not require an external ID or any other
#   condition. Whoever controls that account, typically a vendor's service
#   that assumes roles for many customers, can then be tricked into using
#   its access to this role on someone else's behalf: the confused-deputy
#   problem that sts:ExternalId exists to prevent.
#
#   A trust counts as protected only when every statement granting it has a
#   Condition block that can narrow the caller (lib.narrows): sts:ExternalId,
#   aws:PrincipalOrgID, aws:MultiFactorAuthPresent, aws:SourceIp and the like
#   under an operator that is not ...IfExists, Null or ForAllValues:.
#   Conditions only on aws:SecureTransport, aws:CurrentTime, aws:RequestedRegion,
#   aws:UserAgent or aws:Referer do not protect; an sts:ExternalId under
#   StringEqualsIfExists does not either (a caller that omits the ID passes).
#   The condition values are not judged.
#
#   Not reported here: Everyone ("*" or NotPrincipal) is AWS-IAM-001's
#   finding and is skipped to avoid double reporting; service principals
#   and principals of the role's own account are not cross-account;
#   accounts covered by the snapshot (collected, or placeholders with
#   external=false) are the auditor's own and PASS. Placeholder roles the
#   derivations created for other accounts' principals are not checked. A
#   role whose trust policy is missing or unreadable has no TRUSTS
#   relationships, so it is an ERROR, never a PASS.
# custom:
#   id: AWS-IAM-002
#   severity: high
#   resource_types:
#     - aws_iam_role
#   frameworks: []
#   remediation: >-
#     Add a Condition {"StringEquals": {"sts:ExternalId": "<unique id the
#     third party gave you>"}} to the trust statement (aws iam
#     update-assume-role-policy), or narrow it with aws:PrincipalOrgID or a
#     specific role ARN for partners without external ID support; remove the
#     trust if the other account no longer needs the role.
package snapaudit.rules.iam_role_cross_account_trust

import data.lib

# One rule judges each role once. Its TRUSTS edges, their relationships and
# the principals they lead to are read from input in the rule body
# (lib.out_edges, lib.relationship and lib.entity would be calls cached per
# role and per edge), and what depends on the role alone (the unprotected
# principals, whether it trusts everyone) is computed there too; the
# verdict, keyed by whether the trust policy is readable (cached per
# distinct policy text, shared by roles with the same policy), the
# unprotected principals and the note, is cached per distinct combination
# (a handful), not per role. Three rules (ERROR, FAIL, PASS) tested the
# policy three times per role and called helpers that take the role, each
# cached per role for the whole evaluation (docs/performance.md, "One
# verdict per resource"). The finding is the object lib.fail, lib.pass and
# lib.error build, written out (a function call per role costs OPA more
# than the object).
findings contains f if {
	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_iam_role", [])
	role := input.entities[key]
	trusts := object.get(input.out, [role._key, "TRUSTS"], [])
	risky := sort([text |
		some edge in trusts
		edge.key != "global:everyone"
		r := input.relationships[edge.rel]
		r.crossAccount == true
		_assume(r)
		t := input.entities[edge.key]
		_external(t)
		not _protected(r)
		text := sprintf("%s (account %s%s)", [_principal(t, r), lib.account(t), _weak(r)])
	])
	everyone := [edge | some edge in trusts; edge.key == "global:everyone"] != []
	verdict := _verdict(_readable(object.get(role, "assumeRolePolicyDocument", null)), risky, everyone)
	f := {"resource_key": role._key, "status": verdict.status, "message": sprintf("role %s: %s", [object.get(role, "name", role._key), verdict.text])}
}

# _readable(policy) is whether the trust policy text policy is a readable
# policy document (lib.policy_document).
default _readable(_) := false

_readable(policy) if lib.policy_document(policy)

# _verdict(readable, risky, everyone) is the status and the message (after
# the role's name) of a role: ERROR when its trust policy is not readable
# (the derivations then made no TRUSTS edges, so who can assume it is
# unknown), FAIL when principals outside the snapshot can assume it
# unprotected (risky, described), else PASS.
_verdict(false, _, _) := {"status": "ERROR", "text": "the trust policy is missing or not a readable policy document, so who can assume the role is unknown"}

_verdict(true, risky, _) := {"status": "FAIL", "text": concat("", ["principals in accounts outside the snapshot can assume it without an external ID or another condition that limits the caller: ", concat("; ", risky)])} if risky != []

_verdict(true, [], everyone) := {"status": "PASS", "text": concat("", ["no principal in an account outside the snapshot can assume it without an external ID or a condition", _everyone_note(everyone)])}

_everyone_note(true) := " (its trust of everyone is AWS-IAM-001's finding)"

_everyone_note(false) := ""

_assume(r) if {
	some a in lib.list(r, "actions")
	startswith(lower(a), "sts:assumerole")
}

_external(t) if {
	lib.placeholder(t)
	t.external == true
}

# _protected(r): every contributing statement has a Condition (conditional)
# and every Condition block narrows the caller.
_protected(r) if {
	r.conditional == true
	blocks := lib.condition_blocks(r)
	count(blocks) > 0
	every b in blocks {
		lib.narrows(b)
	}
}

_principal(t, r) := r.principal if {
	is_string(r.principal)
	r.principal != ""
} else := object.get(t, "arn", t._key)

# _weak(r) explains why a trust with Condition blocks is still unprotected.
_weak(r) := sprintf("; conditions on %s do not limit the caller", [concat(", ", lib.condition_keys(weak))]) if {
	r.conditional == true
	weak := [b | some b in lib.condition_blocks(r); not lib.narrows(b)]
	count(lib.condition_keys(weak)) > 0
} else := "; one granting statement has no Condition" if {
	count(lib.condition_blocks(r)) > 0
} else := ""
