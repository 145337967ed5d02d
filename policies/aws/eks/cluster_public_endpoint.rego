# METADATA
# title: EKS cluster API endpoint is open to the whole internet
# description: >-
#   The cluster's Kubernetes API server endpoint is public
#   (endpointPublicAccess) and its allowed source ranges (publicAccessCidrs)
#   include 0.0.0.0/0 or ::/0, AWS's default when public access is on:
#   anyone can reach the API server and try credentials or exploits against
#   it. A public endpoint restricted to named ranges PASSes (the message
#   names them), as does a private-only endpoint. A cluster whose public
#   access setting, or whose ranges while public, are unknown is an ERROR.
# custom:
#   id: AWS-EKS-001
#   severity: high
#   resource_types:
#     - aws_eks_cluster
#   frameworks:
#     - AWS Foundational Security Best Practices EKS.1
#   remediation: >-
#     Turn on the private endpoint and turn off public access (aws eks
#     update-cluster-config --resources-vpc-config
#     endpointPublicAccess=false,endpointPrivateAccess=true), or restrict
#     publicAccessCidrs to the networks that administer the cluster.
package snapaudit.rules.eks_cluster_public_endpoint

import data.lib

_open := {"0.0.0.0/0", "::/0"}

findings contains f if {
	some c in lib.resources_of_type("aws_eks_cluster")
	f := _verdict(c, object.get(c, "endpointPublicAccess", null))
}

_verdict(c, false) := lib.pass(c, sprintf("EKS cluster %s: the API endpoint is private only", [_name(c)]))

_verdict(c, true) := lib.fail(c, sprintf("EKS cluster %s: the API endpoint is public and open to %s", [_name(c), concat(", ", sort(_open_cidrs(c)))])) if {
	is_array(c.publicAccessCidrs)
	count(_open_cidrs(c)) > 0
}

_verdict(c, true) := lib.pass(c, sprintf("EKS cluster %s: the API endpoint is public but restricted to %s", [_name(c), concat(", ", c.publicAccessCidrs)])) if {
	is_array(c.publicAccessCidrs)
	count(c.publicAccessCidrs) > 0
	count(_open_cidrs(c)) == 0
}

_verdict(c, true) := lib.error(c, sprintf("EKS cluster %s: the API endpoint is public, but the source ranges it allows are unknown", [_name(c)])) if {
	count(lib.list(c, "publicAccessCidrs")) == 0
}

_verdict(c, v) := lib.error(c, sprintf("EKS cluster %s: whether the API endpoint is public is unknown (endpointPublicAccess %v)", [_name(c), v])) if not is_boolean(v)

_open_cidrs(c) := {r | some r in c.publicAccessCidrs; r in _open}

_name(c) := object.get(c, "name", c._key)
