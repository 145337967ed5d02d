package collect

// The call registry: every AWS API call the collector makes is one record in
// the sorted slice returned by Registry. A record says which SDK service and
// operation, how often it runs (Scope), where its input comes from (a fixed
// template or a parent call's output), which output fields hold secrets, and
// how it pages (Runner, built by one of the three generic helpers in
// runner.go). Nothing registers itself: Registry builds the slice explicitly
// and registry_test.go checks its invariants (sorted, unique, parents exist,
// key extractors typed against the parent's output, redaction paths exist,
// every secret-looking output field redacted or justified, read-only
// operation names, none on the deny list, a bounded number of escape
// hatches).
//
// Escape hatches are records whose Why is set: calls that cannot be expressed
// as "call this operation, page it, fan out over the keys". There are two:
// S3 per-bucket calls must go to the bucket's own region, and the IAM
// credential report must be generated (and polled) before it can be read.

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Scope says how often a call runs.
type Scope int

// The scopes.
const (
	// Global calls run once per account, through us-east-1; their rows have
	// Region "global".
	Global Scope = iota + 1
	// Regional calls run once per collected region.
	Regional
	// PerParent calls run once per item extracted from the pages of a parent
	// call, in the parent's region unless the item names another one.
	PerParent
)

func (s Scope) String() string {
	switch s {
	case Global:
		return "global"
	case Regional:
		return "regional"
	case PerParent:
		return "per-parent"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// Call is one declarative record of the registry.
type Call struct {
	Service   string // aws-sdk-go-v2 service package name: ec2, iam, s3 ...
	Operation string // API operation name: DescribeInstances ...
	Scope     Scope
	// Parent names the parent call ("service:Operation") of a PerParent call.
	Parent string
	// Keys extracts the child items (parent keys) from one page of the
	// parent's output. Only the keys are kept, never the parent's pages.
	Keys Keys
	// Redact lists output paths whose string values are secrets; they are
	// replaced by keyed-hash markers before the page is marshalled. Path
	// syntax: dot-separated Go field names; "[]" after a name walks a slice,
	// "{}" walks a map's values (see redact.go).
	Redact []string
	// RedactURL lists output paths whose values are URLs that may carry
	// credentials: their user information, query values and fragment are
	// replaced by markers, scheme, host and path are kept (redact.go).
	RedactURL []string
	// NotSecret lists output fields whose names suggest a secret but which
	// hold none, each with the one-line reason (path syntax as Redact, the
	// field itself without a trailing walk suffix); a reason covers the
	// field and everything under it. The registry test fails for any
	// suggestive field that is neither redacted nor listed here, and for a
	// listed path that is not a suggestive field (secrets.go).
	NotSecret map[string]string
	// Probe marks the one regional call that runs first in every region:
	// when it answers a region-level refusal (opt-in, auth failure, SCP
	// deny) the region is recorded as skipped.
	Probe bool
	// Why, when set, marks an escape hatch and says why it is needed.
	Why string
	Run Runner
}

// Name is "service:Operation", the registry's sort key.
func (c Call) Name() string { return c.Service + ":" + c.Operation }

// Output is the SDK output struct type (not a pointer) of the operation:
// a row's response is this struct as JSON (see responseJSON). analyze
// derives the response shape it accepts from it (analyze/model/shapes.txt).
func (c Call) Output() reflect.Type { return c.Run.out }

// Item is one child invocation extracted from a parent page.
type Item struct {
	Key    string // parent key: bucket name, user name, function ARN ...
	Region string // region to send the child call to; "" = the parent's
}

// Keys extracts child items from a parent page. Build it with keys or items.
type Keys struct {
	parent reflect.Type // the parent's output struct type
	fn     func(parentKey string, out any) []Item
	why    string // set when the extractor is an escape hatch
}

// keys extracts plain keys from a parent page of type *Out.
func keys[Out any](f func(*Out) []string) Keys {
	return items(func(_ string, o *Out) []Item {
		var it []Item
		for _, k := range f(o) {
			if k != "" {
				it = append(it, Item{Key: k})
			}
		}
		return it
	})
}

// items extracts child items that may carry their own region.
func items[Out any](f func(parentKey string, o *Out) []Item) Keys {
	return Keys{
		parent: typeOf[Out](),
		fn: func(parentKey string, out any) []Item {
			o, ok := out.(*Out)
			if !ok || o == nil {
				return nil
			}
			return f(parentKey, o)
		},
	}
}

// Allowed operations that do not start with List, Get or Describe, each with
// the reason it is still read-only.
type allowedOp struct {
	Service, Operation, Why string
}

func allowlist() []allowedOp {
	return []allowedOp{
		{Service: "iam", Operation: "GenerateCredentialReport",
			Why: "asks IAM to build the read-only credential report that GetCredentialReport returns; changes no resource"},
	}
}

// readOnlyPrefixes are the operation-name prefixes of read-only AWS APIs.
var readOnlyPrefixes = []string{"Describe", "Get", "List"}

// Registry returns the call registry, sorted by Name. It builds a fresh
// slice on every call; callers may filter it.
func Registry() []Call {
	return []Call{
		// API Gateway
		{Service: "apigateway", Operation: "GetResources", Scope: PerParent, Parent: "apigateway:GetRestApis",
			Keys: keys(func(o *apigateway.GetRestApisOutput) []string {
				return mapSlice(o.Items, func(a apigwtypes.RestApi) *string { return a.Id })
			}),
			Run: paged(apigateway.NewGetResourcesPaginator, func(id string) *apigateway.GetResourcesInput {
				return &apigateway.GetResourcesInput{RestApiId: aws.String(id), Embed: []string{"methods"}}
			}),
			// Integration request/response parameters map static values
			// ('x-api-key' header values) and mapping templates may embed
			// keys: only their names (map keys) are kept.
			Redact: []string{
				"Items[].ResourceMethods{}.MethodIntegration.RequestParameters{}",
				"Items[].ResourceMethods{}.MethodIntegration.RequestTemplates{}",
				"Items[].ResourceMethods{}.MethodIntegration.IntegrationResponses{}.ResponseParameters{}",
				"Items[].ResourceMethods{}.MethodIntegration.IntegrationResponses{}.ResponseTemplates{}",
			},
			// An HTTP integration may call https://partner/api?key=...; the
			// Lambda ARNs the analysis reads have no query and are kept.
			RedactURL: []string{"Items[].ResourceMethods{}.MethodIntegration.Uri"},
			NotSecret: map[string]string{
				"Items[].ResourceMethods{}.MethodIntegration.CacheKeyParameters": "names of request parameters used as cache keys, not their values",
				"Items[].ResourceMethods{}.MethodIntegration.Credentials":        "ARN of the IAM role API Gateway assumes for the integration, not a key",
			}},
		{Service: "apigateway", Operation: "GetRestApis", Scope: Regional,
			Run: paged(apigateway.NewGetRestApisPaginator, none)},

		// AWS Config
		{Service: "configservice", Operation: "DescribeConfigRules", Scope: Regional,
			// Rule parameters are free JSON; custom rules may be given
			// webhook URLs or tokens there.
			Redact: []string{"ConfigRules[].InputParameters"},
			Run:    paged(configservice.NewDescribeConfigRulesPaginator, none)},
		{Service: "configservice", Operation: "DescribeConfigurationRecorderStatus", Scope: Regional,
			Run: single((*configservice.Client).DescribeConfigurationRecorderStatus, none)},
		{Service: "configservice", Operation: "DescribeConfigurationRecorders", Scope: Regional,
			Run: single((*configservice.Client).DescribeConfigurationRecorders, none)},
		{Service: "configservice", Operation: "GetComplianceDetailsByConfigRule", Scope: PerParent, Parent: "configservice:DescribeConfigRules",
			Keys: keys(func(o *configservice.DescribeConfigRulesOutput) []string {
				return mapSlice(o.ConfigRules, func(r cfgtypes.ConfigRule) *string { return r.ConfigRuleName })
			}),
			// The result token lets its holder put evaluations for the rule.
			Redact: []string{"EvaluationResults[].ResultToken"},
			Run: paged(configservice.NewGetComplianceDetailsByConfigRulePaginator, func(name string) *configservice.GetComplianceDetailsByConfigRuleInput {
				return &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(name)}
			})},

		// DynamoDB
		{Service: "dynamodb", Operation: "DescribeContinuousBackups", Scope: PerParent, Parent: "dynamodb:ListTables",
			Keys: keys(func(o *dynamodb.ListTablesOutput) []string { return o.TableNames }),
			Run: single((*dynamodb.Client).DescribeContinuousBackups, func(name string) *dynamodb.DescribeContinuousBackupsInput {
				return &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)}
			})},
		{Service: "dynamodb", Operation: "DescribeTable", Scope: PerParent, Parent: "dynamodb:ListTables",
			Keys: keys(func(o *dynamodb.ListTablesOutput) []string { return o.TableNames }),
			Run: single((*dynamodb.Client).DescribeTable, func(name string) *dynamodb.DescribeTableInput {
				return &dynamodb.DescribeTableInput{TableName: aws.String(name)}
			})},
		{Service: "dynamodb", Operation: "ListTables", Scope: Regional,
			Run: paged(dynamodb.NewListTablesPaginator, none)},
		{Service: "dynamodb", Operation: "ListTagsOfResource", Scope: PerParent, Parent: "dynamodb:DescribeTable",
			Keys: keys(func(o *dynamodb.DescribeTableOutput) []string {
				if o.Table == nil {
					return nil
				}
				return []string{aws.ToString(o.Table.TableArn)}
			}),
			Run: tokens((*dynamodb.Client).ListTagsOfResource,
				func(arn string) *dynamodb.ListTagsOfResourceInput {
					return &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)}
				},
				func(o *dynamodb.ListTagsOfResourceOutput) *string { return o.NextToken },
				func(in *dynamodb.ListTagsOfResourceInput, t *string) { in.NextToken = t })},

		// EC2
		{Service: "ec2", Operation: "DescribeFlowLogs", Scope: Regional,
			Run: paged(ec2.NewDescribeFlowLogsPaginator, none)},
		{Service: "ec2", Operation: "DescribeInstances", Scope: Regional,
			NotSecret: map[string]string{
				"Reservations[].Instances[].ClientToken": "idempotency token the launcher chose for RunInstances; authorizes nothing",
			},
			Run: paged(ec2.NewDescribeInstancesPaginator, none)},
		{Service: "ec2", Operation: "DescribeKeyPairs", Scope: Regional,
			Run: single((*ec2.Client).DescribeKeyPairs, none)},
		// DescribeRegions plans the run (enabled regions); it runs first and
		// is recorded like any other call.
		{Service: "ec2", Operation: "DescribeRegions", Scope: Global,
			Run: single((*ec2.Client).DescribeRegions, func(string) *ec2.DescribeRegionsInput {
				return &ec2.DescribeRegionsInput{AllRegions: aws.Bool(false)}
			})},
		{Service: "ec2", Operation: "DescribeSecurityGroups", Scope: Regional,
			Run: paged(ec2.NewDescribeSecurityGroupsPaginator, none)},
		{Service: "ec2", Operation: "DescribeSubnets", Scope: Regional,
			Run: paged(ec2.NewDescribeSubnetsPaginator, none)},
		{Service: "ec2", Operation: "DescribeVolumes", Scope: Regional,
			Run: paged(ec2.NewDescribeVolumesPaginator, none)},
		{Service: "ec2", Operation: "DescribeVpcs", Scope: Regional, Probe: true,
			Run: paged(ec2.NewDescribeVpcsPaginator, none)},
		{Service: "ec2", Operation: "GetEbsEncryptionByDefault", Scope: Regional,
			Run: single((*ec2.Client).GetEbsEncryptionByDefault, none)},

		// IAM (global)
		{Service: "iam", Operation: "GenerateCredentialReport", Scope: Global,
			Why: "the report must be generated, and polled until COMPLETE, before GetCredentialReport can read it",
			Run: credentialReport()},
		{Service: "iam", Operation: "GetAccessKeyLastUsed", Scope: PerParent, Parent: "iam:ListAccessKeys",
			Keys: keys(func(o *iam.ListAccessKeysOutput) []string {
				return mapSlice(o.AccessKeyMetadata, func(k iamtypes.AccessKeyMetadata) *string { return k.AccessKeyId })
			}),
			Run: single((*iam.Client).GetAccessKeyLastUsed, func(id string) *iam.GetAccessKeyLastUsedInput {
				return &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)}
			})},
		{Service: "iam", Operation: "GetAccountAuthorizationDetails", Scope: Global,
			Run: paged(iam.NewGetAccountAuthorizationDetailsPaginator, none)},
		{Service: "iam", Operation: "GetAccountPasswordPolicy", Scope: Global,
			Run: single((*iam.Client).GetAccountPasswordPolicy, none)},
		{Service: "iam", Operation: "GetAccountSummary", Scope: Global,
			Run: single((*iam.Client).GetAccountSummary, none)},
		{Service: "iam", Operation: "GetCredentialReport", Scope: PerParent, Parent: "iam:GenerateCredentialReport",
			// One child with the empty key once the report is COMPLETE: the
			// report is account-wide, so its row has no parent key.
			Keys: items(func(_ string, o *iam.GenerateCredentialReportOutput) []Item {
				if o.State != iamtypes.ReportStateTypeComplete {
					return nil
				}
				return []Item{{}}
			}),
			Run: single((*iam.Client).GetCredentialReport, none)},
		{Service: "iam", Operation: "ListAccessKeys", Scope: PerParent, Parent: "iam:GetAccountAuthorizationDetails",
			Keys: keys(iamUserNames),
			Run: paged(iam.NewListAccessKeysPaginator, func(user string) *iam.ListAccessKeysInput {
				return &iam.ListAccessKeysInput{UserName: aws.String(user)}
			})},
		{Service: "iam", Operation: "ListAccountAliases", Scope: Global,
			Run: paged(iam.NewListAccountAliasesPaginator, none)},
		{Service: "iam", Operation: "ListMFADevices", Scope: PerParent, Parent: "iam:GetAccountAuthorizationDetails",
			Keys: keys(iamUserNames),
			Run: paged(iam.NewListMFADevicesPaginator, func(user string) *iam.ListMFADevicesInput {
				return &iam.ListMFADevicesInput{UserName: aws.String(user)}
			})},
		{Service: "iam", Operation: "ListVirtualMFADevices", Scope: Global,
			// The seed and QR code are only returned at creation, but they
			// are the device's secret: never let them reach disk.
			Redact: []string{"VirtualMFADevices[].Base32StringSeed", "VirtualMFADevices[].QRCodePNG"},
			Run:    paged(iam.NewListVirtualMFADevicesPaginator, none)},

		// Lambda
		{Service: "lambda", Operation: "GetPolicy", Scope: PerParent, Parent: "lambda:ListFunctions",
			Keys: keys(func(o *lambda.ListFunctionsOutput) []string {
				return mapSlice(o.Functions, func(f lambdatypes.FunctionConfiguration) *string { return f.FunctionName })
			}),
			Run: single((*lambda.Client).GetPolicy, func(name string) *lambda.GetPolicyInput {
				return &lambda.GetPolicyInput{FunctionName: aws.String(name)}
			})},
		{Service: "lambda", Operation: "ListFunctions", Scope: Regional,
			// Environment errors can quote the variables ("String measured:
			// {...}" when they exceed 4 KB).
			Redact: []string{"Functions[].Environment.Variables{}", "Functions[].Environment.Error.Message"},
			Run:    paged(lambda.NewListFunctionsPaginator, none)},
		{Service: "lambda", Operation: "ListTags", Scope: PerParent, Parent: "lambda:ListFunctions",
			Keys: keys(func(o *lambda.ListFunctionsOutput) []string {
				return mapSlice(o.Functions, func(f lambdatypes.FunctionConfiguration) *string { return f.FunctionArn })
			}),
			Run: single((*lambda.Client).ListTags, func(arn string) *lambda.ListTagsInput {
				return &lambda.ListTagsInput{Resource: aws.String(arn)}
			})},

		// Organizations (global; answers AWSOrganizationsNotInUseException
		// outside an organization, classified not_found)
		{Service: "organizations", Operation: "DescribeOrganization", Scope: Global,
			Run: single((*organizations.Client).DescribeOrganization, none)},

		// RDS
		// A pending master password change is answered masked; never trust it.
		{Service: "rds", Operation: "DescribeDBClusters", Scope: Regional,
			Redact:    []string{"DBClusters[].PendingModifiedValues.MasterUserPassword"},
			NotSecret: rdsSecretRefs("DBClusters"),
			Run:       paged(rds.NewDescribeDBClustersPaginator, none)},
		{Service: "rds", Operation: "DescribeDBInstances", Scope: Regional,
			Redact: []string{"DBInstances[].PendingModifiedValues.MasterUserPassword"},
			NotSecret: merge(rdsSecretRefs("DBInstances"), map[string]string{
				"DBInstances[].TdeCredentialArn": "ARN of the TDE key-store credential, not the credential",
			}),
			Run: paged(rds.NewDescribeDBInstancesPaginator, none)},

		// S3: ListBuckets is global; every per-bucket call goes to the
		// bucket's own region, found by GetBucketLocation.
		{Service: "s3", Operation: "GetBucketAcl", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketAcl, bucket)},
		{Service: "s3", Operation: "GetBucketEncryption", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketEncryption, bucket)},
		{Service: "s3", Operation: "GetBucketLocation", Scope: PerParent, Parent: "s3:ListBuckets",
			Keys: keys(func(o *s3.ListBucketsOutput) []string {
				return mapSlice(o.Buckets, func(b s3types.Bucket) *string { return b.Name })
			}),
			Run: single((*s3.Client).GetBucketLocation, bucket)},
		{Service: "s3", Operation: "GetBucketLogging", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketLogging, bucket)},
		{Service: "s3", Operation: "GetBucketPolicy", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketPolicy, bucket)},
		{Service: "s3", Operation: "GetBucketPolicyStatus", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketPolicyStatus, bucket)},
		{Service: "s3", Operation: "GetBucketTagging", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketTagging, bucket)},
		{Service: "s3", Operation: "GetBucketVersioning", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetBucketVersioning, bucket)},
		{Service: "s3", Operation: "GetPublicAccessBlock", Scope: PerParent, Parent: "s3:GetBucketLocation", Keys: bucketRegion(),
			Run: single((*s3.Client).GetPublicAccessBlock, bucket)},
		{Service: "s3", Operation: "ListBuckets", Scope: Global,
			Run: paged(s3.NewListBucketsPaginator, none)},

		// STS: the caller identity names the account; it runs first.
		{Service: "sts", Operation: "GetCallerIdentity", Scope: Global,
			Run: single((*sts.Client).GetCallerIdentity, none)},
	}
}

