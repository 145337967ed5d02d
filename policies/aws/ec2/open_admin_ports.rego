# METADATA
# title: Security group allows ingress from the internet to SSH or RDP
# description: >-
#   A security group has an inbound rule that allows traffic from 0.0.0.0/0 or
#   ::/0 to a remote administration port (22/SSH or 3389/RDP by default). Any
#   instance it protects is reachable for password guessing and exploits of the
#   remote access service. A rule matches when its protocol is "-1" (all
#   traffic), or tcp ("tcp" or "6") with a port range that covers an admin
#   port; absent or -1 ports mean all ports. udp, icmp and rules that only
#   reference other security groups or restricted CIDRs do not match. Prefix
#   lists are not resolved.
# custom:
#   id: AWS-EC2-001
#   severity: high
#   resource_types:
#     - aws_security_group
#   frameworks:
#     - CIS AWS Foundations v3.0.0 5.2
#     - CIS AWS Foundations v3.0.0 5.3
#   remediation: >-
#     Remove the inbound rules that allow 0.0.0.0/0 or ::/0 to port 22 or 3389
#     (aws ec2 revoke-security-group-ingress), and reach hosts through AWS Systems
#     Manager Session Manager, a VPN or a bastion restricted to known CIDRs.
package snapaudit.rules.ec2_open_admin_ports

import data.lib

# Ports treated as remote administration; data.snapaudit.config.admin_ports
# overrides them (CIS v4 adds 445 for CIFS).
admin_ports := lib.config("admin_ports", [22, 3389])

# One rule judges each group once: its exposures, one
# "<cidr> -> <port> (rule <proto> <from>-<to>)" string per open CIDR and
# admin port an inbound rule covers, are a comprehension in the rule body
# (a helper taking the group would be cached per group for the whole
# evaluation), and _verdict(exposures), cached per distinct set (every
# closed group shares the empty one), gives the status and the message
# after the group's name; the finding is written out (a Rego function call
# per group costs OPA more than the object). Helpers take scalars, not the
# rule object: OPA caches function results by their arguments, and passing
# the object to several helpers per rule cost about a fifth of the run time
# on the 5k-group benchmark. Two rules (FAIL and PASS) reading a table of
# every group's exposures (_exposed) went over the groups twice
# (docs/performance.md, "One verdict per resource").
findings contains f if {
	ports := admin_ports

	# By key, not through lib.resources_of_type (docs/performance.md, "Fewer
	# allocations in the checks").
	some key in object.get(input.resource_types, "aws_security_group", [])
	sg := input.entities[key]
	exposures := {sprintf("%s -> %d (rule %s %s)", [cidr, port, proto, text]) |
		some perm in lib.list(sg, "ipPermissions")
		some cidr in _open_sources(perm)
		proto := perm.IpProtocol
		[from, to, text] := _ports(proto, object.get(perm, "FromPort", null), object.get(perm, "ToPort", null))
		some port in ports
		from <= port
		port <= to
	}
	verdict := _verdict(exposures)
	f := {"resource_key": sg._key, "status": verdict.status, "message": sprintf("security group %s %s", [_name(sg), verdict.text])}
}

_verdict(exposures) := {"status": "PASS", "text": concat("", ["allows no ingress from 0.0.0.0/0 or ::/0 to ports ", _ports_text])} if {
	count(exposures) == 0
} else := {"status": "FAIL", "text": concat("", ["allows ingress from the internet to admin ports: ", concat("; ", sort(exposures))])}

_ports_text := concat(", ", [sprintf("%v", [p]) | some p in admin_ports])

_open_sources(perm) := {r.CidrIp | some r in lib.list(perm, "IpRanges"); r.CidrIp == "0.0.0.0/0"} | {r.CidrIpv6 | some r in lib.list(perm, "Ipv6Ranges"); r.CidrIpv6 == "::/0"}

# _ports(protocol, from, to) is [first, last, text] of the ports a rule
# opens for tcp; undefined for other protocols. Protocol "-1" is all traffic
# on all ports; absent, null or -1 ports mean all ports.
_ports("-1", _, _) := [0, 65535, "all"]

_ports(proto, from, to) := [f, t, sprintf("%d-%d", [f, t])] if {
	lower(proto) in {"tcp", "6"}
	f := _port_or(from, 0)
	t := _port_or(to, 65535)
}

_port_or(p, fallback) := p if {
	is_number(p)
	p >= 0
} else := fallback

_name(sg) := sprintf("%s (%s)", [sg.id, sg.name]) if {
	sg.id != sg.name
	sg.name != ""
} else := object.get(sg, "id", sg._key)
