package fakeaws

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// s3controlClient is an S3 Control client as the SDK builds it: its
// endpoint rules put the account ID before the host of the custom endpoint
// too (111122223333.127.0.0.1:port), a name that does not resolve, so its
// connections are dialled to the endpoint's address and the request keeps
// the prefixed Host, as it reaches S3 Control on AWS.
func s3controlClient(cfg aws.Config) *s3control.Client {
	addr := strings.TrimPrefix(aws.ToString(cfg.BaseEndpoint), "http://")
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	return s3control.NewFromConfig(cfg)
}

// TestDecode calls one operation per protocol with the real SDK client and
// checks decoded fields of the fixture that answered.
func TestDecode(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	tests := []struct {
		name        string
		region      string
		call        func(ctx context.Context, cfg aws.Config) (string, error)
		want        string
		wantFixture string
	}{
		{
			name:   "ec2 query DescribeInstances first page",
			region: "eu-west-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
				if err != nil {
					return "", err
				}
				i := out.Reservations[0].Instances[0]
				return aws.ToString(i.InstanceId) + " " + string(i.State.Name) + " " + aws.ToString(i.Tags[0].Value), nil
			},
			want:        "i-0e1b2c3d4e5f60003 running eu-web-1",
			wantFixture: "ec2/eu-west-1/DescribeInstances.xml",
		},
		{
			name:   "aws query GetAccountSummary",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := iam.NewFromConfig(cfg).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
				if err != nil {
					return "", err
				}
				return strings.Join([]string{itoa(out.SummaryMap["AccountMFAEnabled"]), itoa(out.SummaryMap["Users"])}, " "), nil
			},
			want:        "1 2",
			wantFixture: "iam/global/GetAccountSummary.xml",
		},
		{
			name:   "aws query per-parent ListAccessKeys",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := iam.NewFromConfig(cfg).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.AccessKeyMetadata[0].AccessKeyId) + " " + string(out.AccessKeyMetadata[0].Status), nil
			},
			want:        "AKIAIOSFODNN7EXAMPLE Active",
			wantFixture: "iam/global/ListAccessKeys@UserName=alice.xml",
		},
		{
			name:   "json 1.0 DescribeTable",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.Table.TableArn) + " " + out.Table.CreationDateTime.UTC().Format("2006-01-02"), nil
			},
			want:        "arn:aws:dynamodb:us-east-1:123456789012:table/orders 2025-01-01",
			wantFixture: "dynamodb/us-east-1/DescribeTable@TableName=orders.json",
		},
		{
			name:   "json 1.1 GetComplianceDetailsByConfigRule",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := configservice.NewFromConfig(cfg).GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("s3-bucket-versioning-enabled")})
				if err != nil {
					return "", err
				}
				r := out.EvaluationResults[0]
				return aws.ToString(r.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId) + " " + string(r.ComplianceType), nil
			},
			want:        "example-logs-123456789012 NON_COMPLIANT",
			wantFixture: "configservice/us-east-1/GetComplianceDetailsByConfigRule@ConfigRuleName=s3-bucket-versioning-enabled.json",
		},
		{
			name:   "rest-json ListFunctions",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
				if err != nil {
					return "", err
				}
				f := out.Functions[0]
				return aws.ToString(f.FunctionName) + " " + f.Environment.Variables["DB_PASSWORD"], nil
			},
			want:        "orders-api hunter2-demo-secret",
			wantFixture: "lambda/us-east-1/ListFunctions.json",
		},
		{
			name:   "rest-json ListTags with an ARN path label",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := lambda.NewFromConfig(cfg).ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:123456789012:function:orders-api")})
				if err != nil {
					return "", err
				}
				return out.Tags["team"], nil
			},
			want:        "orders",
			wantFixture: "lambda/us-east-1/ListTags@Resource=arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders-api.json",
		},
		{
			name:   "rest-xml GetBucketTagging in the bucket's region",
			region: "eu-west-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := s3Client(cfg).GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("example-data-eu-123456789012")})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.TagSet[0].Key) + "=" + aws.ToString(out.TagSet[0].Value), nil
			},
			want:        "Classification=confidential",
			wantFixture: "s3/eu-west-1/GetBucketTagging@Bucket=example-data-eu-123456789012.xml",
		},
		{
			name:   "rest-xml GetBucketPolicy payload",
			region: "eu-west-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := s3Client(cfg).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("example-data-eu-123456789012")})
				if err != nil {
					return "", err
				}
				return strings.Split(aws.ToString(out.Policy), ",")[0], nil
			},
			want:        `{"Version":"2012-10-17"`,
			wantFixture: "s3/eu-west-1/GetBucketPolicy@Bucket=example-data-eu-123456789012.json",
		},
		{
			name:   "rest-xml ListBuckets",
			region: "us-east-1",
			call: func(ctx context.Context, cfg aws.Config) (string, error) {
				out, err := s3Client(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
				if err != nil {
					return "", err
				}
				var names []string
				for _, b := range out.Buckets {
					names = append(names, aws.ToString(b.Name))
				}
				return strings.Join(names, ","), nil
			},
			want:        "example-data-eu-123456789012,example-logs-123456789012",
			wantFixture: "s3/global/ListBuckets.xml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, w)
			got, err := tt.call(t.Context(), sdkConfig(srv, tt.region))
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if got != tt.want {
				t.Errorf("decoded %q, want %q", got, tt.want)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1: %+v", len(reqs), reqs)
			}
			if reqs[0].Fixture != tt.wantFixture {
				t.Errorf("answered by %q, want %q", reqs[0].Fixture, tt.wantFixture)
			}
			if reqs[0].Region != tt.region {
				t.Errorf("request region %q, want %q", reqs[0].Region, tt.region)
			}
		})
	}
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }

