package collect

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestReadOnlyGuard drives real SDK clients, with the guard installed,
// against the fake: declared operations go through, anything else fails
// before a request is sent.
func TestReadOnlyGuard(t *testing.T) {
	tests := []struct {
		name    string
		call    func(ctx context.Context, cfg aws.Config) error
		refused bool
		op      string
	}{
		{name: "ec2 TerminateInstances", refused: true, op: "TerminateInstances",
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := ec2.NewFromConfig(cfg).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
				return err
			}},
		{name: "iam CreateAccessKey", refused: true, op: "CreateAccessKey",
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := iam.NewFromConfig(cfg).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
				return err
			}},
		{name: "s3 DeleteBucket", refused: true, op: "DeleteBucket",
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).
					DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(usBucket)})
				return err
			}},
		{name: "undeclared read-only ec2 DescribeSpotPriceHistory", refused: true, op: "DescribeSpotPriceHistory",
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := ec2.NewFromConfig(cfg).DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{})
				return err
			}},
		{name: "declared ec2 DescribeVpcs", refused: false, op: "DescribeVpcs",
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
				return err
			}},
		{name: "allowlisted iam GenerateCredentialReport", refused: false, op: "GenerateCredentialReport",
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := iam.NewFromConfig(cfg).GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
			cfg := WithReadOnlyGuard(fakeConfig(t, srv, nil))
			err := tt.call(t.Context(), cfg)
			if got := errors.Is(err, ErrNotReadOnly); got != tt.refused {
				t.Fatalf("refused = %v (err %v), want %v", got, err, tt.refused)
			}
			seen := 0
			for _, r := range srv.Requests() {
				if r.Operation == tt.op {
					seen++
				}
			}
			if tt.refused && seen != 0 {
				t.Errorf("the fake saw %d %s requests", seen, tt.op)
			}
			if !tt.refused && (err != nil || seen == 0) {
				t.Errorf("allowed call: err %v, %d requests", err, seen)
			}
		})
	}
}

// TestEndpointEnv checks that the SDK's config loader honours
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, that --endpoint-url wins,
// and that S3 switches to path-style addressing with a custom endpoint.
func TestEndpointEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		flag     string
		wantBase string // cfg.BaseEndpoint; "" = unset
		wantS3   string // s3 client BaseEndpoint; "" = unset
	}{
		{name: "none", wantBase: "", wantS3: ""},
		{name: "global env", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1"},
			wantBase: "http://127.0.0.1:1", wantS3: "http://127.0.0.1:1"},
		{name: "service env", env: map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:2"},
			wantBase: "", wantS3: "http://127.0.0.1:2"},
		{name: "flag overrides env", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1"},
			flag: "http://127.0.0.1:3", wantBase: "http://127.0.0.1:3", wantS3: "http://127.0.0.1:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := LoadConfig(t.Context(), ConfigOptions{Region: "eu-west-1", EndpointURL: tt.flag})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(cfg.BaseEndpoint); got != tt.wantBase {
				t.Errorf("BaseEndpoint = %q, want %q", got, tt.wantBase)
			}
			client, err := newClientPool(cfg).get("s3", "eu-west-1")
			if err != nil {
				t.Fatal(err)
			}
			o := client.(*s3.Client).Options()
			if got := aws.ToString(o.BaseEndpoint); got != tt.wantS3 {
				t.Errorf("s3 BaseEndpoint = %q, want %q", got, tt.wantS3)
			}
			if o.UsePathStyle != (tt.wantS3 != "") {
				t.Errorf("s3 UsePathStyle = %v with endpoint %q", o.UsePathStyle, tt.wantS3)
			}
		})
	}

	t.Run("env endpoint reaches the fake", func(t *testing.T) {
		srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
		isolateEnv(t)
		t.Setenv("AWS_ENDPOINT_URL", srv.URL())
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVFAKE")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
		cfg, err := LoadConfig(t.Context(), ConfigOptions{Region: "us-east-1", NoBackoff: true})
		if err != nil {
			t.Fatal(err)
		}
		out, err := sts.NewFromConfig(WithReadOnlyGuard(cfg)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != basicAccount {
			t.Errorf("account %q", aws.ToString(out.Account))
		}
	})
}

// TestAssumeRole checks --role-arn / --external-id / --session-name: the
// collector's calls are signed with the assumed role's keys.
func TestAssumeRole(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	cfg := fakeConfig(t, srv, func(o *ConfigOptions) {
		o.RoleARN = "arn:aws:iam::123456789012:role/SecurityAudit"
		o.ExternalID = "ext-1234"
		o.SessionName = "audit-session"
	})
	w := &memWriter{}
	if _, err := New(cfg, testOpts(WithRegions("us-east-1"))...).Run(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	var assume []fakeaws.Request
	for _, r := range srv.Requests() {
		if r.Operation == "AssumeRole" {
			assume = append(assume, r)
		}
	}
	if len(assume) != 1 {
		t.Fatalf("%d AssumeRole requests, want 1 (credentials are cached)", len(assume))
	}
	p := assume[0].Params
	if p["RoleArn"] != "arn:aws:iam::123456789012:role/SecurityAudit" || p["ExternalId"] != "ext-1234" ||
		p["RoleSessionName"] != "audit-session" {
		t.Errorf("AssumeRole params %v", p)
	}
	for _, r := range srv.Requests() {
		if r.Operation != "AssumeRole" && r.AccessKeyID == "AKIDTESTFAKE" {
			t.Errorf("%s:%s signed with the base keys, not the role's", r.Service, r.Operation)
			break
		}
	}
}

// TestSecretNeverOnDisk collects the basic world into a real snapshot and
// searches every byte of every file for the Lambda secret.
func TestSecretNeverOnDisk(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	dir := filepath.Join(t.TempDir(), "snap")
	// No redaction key: a random one per run.
	opts := []Option{WithPollInterval(0)}
	if _, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil, opts...); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, dir, basicSecret)
	// The marker is there instead (read through the reader: files are compressed).
	s, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	err = s.Rows(t.Context(), "lambda", "ListFunctions", func(r snapshot.Row) error {
		found = found || strings.Contains(r.Response, RedactionMarkerPrefix)
		return nil
	})
	if err != nil || !found {
		t.Errorf("no redaction marker in lambda ListFunctions rows (err %v)", err)
	}
	if _, err := snapshot.Verify(t.Context(), dir); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// assertNoSecret checks that secret, in any encoding, is in no byte of any
// file under dir and in no decoded row (see assertNoLeak).
func assertNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	assertNoLeak(t, dir, []string{secret})
}
