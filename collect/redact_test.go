package collect

import (
	"encoding/json"
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
