# METADATA
# title: Transfer Family server accepts plain FTP
# description: >-
#   A Transfer Family server lists FTP among its protocols: user names,
#   passwords and files cross the network in clear text. SFTP, FTPS and AS2
#   encrypt the session and PASS. FTP is only offered on VPC endpoints, but
#   those can have elastic IPs and be internet-facing; the message says
#   whether the server is public. A server whose protocol list is unknown
#   (absent or null) is an ERROR.
# custom:
#   id: AWS-TRANSFER-001
#   severity: high
#   resource_types:
#     - aws_transfer_server
#   frameworks:
#     - AWS Foundational Security Best Practices Transfer.2
#   remediation: >-
#     Remove FTP from the server's protocols (aws transfer update-server
#     --protocols SFTP FTPS) and move its users to SFTP or FTPS.
package snapaudit.rules.transfer_server_allows_ftp

import data.lib

findings contains f if {
	some s in lib.resources_of_type("aws_transfer_server")
	f := _verdict(s, object.get(s, "protocols", null))
}

_verdict(s, protocols) := lib.fail(s, sprintf("Transfer server %s accepts plain FTP (protocols %s)%s", [_name(s), concat(", ", protocols), _exposure(s)])) if {
	is_array(protocols)
	"FTP" in protocols
}

_verdict(s, protocols) := lib.pass(s, sprintf("Transfer server %s accepts only encrypted protocols: %s", [_name(s), concat(", ", protocols)])) if {
	is_array(protocols)
	not "FTP" in protocols
}

_verdict(s, protocols) := lib.error(s, sprintf("Transfer server %s: its protocols are unknown", [_name(s)])) if not is_array(protocols)

_exposure(s) := "; the server is reachable from the internet" if s.public == true

else := ""

_name(s) := object.get(s, "id", s._key)
