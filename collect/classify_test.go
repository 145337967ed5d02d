package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/snapaudit/snapaudit/snapshot"
)

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " message"}
}

// httpErr wraps err the way the SDK does: an OperationError around a
// ResponseError carrying the HTTP status.
func httpErr(status int, err error) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "GetBucketPolicy", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err},
	}}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		class    snapshot.ErrorClass
		wantCode string
	}{
		{name: "nil", err: nil, class: snapshot.ClassNone},
		{name: "access denied", err: httpErr(403, apiErr("AccessDenied")), class: snapshot.ClassDenied, wantCode: "AccessDenied"},
		{name: "ec2 unauthorized", err: apiErr("UnauthorizedOperation"), class: snapshot.ClassDenied, wantCode: "UnauthorizedOperation"},
		{name: "kms key state", err: httpErr(400, apiErr("KMSInvalidStateException")), class: snapshot.ClassUnsupported, wantCode: "KMSInvalidStateException"},
		{name: "no bucket policy", err: httpErr(404, apiErr("NoSuchBucketPolicy")), class: snapshot.ClassNotFound, wantCode: "NoSuchBucketPolicy"},
		{name: "iam no such entity", err: apiErr("NoSuchEntity"), class: snapshot.ClassNotFound, wantCode: "NoSuchEntity"},
		{name: "organizations not in use", err: apiErr("AWSOrganizationsNotInUseException"), class: snapshot.ClassNotFound,
			wantCode: "AWSOrganizationsNotInUseException"},
		{name: "ec2 dotted not found", err: apiErr("InvalidVpcID.NotFound"), class: snapshot.ClassNotFound, wantCode: "InvalidVpcID.NotFound"},
		{name: "s3 config absent", err: apiErr("OwnershipControlsNotFoundError"), class: snapshot.ClassNotFound,
			wantCode: "OwnershipControlsNotFoundError"},
		{name: "opt-in region", err: apiErr("OptInRequired"), class: snapshot.ClassUnsupported, wantCode: "OptInRequired"},
		{name: "unrecognized client", err: apiErr("UnrecognizedClientException"), class: snapshot.ClassUnsupported,
			wantCode: "UnrecognizedClientException"},
		{name: "throttling after retries", err: fmt.Errorf("retry quota: %w", apiErr("Throttling")), class: snapshot.ClassThrottled,
			wantCode: "Throttling"},
		{name: "s3 slow down", err: httpErr(503, apiErr("SlowDown")), class: snapshot.ClassThrottled, wantCode: "SlowDown"},
		{name: "unknown code, 403 status", err: httpErr(403, apiErr("Weird")), class: snapshot.ClassDenied, wantCode: "Weird"},
		{name: "unknown code, 500 status", err: httpErr(500, apiErr("InternalError")), class: snapshot.ClassOther, wantCode: "InternalError"},
		{name: "no code, 404 status", err: httpErr(404, errors.New("not found")), class: snapshot.ClassNotFound},
		{name: "no code, 429 status", err: httpErr(429, errors.New("slow")), class: snapshot.ClassThrottled},
		{name: "network error", err: errors.New("dial tcp: connection refused"), class: snapshot.ClassOther},
		{name: "no endpoint in the region", class: snapshot.ClassUnsupported, wantCode: "NoEndpoint",
			err: &smithy.OperationError{ServiceID: "WorkSpaces", OperationName: "DescribeWorkspaces", Err: &net.OpError{Op: "dial", Net: "tcp",
				Err: &net.DNSError{Err: "no such host", Name: "workspaces.eu-south-2.amazonaws.com", IsNotFound: true}}}},
		{name: "dns failure is not a missing endpoint", class: snapshot.ClassOther,
			err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "ec2.us-east-1.amazonaws.com", IsTemporary: true}}},
		{name: "deadline", err: context.DeadlineExceeded, class: snapshot.ClassOther, wantCode: "Canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class, code, _ := classify(tt.err)
			if class != tt.class || code != tt.wantCode {
				t.Errorf("classify = (%q, %q), want (%q, %q)", class, code, tt.class, tt.wantCode)
			}
		})
	}
}

func TestRegionRefusal(t *testing.T) {
	tests := []struct {
		name, code, msg string
		want            bool
	}{
		{name: "opt-in", code: "OptInRequired", want: true},
		{name: "ec2 auth failure", code: "AuthFailure", want: true},
		{name: "json unrecognized client", code: "UnrecognizedClientException", want: true},
		{name: "scp access denied", code: "AccessDenied", want: true},
		{name: "ec2 scp deny", code: "UnauthorizedOperation",
			msg:  "User: arn:aws:iam::1:user/a is not authorized to perform: ec2:DescribeVpcs with an explicit deny in a service control policy",
			want: true},
		{name: "ec2 plain iam deny", code: "UnauthorizedOperation", msg: "You are not authorized to perform this operation.", want: false},
		{name: "no ec2 endpoint", code: "NoEndpoint", want: true},
		{name: "throttled", code: "RequestLimitExceeded", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := regionRefusal(tt.code, tt.msg); got != tt.want {
				t.Errorf("regionRefusal(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestBriefMessage(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "network cause", err: &smithy.OperationError{ServiceID: "IAM", OperationName: "ListAccountAliases",
			Err: fmt.Errorf("exceeded maximum number of attempts, 3, %w", refused)}, want: "dial tcp: connect: connection refused"},
		{name: "decoding", err: &smithy.OperationError{ServiceID: "IAM", OperationName: "ListAccountAliases",
			Err: &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}}, want: "could not decode the answer: unexpected EOF"},
		{name: "api error keeps its message", err: apiErr("AccessDenied"), want: "AccessDenied message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, msg := classify(tt.err)
			if got := briefMessage(tt.err, msg); got != tt.want {
				t.Errorf("briefMessage = %q, want %q", got, tt.want)
			}
		})
	}
}
