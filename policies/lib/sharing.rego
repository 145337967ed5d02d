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
#
# The verdicts are one else chain, the common case first, reading r's
# properties in its bodies: a helper called with them would be one more
# call cached per resource for the whole evaluation, and a chain stops at
# the first verdict that holds.
sharing_finding(r, subject, public_text, trusted) := f if {
	r.public == false
	r.shared == false
	f := pass(r, sprintf("%s is neither public nor shared with other accounts", [subject]))
} else := f if {
	r.public == true
	f := fail(r, sprintf("%s is public: %s%s", [subject, public_text, _also_shared(r)]))
} else := f if {
	r.public == false
	r.shared == true
	f := _shared_verdict(r, subject, list(r, "sharedWithAccounts"), trusted)
} else := error(r, sprintf("%s: whether it is public or shared is unknown (public %v, shared %v)", [subject, object.get(r, "public", null), object.get(r, "shared", null)]))

# _shared_verdict(r, subject, accounts, trusted) is the finding of r, shared
# with accounts (neither public nor unknown).
_shared_verdict(r, subject, [], _) := error(r, sprintf("%s is shared, but the accounts it is shared with are unknown", [subject]))

_shared_verdict(r, subject, accounts, trusted) := with_severity(fail(r, sprintf("%s is shared with %s", [subject, concat(", ", untrusted)])), "medium") if {
	untrusted := [a | some a in accounts; not a in trusted]
	untrusted != []
}

_shared_verdict(r, subject, accounts, trusted) := pass(r, sprintf("%s is shared only with trusted accounts %s", [subject, concat(", ", accounts)])) if {
	accounts != []
	every a in accounts {
		a in trusted
	}
}

_also_shared(r) := sprintf(", and it is shared with %s", [concat(", ", list(r, "sharedWithAccounts"))]) if {
	count(list(r, "sharedWithAccounts")) > 0
} else := ""
