# METADATA
# title: ACM certificate expired or expiring soon
# description: >-
#   An ACM certificate's expiresOn (NotAfter, epoch milliseconds) is before
#   the snapshot's collection time (expired), or within
#   data.snapaudit.config.certificate_expiry_days (default 30) of it. The
#   clock is the collection time, so the answer is the same on every run of
#   the same snapshot. An expired certificate FAILs with severity high when a
#   resource still uses it (inUse) and low when nothing does (it only needs
#   removing); one expiring soon FAILs with severity medium, the message
#   saying whether ACM can renew it itself (renewalEligibility, type
#   AMAZON_ISSUED) or it must be re-imported. Certificates that were never
#   issued (status PENDING_VALIDATION, FAILED, VALIDATION_TIMED_OUT) have no
#   expiry and are not judged. An issued, expired, inactive or revoked
#   certificate without expiresOn, or one whose status is unknown, is an
#   ERROR.
# custom:
#   id: AWS-ACM-001
#   severity: medium
#   resource_types:
#     - aws_acm_certificate
#   frameworks:
#     - AWS Foundational Security Best Practices ACM.1
#   remediation: >-
#     Renew or re-import the certificate before it expires (for ACM-issued
#     certificates, fix the DNS or e-mail validation that blocks managed
#     renewal), move the load balancers and distributions that use it to the
#     new certificate, and delete expired certificates nothing uses (aws acm
#     delete-certificate).
package snapaudit.rules.acm_certificate_expiry

import data.lib

expiry_days := lib.config("certificate_expiry_days", 30)

_never_issued := {"PENDING_VALIDATION", "FAILED", "VALIDATION_TIMED_OUT"}

_day_ms := (24 * 60) * 60000

_now_ms := time.now_ns() / 1000000

findings contains f if {
	some c in lib.resources_of_type("aws_acm_certificate")
	not c.status in _never_issued
	f := _verdict(c)
}

_verdict(c) := lib.error(c, sprintf("certificate %s (status %v): its expiry date is unknown", [_name(c), object.get(c, "status", null)])) if {
	not is_number(object.get(c, "expiresOn", null))
}

_verdict(c) := lib.error(c, sprintf("certificate %s: its status is unknown", [_name(c)])) if {
	is_number(c.expiresOn)
	not is_string(object.get(c, "status", null))
}

_verdict(c) := lib.with_severity(lib.fail(c, sprintf("certificate %s expired on %s and is still in use", [_name(c), _date(c)])), "high") if {
	_checked(c)
	c.expiresOn <= _now_ms
	c.inUse == true
}

_verdict(c) := lib.with_severity(lib.fail(c, sprintf("certificate %s expired on %s; nothing uses it: delete it", [_name(c), _date(c)])), "low") if {
	_checked(c)
	c.expiresOn <= _now_ms
	not c.inUse == true
}

_verdict(c) := lib.fail(c, sprintf("certificate %s expires on %s, in %d days (threshold %d)%s", [_name(c), _date(c), _days_left(c), expiry_days, _renewal(c)])) if {
	_checked(c)
	c.expiresOn > _now_ms
	_days_left(c) <= expiry_days
}

_verdict(c) := lib.pass(c, sprintf("certificate %s expires on %s, in %d days", [_name(c), _date(c), _days_left(c)])) if {
	_checked(c)
	_days_left(c) > expiry_days
}

_checked(c) if {
	is_number(c.expiresOn)
	is_string(c.status)
}

_days_left(c) := floor((c.expiresOn - _now_ms) / _day_ms)

_date(c) := time.format([c.expiresOn * 1000000, "UTC", "2006-01-02"])

_renewal(c) := "; ACM renews it itself once validation succeeds" if {
	c.type == "AMAZON_ISSUED"
	c.renewalEligibility == "ELIGIBLE"
} else := "; ACM cannot renew it: renew or re-import it"

_name(c) := sprintf("%s (%s)", [c.domainName, c.id]) if is_string(c.domainName)

else := object.get(c, "id", c._key)
