package fakeaws

// Wire protocols, as the aws-sdk-go-v2 clients speak them (see
// /work/shared/spec/protocols.tsv). The fake needs to know a service's protocol
// for three things only: how to find the operation in a request, how to render
// an error, and how to render an empty success. Bodies of successful answers
// come verbatim from the world's fixture files.

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// protocol is one AWS wire protocol.
type protocol int

const (
	protoUnknown   protocol = iota
	protoEC2Query           // form-encoded Action=, XML answer without a Result wrapper
	protoQuery              // form-encoded Action=, <OpResponse><OpResult> XML answer
	protoJSON10             // POST, X-Amz-Target, application/x-amz-json-1.0
	protoJSON11             // POST, X-Amz-Target, application/x-amz-json-1.1
	protoRESTJSON           // method + path bindings, JSON bodies
	protoRESTXML            // method + path bindings, XML bodies
	protoRPCv2CBOR          // Smithy RPC v2 CBOR: recognised, not served
)

func (p protocol) String() string {
	switch p {
	case protoEC2Query:
		return "ec2-query"
	case protoQuery:
		return "aws-query"
	case protoJSON10:
		return "aws-json-1.0"
	case protoJSON11:
		return "aws-json-1.1"
	case protoRESTJSON:
		return "rest-json"
	case protoRESTXML:
		return "rest-xml"
	case protoRPCv2CBOR:
		return "rpc-v2-cbor"
	}
	return "unknown"
}

// serviceInfo describes one aws-sdk-go-v2 service package.
type serviceInfo struct {
	Package     string // aws-sdk-go-v2 service package name; the world's directory name
	SigningName string // SigV4 credential-scope service name
	Protocol    protocol
}

// services is the explicit, sorted registry of the services the fake knows,
// one row per aws-sdk-go-v2 package listed in protocols.tsv. Signing names come
// from the SDK clients' SigV4 configuration. TestServiceRegistry checks it.
var services = []serviceInfo{
	{Package: "accessanalyzer", SigningName: "access-analyzer", Protocol: protoRESTJSON},
	{Package: "acm", SigningName: "acm", Protocol: protoJSON11},
	{Package: "apigateway", SigningName: "apigateway", Protocol: protoRESTJSON},
	{Package: "apigatewayv2", SigningName: "apigateway", Protocol: protoRESTJSON},
	{Package: "autoscaling", SigningName: "autoscaling", Protocol: protoQuery},
	{Package: "batch", SigningName: "batch", Protocol: protoRESTJSON},
	{Package: "cloudformation", SigningName: "cloudformation", Protocol: protoQuery},
	{Package: "cloudfront", SigningName: "cloudfront", Protocol: protoRESTXML},
	{Package: "cloudtrail", SigningName: "cloudtrail", Protocol: protoJSON11},
	{Package: "cloudwatch", SigningName: "monitoring", Protocol: protoRPCv2CBOR},
	{Package: "cloudwatchlogs", SigningName: "logs", Protocol: protoJSON11},
	{Package: "configservice", SigningName: "config", Protocol: protoJSON11},
	{Package: "dynamodb", SigningName: "dynamodb", Protocol: protoJSON10},
	{Package: "ec2", SigningName: "ec2", Protocol: protoEC2Query},
	{Package: "ecr", SigningName: "ecr", Protocol: protoJSON11},
	{Package: "ecs", SigningName: "ecs", Protocol: protoJSON11},
	{Package: "efs", SigningName: "elasticfilesystem", Protocol: protoRESTJSON},
	{Package: "eks", SigningName: "eks", Protocol: protoRESTJSON},
	{Package: "elasticache", SigningName: "elasticache", Protocol: protoQuery},
	{Package: "elasticloadbalancing", SigningName: "elasticloadbalancing", Protocol: protoQuery},
	{Package: "elasticloadbalancingv2", SigningName: "elasticloadbalancing", Protocol: protoQuery},
	{Package: "elasticsearchservice", SigningName: "es", Protocol: protoRESTJSON},
	{Package: "eventbridge", SigningName: "events", Protocol: protoJSON11},
	{Package: "guardduty", SigningName: "guardduty", Protocol: protoRESTJSON},
	{Package: "iam", SigningName: "iam", Protocol: protoQuery},
	{Package: "inspector", SigningName: "inspector", Protocol: protoJSON11},
	{Package: "inspector2", SigningName: "inspector2", Protocol: protoRESTJSON},
	{Package: "kms", SigningName: "kms", Protocol: protoJSON11},
	{Package: "lambda", SigningName: "lambda", Protocol: protoRESTJSON},
	{Package: "opensearch", SigningName: "es", Protocol: protoRESTJSON},
	{Package: "organizations", SigningName: "organizations", Protocol: protoJSON11},
	{Package: "rds", SigningName: "rds", Protocol: protoQuery},
	{Package: "redshift", SigningName: "redshift", Protocol: protoQuery},
	{Package: "route53", SigningName: "route53", Protocol: protoRESTXML},
	{Package: "route53domains", SigningName: "route53domains", Protocol: protoJSON11},
	{Package: "s3", SigningName: "s3", Protocol: protoRESTXML},
	{Package: "s3control", SigningName: "s3", Protocol: protoRESTXML},
	{Package: "secretsmanager", SigningName: "secretsmanager", Protocol: protoJSON11},
	{Package: "sns", SigningName: "sns", Protocol: protoQuery},
	{Package: "sqs", SigningName: "sqs", Protocol: protoJSON10},
	{Package: "ssm", SigningName: "ssm", Protocol: protoJSON11},
	{Package: "sts", SigningName: "sts", Protocol: protoQuery},
	{Package: "transfer", SigningName: "transfer", Protocol: protoJSON11},
	{Package: "waf", SigningName: "waf", Protocol: protoJSON11},
	{Package: "wafregional", SigningName: "waf-regional", Protocol: protoJSON11},
	{Package: "wafv2", SigningName: "wafv2", Protocol: protoJSON11},
	{Package: "workspaces", SigningName: "workspaces", Protocol: protoJSON11},
}

