package snapaudit.rules.eks_cluster_public_endpoint_test

import data.lib
import data.snapaudit.rules.eks_cluster_public_endpoint as check

_cluster(public, cidrs) := {
	"_key": "arn:aws:eks:us-east-1:111122223333:cluster/platform", "_type": "aws_eks_cluster", "_class": ["Cluster"],
	"name": "platform", "accountId": "111122223333", "region": "us-east-1",
	"endpointPublicAccess": public, "publicAccessCidrs": cidrs,
}

_only(e) := f if {
	fs := check.findings with input as lib.build_input([e], [])
	count(fs) == 1
	some f in fs
}

test_fail_open_to_world if {
	_only(_cluster(true, ["0.0.0.0/0"])) == lib.fail(_cluster(true, ["0.0.0.0/0"]), "EKS cluster platform: the API endpoint is public and open to 0.0.0.0/0")
}

test_fail_world_among_ranges if _only(_cluster(true, ["203.0.113.0/24", "0.0.0.0/0"])).status == "FAIL"

test_pass_restricted if {
	_only(_cluster(true, ["203.0.113.0/24"])).message == "EKS cluster platform: the API endpoint is public but restricted to 203.0.113.0/24"
}

test_pass_private if _only(_cluster(false, null)).status == "PASS"

test_error_public_unknown if _only(_cluster(null, ["0.0.0.0/0"])).status == "ERROR"

test_error_ranges_unknown if _only(_cluster(true, null)).status == "ERROR"
