package lib

# Sharing of snapshots and images: the verdict of a resource with the
# boolean properties public and shared and the list sharedWithAccounts
# (aws_ebs_snapshot, aws_db_snapshot). Unknown (absent or null) public or
# shared is an ERROR, never a PASS.

# sharing_finding(r, subject, public_text, trusted) is r's finding: FAIL
# (the check's severity) when public; FAIL with severity medium when shared
# with accounts outside trusted; PASS when private or shared only with
# trusted accounts; ERROR when unknown. subject names r in messages
# ("snapshot snap-1"); public_text says what anyone can do ("any AWS account
# can create a volume from it").
sharing_finding(r, subject, public_text, trusted) := _sharing_verdict(r, object.get(r, "public", null), object.get(r, "shared", null), subject, public_text, trusted)

_sharing_verdict(r, true, _, subject, public_text, _) := fail(r, sprintf("%s is public: %s%s", [subject, public_text, _also_shared(r)]))

_sharing_verdict(r, false, true, subject, _, trusted) := with_severity(fail(r, sprintf("%s is shared with %s", [subject, concat(", ", _untrusted(r, trusted))])), "medium") if {
	count(_untrusted(r, trusted)) > 0
}

_sharing_verdict(r, false, true, subject, _, trusted) := pass(r, sprintf("%s is shared only with trusted accounts %s", [subject, concat(", ", list(r, "sharedWithAccounts"))])) if {
	count(list(r, "sharedWithAccounts")) > 0
	count(_untrusted(r, trusted)) == 0
}

_sharing_verdict(r, false, true, subject, _, _) := error(r, sprintf("%s is shared, but the accounts it is shared with are unknown", [subject])) if {
	count(list(r, "sharedWithAccounts")) == 0
}

_sharing_verdict(r, false, false, subject, _, _) := pass(r, sprintf("%s is neither public nor shared with other accounts", [subject]))

_sharing_verdict(r, public, shared, subject, _, _) := error(r, sprintf("%s: whether it is public or shared is unknown (public %v, shared %v)", [subject, public, shared])) if {
	not _sharing_known(public, shared)
}

_sharing_known(true, _)

_sharing_known(false, shared) if is_boolean(shared)

_untrusted(r, trusted) := [a | some a in list(r, "sharedWithAccounts"); not a in trusted]

_also_shared(r) := sprintf(", and it is shared with %s", [concat(", ", list(r, "sharedWithAccounts"))]) if {
	count(list(r, "sharedWithAccounts")) > 0
} else := ""
