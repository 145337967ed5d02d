package snapaudit.rules.ec2_open_admin_ports

import data.lib

findings contains f if {
	some sg in lib.entities_of_type("aws_security_group")
	f := lib.pass(sg, "everything is fine")
}
