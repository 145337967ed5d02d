# METADATA
# title: IAM role can be assumed by any AWS principal
# description: >-
#   The role's trust policy (assumeRolePolicyDocument) has an Allow statement
#   whose principal is everyone — Principal "*", {"AWS": "*"} or a list holding
#   "*", or an Allow with NotPrincipal (everyone except the listed) — for an
#   action matching sts:AssumeRole, sts:AssumeRoleWithSAML or
#   sts:AssumeRoleWithWebIdentity (wildcards such as "sts:*" and "*" and
#   NotAction are honoured; matching is case-insensitive). Anyone with AWS
#   credentials, in any account, can then obtain the role's permissions.
#
#   Severity: critical when some such statement has no Condition; when every
#   such statement has a Condition (for example aws:PrincipalOrgID or
#   sts:ExternalId) the finding is still a FAIL, because the check cannot tell
#   whether the condition really narrows who can assume the role, but with
#   severity high and the condition keys named in the message for review.
#   A trust policy that is missing or not valid JSON is an ERROR, never a PASS.
# custom:
#   id: AWS-IAM-001
#   severity: critical
#   resource_types:
#     - aws_iam_role
#   frameworks:
#     - CIS AWS Foundations v7.0.0 2.21
#   remediation: >-
#     Replace the "*" principal in the role's trust policy with the specific
#     accounts, roles, services or identity providers that need to assume it
#     (aws iam update-assume-role-policy), and keep conditions such as
#     aws:PrincipalOrgID or sts:ExternalId as an additional guard, not the only one.
package snapaudit.rules.iam_role_trusts_everyone

import data.lib

_assume_actions := ["sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"]

# The rules read each role's trust policy text with object.get in their
# bodies and call the helpers with that text, not with the role: OPA caches
# a function call per distinct argument, so roles that share a trust policy
# (every Lambda execution role, ...) share one parse and one verdict.
findings contains f if {
	some role in lib.resources_of_type("aws_iam_role")
	public := _public(object.get(role, "assumeRolePolicyDocument", null))
	count(public) > 0
	f := _fail(role, public)
}

findings contains f if {
	some role in lib.resources_of_type("aws_iam_role")
	_public(object.get(role, "assumeRolePolicyDocument", null)) == []
	f := lib.pass(role, sprintf("role %s: the trust policy does not let any AWS principal (\"*\") assume it", [object.get(role, "name", role._key)]))
}

findings contains f if {
	some role in lib.resources_of_type("aws_iam_role")
	not _document(object.get(role, "assumeRolePolicyDocument", null))
	f := lib.error(role, sprintf("role %s: assumeRolePolicyDocument is missing or not a valid JSON policy document", [object.get(role, "name", role._key)]))
}

# _public(raw) is _public_statements of the trust policy raw; undefined when
# raw is not a policy document.
_public(raw) := _public_statements(_document(raw))

# _document(raw) is the parsed trust policy: the decoded JSON text the model
# stores, or an object when a producer stored it parsed.
_document(raw) := doc if {
	is_string(raw)
	json.is_valid(raw)
	doc := json.unmarshal(raw)
	_statements(doc)
}

_document(raw) := raw if _statements(raw)

# Statement may be one object or a list of them; a document without one has
# no statements. Anything else is not a policy document.
_statements(doc) := doc.Statement if is_array(doc.Statement)

_statements(doc) := [doc.Statement] if is_object(doc.Statement)

_statements(doc) := [] if {
	is_object(doc)
	not "Statement" in object.keys(doc)
}

# _public_statements(doc) lists {"ref": Sid or "#<index>", "st": statement}
# for every Allow statement that lets everyone assume the role.
_public_statements(doc) := [{"ref": object.get(st, "Sid", sprintf("#%d", [i])), "st": st} |
	some i, st in _statements(doc)
	st.Effect == "Allow"
	_everyone(st)
	_allows_assume(st)
]

_everyone(st) if st.Principal == "*"

_everyone(st) if "*" in _as_list(st.Principal.AWS)

_everyone(st) if {
	not st.Principal
	st.NotPrincipal
}

_allows_assume(st) if {
	some pattern in _as_list(st.Action)
	some action in _assume_actions
	glob.match(lower(pattern), null, action)
}

_allows_assume(st) if {
	not st.Action
	not_actions := _as_list(st.NotAction)
	some action in _assume_actions
	every pattern in not_actions {
		not glob.match(lower(pattern), null, action)
	}
}

_as_list(x) := x if is_array(x)

_as_list(x) := [x] if not is_array(x)

_conditional(st) if count(object.get(st, "Condition", {})) > 0

_condition_keys(public) := sort({key |
	some p in public
	some _, kv in object.get(p.st, "Condition", {})
	some key, _ in kv
})

_fail(role, public) := lib.fail(role, sprintf("role %s: the trust policy lets any AWS principal (\"*\") assume it (statement %s)", [_name(role), _refs(public)])) if {
	some p in public
	not _conditional(p.st)
}

_fail(role, public) := lib.with_severity(
	lib.fail(role, sprintf("role %s: the trust policy lets any AWS principal (\"*\") assume it, limited only by conditions on %s (statement %s): review that they restrict who can assume it", [_name(role), concat(", ", _condition_keys(public)), _refs(public)])),
	"high",
) if {
	every p in public {
		_conditional(p.st)
	}
}

_refs(public) := concat(", ", [p.ref | some p in public])

_name(role) := object.get(role, "name", role._key)
