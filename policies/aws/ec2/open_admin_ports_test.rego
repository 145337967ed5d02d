package snapaudit.rules.ec2_open_admin_ports_test

import data.lib
import data.snapaudit.rules.ec2_open_admin_ports as check

_sg(perms) := {
	"_key": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0",
	"_type": "aws_security_group",
	"_class": ["Firewall"],
	"id": "sg-0123456789abcdef0",
	"name": "web",
	"accountId": "111122223333",
	"region": "eu-west-1",
	"ipPermissions": perms,
}

_world := [{"CidrIp": "0.0.0.0/0"}]

_world6 := [{"CidrIpv6": "::/0"}]

# _statuses(perms) is the set of finding statuses for one group with those rules.
_statuses(perms) := s if {
	fs := check.findings with input as lib.build_input([_sg(perms)], [])
	s := {f.status | some f in fs}
}

_fails(perms) if _statuses(perms) == {"FAIL"}

_passes(perms) if _statuses(perms) == {"PASS"}

test_fail_ssh_from_world if _fails([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": _world, "Ipv6Ranges": [], "UserIdGroupPairs": []}])

test_fail_rdp_from_world if _fails([{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": _world}])

test_fail_full_tcp_range if _fails([{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": _world}])

test_fail_range_20_25 if _fails([{"IpProtocol": "tcp", "FromPort": 20, "ToPort": 25, "IpRanges": _world}])

test_fail_protocol_all if _fails([{"IpProtocol": "-1", "IpRanges": _world}])

test_fail_protocol_all_null_ports if _fails([{"IpProtocol": "-1", "FromPort": null, "ToPort": null, "IpRanges": _world}])

test_fail_protocol_all_minus_one_ports if _fails([{"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "IpRanges": _world}])

test_fail_protocol_number_6 if _fails([{"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": _world}])

test_fail_only_ipv6 if _fails([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [], "Ipv6Ranges": _world6}])

test_fail_world_among_restricted if _fails([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "0.0.0.0/0", "Description": "temp"}]}])

test_pass_udp_22 if _passes([{"IpProtocol": "udp", "FromPort": 22, "ToPort": 22, "IpRanges": _world, "Ipv6Ranges": _world6}])

test_pass_restricted_cidr if _passes([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}], "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}]}])

test_pass_range_between_admin_ports if _passes([{"IpProtocol": "tcp", "FromPort": 23, "ToPort": 3388, "IpRanges": _world}])

test_pass_https_from_world if _passes([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": _world}])

test_pass_security_group_reference if _passes([{"IpProtocol": "-1", "IpRanges": [], "UserIdGroupPairs": [{"GroupId": "sg-0aaaaaaaaaaaaaaaa", "UserId": "111122223333"}]}])

test_pass_icmp_from_world if _passes([{"IpProtocol": "icmp", "FromPort": 8, "ToPort": 0, "IpRanges": _world}])

test_pass_no_rules if _passes([])

test_pass_null_rules if _passes(null)

test_pass_rules_absent if {
	sg := object.remove(_sg([]), ["ipPermissions"])
	fs := check.findings with input as lib.build_input([sg], [])
	{f.status | some f in fs} == {"PASS"}
}

test_fail_message_names_cidr_port_and_rule if {
	fs := check.findings with input as lib.build_input([_sg([{"IpProtocol": "tcp", "FromPort": 20, "ToPort": 25, "Ipv6Ranges": _world6}])], [])
	some f in fs
	f.message == "security group sg-0123456789abcdef0 (web) allows ingress from the internet to admin ports: ::/0 -> 22 (rule tcp 20-25)"
	f.resource_key == "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0"
}

test_fail_one_finding_per_group if {
	perms := [
		{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": _world, "Ipv6Ranges": _world6},
		{"IpProtocol": "-1", "IpRanges": _world},
	]
	fs := check.findings with input as lib.build_input([_sg(perms)], [])
	count(fs) == 1
	some f in fs
	f.status == "FAIL"
	contains(f.message, "0.0.0.0/0 -> 3389 (rule -1 all)")
	contains(f.message, "::/0 -> 22 (rule tcp 22-22)")
}

test_fail_configured_admin_port if {
	perms := [{"IpProtocol": "tcp", "FromPort": 445, "ToPort": 445, "IpRanges": _world}]
	fs := check.findings with input as lib.build_input([_sg(perms)], [])
		with data.snapaudit.config as {"admin_ports": [22, 3389, 445]}
	{f.status | some f in fs} == {"FAIL"}
}

test_pass_default_ignores_445 if _passes([{"IpProtocol": "tcp", "FromPort": 445, "ToPort": 445, "IpRanges": _world}])

test_pass_other_types_ignored if {
	inst := {"_key": "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "_type": "aws_instance", "_class": ["Host"], "ipPermissions": [{"IpProtocol": "-1", "IpRanges": _world}]}
	fs := check.findings with input as lib.build_input([inst], [])
	count(fs) == 0
}
