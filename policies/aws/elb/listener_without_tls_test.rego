package snapaudit.rules.elb_listener_without_tls_test

import data.lib
import data.snapaudit.rules.elb_listener_without_tls as check

_alb(public, listeners) := {
	"_key": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1", "_type": "aws_alb",
	"_class": ["Gateway"], "name": "web", "accountId": "111122223333", "region": "us-east-1",
	"public": public, "listeners": listeners,
}

_nlb(listeners) := object.union(_alb(true, listeners), {
	"_key": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/tcp/2", "_type": "aws_nlb", "name": "tcp",
})

_elb(public, protocols, ports) := {
	"_key": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/legacy", "_type": "aws_elb",
	"_class": ["Gateway"], "name": "legacy", "accountId": "111122223333", "region": "us-east-1",
	"public": public, "listenerProtocols": protocols, "listenerPorts": ports,
}

_https := {"Port": 443, "Protocol": "HTTPS", "DefaultActions": [{"Type": "forward"}]}

_http_forward := {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward"}]}

_http_redirect := {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443"}}]}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_alb_http_forward if {
	lb := _alb(true, [_https, _http_forward])
	_only(lb) == lib.fail(lb, "load balancer web is internet-facing with listeners that do not terminate TLS: HTTP:80")
}

test_fail_classic_http if {
	f := _only(_elb(true, ["HTTP", "HTTPS"], [80, 443]))
	f.status == "FAIL"
	not f.severity
	f.message == "load balancer legacy is internet-facing with listeners that do not terminate TLS: HTTP:80"
}

test_fail_nlb_tcp_low if {
	f := _only(_nlb([{"Port": 22, "Protocol": "TCP"}]))
	f.severity == "low"
	endswith(f.message, "TCP:22 (TCP/UDP listeners pass bytes through: fine only if the targets terminate TLS)")
}

test_fail_http_and_tcp_keeps_medium if {
	f := _only(_elb(true, ["TCP", "HTTP"], [25, 80]))
	f.status == "FAIL"
	not f.severity
}

test_fail_redirect_to_http_does_not_count if {
	lb := _alb(true, [{"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "#{protocol}"}}]}])
	_only(lb).status == "FAIL"
}

test_pass_alb_https_and_redirect if _only(_alb(true, [_https, _http_redirect])).status == "PASS"

test_pass_nlb_tls if _only(_nlb([{"Port": 8443, "Protocol": "TLS"}])).status == "PASS"

test_pass_internal if _only(_alb(false, [_http_forward])).status == "PASS"

test_pass_no_listeners if _only(_alb(true, [])).message == "load balancer web is internet-facing and every listener terminates TLS or redirects to HTTPS (it has no listeners)"

test_error_scheme_unknown if _only(_alb(null, [_https])).status == "ERROR"

test_error_listeners_unknown if _only(_alb(true, null)).status == "ERROR"

test_error_classic_lists_misaligned if _only(_elb(true, ["HTTP", "HTTPS"], [80])).status == "ERROR"
