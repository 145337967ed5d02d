package fakeaws

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// demoData is the demo account as the real SDK clients decode it from the
// fake: the inputs the seed-001 entities and relationships derive from.
type demoData struct {
	account   string
	instances []ec2types.Instance
	volumes   []ec2types.Volume
	sgs       []ec2types.SecurityGroup
	subnets   []ec2types.Subnet
	vpcs      []ec2types.Vpc
	keyPairs  []ec2types.KeyPairInfo
	users     []iamtypes.UserDetail
	groups    []iamtypes.GroupDetail
	roles     []iamtypes.RoleDetail
	policies  []iamtypes.ManagedPolicyDetail
	keys      []iamtypes.AccessKeyMetadata
	mfa       []iamtypes.MFADevice
	functions []lambdatypes.FunctionConfiguration
	restAPIs  []string
	triggers  []string // function ARNs from API Gateway integration URIs
	clusters  []rdstypes.DBCluster
	dbs       []rdstypes.DBInstance
	tables    map[string]int // table ARN -> number of tags
	buckets   []string
	rules     []cfgtypes.ConfigRule
	results   []cfgtypes.EvaluationResult
}

// callErr carries an SDK error out of loadDemo's chain of calls.
type callErr struct{ err error }

// must returns v, or aborts loadDemo (which turns it into t.Fatal) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(callErr{err})
	}
	return v
}

// loadDemo walks the demo world with the real SDK clients (paginators
// included) in every enabled region.
func loadDemo(t *testing.T, ctx context.Context) (*World, *demoData) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(callErr)
			if !ok {
				panic(r)
			}
			t.Fatalf("demo world call: %v", e.err)
		}
	}()
	w := LoadWorld(t, demoWorld)
	srv := New(t, w)
	d := &demoData{tables: map[string]int{}}
	global := sdkConfig(srv, "us-east-1")
	d.account = aws.ToString(must(sts.NewFromConfig(global).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).Account)

	iamc := iam.NewFromConfig(global)
	for p := iam.NewGetAccountAuthorizationDetailsPaginator(iamc, &iam.GetAccountAuthorizationDetailsInput{}); p.HasMorePages(); {
		out := must(p.NextPage(ctx))
		d.users = append(d.users, out.UserDetailList...)
		d.groups = append(d.groups, out.GroupDetailList...)
		d.roles = append(d.roles, out.RoleDetailList...)
		d.policies = append(d.policies, out.Policies...)
	}
	for _, u := range d.users {
		d.keys = append(d.keys, must(iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u.UserName})).AccessKeyMetadata...)
		d.mfa = append(d.mfa, must(iamc.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: u.UserName})).MFADevices...)
	}
	for _, b := range must(s3Client(global).ListBuckets(ctx, &s3.ListBucketsInput{})).Buckets {
		d.buckets = append(d.buckets, aws.ToString(b.Name))
	}

	for _, region := range w.Regions {
		cfg := sdkConfig(srv, region)
		e := ec2.NewFromConfig(cfg)
		for p := ec2.NewDescribeInstancesPaginator(e, &ec2.DescribeInstancesInput{}); p.HasMorePages(); {
			for _, r := range must(p.NextPage(ctx)).Reservations {
				d.instances = append(d.instances, r.Instances...)
			}
		}
		d.volumes = append(d.volumes, must(e.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})).Volumes...)
		d.sgs = append(d.sgs, must(e.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})).SecurityGroups...)
		d.subnets = append(d.subnets, must(e.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})).Subnets...)
		d.vpcs = append(d.vpcs, must(e.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})).Vpcs...)
		d.keyPairs = append(d.keyPairs, must(e.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})).KeyPairs...)

		d.functions = append(d.functions, must(lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})).Functions...)

		gw := apigateway.NewFromConfig(cfg)
		for _, api := range must(gw.GetRestApis(ctx, &apigateway.GetRestApisInput{})).Items {
			d.restAPIs = append(d.restAPIs, aws.ToString(api.Id))
			res := must(gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}}))
			for _, r := range res.Items {
				for _, m := range r.ResourceMethods {
					if m.MethodIntegration != nil {
						d.triggers = append(d.triggers, functionFromURI(aws.ToString(m.MethodIntegration.Uri)))
					}
				}
			}
		}

		rc := rds.NewFromConfig(cfg)
		d.clusters = append(d.clusters, must(rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})).DBClusters...)
		d.dbs = append(d.dbs, must(rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})).DBInstances...)

		dc := dynamodb.NewFromConfig(cfg)
		for _, name := range must(dc.ListTables(ctx, &dynamodb.ListTablesInput{})).TableNames {
			table := must(dc.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})).Table
			d.tables[aws.ToString(table.TableArn)] = len(must(dc.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: table.TableArn})).Tags)
		}

		cc := configservice.NewFromConfig(cfg)
		rules := must(cc.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})).ConfigRules
		d.rules = append(d.rules, rules...)
		for _, r := range rules {
			d.results = append(d.results, must(cc.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: r.ConfigRuleName})).EvaluationResults...)
		}
	}
	return w, d
}

