package fakeaws

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// TestFaultKinds checks what each transport fault looks like to the real
// SDK client (one attempt, no retries).
func TestFaultKinds(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	listTables := func(ctx context.Context, cfg aws.Config) error {
		_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
		return err
	}
	listAliases := func(ctx context.Context, cfg aws.Config) error {
		_, err := iam.NewFromConfig(cfg).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		return err
	}
	listFunctions := func(ctx context.Context, cfg aws.Config) error {
		_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
		return err
	}
	deserialization := func(t *testing.T, err error) {
		var de *smithy.DeserializationError
		if !errors.As(err, &de) {
			t.Errorf("error %v (%T) is not a deserialization error", err, err)
		}
	}
	tests := []struct {
		name  string
		fault Fault
		call  func(context.Context, aws.Config) error
		check func(t *testing.T, err error)
	}{
		{name: "reset", fault: Fault{Service: "dynamodb", Kind: FaultReset}, call: listTables,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), "connection reset") && !errors.Is(err, io.EOF) {
					t.Errorf("error %v is not a connection reset", err)
				}
			}},
		{name: "stall past the read timeout", fault: Fault{Service: "iam", Kind: FaultStall}, call: listAliases,
			check: func(t *testing.T, err error) {
				var te *awshttp.ResponseTimeoutError
				if !errors.As(err, &te) {
					t.Errorf("error %v (%T) is not a response timeout", err, err)
				}
			}},
		{name: "truncated xml", fault: Fault{Service: "iam", Kind: FaultTruncate}, call: listAliases,
			check: func(t *testing.T, err error) {
				deserialization(t, err)
				// The body ends early: net/http reports it as an unexpected
				// EOF, or, when its read loop has already closed the
				// connection the server cut, as a read on a closed
				// connection (a race inside the transport: seen once in
				// about ten runs).
				if !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "unexpected EOF") &&
					!errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "use of closed network connection") {
					t.Errorf("error %v does not say the body was cut short", err)
				}
			}},
		{name: "truncated json", fault: Fault{Service: "lambda", Kind: FaultTruncate}, call: listFunctions, check: deserialization},
		{name: "malformed xml", fault: Fault{Service: "iam", Kind: FaultMalformed}, call: listAliases, check: deserialization},
		{name: "malformed json", fault: Fault{Service: "dynamodb", Kind: FaultMalformed}, call: listTables, check: deserialization},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, w)
			srv.Fail(tt.fault)
			cfg := sdkConfig(srv, "us-east-1")
			cfg.RetryMaxAttempts = 1
			cfg.Retryer = nil
			cfg.HTTPClient = awshttp.NewBuildableClient().WithReadTimeout(100 * time.Millisecond)
			err := tt.call(t.Context(), cfg)
			if err == nil {
				t.Fatal("call succeeded")
			}
			tt.check(t, err)
		})
	}
}

// TestFaultPage: a fault with Page fails only that page of a paged call.
func TestFaultPage(t *testing.T) {
	for _, tt := range []struct {
		page     string
		wantPage int // the 0-based page that fails
	}{{page: FirstPage, wantPage: 0}, {page: "page2", wantPage: 1}} {
		t.Run(tt.page, func(t *testing.T) {
			srv := New(t, LoadWorld(t, basicWorld))
			srv.Fail(Fault{Service: "ec2", Operation: "DescribeInstances", Page: tt.page, Code: "RequestLimitExceeded", Times: -1})
			p := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(sdkConfig(srv, "us-east-1")), &ec2.DescribeInstancesInput{})
			for page := 0; p.HasMorePages(); page++ {
				_, err := p.NextPage(t.Context())
				if (err != nil) != (page == tt.wantPage) {
					t.Fatalf("page %d: error %v", page, err)
				}
				if err != nil {
					if code, _ := apiErr(t, err); code != "RequestLimitExceeded" {
						t.Errorf("code %s", code)
					}
					return
				}
			}
			t.Fatal("no page failed")
		})
	}
}

// TestExpireSessions: a request signed with an expired AssumeRole session
// is refused with the protocol's expired-credentials error; the Date header
// is gone.
func TestExpireSessions(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	srv.ExpireSessions(time.Second)
	base := sdkConfig(srv, "us-east-1")
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::123456789012:role/audit")
	creds, err := provider.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sessions := srv.Sessions()
	if len(sessions) != 1 || !creds.Expires.Equal(sessions[0].Expires) || sessions[0].Expires.Nanosecond() != 5e8 {
		t.Fatalf("sessions %+v, credentials expire %v", sessions, creds.Expires)
	}
	cfg := base
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
	if _, err := ec2.NewFromConfig(cfg).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	time.Sleep(time.Until(sessions[0].Expires.Add(600 * time.Millisecond)))
	for _, tt := range []struct {
		name string
		call func() error
		code string
	}{
		{name: "ec2", code: "RequestExpired", call: func() error {
			_, err := ec2.NewFromConfig(cfg).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
			return err
		}},
		{name: "query", code: "ExpiredToken", call: func() error {
			_, err := iam.NewFromConfig(cfg).ListAccountAliases(t.Context(), &iam.ListAccountAliasesInput{})
			return err
		}},
		{name: "json", code: "ExpiredTokenException", call: func() error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(t.Context(), &dynamodb.ListTablesInput{})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := apiErr(t, tt.call()); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
		})
	}
	resp, err := http.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := resp.Header.Get("Date"); d != "" {
		t.Errorf("Date header %q with expiring sessions", d)
	}
}
