# METADATA
# title: S3 bucket policy grants access to everyone
# description: >-
#   The bucket's resource policy allows the public: the derivations
#   (analyze/access) found an ALLOWS relationship from the bucket to Everyone
#   (global:everyone: Principal "*", {"AWS": "*"}, or an Allow with
#   NotPrincipal) that is effective, i.e. not cancelled for an anonymous
#   caller by a Deny of the same policy. The finding names the access levels
#   (List, Read, Write, Tagging, Permissions management), the actions and
#   resources granted and the statement Sids.
#
#   Severity: critical when some unconditional grant includes Write or
#   Permissions management (anyone can plant, overwrite or delete objects, or
#   change the bucket's ACL or policy); high when the unconditional grants
#   are List, Read or Tagging only (anyone can read the data). When every
#   statement granting a level has a Condition that can narrow the caller
#   (aws:SourceIp, aws:SourceVpce, aws:PrincipalOrgID, ...; see
#   lib.narrows) the level counts as conditional; a finding with only
#   conditional levels is still a FAIL, because the check cannot judge the
#   condition values, but with severity medium and the condition keys named
#   for review. Conditions that do not narrow the caller (aws:SecureTransport,
#   aws:CurrentTime, aws:UserAgent, IfExists or Null tests) make every level
#   of the grant count as unconditional.
#
#   Edge cases: RestrictPublicBuckets=true in the bucket's or the account's
#   public access block (S3 applies the most restrictive combination of the
#   two: effectiveRestrictPublicBuckets) makes S3 ignore a public policy
#   (only AWS services and the owner's account keep access), so such a
#   bucket PASSes, with the latent grant and the level named. When a block
#   could not be read (the account's, or a snapshot from before it was
#   collected) and the bucket's own setting is off, the bucket FAILs with
#   the grant's own severity and the message says the setting is unknown. When S3's own status (GetBucketPolicyStatus
#   IsPublic) says the policy is public but no effective grant to Everyone
#   was derived, the bucket FAILs with severity high for review rather than
#   PASS. A bucket policy that is present but unreadable is an ERROR. Object
#   ACLs and bucket ACLs are not evaluated here.
# custom:
#   id: AWS-S3-001
#   severity: critical
#   resource_types:
#     - aws_s3_bucket
#   frameworks:
#     - CIS AWS Foundations v7.0.0 2.21
#   remediation: >-
#     Replace Principal "*" in the bucket policy with the accounts, roles or
#     services that need access (aws s3api put-bucket-policy), serve public
#     content through CloudFront with origin access control instead, and turn
#     on S3 Block Public Access (BlockPublicPolicy and RestrictPublicBuckets)
#     for the bucket and the account.
package snapaudit.rules.s3_bucket_public_policy

import data.lib

_level_order := ["List", "Read", "Write", "Tagging", "Permissions management"]

_write_levels := {"Write", "Permissions management"}

# One rule judges each bucket once. What the verdict depends on is read in
# the rule body (the policy's state, cached per distinct policy text; the
# effective grant to everyone, from the bucket's ALLOWS edges; the two
# public-access flags) and passed to _verdict, which OPA caches per
# distinct combination: every bucket without a grant to everyone shares a
# handful. A verdict is the status (and severity, when it is not the
# check's) of the finding and the message after the bucket's name; the
# finding is written out (a Rego function call per bucket costs OPA more
# than the object). Two rules calling helpers that take the bucket kept an
# entry per bucket and helper in OPA's cache (docs/performance.md, "One
# verdict per resource").
findings contains f if {
	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_s3_bucket", [])
	b := input.entities[key]
	grants := [r |
		some edge in object.get(input.out, [b._key, "ALLOWS"], [])
		edge.key == "global:everyone"
		r := input.relationships[edge.rel]
		r.effective == true
	]
	verdict := _verdict(
		_policy_state(object.get(b, "policy", null)), grants,
		object.get(b, "policyPublic", null) == true, _restricted_by(b),
	)
	f := object.union(verdict.finding, {"resource_key": b._key, "message": sprintf("bucket %s: %s", [object.get(b, "name", b._key), verdict.text])})
}

# _restricted_by(b) is the level whose RestrictPublicBuckets is on for
# bucket b ("bucket" first, else "account"), "unknown" when the setting in
# effect is null (a public access block, the bucket's or the account's,
# was not read), or false when it is off.
_restricted_by(b) := "bucket" if {
	object.get(b, "restrictPublicBuckets", null) == true
} else := "account" if {
	object.get(b, "effectiveRestrictPublicBuckets", null) == true
} else := "unknown" if {
	object.get(b, "effectiveRestrictPublicBuckets", false) == null
} else := false

# _policy_state(policy) is "document" when the bucket policy policy is a
# readable policy document, "unreadable" when it is present but not one,
# else "none".
_policy_state(policy) := "document" if {
	lib.policy_document(policy)
} else := "unreadable" if {
	lib.unreadable_document(policy)
} else := "none"

# _verdict(state, grants, policy_public, restrict) is one else chain, the
# common case (no grant to everyone) first: its bodies exclude each other,
# and a chain stops at the first that holds. grants holds the effective
# ALLOWS relationship from the bucket to Everyone (relationship keys are
# unique per pair, so there is at most one).
_verdict("unreadable", _, _, _) := {"finding": {"status": "ERROR"}, "text": "the bucket policy is not a readable policy document, so whether it grants public access is unknown"}

