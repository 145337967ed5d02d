# METADATA
# title: Instance protected by a security group open to the internet on SSH/RDP
# description: Benchmark check that joins instances to their security groups through input.in (PROTECTS).
# custom:
#   id: BENCH-JOIN-001
#   severity: high
#   resource_types: [aws_instance, aws_security_group]
#   frameworks: []
#   remediation: Close the security group.
package snapaudit.rules.bench.exposed_instances

import data.lib
import data.snapaudit.rules.ec2_open_admin_ports as sgcheck

_open_groups := {f.resource_key | some f in sgcheck.findings; f.status == "FAIL"}

findings contains f if {
	some inst in lib.entities_of_type("aws_instance")
	some sg in lib.incoming(inst, "PROTECTS")
	sg._key in _open_groups
	f := lib.fail(inst, sprintf("instance %s is protected by %s, which is open to the internet on an admin port", [inst.id, sg.id]))
}
