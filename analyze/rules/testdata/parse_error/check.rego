package snapaudit.rules.parse_error

findings contains f if {
	f := {"status": "FAIL"
}