// TestPagination runs the SDK paginators through multi-page fixtures.
func TestPagination(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	tests := []struct {
		name      string
		run       func(ctx context.Context, cfg aws.Config) ([]string, error)
		want      []string
		wantPages int
	}{
		{
			name: "ec2 DescribeInstances nextToken",
			run: func(ctx context.Context, cfg aws.Config) ([]string, error) {
				var ids []string
				p := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeInstancesInput{})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						return nil, err
					}
					for _, r := range out.Reservations {
						for _, i := range r.Instances {
							ids = append(ids, aws.ToString(i.InstanceId))
						}
					}
				}
				return ids, nil
			},
			want:      []string{"i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002"},
			wantPages: 2,
		},
		{
			name: "iam GetAccountAuthorizationDetails Marker",
			run: func(ctx context.Context, cfg aws.Config) ([]string, error) {
				var names []string
				p := iam.NewGetAccountAuthorizationDetailsPaginator(iam.NewFromConfig(cfg), &iam.GetAccountAuthorizationDetailsInput{})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						return nil, err
					}
					for _, u := range out.UserDetailList {
						names = append(names, "user/"+aws.ToString(u.UserName))
					}
					for _, g := range out.GroupDetailList {
						names = append(names, "group/"+aws.ToString(g.GroupName))
					}
					for _, r := range out.RoleDetailList {
						names = append(names, "role/"+aws.ToString(r.RoleName))
					}
					for _, p := range out.Policies {
						names = append(names, "policy/"+aws.ToString(p.PolicyName))
					}
				}
				return names, nil
			},
			want:      []string{"user/alice", "user/bob", "group/readers", "role/orders-api-lambda", "policy/describe-ec2"},
			wantPages: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, w)
			got, err := tt.run(t.Context(), sdkConfig(srv, "us-east-1"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if n := len(srv.Requests()); n != tt.wantPages {
				t.Errorf("server saw %d requests, want %d", n, tt.wantPages)
			}
		})
	}
}

