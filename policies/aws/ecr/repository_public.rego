# METADATA
# title: ECR repository policy grants access to everyone
# description: >-
#   The repository's resource policy allows the public: the derivations
#   (analyze/access) found an effective ALLOWS from the repository to Everyone
#   (Principal "*", {"AWS": "*"} or an Allow with NotPrincipal), so any AWS
#   account can pull its images (and push or change the policy when the grant
#   includes Write or Permissions management). Severity: critical when the
#   grant includes Write or Permissions management, high for pull (Read or
#   List) access, medium when every granting statement has a Condition, which
#   the check cannot judge (the message says so, for review). When the
#   model's own reading of the policy (public: an unconditional Allow to
#   every principal) says public but no effective grant was derived, the
#   repository FAILs with severity high for review. A policy that is present
#   but unreadable, or a repository whose policy is unknown (public absent or
#   null), is an ERROR.
# custom:
#   id: AWS-ECR-001
#   severity: high
#   resource_types:
#     - aws_ecr_repository
#   frameworks:
#     - CIS AWS Foundations v7.0.0 2.21
#   remediation: >-
#     Replace Principal "*" in the repository policy with the accounts,
#     organization (aws:PrincipalOrgID) or services that pull the images (aws
#     ecr set-repository-policy), or delete the policy (aws ecr
#     delete-repository-policy); publish public images through ECR Public
#     instead.
package snapaudit.rules.ecr_repository_public

import data.lib

findings contains f if {
	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_ecr_repository", [])
	r := input.entities[key]
	lib.unreadable_policy(r, "policy")
	f := lib.error(r, sprintf("repository %s: the repository policy is not a readable policy document, so whether it grants public access is unknown", [_name(r)]))
}

findings contains f if {
	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_ecr_repository", [])
	r := input.entities[key]
	not lib.unreadable_policy(r, "policy")
	f := _verdict(r)
}

# _grant(r) is the effective ALLOWS from r to Everyone (at most one).
_grant(r) := g if {
	some edge in lib.out_edges(r, "ALLOWS")
	edge.key == "global:everyone"
	g := lib.relationship(edge)
	g.effective == true
}

_verdict(r) := lib.with_severity(lib.fail(r, _message(r, g)), _severity(g)) if g := _grant(r)

_verdict(r) := lib.fail(r, sprintf("repository %s: the repository policy allows every principal without a condition, although no effective grant to everyone was derived: review the policy", [_name(r)])) if {
	not _grant(r)
	r.public == true
}

_verdict(r) := lib.pass(r, sprintf("repository %s: %s", [_name(r), _no_grant(r)])) if {
	not _grant(r)
	r.public == false
}

_verdict(r) := lib.error(r, sprintf("repository %s: whether its repository policy is public is unknown", [_name(r)])) if {
	not _grant(r)
	not is_boolean(object.get(r, "public", null))
}

_severity(g) := "medium" if g.conditional == true

else := "critical" if {
	some l in lib.list(g, "accessLevels")
	l in {"Write", "Permissions management"}
}

else := "high"

_message(r, g) := sprintf("repository %s: the repository policy grants %s access to everyone%s: %s", [
	_name(r), concat(", ", lib.list(g, "accessLevels")), _conditions(g), concat(", ", lib.list(g, "actions")),
])

_conditions(g) := " only under conditions (review that they restrict who can use it)" if g.conditional == true

else := ""

_no_grant(r) := "the repository policy grants nothing to everyone" if lib.policy_document(object.get(r, "policy", null))

else := "the repository has no repository policy"

_name(r) := object.get(r, "name", r._key)
