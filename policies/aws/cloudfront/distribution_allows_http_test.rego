package snapaudit.rules.cloudfront_distribution_allows_http_test

import data.lib
import data.snapaudit.rules.cloudfront_distribution_allows_http as check

_dist(policy, behaviors) := {
	"_key": "arn:aws:cloudfront::111122223333:distribution/E1", "_type": "aws_cloudfront_distribution",
	"_class": ["Gateway"], "id": "E1", "name": "d1.cloudfront.net", "accountId": "111122223333",
	"viewerProtocolPolicy": policy, "cacheBehaviorViewerProtocolPolicies": behaviors,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_default_allow_all if {
	_only(_dist("allow-all", [])) == lib.fail(_dist("allow-all", []), "distribution E1 (d1.cloudfront.net) serves viewers over plain HTTP: default behavior (allow-all)")
}

test_fail_path_behavior_allow_all if {
	_only(_dist("redirect-to-https", ["https-only", "allow-all"])).message == "distribution E1 (d1.cloudfront.net) serves viewers over plain HTTP: cache behavior 2 (allow-all)"
}

test_pass_redirect_and_https_only if _only(_dist("redirect-to-https", ["https-only"])).status == "PASS"

test_error_default_unknown if _only(_dist(null, [])).status == "ERROR"

test_error_behaviors_unknown if _only(_dist("https-only", null)).status == "ERROR"
