package snapaudit.rules.acm_certificate_expiry_test

import data.lib
import data.snapaudit.rules.acm_certificate_expiry as check

# The tests fix the clock at 2026-01-15T12:00:00Z (time.now_ns is the
# snapshot's collection time in the engine).
_now_ns := time.parse_rfc3339_ns("2026-01-15T12:00:00Z")

_ms(rfc) := time.parse_rfc3339_ns(rfc) / 1000000

_cert(status, expires, in_use) := {
	"_key": "arn:aws:acm:us-east-1:111122223333:certificate/c1", "_type": "aws_acm_certificate",
	"_class": ["Certificate"], "id": "c1", "domainName": "www.example.com", "accountId": "111122223333",
	"region": "us-east-1", "status": status, "expiresOn": expires, "inUse": in_use,
	"type": "AMAZON_ISSUED", "renewalEligibility": "ELIGIBLE",
}

_findings(c) := fs if {
	fs := check.findings with input as lib.build_input([c], []) with time.now_ns as _now_ns
}

_only(c) := f if {
	fs := _findings(c)
	count(fs) == 1
	some f in fs
}

test_fail_expired_in_use if {
	f := _only(_cert("EXPIRED", _ms("2026-01-01T00:00:00Z"), true))
	f.status == "FAIL"
	f.severity == "high"
	f.message == "certificate www.example.com (c1) expired on 2026-01-01 and is still in use"
}

test_fail_expired_unused_low if _only(_cert("EXPIRED", _ms("2024-01-01T00:00:00Z"), false)).severity == "low"

test_fail_issued_but_past_expiry if _only(_cert("ISSUED", _ms("2025-12-31T23:59:59Z"), true)).severity == "high"

test_fail_expiring_within_30_days if {
	f := _only(_cert("ISSUED", _ms("2026-02-01T00:00:00Z"), true))
	f.status == "FAIL"
	not f.severity
	f.message == "certificate www.example.com (c1) expires on 2026-02-01, in 16 days (threshold 30); ACM renews it itself once validation succeeds"
}

test_fail_imported_cannot_renew if {
	c := object.union(_cert("ISSUED", _ms("2026-01-20T00:00:00Z"), true), {"type": "IMPORTED", "renewalEligibility": "INELIGIBLE"})
	endswith(_only(c).message, "ACM cannot renew it: renew or re-import it")
}

test_fail_configured_threshold if {
	f := _only(_cert("ISSUED", _ms("2026-03-01T00:00:00Z"), true)) with data.snapaudit.config as {"certificate_expiry_days": 60}
	f.status == "FAIL"
}

test_pass_far_from_expiry if {
	f := _only(_cert("ISSUED", _ms("2026-06-01T00:00:00Z"), true))
	f == lib.pass(_cert("ISSUED", _ms("2026-06-01T00:00:00Z"), true), "certificate www.example.com (c1) expires on 2026-06-01, in 136 days")
}

test_pass_pending_validation_not_judged if count(_findings(_cert("PENDING_VALIDATION", null, false))) == 0

test_error_issued_without_expiry if _only(_cert("ISSUED", null, true)).status == "ERROR"

test_error_status_unknown if _only(_cert(null, _ms("2026-06-01T00:00:00Z"), true)).status == "ERROR"
