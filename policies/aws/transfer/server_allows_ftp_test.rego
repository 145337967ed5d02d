package snapaudit.rules.transfer_server_allows_ftp_test

import data.lib
import data.snapaudit.rules.transfer_server_allows_ftp as check

_server(protocols, public) := {
	"_key": "arn:aws:transfer:us-east-1:111122223333:server/s-1", "_type": "aws_transfer_server",
	"_class": ["Host", "Gateway"], "id": "s-1", "accountId": "111122223333", "region": "us-east-1",
	"protocols": protocols, "public": public,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_ftp if _only(_server(["SFTP", "FTP"], false)) == lib.fail(_server(["SFTP", "FTP"], false), "Transfer server s-1 accepts plain FTP (protocols SFTP, FTP)")

test_fail_ftp_public if endswith(_only(_server(["FTP"], true)).message, "; the server is reachable from the internet")

test_pass_sftp_ftps if _only(_server(["SFTP", "FTPS"], true)).message == "Transfer server s-1 accepts only encrypted protocols: SFTP, FTPS"

test_error_unknown if _only(_server(null, true)).status == "ERROR"