// TestFaults checks injected faults reach the SDK as API errors with the
// injected code and the right status, for every protocol.
func TestFaults(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	tests := []struct {
		name       string
		fault      Fault
		call       func(ctx context.Context, cfg aws.Config) error
		wantStatus int
	}{
		{
			name:  "ec2 query UnauthorizedOperation",
			fault: Fault{Service: "ec2", Operation: "DescribeInstances", Code: "UnauthorizedOperation"},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
				return err
			},
			wantStatus: 403,
		},
		{
			name:  "aws query AccessDenied",
			fault: Fault{Service: "iam", Operation: "GetAccountSummary", Code: "AccessDenied", Times: -1},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := iam.NewFromConfig(cfg).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
				return err
			},
			wantStatus: 403,
		},
		{
			name:  "aws query rds AccessDenied",
			fault: Fault{Service: "rds", Operation: "DescribeDBClusters", Code: "AccessDenied"},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := rds.NewFromConfig(cfg).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
				return err
			},
			wantStatus: 403,
		},
		{
			name:  "json 1.0 ResourceNotFoundException",
			fault: Fault{Service: "dynamodb", Operation: "DescribeTable", Code: "ResourceNotFoundException", Match: map[string]string{"TableName": "orders"}},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
				return err
			},
			wantStatus: 400,
		},
		{
			name:  "json 1.1 by signing name config",
			fault: Fault{Service: "config", Operation: "DescribeConfigRules", Code: "AccessDeniedException"},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := configservice.NewFromConfig(cfg).DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
				return err
			},
			wantStatus: 403,
		},
		{
			name:  "json 1.1 organizations",
			fault: Fault{Service: "organizations", Code: "AWSOrganizationsNotInUseException"},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
				return err
			},
			wantStatus: 400,
		},
		{
			name:  "rest-json ResourceNotFoundException",
			fault: Fault{Service: "lambda", Operation: "GetPolicy", Code: "ResourceNotFoundException"},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := lambda.NewFromConfig(cfg).GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("orders-api")})
				return err
			},
			wantStatus: 404,
		},
		{
			name:  "rest-json apigateway NotFoundException",
			fault: Fault{Service: "apigateway", Operation: "GetResources", Code: "NotFoundException", Match: map[string]string{"restApiId": "a1b2c3"}},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := apigateway.NewFromConfig(cfg).GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String("a1b2c3"), Embed: []string{"methods"}})
				return err
			},
			wantStatus: 404,
		},
		{
			name:  "rest-xml NoSuchBucketPolicy",
			fault: Fault{Service: "s3", Operation: "GetBucketPolicy", Code: "NoSuchBucketPolicy", Match: map[string]string{"Bucket": "example-logs-123456789012"}},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := s3Client(cfg).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("example-logs-123456789012")})
				return err
			},
			wantStatus: 404,
		},
		{
			name:  "rest-xml wrapped route53 NoSuchHostedZone",
			fault: Fault{Service: "route53", Operation: "ListResourceRecordSets", Code: "NoSuchHostedZone", Match: map[string]string{"HostedZoneId": "Z0EXAMPLE"}},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := route53.NewFromConfig(cfg).ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String("/hostedzone/Z0EXAMPLE")})
				return err
			},
			wantStatus: 404,
		},
		{
			name:  "rest-xml wrapped cloudfront AccessDenied",
			fault: Fault{Service: "cloudfront", Operation: "ListDistributions", Code: "AccessDenied"},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := cloudfront.NewFromConfig(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
				return err
			},
			wantStatus: 403,
		},
		{
			name:  "sts AccessDenied on AssumeRole",
			fault: Fault{Service: "sts", Operation: "AssumeRole", Code: "AccessDenied", Status: 403},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/audit"), RoleSessionName: aws.String("s")})
				return err
			},
			wantStatus: 403,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, w)
			srv.Fail(tt.fault)
			code, status := apiErr(t, tt.call(t.Context(), sdkConfig(srv, "us-east-1")))
			if code != tt.fault.Code {
				t.Errorf("error code %q, want %q", code, tt.fault.Code)
			}
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
		})
	}
}

