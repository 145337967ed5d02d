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

findings contains f if {
	some sg in lib.entities_of_type("aws_security_group")
	exposures := _exposed[sg._key]
	count(exposures) > 0
	msg := sprintf("security group %s allows ingress from the internet to admin ports: %s", [_name(sg), concat("; ", sort(exposures))])
	f := lib.fail(sg, msg)
}

findings contains f if {
	some sg in lib.entities_of_type("aws_security_group")
	count(_exposed[sg._key]) == 0
	msg := sprintf("security group %s allows no ingress from 0.0.0.0/0 or ::/0 to ports %s", [_name(sg), _ports_text])
	f := lib.pass(sg, msg)
}

_ports_text := concat(", ", [sprintf("%v", [p]) | some p in admin_ports])

# _exposed[key] is _exposures of the group with that key, computed once per
# group (both findings rules read it). It is a complete rule on purpose: a
# partial object rule looked up by a bound key is re-evaluated for every
# group, which is quadratic.
_exposed := {sg._key: _exposures(sg) | some sg in lib.entities_of_type("aws_security_group")}

# _exposures(sg) is the set of "<cidr> -> <port> (rule <proto> <from>-<to>)"
# strings, one per open CIDR and admin port an inbound rule covers.
_exposures(sg) := {sprintf("%s -> %d (rule %s %s)", [cidr, port, perm.IpProtocol, _range(perm)]) |
	some perm in lib.list(sg, "ipPermissions")
	some cidr in _open_sources(perm)
	some port in admin_ports
	_covers(perm, port)
}

_open_sources(perm) := {r.CidrIp | some r in lib.list(perm, "IpRanges"); r.CidrIp == "0.0.0.0/0"} | {r.CidrIpv6 | some r in lib.list(perm, "Ipv6Ranges"); r.CidrIpv6 == "::/0"}

# Protocol "-1" is all traffic on all ports.
_covers(perm, _) if perm.IpProtocol == "-1"

_covers(perm, port) if {
	lower(perm.IpProtocol) in {"tcp", "6"}
	_from(perm) <= port
	port <= _to(perm)
}

# Absent, null or -1 ports mean "all ports".
_from(perm) := p if {
	p := perm.FromPort
	is_number(p)
	p >= 0
} else := 0

_to(perm) := p if {
	p := perm.ToPort
	is_number(p)
	p >= 0
} else := 65535

_range(perm) := "all" if perm.IpProtocol == "-1"

_range(perm) := sprintf("%d-%d", [_from(perm), _to(perm)]) if perm.IpProtocol != "-1"

_name(sg) := sprintf("%s (%s)", [sg.id, sg.name]) if {
	sg.id != sg.name
	sg.name != ""
} else := object.get(sg, "id", sg._key)
