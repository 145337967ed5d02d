package lib

# Sharing of snapshots and images: the verdict of a resource with the
# boolean properties public and shared and the list sharedWithAccounts
# (aws_ebs_snapshot, aws_db_snapshot). Unknown (absent or null) public or
# shared is an ERROR, never a PASS.

# sharing_verdict(public, shared, accounts, public_text, trusted) is the
# verdict of a resource whose properties public, shared and
# sharedWithAccounts have the values public, shared and accounts (null when
# absent): {"finding": {"status": ...} (and "severity" when it is not the
# check's), "text": the message after the resource's name}. FAIL (the
# check's severity) when public; FAIL with severity medium when shared with
# accounts outside trusted; PASS when private or shared only with trusted
# accounts; ERROR when unknown. public_text says what anyone can do ("any
# AWS account can create a volume from it"). A check builds its finding
# from it:
#
#	verdict := lib.sharing_verdict(object.get(s, "public", null), ...)
#	f := object.union(verdict.finding, {"resource_key": s._key, "message": sprintf("snapshot %s%s", [s.id, verdict.text])})
#
# It takes the property values, not the resource: OPA caches it per
# distinct combination (a handful in an organisation), where a function
# taking the resource is cached per resource for the whole evaluation. The
# verdicts are one else chain, the common case first: a chain stops at the
# first verdict that holds.
sharing_verdict(public, shared, accounts, public_text, trusted) := v if {
	public == false
	shared == false
	v := {"finding": {"status": "PASS"}, "text": " is neither public nor shared with other accounts"}
} else := v if {
	public == true
	v := {"finding": {"status": "FAIL"}, "text": sprintf(" is public: %s%s", [public_text, _also_shared(_array(accounts))])}
} else := v if {
	public == false
	shared == true
	v := _shared_verdict(_array(accounts), trusted)
} else := {"finding": {"status": "ERROR"}, "text": sprintf(": whether it is public or shared is unknown (public %v, shared %v)", [public, shared])}

# _shared_verdict(accounts, trusted) is the verdict of a resource shared
# with accounts (neither public nor unknown).
_shared_verdict([], _) := {"finding": {"status": "ERROR"}, "text": " is shared, but the accounts it is shared with are unknown"}

_shared_verdict(accounts, trusted) := {"finding": {"status": "FAIL", "severity": "medium"}, "text": sprintf(" is shared with %s", [concat(", ", untrusted)])} if {
	untrusted := [a | some a in accounts; not a in trusted]
	untrusted != []
}

_shared_verdict(accounts, trusted) := {"finding": {"status": "PASS"}, "text": sprintf(" is shared only with trusted accounts %s", [concat(", ", accounts)])} if {
	accounts != []
	every a in accounts {
		a in trusted
	}
}

_also_shared(accounts) := sprintf(", and it is shared with %s", [concat(", ", accounts)]) if {
	count(accounts) > 0
} else := ""

# _array(v) is v when it is an array, else [] (as list reads a property).
_array(v) := v if is_array(v)

_array(v) := [] if not is_array(v)

# sharing_finding(r, subject, public_text, trusted) is r's whole finding
# from sharing_verdict, subject naming r in its message ("snapshot
# snap-1"). Kept for auditors' rules written against it; the built-in
# checks call sharing_verdict with the property values, which OPA caches
# per distinct case, where this function is cached per resource.
sharing_finding(r, subject, public_text, trusted) := f if {
	v := sharing_verdict(object.get(r, "public", null), object.get(r, "shared", null), object.get(r, "sharedWithAccounts", null), public_text, trusted)
	f := object.union(v.finding, {"resource_key": r._key, "message": concat("", [subject, v.text])})
}