// TestFaultTimes: a fault with Times=1 throttles the first request only; the
// SDK retries and succeeds. SlowDown on S3 is retried the same way.
func TestFaultTimes(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	tests := []struct {
		name  string
		fault Fault
		call  func(ctx context.Context, cfg aws.Config) error
	}{
		{
			name:  "iam Throttling once",
			fault: Fault{Service: "iam", Operation: "ListAccessKeys", Code: "Throttling", Times: 1},
			call: func(ctx context.Context, cfg aws.Config) error {
				out, err := iam.NewFromConfig(cfg).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
				if err == nil && len(out.AccessKeyMetadata) != 1 {
					t.Errorf("got %d keys after retry, want 1", len(out.AccessKeyMetadata))
				}
				return err
			},
		},
		{
			name:  "dynamodb ThrottlingException once",
			fault: Fault{Service: "dynamodb", Operation: "ListTables", Code: "ThrottlingException", Times: 1},
			call: func(ctx context.Context, cfg aws.Config) error {
				out, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
				if err == nil && !slices.Equal(out.TableNames, []string{"orders"}) {
					t.Errorf("got tables %v after retry", out.TableNames)
				}
				return err
			},
		},
		{
			name:  "s3 SlowDown once",
			fault: Fault{Service: "s3", Operation: "ListBuckets", Code: "SlowDown", Times: 1},
			call: func(ctx context.Context, cfg aws.Config) error {
				out, err := s3Client(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
				if err == nil && len(out.Buckets) != 2 {
					t.Errorf("got %d buckets after retry, want 2", len(out.Buckets))
				}
				return err
			},
		},
		{
			name:  "lambda TooManyRequestsException once",
			fault: Fault{Service: "lambda", Operation: "ListFunctions", Code: "TooManyRequestsException", Times: 1},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, w)
			srv.Fail(tt.fault)
			if err := tt.call(t.Context(), sdkConfig(srv, "us-east-1")); err != nil {
				t.Fatalf("want success after one retry, got %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d requests, want 2 (throttled + retry)", len(reqs))
			}
			if reqs[0].Fixture != "" || reqs[1].Fixture == "" {
				t.Errorf("fixtures %q, %q: want the fault first, then a fixture", reqs[0].Fixture, reqs[1].Fixture)
			}
		})
	}
}

// TestUnsigned: requests without a SigV4 credential scope are refused.
func TestUnsigned(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	tests := []struct {
		name     string
		call     func(ctx context.Context) error
		wantCode string
	}{
		{
			name: "sts with anonymous credentials",
			call: func(ctx context.Context) error {
				cfg := sdkConfig(srv, "us-east-1")
				cfg.Credentials = aws.AnonymousCredentials{}
				_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			wantCode: "MissingAuthenticationToken",
		},
		{
			name: "dynamodb with anonymous credentials",
			call: func(ctx context.Context) error {
				cfg := sdkConfig(srv, "us-east-1")
				cfg.Credentials = aws.AnonymousCredentials{}
				_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
				return err
			},
			wantCode: "MissingAuthenticationToken",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, status := apiErr(t, tt.call(t.Context()))
			if code != tt.wantCode || status != http.StatusForbidden {
				t.Errorf("got %s/%d, want %s/403", code, status, tt.wantCode)
			}
		})
	}
	t.Run("plain http GET", func(t *testing.T) {
		resp, err := http.Get(srv.URL() + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "not signed") {
			t.Errorf("got %d %s, want 403 naming the missing signature", resp.StatusCode, body)
		}
	})
}

// TestSTS: GetCallerIdentity answers the world's caller; AssumeRole hands out
// credentials whose identity is the assumed role, and records the request.
func TestSTS(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	srv := New(t, w)
	ctx := t.Context()
	cfg := sdkConfig(srv, "us-east-1")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "123456789012" || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/auditor" {
		t.Errorf("caller %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	roleARN := "arn:aws:iam::444455556666:role/SecurityAudit"
	assumed := cfg.Copy()
	assumed.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String("ext-1234")
		o.RoleSessionName = "snapaudit"
	}))
	id2, err := sts.NewFromConfig(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id2.Arn), "arn:aws:sts::444455556666:assumed-role/SecurityAudit/snapaudit"; got != want {
		t.Errorf("assumed caller %s, want %s", got, want)
	}
	if aws.ToString(id2.Account) != "444455556666" {
		t.Errorf("assumed account %s", aws.ToString(id2.Account))
	}
	var sawAssume bool
	for _, r := range srv.Requests() {
		if r.Operation == "AssumeRole" {
			sawAssume = true
			if r.Params["RoleArn"] != roleARN || r.Params["ExternalId"] != "ext-1234" || r.Params["RoleSessionName"] != "snapaudit" {
				t.Errorf("AssumeRole params %v", r.Params)
			}
		}
	}
	if !sawAssume {
		t.Error("no AssumeRole request recorded")
	}
}

