package collect

// Error classification. A failed call is data: it becomes a row with an
// ErrorClass, which lets the analyzer tell "the account has no such thing"
// (not_found: a bucket without a policy) from "we could not look"
// (denied, unsupported, throttled, other). The class comes from the AWS error
// code found with errors.As on smithy.APIError; when no code is known the
// HTTP status decides (403 denied, 404 not_found, 429 throttled).
//
// A service that AWS does not offer in a region (WorkSpaces, Transfer
// Family ...) has no endpoint there: its host name does not resolve
// (NXDOMAIN) and no request is sent. That is unsupported, with the code
// NoEndpoint, like an opt-in refusal: an answer about the account's
// regions, not a gap the run reports as a failure. The run's first call
// still fails the run when its endpoint does not resolve (a mistyped
// --endpoint-url; collector.go checks unreachable before classifying).

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/snapaudit/snapaudit/snapshot"
)

// codeClasses maps exact AWS error codes to classes.
var codeClasses = map[string]snapshot.ErrorClass{
	// denied
	"AccessDenied":          snapshot.ClassDenied,
	"AccessDeniedException": snapshot.ClassDenied,
	"AuthFailure":           snapshot.ClassDenied,
	"AuthorizationError":    snapshot.ClassDenied,
	"Forbidden":             snapshot.ClassDenied,
	"UnauthorizedException": snapshot.ClassDenied,
	"UnauthorizedOperation": snapshot.ClassDenied,
	"InvalidClientTokenId":  snapshot.ClassDenied,
	"SignatureDoesNotMatch": snapshot.ClassDenied,
	"ExpiredToken":          snapshot.ClassDenied,
	"ExpiredTokenException": snapshot.ClassDenied,
	"RequestExpired":        snapshot.ClassDenied, // EC2's answer to expired session credentials
	"AllAccessDisabled":     snapshot.ClassDenied,
	"AccountProblem":        snapshot.ClassDenied,
	"InvalidAccessKeyId":    snapshot.ClassDenied,
	// not found / absent configuration
	"AWSOrganizationsNotInUseException":              snapshot.ClassNotFound,
	"NoSuchEntity":                                   snapshot.ClassNotFound,
	"NoSuchBucket":                                   snapshot.ClassNotFound,
	"NoSuchBucketPolicy":                             snapshot.ClassNotFound,
	"NoSuchTagSet":                                   snapshot.ClassNotFound,
	"NoSuchTagSetError":                              snapshot.ClassNotFound,
	"NoSuchPublicAccessBlockConfiguration":           snapshot.ClassNotFound,
	"ServerSideEncryptionConfigurationNotFoundError": snapshot.ClassNotFound,
	"ResourceNotFoundException":                      snapshot.ClassNotFound,
	"NoSuchConfigRuleException":                      snapshot.ClassNotFound,
	"NotFoundException":                              snapshot.ClassNotFound,
	"ReportNotPresent":                               snapshot.ClassNotFound,
	"TableNotFoundException":                         snapshot.ClassNotFound,
	// unsupported: the region or service is not available to the account
	"OptInRequired":                        snapshot.ClassUnsupported,
	"UnrecognizedClientException":          snapshot.ClassUnsupported,
	"UnsupportedOperation":                 snapshot.ClassUnsupported,
	"UnsupportedOperationException":        snapshot.ClassUnsupported,
	"InvalidAction":                        snapshot.ClassUnsupported,
	"SubscriptionRequiredException":        snapshot.ClassUnsupported,
	"KMSInvalidStateException":             snapshot.ClassUnsupported, // the KMS key's state (pending deletion ...) refuses the call
	"NoSuchConfigurationRecorderException": snapshot.ClassNotFound,
	// throttled (after the SDK's retries gave up)
	"Throttling":                             snapshot.ClassThrottled,
	"ThrottlingException":                    snapshot.ClassThrottled,
	"ThrottledException":                     snapshot.ClassThrottled,
	"RequestThrottled":                       snapshot.ClassThrottled,
	"RequestThrottledException":              snapshot.ClassThrottled,
	"RequestLimitExceeded":                   snapshot.ClassThrottled,
	"TooManyRequestsException":               snapshot.ClassThrottled,
	"SlowDown":                               snapshot.ClassThrottled,
	"ProvisionedThroughputExceededException": snapshot.ClassThrottled,
	"LimitExceededException":                 snapshot.ClassThrottled,
	"BandwidthLimitExceeded":                 snapshot.ClassThrottled,
}