// serviceByPackage finds a service by its SDK package name.
func serviceByPackage(pkg string) (serviceInfo, bool) {
	for _, s := range services {
		if s.Package == pkg {
			return s, true
		}
	}
	return serviceInfo{}, false
}

// serviceBySigningName finds the service a request signed for name belongs to.
// Several packages share a signing name; the first (sorted) one is the default
// and the request itself disambiguates (see resolveService).
func serviceBySigningName(name string) (serviceInfo, bool) {
	for _, s := range services {
		if s.SigningName == name {
			return s, true
		}
	}
	return serviceInfo{}, false
}

// resolveService picks the package for a signing name, using the request where
// two packages share one (ELB classic vs v2 by API version, API Gateway v1 vs v2
// by path prefix, S3 vs S3 Control by the account-id header).
func resolveService(signingName string, r *http.Request, form map[string]string) (serviceInfo, bool) {
	switch signingName {
	case "elasticloadbalancing":
		if form["Version"] == "2015-12-01" {
			return serviceByPackage("elasticloadbalancingv2")
		}
		return serviceByPackage("elasticloadbalancing")
	case "apigateway":
		if strings.HasPrefix(r.URL.Path, "/v2/") {
			return serviceByPackage("apigatewayv2")
		}
		return serviceByPackage("apigateway")
	case "s3":
		if r.Header.Get("X-Amz-Account-Id") != "" {
			return serviceByPackage("s3control")
		}
		return serviceByPackage("s3")
	case "es":
		return serviceByPackage("opensearch")
	}
	return serviceBySigningName(signingName)
}

// apiError is an error answer in protocol-neutral form.
type apiError struct {
	Code    string
	Message string
	Status  int
	Header  http.Header // extra response headers (e.g. x-amz-bucket-region)
}