// TestRegions: DescribeRegions lists the world's regions; calls to a disabled
// region fail like AWS fails them.
func TestRegions(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	srv := New(t, w)
	ctx := t.Context()
	client := ec2.NewFromConfig(sdkConfig(srv, "us-east-1"))
	for _, tt := range []struct {
		name string
		all  bool
		want []string
	}{
		{name: "enabled only", all: false, want: []string{"us-east-1", "eu-west-1"}},
		{name: "all regions", all: true, want: []string{"us-east-1", "eu-west-1", "ap-east-1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(tt.all)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range out.Regions {
				got = append(got, aws.ToString(r.RegionName))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("regions %v, want %v", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name     string
		call     func(cfg aws.Config) error
		wantCode string
	}{
		{name: "ec2", wantCode: "AuthFailure", call: func(cfg aws.Config) error {
			_, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}},
		{name: "dynamodb", wantCode: "UnrecognizedClientException", call: func(cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		}},
		{name: "lambda", wantCode: "UnrecognizedClientException", call: func(cfg aws.Config) error {
			_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
			return err
		}},
		{name: "rds", wantCode: "InvalidClientTokenId", call: func(cfg aws.Config) error {
			_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
			return err
		}},
	} {
		t.Run("disabled "+tt.name, func(t *testing.T) {
			code, _ := apiErr(t, tt.call(sdkConfig(srv, "ap-east-1")))
			if code != tt.wantCode {
				t.Errorf("code %s, want %s", code, tt.wantCode)
			}
		})
	}
}

// TestS3BucketRegion: GetBucketLocation answers from world.json (empty for
// us-east-1) and per-bucket calls signed for the wrong region are refused.
func TestS3BucketRegion(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	ctx := t.Context()
	c := s3Client(sdkConfig(srv, "us-east-1"))
	for _, tt := range []struct{ bucket, want string }{
		{"example-logs-123456789012", ""},
		{"example-data-eu-123456789012", "eu-west-1"},
	} {
		out, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(tt.bucket)})
		if err != nil {
			t.Fatalf("%s: %v", tt.bucket, err)
		}
		if string(out.LocationConstraint) != tt.want {
			t.Errorf("%s: location %q, want %q", tt.bucket, out.LocationConstraint, tt.want)
		}
	}
	_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("example-data-eu-123456789012")})
	if code, status := apiErr(t, err); code != "AuthorizationHeaderMalformed" || status != 400 {
		t.Errorf("wrong-region call: %s/%d, want AuthorizationHeaderMalformed/400", code, status)
	}
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("example-logs-123456789012")})
	if code, status := apiErr(t, err); code != "NoSuchBucketPolicy" || status != 404 {
		t.Errorf("bucket without policy: %s/%d, want NoSuchBucketPolicy/404", code, status)
	}
}

// TestDefaults: List*/Describe* calls without a fixture get an empty success;
// other calls get a NoFixture error naming what is missing.
func TestDefaults(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	ctx := t.Context()
	cfg := sdkConfig(srv, "eu-west-1")
	t.Run("empty ec2 DescribeVpcs", func(t *testing.T) {
		out, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil || len(out.Vpcs) != 0 {
			t.Fatalf("got %v, %v; want empty success", out, err)
		}
	})
	t.Run("empty iam ListVirtualMFADevices", func(t *testing.T) {
		out, err := iam.NewFromConfig(cfg).ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
		if err != nil || len(out.VirtualMFADevices) != 0 {
			t.Fatalf("got %v, %v; want empty success", out, err)
		}
	})
	t.Run("empty dynamodb ListTables", func(t *testing.T) {
		out, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil || len(out.TableNames) != 0 {
			t.Fatalf("got %v, %v; want empty success", out, err)
		}
	})
	t.Run("empty lambda ListFunctions", func(t *testing.T) {
		out, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
		if err != nil || len(out.Functions) != 0 {
			t.Fatalf("got %v, %v; want empty success", out, err)
		}
	})
	t.Run("NoFixture for a Get", func(t *testing.T) {
		_, err := iam.NewFromConfig(cfg).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")})
		code, _ := apiErr(t, err)
		if code != "NoFixture" || !strings.Contains(err.Error(), "iam:GetUser") || !strings.Contains(err.Error(), "UserName=carol") {
			t.Errorf("got %v, want NoFixture naming iam:GetUser and UserName=carol", err)
		}
	})
}

