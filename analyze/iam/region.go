package iam

import (
	"slices"
	"strings"
)

// aws:RequestedRegion is the Region a request is sent to (IAM User Guide,
// reference_policies_condition-keys.html#condition-keys-requestedregion).
// Offline, a request is known by its action and resource, not its
// endpoint; the Region still follows from them in two cases:
//
//   - a global service with a single endpoint in US East (N. Virginia):
//     IAM, CloudFront, Route 53 and Support ("all requests to these
//     services are made to the us-east-1 Region",
//     reference_policies_examples_aws_deny-requested-region.html), in the
//     aws partition;
//   - a regional resource: its ARN names the Region it lives in, and a
//     request on it goes to that Region's endpoint
//     (reference-arns.html: the region element).
//
// Otherwise the key is left to the request's context (unknown offline): a
// resource without a Region in its ARN (S3 buckets, IAM roles as STS's
// resource: STS has regional endpoints, and the global endpoint now serves
// each request in the caller's Region, id_credentials_temp_region-endpoints.html),
// "*" or a pattern whose Region element has a wildcard, and the copy
// actions sent to the destination Region about a source resource in
// another (crossRegionActions).

// globalRegion is the Region of the single endpoint of each global service
// of the aws partition.
var globalRegion = map[string]string{
	"iam": "us-east-1", "cloudfront": "us-east-1", "route53": "us-east-1", "support": "us-east-1",
}

// crossRegionActions are requested in the destination Region about a
// source resource that may be in another (EC2 User Guide,
// ebs-copy-snapshot.html and CopyingAMIs.html; RDS User Guide,
// USER_CopySnapshot.html): the source's ARN does not name the Region.
var crossRegionActions = []string{"ec2:copysnapshot", "ec2:copyimage", "rds:copydbsnapshot", "rds:copydbclustersnapshot"}

// CrossRegion reports whether action (any case) is requested in the
// destination Region about a source resource that may be in another
// (crossRegionActions): RequestedRegion does not know its Region.
func CrossRegion(action string) bool { return isCrossRegion(action) }

// CrossRegionActions returns the actions CrossRegion reports, lower case.
func CrossRegionActions() []string { return slices.Clone(crossRegionActions) }

// RequestedRegion returns the Region a request of pr for action on
// resource is sent to, when the request itself decides it (see above).
// Callers ask it for every request: it does not allocate when the
// service prefix is lower case (the action's case does not matter).
func RequestedRegion(pr Principal, action, resource string) (string, bool) {
	svc, _, _ := strings.Cut(action, ":")
	return requestedRegion(pr, strings.ToLower(svc), action, resource)
}

// requestedRegion is RequestedRegion with the service lower case (the
// action in any case). It does not allocate.
func requestedRegion(pr Principal, service, action, resource string) (string, bool) {
	partition, region, isARN := arnRegion(resource)
	if r, ok := globalRegion[service]; ok {
		if !isARN {
			partition, _, isARN = arnRegion(pr.ARN)
		}
		if !isARN || partition == "aws" {
			return r, true
		}
		return "", false
	}
	if !isARN || region == "" || strings.ContainsAny(region, "*?$") || isCrossRegion(action) {
		return "", false
	}
	return region, true
}

// arnRegion returns the partition and region elements of an ARN, and
// whether s is one (arn:PARTITION:SERVICE:REGION:...).
func arnRegion(s string) (partition, region string, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return "", "", false
	}
	partition, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", "", false
	}
	_, rest, ok = strings.Cut(rest, ":") // service
	if !ok {
		return "", "", false
	}
	region, _, ok = strings.Cut(rest, ":")
	return partition, region, ok
}

// isCrossRegion reports whether action, in any case, is one of
// crossRegionActions: strings.ToLower(action) equals one, without the
// copy. Only ASCII letters are folded: no other character lower-cases to
// a letter of those names (the Kelvin sign K, which lower-cases to 'k',
// is in none of them).
func isCrossRegion(action string) bool {
	for _, a := range crossRegionActions {
		if equalLowerASCII(action, a) {
			return true
		}
	}
	return false
}

// equalLowerASCII reports whether s with its ASCII letters lower-cased is
// lower (lower case ASCII).
func equalLowerASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