// rdsSecretRefs are the RDS fields that name a Secrets Manager secret
// without holding it, under the list field of DBCluster or DBInstance.
func rdsSecretRefs(list string) map[string]string {
	return map[string]string{
		list + "[].MasterUserSecret":                  "ARN, status and KMS key of the Secrets Manager secret; the password is not returned",
		list + "[].DomainMemberships[].AuthSecretArn": "ARN of the Secrets Manager secret for the domain join, not its value",
	}
}

// merge returns the union of string maps (later maps win).
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// iamUserNames extracts user names from GetAccountAuthorizationDetails.
func iamUserNames(o *iam.GetAccountAuthorizationDetailsOutput) []string {
	return mapSlice(o.UserDetailList, func(u iamtypes.UserDetail) *string { return u.UserName })
}

// bucketRegion is the child-key extractor of every S3 per-bucket call.
//
// why: escape hatch. A bucket lives in one region and its configuration
// calls must be sent there (other regions answer a 301 redirect). The
// parent is GetBucketLocation, whose output names the region but not the
// bucket, so the child item is the parent's own key routed to that region.
func bucketRegion() Keys {
	k := items(func(bucket string, o *s3.GetBucketLocationOutput) []Item {
		return []Item{{Key: bucket, Region: s3Region(string(o.LocationConstraint))}}
	})
	k.why = "S3 per-bucket calls must be sent to the bucket's region (GetBucketLocation)"
	return k
}

