package snapaudit.rules.no_metadata

import data.lib

findings contains f if {
	some b in lib.entities_of_type("aws_s3_bucket")
	f := lib.fail(b, "no metadata")
}