// defaultStatus is the HTTP status AWS uses for an error code when a fault or
// error fixture does not say.
func defaultStatus(p protocol, code string) int {
	c := strings.ToLower(code)
	switch {
	case code == "SlowDown":
		return http.StatusServiceUnavailable
	case code == "AuthFailure":
		return http.StatusUnauthorized
	case code == "TooManyRequestsException" && p == protoRESTJSON:
		return http.StatusTooManyRequests
	case strings.Contains(c, "throttl"), code == "RequestLimitExceeded", strings.Contains(c, "toomanyrequests"):
		return http.StatusBadRequest
	case strings.Contains(c, "accessdenied"), code == "UnauthorizedOperation", code == "InvalidClientTokenId",
		code == "InvalidAccessKeyId", code == "SignatureDoesNotMatch", code == "OptInRequired":
		return http.StatusForbidden
	case code == "InternalError", code == "InternalFailure", code == "InternalServerError", code == "ServiceException":
		return http.StatusInternalServerError
	case code == "ServiceUnavailable", code == "ServiceUnavailableException":
		return http.StatusServiceUnavailable
	case (p == protoRESTJSON || p == protoRESTXML) &&
		(strings.Contains(c, "notfound") || strings.HasPrefix(code, "NoSuch")):
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// renderError writes e the way service svc's protocol does.
func renderError(w http.ResponseWriter, svc serviceInfo, reqID string, method string, e apiError) {
	p := svc.Protocol
	for k, vs := range e.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := e.Status
	if status == 0 {
		status = defaultStatus(p, e.Code)
	}
	switch p {
	case protoEC2Query:
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>",
			xmlText(e.Code), xmlText(e.Message), xmlText(reqID))
	case protoQuery:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>",
			errorKind(status), xmlText(e.Code), xmlText(e.Message), xmlText(reqID))
	case protoRESTXML:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if method == http.MethodHead {
			return // HEAD answers carry no body; the SDK goes by the status code
		}
		if svc.wrapsXMLErrors() {
			fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>",
				errorKind(status), xmlText(e.Code), xmlText(e.Message), xmlText(reqID))
			return
		}
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><HostId>fakeaws</HostId></Error>",
			xmlText(e.Code), xmlText(e.Message), xmlText(reqID))
	case protoJSON10, protoJSON11:
		w.Header().Set("Content-Type", jsonContentType(p))
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		w.WriteHeader(status)
		writeJSON(w, map[string]string{"__type": e.Code, "message": e.Message})
	default: // REST-JSON, and a safe choice when the protocol is unknown
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		w.WriteHeader(status)
		writeJSON(w, map[string]string{"message": e.Message})
	}
}

// errorKind is the <Type> of a wrapped XML error: Sender, or Receiver for
// server faults.
func errorKind(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// wrapsXMLErrors reports whether a REST-XML service wraps its errors in
// <ErrorResponse><Error> (CloudFront, Route 53, S3 Control, whose SDK
// reads its errors wrapped) rather than answering a bare <Error> as S3 does
// (and as the fake answers for an unknown service).
func (s serviceInfo) wrapsXMLErrors() bool {
	return s.Protocol == protoRESTXML && s.Package != "" && s.Package != "s3"
}

// emptyBody is a valid, empty successful answer for operation op, used for
// List*/Describe* calls that have no fixture.
func emptyBody(p protocol, op, reqID string) (contentType string, body []byte) {
	switch p {
	case protoEC2Query:
		return "text/xml;charset=UTF-8", fmt.Appendf(nil,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%sResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>%s</requestId></%sResponse>",
			op, xmlText(reqID), op)
	case protoQuery:
		return "text/xml", fmt.Appendf(nil,
			"<%sResponse><%sResult/><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
			op, op, xmlText(reqID), op)
	case protoRESTXML:
		return "application/xml", fmt.Appendf(nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%sResult/>", op)
	case protoJSON10, protoJSON11:
		return jsonContentType(p), []byte("{}")
	}
	return "application/json", []byte("{}")
}

func jsonContentType(p protocol) string {
	if p == protoJSON10 {
		return "application/x-amz-json-1.0"
	}
	return "application/x-amz-json-1.1"
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen for the maps written here
		b = []byte("{}")
	}
	_, _ = w.Write(b)
}

// xmlText escapes s for use as XML character data.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