// functionFromURI extracts the function ARN from an API Gateway Lambda
// integration URI (.../functions/<ARN>/invocations).
func functionFromURI(uri string) string {
	_, rest, ok := strings.Cut(uri, "/functions/")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, "/invocations")
}

type trustStatement struct {
	Principal json.RawMessage
}

// trustPrincipals lists a role's trust-policy principals as "AWS:<value>" or
// "Service:<value>" ("*" stays "*").
func trustPrincipals(t *testing.T, doc string) []string {
	t.Helper()
	raw, err := url.QueryUnescape(doc)
	if err != nil {
		t.Fatal(err)
	}
	var pol struct{ Statement []trustStatement }
	if err := json.Unmarshal([]byte(raw), &pol); err != nil {
		t.Fatalf("trust policy %s: %v", raw, err)
	}
	var out []string
	for _, s := range pol.Statement {
		var star string
		if json.Unmarshal(s.Principal, &star) == nil {
			out = append(out, star)
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(s.Principal, &m); err != nil {
			t.Fatal(err)
		}
		for kind, v := range m {
			var one string
			var many []string
			if json.Unmarshal(v, &one) == nil {
				many = []string{one}
			} else if err := json.Unmarshal(v, &many); err != nil {
				t.Fatal(err)
			}
			for _, p := range many {
				out = append(out, kind+":"+p)
			}
		}
	}
	return out
}

// TestDemoWorldCoverage checks that the demo account holds every seed-001
// entity type and that every seed-001 relationship can be derived from it
// (each reference resolves to an entity the demo defines), plus the findings
// the demo is built to show.
func TestDemoWorldCoverage(t *testing.T) {
	w, d := loadDemo(t, t.Context())
	ids := func(n int, f func(int) string) []string {
		out := make([]string, n)
		for i := range n {
			out[i] = f(i)
		}
		return out
	}
	volumeIDs := ids(len(d.volumes), func(i int) string { return aws.ToString(d.volumes[i].VolumeId) })
	sgIDs := ids(len(d.sgs), func(i int) string { return aws.ToString(d.sgs[i].GroupId) })
	vpcIDs := ids(len(d.vpcs), func(i int) string { return aws.ToString(d.vpcs[i].VpcId) })
	instanceIDs := ids(len(d.instances), func(i int) string { return aws.ToString(d.instances[i].InstanceId) })
	keyNames := ids(len(d.keyPairs), func(i int) string { return aws.ToString(d.keyPairs[i].KeyName) })
	userIDs := ids(len(d.users), func(i int) string { return aws.ToString(d.users[i].UserId) })
	userARNs := ids(len(d.users), func(i int) string { return aws.ToString(d.users[i].Arn) })
	groupIDs := ids(len(d.groups), func(i int) string { return aws.ToString(d.groups[i].GroupId) })
	groupNames := ids(len(d.groups), func(i int) string { return aws.ToString(d.groups[i].GroupName) })
	roleIDs := ids(len(d.roles), func(i int) string { return aws.ToString(d.roles[i].RoleId) })
	roleARNs := ids(len(d.roles), func(i int) string { return aws.ToString(d.roles[i].Arn) })
	policyARNs := ids(len(d.policies), func(i int) string { return aws.ToString(d.policies[i].Arn) })
	functionARNs := ids(len(d.functions), func(i int) string { return aws.ToString(d.functions[i].FunctionArn) })
	dbIDs := ids(len(d.dbs), func(i int) string { return aws.ToString(d.dbs[i].DBInstanceIdentifier) })

	// Entities: every in_seed001 type of entities.tsv at least once (the
	// aws_<service> entities are structural: one per service seen here).
	entities := []struct {
		typ string
		n   int
	}{
		{"aws_account", len(d.account)},
		{"aws_api_gateway_rest_api", len(d.restAPIs)},
		{"aws_config_rule", len(d.rules)},
		{"aws_dynamodb_table", len(d.tables)},
		{"aws_instance", len(d.instances)},
		{"aws_key_pair", len(d.keyPairs)},
		{"aws_ebs_volume", len(d.volumes)},
		{"aws_security_group", len(d.sgs)},
		{"aws_subnet", len(d.subnets)},
		{"aws_vpc", len(d.vpcs)},
		{"aws_iam_user", len(d.users)},
		{"aws_iam_access_key", len(d.keys)},
		{"mfa_device", len(d.mfa)},
		{"aws_iam_group", len(d.groups)},
		{"aws_iam_role", len(d.roles)},
		{"aws_iam_user_policy", countInline(d.users, func(u iamtypes.UserDetail) int { return len(u.UserPolicyList) })},
		{"aws_iam_group_policy", countInline(d.groups, func(g iamtypes.GroupDetail) int { return len(g.GroupPolicyList) })},
		{"aws_iam_role_policy", countInline(d.roles, func(r iamtypes.RoleDetail) int { return len(r.RolePolicyList) })},
		{"aws_iam_policy", len(d.policies)},
		{"aws_lambda_function", len(d.functions)},
		{"aws_rds_cluster", len(d.clusters)},
		{"aws_db_instance", len(d.dbs)},
		{"aws_s3_bucket", len(d.buckets)},
	}
	for _, e := range entities {
		if e.n == 0 {
			t.Errorf("entity %s: none in the demo world", e.typ)
		}
	}
	if d.account != w.AccountID || d.account != "111122223333" {
		t.Errorf("account %q", d.account)
	}

	// refs checks that every reference resolves and that there is at least one.
	refs := func(rel string, got []string, known []string) {
		t.Helper()
		if len(got) == 0 {
			t.Errorf("%s: no reference in the demo world", rel)
		}
		for _, g := range got {
			if !slices.Contains(known, g) {
				t.Errorf("%s: %q does not resolve", rel, g)
			}
		}
	}
	var used, protects, keys, profiles []string
	for _, i := range d.instances {
		for _, b := range i.BlockDeviceMappings {
			used = append(used, aws.ToString(b.Ebs.VolumeId))
		}
		for _, g := range i.SecurityGroups {
			protects = append(protects, aws.ToString(g.GroupId))
		}
		if i.KeyName != nil {
			keys = append(keys, aws.ToString(i.KeyName))
		}
		if i.IamInstanceProfile != nil {
			profiles = append(profiles, aws.ToString(i.IamInstanceProfile.Arn))
		}
	}
	refs("aws_instance USES aws_ebs_volume", used, volumeIDs)
	refs("aws_security_group PROTECTS aws_instance", protects, sgIDs)
	refs("instance key pair", keys, keyNames)
	var roleProfiles []string
	for _, r := range d.roles {
		for _, p := range r.InstanceProfileList {
			roleProfiles = append(roleProfiles, aws.ToString(p.Arn))
		}
	}
	refs("instance profile -> role", profiles, roleProfiles)
	refs("aws_vpc CONTAINS aws_subnet", ids(len(d.subnets), func(i int) string { return aws.ToString(d.subnets[i].VpcId) }), vpcIDs)
	refs("aws_api_gateway_rest_api TRIGGERS aws_lambda_function", d.triggers, functionARNs)
	refs("aws_lambda_function HAS aws_iam_role", ids(len(d.functions), func(i int) string { return aws.ToString(d.functions[i].Role) }), roleARNs)
	var members []string
	for _, c := range d.clusters {
		for _, m := range c.DBClusterMembers {
			members = append(members, aws.ToString(m.DBInstanceIdentifier))
		}
	}
	refs("aws_rds_cluster CONTAINS aws_db_instance", members, dbIDs)

	var inGroups, userPolicies, groupPolicies, rolePolicies []string
	for _, u := range d.users {
		inGroups = append(inGroups, u.GroupList...)
		for _, p := range u.AttachedManagedPolicies {
			userPolicies = append(userPolicies, aws.ToString(p.PolicyArn))
		}
	}
	for _, g := range d.groups {
		for _, p := range g.AttachedManagedPolicies {
			groupPolicies = append(groupPolicies, aws.ToString(p.PolicyArn))
		}
	}
	for _, r := range d.roles {
		for _, p := range r.AttachedManagedPolicies {
			rolePolicies = append(rolePolicies, aws.ToString(p.PolicyArn))
		}
	}
	refs("aws_iam_group CONTAINS aws_iam_user", inGroups, groupNames)
	refs("aws_iam_user HAS aws_iam_policy", userPolicies, policyARNs)
	refs("aws_iam_group HAS aws_iam_policy", groupPolicies, policyARNs)
	refs("aws_iam_role HAS aws_iam_policy", rolePolicies, policyARNs)

	// Config EVALUATES: every resource type of seed 001, each id resolving.
	evaluated := map[string][]string{}
	for _, r := range d.results {
		q := r.EvaluationResultIdentifier.EvaluationResultQualifier
		evaluated[aws.ToString(q.ResourceType)] = append(evaluated[aws.ToString(q.ResourceType)], aws.ToString(q.ResourceId))
	}
	for _, e := range []struct {
		resourceType string
		known        []string
	}{
		{"AWS::::Account", []string{d.account}},
		{"AWS::EC2::Instance", instanceIDs},
		{"AWS::EC2::SecurityGroup", sgIDs},
		{"AWS::EC2::Volume", volumeIDs},
		{"AWS::IAM::User", userIDs},
		{"AWS::IAM::Group", groupIDs},
		{"AWS::IAM::Role", roleIDs},
		{"AWS::S3::Bucket", d.buckets},
	} {
		refs("aws_config_rule EVALUATES "+e.resourceType, evaluated[e.resourceType], e.known)
	}

	// Trust: same-account user, service, cross-account role, user and
	// account, and the public "*" the demo must show.
	var principals []string
	for _, r := range d.roles {
		principals = append(principals, trustPrincipals(t, aws.ToString(r.AssumeRolePolicyDocument))...)
	}
	wantTrust := []struct {
		name string
		ok   func(p string) bool
	}{
		{"TRUSTS same-account aws_iam_user", func(p string) bool { return slices.Contains(userARNs, strings.TrimPrefix(p, "AWS:")) }},
		{"TRUSTS aws_<service> lambda", func(p string) bool { return p == "Service:lambda.amazonaws.com" }},
		{"TRUSTS aws_<service> ec2", func(p string) bool { return p == "Service:ec2.amazonaws.com" }},
		{"TRUSTS cross-account aws_iam_role", func(p string) bool {
			return strings.HasPrefix(p, "AWS:arn:aws:iam::") && strings.Contains(p, ":role/") && !strings.Contains(p, d.account)
		}},
		{"TRUSTS cross-account aws_iam_user", func(p string) bool {
			return strings.HasPrefix(p, "AWS:arn:aws:iam::") && strings.Contains(p, ":user/") && !strings.Contains(p, d.account)
		}},
		{"TRUSTS cross-account aws_account", func(p string) bool { return strings.HasSuffix(p, ":root") && !strings.Contains(p, d.account) }},
		{"TRUSTS everyone (*)", func(p string) bool { return p == "AWS:*" || p == "*" }},
	}
	for _, wt := range wantTrust {
		if !slices.ContainsFunc(principals, wt.ok) {
			t.Errorf("%s: no such principal among %v", wt.name, principals)
		}
	}
	if !slices.ContainsFunc(d.users, func(u iamtypes.UserDetail) bool {
		return strings.Contains(aws.ToString(u.UserName), "@") ||
			slices.ContainsFunc(u.Tags, func(tg iamtypes.Tag) bool { return aws.ToString(tg.Key) == "Email" })
	}) {
		t.Error("aws_iam_user IS Person: no user with an email user name or Email tag")
	}

	// Findings the demo is built to show.
	openTo := func(cidr, proto string, port int32) bool {
		for _, g := range d.sgs {
			for _, p := range g.IpPermissions {
				if aws.ToString(p.IpProtocol) != proto || (proto != "-1" && (aws.ToInt32(p.FromPort) > port || aws.ToInt32(p.ToPort) < port)) {
					continue
				}
				for _, r := range p.IpRanges {
					if aws.ToString(r.CidrIp) == cidr {
						return true
					}
				}
				for _, r := range p.Ipv6Ranges {
					if aws.ToString(r.CidrIpv6) == cidr {
						return true
					}
				}
			}
		}
		return false
	}
	findings := []struct {
		name string
		ok   bool
	}{
		{"SG allows 0.0.0.0/0 to 22", openTo("0.0.0.0/0", "tcp", 22)},
		{"SG allows ::/0 to 3389", openTo("::/0", "tcp", 3389)},
		{"SG allows protocol -1 from 0.0.0.0/0", openTo("0.0.0.0/0", "-1", 0)},
		{"Lambda env holds a secret-looking value", slices.ContainsFunc(d.functions, func(f lambdatypes.FunctionConfiguration) bool {
			return f.Environment != nil && f.Environment.Variables["DB_PASSWORD"] != ""
		})},
		{"unencrypted DB instance", slices.ContainsFunc(d.dbs, func(i rdstypes.DBInstance) bool { return !aws.ToBool(i.StorageEncrypted) })},
		{"untagged DynamoDB table", slices.Contains(mapValues(d.tables), 0)},
		{"user with an access key", len(d.keys) > 0},
		{"user with MFA", len(d.mfa) > 0},
	}
	for _, f := range findings {
		if !f.ok {
			t.Errorf("demo finding missing: %s", f.name)
		}
	}
}

func countInline[T any](items []T, n func(T) int) int {
	total := 0
	for _, it := range items {
		total += n(it)
	}
	return total
}

func mapValues(m map[string]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