// s3Region maps a GetBucketLocation LocationConstraint to a region name:
// "" (null) means us-east-1 and the legacy "EU" means eu-west-1.
func s3Region(constraint string) string {
	switch constraint {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return constraint
}

// credentialReport runs GenerateCredentialReport until the report is
// COMPLETE (or the attempts run out) and emits the last answer.
//
// why: escape hatch. IAM builds the report asynchronously: the first call
// usually answers STARTED, and GetCredentialReport fails with
// ReportInProgress until a later GenerateCredentialReport answers COMPLETE.
// The poll interval comes from the context (see withPollInterval) so tests
// do not sleep.
func credentialReport() Runner {
	const attempts = 30
	r := single((*iam.Client).GenerateCredentialReport, none)
	run := r.run
	r.run = func(ctx context.Context, client any, in any, emit emitFunc) error {
		var last any
		capture := func(out any) error { last = out; return nil }
		for i := range attempts {
			if err := run(ctx, client, in, capture); err != nil {
				return err
			}
			if o, ok := last.(*iam.GenerateCredentialReportOutput); ok && o.State == iamtypes.ReportStateTypeComplete {
				break
			}
			if i == attempts-1 {
				break // emit the last (incomplete) state; no child runs
			}
			if err := wait(ctx, pollInterval(ctx)); err != nil {
				return err
			}
		}
		return emit(last)
	}
	return r
}

// wait pauses for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type pollKey struct{}

func withPollInterval(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, pollKey{}, d)
}

func pollInterval(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(pollKey{}).(time.Duration); ok {
		return d
	}
	return 2 * time.Second
}

// mapSlice returns the non-empty strings f picks from each element.
func mapSlice[T any](s []T, f func(T) *string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if p := f(v); p != nil && *p != "" {
			out = append(out, *p)
		}
	}
	return out
}

// isReadOnlyName reports whether op starts with a read-only prefix.
func isReadOnlyName(op string) bool {
	return slices.ContainsFunc(readOnlyPrefixes, func(p string) bool {
		return strings.HasPrefix(op, p) && len(op) > len(p) && op[len(p)] >= 'A' && op[len(p)] <= 'Z'
	})
}