_verdict(state, [], policy_public, restrict) := {"finding": {"status": "PASS"}, "text": _no_grant(state)} if {
	state != "unreadable"
	not _status_public(policy_public, restrict)
} else := {"finding": {"status": "FAIL", "severity": "high"}, "text": "S3 reports the bucket policy as public (GetBucketPolicyStatus) although no effective grant to everyone was derived from it: review the policy"} if {
	state != "unreadable"
}

_verdict(state, [r], _, "bucket") := {"finding": {"status": "PASS"}, "text": sprintf("the bucket policy grants %s to %s, but RestrictPublicBuckets is on, so S3 ignores the public grant", [_grant_text(r), _who(r)])} if {
	state != "unreadable"
}

_verdict(state, [r], _, "account") := {"finding": {"status": "PASS"}, "text": sprintf("the bucket policy grants %s to %s, but the account's Block Public Access has RestrictPublicBuckets on, so S3 ignores the public grant", [_grant_text(r), _who(r)])} if {
	state != "unreadable"
}

_verdict(state, [r], _, false) := {"finding": _fail(r), "text": _message(r)} if {
	state != "unreadable"
}

_verdict(state, [r], _, "unknown") := {"finding": _fail(r), "text": concat("", [_message(r), _unknown_restriction])} if {
	state != "unreadable"
}

_unknown_restriction := "; S3 ignores the grant if RestrictPublicBuckets is on, which is unknown (a public access block, the bucket's or the account's, was not read)"

# _no_grant(state) says why a bucket whose policy is in state state grants
# nothing to everyone.
_no_grant("document") := "the bucket policy grants nothing to everyone"

_no_grant("none") := "the bucket has no bucket policy"

_status_public(true, false)

_status_public(true, "unknown")

# _fail(r) is the status and severity of a bucket whose bucket policy
# grants r to everyone.
_fail(r) := {"status": "FAIL"} if {
	some l in _firm(r)
	l in _write_levels
}

_fail(r) := {"status": "FAIL", "severity": "high"} if {
	count(_firm(r)) > 0
	every l in _firm(r) {
		not l in _write_levels
	}
}

_fail(r) := {"status": "FAIL", "severity": "medium"} if {
	count(_firm(r)) == 0
	count(_levels(r)) > 0
}

# Actions the catalog does not know have no level: judged as Read.
_fail(r) := {"status": "FAIL", "severity": "high"} if count(_levels(r)) == 0

_levels(r) := [l | some l in _level_order; l in lib.list(r, "accessLevels")]

# _firm(r) are the levels granted without a narrowing condition: all of
# them when some statement's Condition does not narrow the caller, else
# those not in conditionalLevels.
_firm(r) := _levels(r) if {
	some block in lib.condition_blocks(r)
	not lib.narrows(block)
}

_firm(r) := [l | some l in _levels(r); not l in _conditional_levels(r)] if {
	every block in lib.condition_blocks(r) {
		lib.narrows(block)
	}
}

_conditional(r) := [l | some l in _levels(r); not l in _firm(r)]

# _conditional_levels(r) are the levels the policy's own conditions narrow:
# policyConditionalLevels when the derivation made every level conditional
# on an unknown RestrictPublicBuckets, else conditionalLevels.
_conditional_levels(r) := r.policyConditionalLevels if {
	is_array(r.policyConditionalLevels)
} else := lib.list(r, "conditionalLevels")

_message(r) := sprintf("the bucket policy grants %s to %s: %s on %s%s", [
	_grant_text(r), _who(r),
	concat(", ", lib.list(r, "actions")), concat(", ", lib.list(r, "resources")), _sids(r),
])

_grant_text(r) := sprintf("%s access", [concat(", ", _firm(r))]) if {
	count(_firm(r)) > 0
	count(_conditional(r)) == 0
}

_grant_text(r) := sprintf("%s access only under conditions on %s (review that they restrict who can use it)", [concat(", ", _conditional(r)), _keys(r)]) if {
	count(_firm(r)) == 0
	count(_conditional(r)) > 0
}

_grant_text(r) := "access (actions without a catalog access level)" if count(_levels(r)) == 0

_grant_text(r) := sprintf("%s access, and %s access under conditions on %s,", [concat(", ", _firm(r)), concat(", ", _conditional(r)), _keys(r)]) if {
	count(_firm(r)) > 0
	count(_conditional(r)) > 0
}

_keys(r) := concat(", ", lib.condition_keys(lib.condition_blocks(r)))

_who(r) := sprintf("everyone except %s (NotPrincipal)", [concat(", ", r.notPrincipal)]) if {
	is_array(r.notPrincipal)
	count(r.notPrincipal) > 0
}

_who(r) := "everyone (Principal \"*\")" if not _has_not_principal(r)

_has_not_principal(r) if count(lib.list(r, "notPrincipal")) > 0

_sids(r) := sprintf(" (statement %s)", [r.sid]) if {
	is_string(r.sid)
	r.sid != ""
}

_sids(r) := "" if not _has_sid(r)

_has_sid(r) if {
	is_string(r.sid)
	r.sid != ""
}
