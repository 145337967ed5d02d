# METADATA
# title: Internet-facing load balancer listener without TLS
# description: >-
#   An internet-facing load balancer (public, from its scheme) has a listener
#   that does not terminate TLS. A plain HTTP listener FAILs (severity medium):
#   requests, cookies and credentials cross the internet in clear text; on an
#   application load balancer an HTTP listener whose default action redirects
#   to HTTPS counts as TLS-enforcing (listener rules are not collected, so a
#   rule forwarding some paths over HTTP is not seen). A TCP, UDP or TCP_UDP
#   listener (network and classic load balancers) FAILs with severity low: the
#   load balancer passes the bytes through, and is fine only when the targets
#   terminate TLS themselves, which the snapshot cannot tell. HTTPS, TLS and
#   SSL listeners PASS, as does every internal load balancer. A load balancer
#   whose scheme or listeners are unknown is an ERROR. Application and network
#   load balancers are read from their listeners (elasticloadbalancingv2
#   DescribeListeners), classic ones from listenerProtocols and listenerPorts.
# custom:
#   id: AWS-ELB-001
#   severity: medium
#   resource_types:
#     - aws_alb
#     - aws_elb
#     - aws_nlb
#   frameworks:
#     - AWS Foundational Security Best Practices ELB.1
#     - AWS Foundational Security Best Practices ELB.3
#   remediation: >-
#     Serve the load balancer over HTTPS or TLS with an ACM certificate, and
#     turn each remaining HTTP listener into a redirect to HTTPS (aws elbv2
#     modify-listener --default-actions Type=redirect,...Protocol=HTTPS); move
#     classic load balancers to application load balancers; for TCP listeners,
#     use a TLS listener or make sure the targets speak TLS.
package snapaudit.rules.elb_listener_without_tls

import data.lib

_tls := {"HTTPS", "TLS", "SSL"}

_transport := {"TCP", "UDP", "TCP_UDP"}

findings contains f if {
	some t in ["aws_alb", "aws_elb", "aws_nlb"]
	some lb in lib.resources_of_type(t)
	f := _verdict(lb, object.get(lb, "public", null))
}

_verdict(lb, false) := lib.pass(lb, sprintf("load balancer %s is internal: its listeners are not reachable from the internet", [_name(lb)]))

_verdict(lb, v) := lib.error(lb, sprintf("load balancer %s: whether it is internet-facing is unknown (public %v)", [_name(lb), v])) if not is_boolean(v)

_verdict(lb, true) := lib.error(lb, sprintf("load balancer %s is internet-facing, but its listeners are unknown", [_name(lb)])) if not _listeners(lb)

_verdict(lb, true) := lib.fail(lb, _message(lb)) if {
	some l in _listeners(lb)
	l.protocol == "HTTP"
	not l.redirects
}

_verdict(lb, true) := lib.with_severity(lib.fail(lb, _message(lb)), "low") if {
	count(_weak(lb)) > 0
	every l in _weak(lb) {
		l.protocol in _transport
	}
}

_verdict(lb, true) := lib.pass(lb, sprintf("load balancer %s is internet-facing and every listener terminates TLS or redirects to HTTPS%s", [_name(lb), _none(lb)])) if {
	_listeners(lb)
	count(_weak(lb)) == 0
}

# _listeners(lb) is [{port, protocol, redirects}], undefined when unknown.
_listeners(lb) := [{"port": l.Port, "protocol": upper(l.Protocol), "redirects": _redirects(l)} |
	some l in lb.listeners
] if {
	lb._type != "aws_elb"
	is_array(lb.listeners)
	every l in lb.listeners {
		is_string(l.Protocol)
	}
}

_listeners(lb) := [{"port": lb.listenerPorts[i], "protocol": upper(p), "redirects": false} |
	some i, p in lb.listenerProtocols
] if {
	lb._type == "aws_elb"
	is_array(lb.listenerProtocols)
	is_array(lb.listenerPorts)
	count(lb.listenerProtocols) == count(lb.listenerPorts)
}

# _redirects(l) is true when an HTTP listener's default action redirects to HTTPS.
_redirects(l) if {
	some a in lib.list(l, "DefaultActions")
	a.Type == "redirect"
	upper(a.RedirectConfig.Protocol) == "HTTPS"
}

else := false

_weak(lb) := [l | some l in _listeners(lb); not l.protocol in _tls; not l.redirects]

_message(lb) := sprintf("load balancer %s is internet-facing with listeners that do not terminate TLS: %s%s", [
	_name(lb),
	concat(", ", [sprintf("%s:%v", [l.protocol, l.port]) | some l in _weak(lb)]),
	_passthrough(lb),
])

_passthrough(lb) := " (TCP/UDP listeners pass bytes through: fine only if the targets terminate TLS)" if {
	some l in _weak(lb)
	l.protocol in _transport
} else := ""

_none(lb) := " (it has no listeners)" if count(_listeners(lb)) == 0

else := ""

_name(lb) := object.get(lb, "name", lb._key)