// classify returns the class, code and message of a failed call.
func classify(err error) (snapshot.ErrorClass, string, string) {
	if err == nil {
		return snapshot.ClassNone, "", ""
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.ErrorCode(), apiErr.ErrorMessage()
		if c, ok := codeClasses[code]; ok {
			return c, code, msg
		}
		switch {
		// EC2 spells its not-found codes InvalidXxx.NotFound; others end in NotFound(Exception|Error).
		case strings.HasSuffix(code, ".NotFound"), strings.HasSuffix(code, "NotFoundException"),
			strings.HasSuffix(code, "NotFoundError"), strings.HasSuffix(code, "NotFound"):
			return snapshot.ClassNotFound, code, msg
		}
		if c, ok := statusClass(err); ok {
			return c, code, msg
		}
		return snapshot.ClassOther, code, msg
	}
	if host, ok := noEndpoint(err); ok {
		return snapshot.ClassUnsupported, noEndpointCode, fmt.Sprintf("no endpoint: host %s does not exist (the service is not offered in this region)", host)
	}
	if c, ok := statusClass(err); ok {
		return c, "", err.Error()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return snapshot.ClassOther, "Canceled", err.Error()
	}
	return snapshot.ClassOther, "", err.Error()
}

// noEndpointCode is the error code recorded for a call whose regional
// endpoint does not exist (its host name does not resolve).
const noEndpointCode = "NoEndpoint"

// noEndpoint returns the host name when err is a DNS "no such host"
// (NXDOMAIN) answer. The SDK does not retry those.
func noEndpoint(err error) (string, bool) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return dnsErr.Name, true
	}
	return "", false
}

// statusClass classifies by HTTP status when the code says nothing.
func statusClass(err error) (snapshot.ErrorClass, bool) {
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		return "", false
	}
	switch re.HTTPStatusCode() {
	case http.StatusForbidden, http.StatusUnauthorized:
		return snapshot.ClassDenied, true
	case http.StatusNotFound:
		return snapshot.ClassNotFound, true
	case http.StatusTooManyRequests:
		return snapshot.ClassThrottled, true
	}
	return "", false
}

// regionRefusal reports whether the probe call's failure means the whole
// region is out of reach: not enabled (OptInRequired, AuthFailure,
// UnrecognizedClientException, InvalidClientTokenId), without an EC2
// endpoint (NoEndpoint: a region unknown to DNS), or denied for every
// action (an SCP region deny, AccessDenied). EC2 answers a plain IAM deny
// with UnauthorizedOperation; that only skips the region when the message
// says the deny comes from a service control policy, so a policy that merely
// lacks ec2:DescribeVpcs does not hide every region.
func regionRefusal(code, msg string) bool {
	switch code {
	case "OptInRequired", "AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId", "AccessDenied", noEndpointCode:
		return true
	case "UnauthorizedOperation":
		return strings.Contains(strings.ToLower(msg), "service control policy")
	}
	return false
}

// unreachable returns the network-level cause of err when the request never
// got an answer from the endpoint (connection refused or reset, DNS, proxy,
// no answer within the read timeout), e.g. "dial tcp 127.0.0.1:1: connect:
// connection refused".
func unreachable(err error) (string, bool) {
	var apiErr smithy.APIError
	if err == nil || errors.As(err, &apiErr) {
		return "", false
	}
	var te *awshttp.ResponseTimeoutError
	if errors.As(err, &te) {
		return fmt.Sprintf("no answer within %v", te.TimeoutDur), true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Error(), true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Error(), true
	}
	return "", false
}

// briefMessage says in a few words why a call failed, for the run's report:
// the network cause or the decoding failure rather than the SDK's whole
// chain ("operation error IAM: ..., exceeded maximum number of attempts,
// ..."), which the error row keeps.
func briefMessage(err error, msg string) string {
	if cause, ok := unreachable(err); ok {
		return cause
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) && de.Err != nil {
		return "could not decode the answer: " + de.Err.Error()
	}
	return msg
}
