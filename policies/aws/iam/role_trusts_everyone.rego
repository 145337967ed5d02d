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

# One rule judges each role once: the verdict depends on the trust policy
# alone, so _verdict is called with the policy's text (read with object.get
# in the rule body), and OPA caches it per distinct text: roles that share a
# trust policy (every Lambda execution role, ...) share one parse and one
# verdict. A verdict is the status (and severity, when it is not the
# check's) of the finding and the message after the role's name; the
# finding is written out (a Rego function call per role costs OPA more than
# the object). Three rules (FAIL, PASS, ERROR) evaluated the policy's
# verdict three times per role (docs/performance.md, "The Rego checks' own
# CPU").
findings contains f if {
	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_iam_role", [])
	role := input.entities[key]
	verdict := _verdict(object.get(role, "assumeRolePolicyDocument", null))
	f := object.union(verdict.finding, {"resource_key": role._key, "message": sprintf("role %s: %s", [object.get(role, "name", role._key), verdict.text])})
}

# _verdict(raw) is the verdict of a role whose trust policy is raw: ERROR
# when it is not a policy document, PASS when no statement lets everyone
# assume the role, FAIL (critical) when one does without a Condition, else
# FAIL with severity high and the condition keys named.
_verdict(raw) := {"finding": {"status": "ERROR"}, "text": "assumeRolePolicyDocument is missing or not a valid JSON policy document"} if {
	not _document(raw)
} else := {"finding": {"status": "PASS"}, "text": "the trust policy does not let any AWS principal (\"*\") assume it"} if {
	_public(raw) == []
} else := {"finding": {"status": "FAIL"}, "text": sprintf("the trust policy lets any AWS principal (\"*\") assume it (statement %s)", [_refs(public)])} if {
	public := _public(raw)
	some p in public
	not _conditional(p.st)
} else := {"finding": {"status": "FAIL", "severity": "high"}, "text": sprintf("the trust policy lets any AWS principal (\"*\") assume it, limited only by conditions on %s (statement %s): review that they restrict who can assume it", [concat(", ", _condition_keys(public)), _refs(public)])} if {
	public := _public(raw)
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

_refs(public) := concat(", ", [p.ref | some p in public])