// TestConcurrent: the server, its fault counters and its request log are safe
// under concurrent clients (run with -race).
func TestConcurrent(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	// Fewer faults than the SDK's 3 attempts: whichever requests draw
	// them, each one still succeeds.
	const faults = 2
	srv.Fail(Fault{Service: "dynamodb", Operation: "ListTables", Code: "ThrottlingException", Times: faults})
	client := dynamodb.NewFromConfig(sdkConfig(srv, "us-east-1"))
	const workers, calls = 8, 20
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for range calls {
				if _, err := client.ListTables(t.Context(), &dynamodb.ListTablesInput{}); err != nil {
					errs <- err
					return
				}
				_ = srv.Requests()
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.Requests()
	answered := 0
	for _, r := range reqs {
		if r.Fixture == "dynamodb/us-east-1/ListTables.json" {
			answered++
		}
	}
	if answered != workers*calls || len(reqs) != workers*calls+faults {
		t.Errorf("%d requests, %d answered by the fixture; want %d and %d (%d throttled)", len(reqs), answered, workers*calls+faults, workers*calls, faults)
	}
}

// BenchmarkServe measures a full SDK round trip (sign, send, dispatch, fixture
// lookup, decode) of a two-page EC2 DescribeInstances.
func BenchmarkServe(b *testing.B) {
	w, err := ReadWorld(basicWorld)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := NewServer(w)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	client := ec2.NewFromConfig(sdkConfig(srv, "us-east-1"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for p := ec2.NewDescribeInstancesPaginator(client, &ec2.DescribeInstancesInput{}); p.HasMorePages(); {
			if _, err := p.NextPage(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestRawRequests: malformed or unsupported requests get a clear AWS-shaped
// error, never a panic or a silent success.
func TestRawRequests(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	auth := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=AKIDFAKEAWSTEST00001/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=00"
	}
	tests := []struct {
		name       string
		method     string
		target     string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{name: "bad JSON body", method: "POST", target: "/", body: "{nope",
			headers:    map[string]string{"Authorization": auth("dynamodb"), "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"},
			wantStatus: 400, wantBody: "SerializationException"},
		{name: "target without operation", method: "POST", target: "/", body: "{}",
			headers:    map[string]string{"Authorization": auth("dynamodb"), "X-Amz-Target": "DynamoDB_20120810", "Content-Type": "application/x-amz-json-1.0"},
			wantStatus: 400, wantBody: "UnknownOperationException"},
		{name: "unknown signing name", method: "POST", target: "/", body: "Action=Foo&Version=1",
			headers:    map[string]string{"Authorization": auth("nosuchservice"), "Content-Type": "application/x-www-form-urlencoded"},
			wantStatus: 400, wantBody: "UnknownService"},
		{name: "REST path with no route", method: "GET", target: "/2015-03-31/nothing-here",
			headers:    map[string]string{"Authorization": auth("lambda")},
			wantStatus: 404, wantBody: "UnknownOperation"},
		{name: "CBOR protocol not served", method: "POST", target: "/service/GraniteServiceVersion20100801/operation/ListMetrics",
			headers:    map[string]string{"Authorization": auth("monitoring"), "Smithy-Protocol": "rpc-v2-cbor"},
			wantStatus: 400, wantBody: "UnsupportedProtocol"},
		{name: "query action via URL", method: "GET", target: "/?Action=GetCallerIdentity&Version=2011-06-15",
			headers:    map[string]string{"Authorization": auth("sts")},
			wantStatus: 200, wantBody: "<Account>123456789012</Account>"},
		{name: "presigned credential in the query", method: "GET", target: "/?x-id=ListBuckets&X-Amz-Credential=AKIDFAKEAWSTEST00001%2F20260101%2Fus-east-1%2Fs3%2Faws4_request",
			wantStatus: 200, wantBody: "example-logs-123456789012"},
		{name: "sigv4a is not sigv4", method: "GET", target: "/?x-id=ListBuckets",
			headers:    map[string]string{"Authorization": "AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request", "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"},
			wantStatus: 403, wantBody: "<Code>AccessDenied</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL()+tt.target, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			body = append(body, " X-Amzn-ErrorType="+resp.Header.Get("X-Amzn-ErrorType")...)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("got %d %s, want %d containing %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}
