package collect

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"
)

func TestRedactorMarker(t *testing.T) {
	a, b := redactor{key: []byte("key-a")}, redactor{key: []byte("key-b")}
	tests := []struct {
		name  string
		got   string
		other string
		equal bool
	}{
		{name: "same key same value", got: a.marker("hunter2"), other: a.marker("hunter2"), equal: true},
		{name: "same key other value", got: a.marker("hunter2"), other: a.marker("hunter3"), equal: false},
		{name: "other key same value", got: a.marker("hunter2"), other: b.marker("hunter2"), equal: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasPrefix(tt.got, RedactionMarkerPrefix) || len(tt.got) != len(RedactionMarkerPrefix)+16 {
				t.Errorf("marker %q is not %s<16 hex>", tt.got, RedactionMarkerPrefix)
			}
			if (tt.got == tt.other) != tt.equal {
				t.Errorf("%q vs %q: equal=%v, want %v", tt.got, tt.other, tt.got == tt.other, tt.equal)
			}
		})
	}
	// HMAC-SHA256("key-a", "hunter2"), computed independently with
	// `printf hunter2 | openssl dgst -sha256 -hmac key-a`.
	if got, want := a.marker("hunter2"), RedactionMarkerPrefix+"fdf7d4f6c38f237c"; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
}

func TestRedactorApply(t *testing.T) {
	red := redactor{key: []byte("k")}
	m := red.marker
	tests := []struct {
		name  string
		paths []string
		in    any
		want  any
	}{
		{
			name:  "lambda environment values",
			paths: []string{"Functions[].Environment.Variables{}"},
			in: &lambda.ListFunctionsOutput{Functions: []lambdatypes.FunctionConfiguration{
				{FunctionName: aws.String("f1"), Environment: &lambdatypes.EnvironmentResponse{
					Variables: map[string]string{"DB_PASSWORD": "hunter2", "EMPTY": ""}}},
				{FunctionName: aws.String("f2")}, // no environment: untouched
			}},
			want: &lambda.ListFunctionsOutput{Functions: []lambdatypes.FunctionConfiguration{
				{FunctionName: aws.String("f1"), Environment: &lambdatypes.EnvironmentResponse{
					Variables: map[string]string{"DB_PASSWORD": m("hunter2"), "EMPTY": ""}}},
				{FunctionName: aws.String("f2")},
			}},
		},
		{
			name:  "byte slices",
			paths: []string{"VirtualMFADevices[].Base32StringSeed"},
			in: &iam.ListVirtualMFADevicesOutput{VirtualMFADevices: []iamtypes.VirtualMFADevice{
				{SerialNumber: aws.String("arn:mfa"), Base32StringSeed: []byte("SEEDSEED")}}},
			want: &iam.ListVirtualMFADevicesOutput{VirtualMFADevices: []iamtypes.VirtualMFADevice{
				{SerialNumber: aws.String("arn:mfa"), Base32StringSeed: []byte(m("SEEDSEED"))}}},
		},
		{
			name:  "nil output is left alone",
			paths: []string{"Functions[].Environment.Variables{}"},
			in:    (*lambda.ListFunctionsOutput)(nil),
			want:  (*lambda.ListFunctionsOutput)(nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := red.apply(tt.in, tt.paths); err != nil {
				t.Fatal(err)
			}
			// Compare as JSON: SDK structs hold unexported fields.
			got, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("redacted value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedactPathErrors(t *testing.T) {
	out := reflect.TypeFor[lambda.ListFunctionsOutput]()
	tests := []struct {
		name, path, wantErr string
	}{
		{name: "unknown field", path: "Functions[].Nope", wantErr: "has no field Nope"},
		{name: "slice marker on a map", path: "Functions[].Environment.Variables[]", wantErr: "is not a slice"},
		{name: "leaf is a struct", path: "Functions[].Environment", wantErr: "is not a string"},
		{name: "empty segment", path: "Functions..X", wantErr: "empty field name"},
		{name: "valid", path: "Functions[].Environment.Variables{}", wantErr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRedactPath(out, tt.path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestScrubURL(t *testing.T) {
	red := redactor{key: []byte("k")}
	m := red.marker
	q := func(s string) string { return url.QueryEscape(m(s)) }
	lambdaURI := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:orders/invocations"
	tests := []struct {
		name, in, want string
	}{
		{name: "lambda integration ARN kept", in: lambdaURI, want: lambdaURI},
		{name: "stage variable ARN kept", in: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:${stageVariables.fn}/invocations",
			want: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:${stageVariables.fn}/invocations"},
		{name: "plain https kept", in: "https://partner.example.com/v1/{id}", want: "https://partner.example.com/v1/{id}"},
		{name: "query values", in: "https://p.example.com/v1?api_key=K1&format=json",
			want: "https://p.example.com/v1?api_key=" + q("K1") + "&format=" + q("json")},
		{name: "bare query word", in: "https://p.example.com/v1?SECRETWORD", want: "https://p.example.com/v1?" + q("SECRETWORD")},
		{name: "user information", in: "https://svc:pw@p.example.com/v1", want: "https://" + url.User(m("svc:pw")).String() + "@p.example.com/v1"},
		{name: "fragment", in: "https://p.example.com/cb#token=T", want: "https://p.example.com/cb#" + url.PathEscape(m("token=T"))},
		{name: "unparsable replaced whole", in: "http://[::1%zz/x?k=v", want: m("http://[::1%zz/x?k=v")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := red.scrubURL(tt.in)
			if got != tt.want {
				t.Errorf("scrubURL(%q) =\n %q, want\n %q", tt.in, got, tt.want)
			}
			for _, secret := range []string{"K1", "SECRETWORD", "pw", "token=T", "json"} {
				if strings.Contains(tt.in, secret) && strings.Contains(got, secret) {
					t.Errorf("%q survives in %q", secret, got)
				}
			}
		})
	}
}
