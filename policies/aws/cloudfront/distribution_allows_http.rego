# METADATA
# title: CloudFront distribution serves viewers over plain HTTP
# description: >-
#   A cache behavior of the distribution, its default one
#   (viewerProtocolPolicy) or a path-specific one
#   (cacheBehaviorViewerProtocolPolicies), has the viewer protocol policy
#   allow-all: viewers can fetch content, cookies and tokens over unencrypted
#   HTTP. redirect-to-https and https-only PASS. Disabled distributions are
#   judged too (enabling one must not expose it). A distribution whose default
#   policy is unknown, or whose behavior list is not a list, is an ERROR.
# custom:
#   id: AWS-CLOUDFRONT-001
#   severity: medium
#   resource_types:
#     - aws_cloudfront_distribution
#   frameworks:
#     - AWS Foundational Security Best Practices CloudFront.3
#   remediation: >-
#     Set the viewer protocol policy of every cache behavior to
#     redirect-to-https (or https-only) in the distribution's configuration
#     (aws cloudfront update-distribution), and serve the alternate domain
#     names with an ACM certificate.
package snapaudit.rules.cloudfront_distribution_allows_http

import data.lib

_secure := {"redirect-to-https", "https-only"}

findings contains f if {
	some d in lib.resources_of_type("aws_cloudfront_distribution")
	f := _verdict(d)
}

_verdict(d) := lib.error(d, sprintf("distribution %s: its viewer protocol policies are unknown", [_name(d)])) if not _known(d)

_verdict(d) := lib.fail(d, sprintf("distribution %s serves viewers over plain HTTP: %s", [_name(d), concat("; ", _plain(d))])) if {
	_known(d)
	count(_plain(d)) > 0
}

_verdict(d) := lib.pass(d, sprintf("distribution %s requires HTTPS from viewers on every cache behavior", [_name(d)])) if {
	_known(d)
	count(_plain(d)) == 0
}

_known(d) if {
	is_string(d.viewerProtocolPolicy)
	is_array(d.cacheBehaviorViewerProtocolPolicies)
}

# _plain(d) names the behaviors whose policy is not HTTPS-only or a redirect.
_plain(d) := array.concat(
	[sprintf("default behavior (%s)", [d.viewerProtocolPolicy]) | not d.viewerProtocolPolicy in _secure],
	[sprintf("cache behavior %d (%s)", [i + 1, p]) | some i, p in d.cacheBehaviorViewerProtocolPolicies; not p in _secure],
)

_name(d) := sprintf("%s (%s)", [d.id, d.name]) if {
	is_string(d.name)
	d.name != d.id
} else := object.get(d, "id", d._key)
