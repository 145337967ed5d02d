package model

// A small but realistic multi-service account, built from real
// aws-sdk-go-v2 output structs marshalled with encoding/json exactly as the
// collector stores them (ResultMetadata removed). Every test in the
// package reads it or a subset of it.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/snapaudit/snapaudit/snapshot"
)

const (
	acct   = "111122223333"
	region = "eu-west-1"
)

// memSource is an in-memory Source: rows per call, in insertion order.
type memSource struct {
	rows map[Call][]snapshot.Row
}

func (m *memSource) Rows(ctx context.Context, service, operation string, fn func(snapshot.Row) error) error {
	for _, r := range m.rows[Call{service, operation}] {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) add(r snapshot.Row) {
	if m.rows == nil {
		m.rows = map[Call][]snapshot.Row{}
	}
	c := Call{r.Service, r.Operation}
	m.rows[c] = append(m.rows[c], r)
}

// ok adds an ok row with v marshalled as the collector does.
func (m *memSource) ok(t testing.TB, c Call, account, reg, parent string, v any) {
	t.Helper()
	m.add(snapshot.Row{
		AccountID: account, Region: reg, Service: c.Service, Operation: c.Operation, ParentKey: parent,
		Params: "{}", Status: snapshot.StatusOK, Response: sdkJSON(t, v),
	})
}

// fail adds an error row.
func (m *memSource) fail(c Call, account, reg, parent string, class snapshot.ErrorClass, code string) {
	m.add(snapshot.Row{
		AccountID: account, Region: reg, Service: c.Service, Operation: c.Operation, ParentKey: parent,
		Params: "{}", Status: snapshot.StatusError, ErrorClass: class, ErrorCode: code,
	})
}

// sdkJSON marshals an SDK output struct and drops ResultMetadata.
func sdkJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err == nil {
		delete(m, "ResultMetadata")
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}

// urlDoc URL-encodes a policy document as IAM returns it.
func urlDoc(doc string) *string { return aws.String(url.QueryEscape(doc)) }

var (
	t0        = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	trustEC2  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	trustLam  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	readS3    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::logs-111122223333/*"}]}`
	readS3v1  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	denyAll   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	publicPol = `{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public-site/*"}]}`
	lambdaPol = `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:eu-west-1:111122223333:function:api-handler"}]}`
)

const (
	aliceArn   = "arn:aws:iam::111122223333:user/alice"
	bobArn     = "arn:aws:iam::111122223333:user/bob"
	devsArn    = "arn:aws:iam::111122223333:group/devs"
	appRoleArn = "arn:aws:iam::111122223333:role/app-role"
	lamRoleArn = "arn:aws:iam::111122223333:role/lambda-exec"
	customPol  = "arn:aws:iam::111122223333:policy/read-logs"
	readOnly   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	profileArn = "arn:aws:iam::111122223333:instance-profile/app-profile"
	fnArn      = "arn:aws:lambda:eu-west-1:111122223333:function:api-handler"
)

// world builds the multi-service test account.
func world(t testing.TB) *memSource {
	m := &memSource{}
	ew := region

	// --- account ---
	m.ok(t, op("sts:GetCallerIdentity"), acct, "global", "", &sts.GetCallerIdentityOutput{
		Account: aws.String(acct), Arn: aws.String("arn:aws:iam::111122223333:user/auditor"), UserId: aws.String("AIDAAUDITOR"),
	})
	m.ok(t, op("iam:ListAccountAliases"), acct, "global", "", &iam.ListAccountAliasesOutput{AccountAliases: []string{"acme-prod"}})
	m.ok(t, op("iam:GetAccountSummary"), acct, "global", "", &iam.GetAccountSummaryOutput{SummaryMap: map[string]int32{
		"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": 2,
	}})
	m.fail(op("organizations:DescribeOrganization"), acct, "global", "", snapshot.ClassNotFound, "AWSOrganizationsNotInUseException")
	m.ok(t, op("iam:GetAccountPasswordPolicy"), acct, "global", "", &iam.GetAccountPasswordPolicyOutput{PasswordPolicy: &iamtypes.PasswordPolicy{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24),
		ExpirePasswords: true, AllowUsersToChangePassword: true,
	}})
	m.ok(t, op("iam:ListVirtualMFADevices"), acct, "global", "", &iam.ListVirtualMFADevicesOutput{VirtualMFADevices: []iamtypes.VirtualMFADevice{
		{SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/root-account-mfa-device"), EnableDate: aws.Time(t0),
			User: &iamtypes.User{Arn: aws.String("arn:aws:iam::111122223333:root"), UserId: aws.String(acct), UserName: aws.String("<root_account>"), Path: aws.String("/"), CreateDate: aws.Time(t0)}},
		{SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/alice"), EnableDate: aws.Time(t0),
			User: &iamtypes.User{Arn: aws.String(aliceArn), UserName: aws.String("alice"), UserId: aws.String("AIDAALICE"), Path: aws.String("/"), CreateDate: aws.Time(t0)}},
	}})

	// --- IAM authorization details ---
	m.ok(t, op("iam:GetAccountAuthorizationDetails"), acct, "global", "", &iam.GetAccountAuthorizationDetailsOutput{
		UserDetailList: []iamtypes.UserDetail{
			{
				Arn: aws.String(aliceArn), UserName: aws.String("alice"), UserId: aws.String("AIDAALICE"), Path: aws.String("/"),
				CreateDate: aws.Time(t0), GroupList: []string{"devs"},
				AttachedManagedPolicies: []iamtypes.AttachedPolicy{{PolicyArn: aws.String(customPol), PolicyName: aws.String("read-logs")}},
				UserPolicyList:          []iamtypes.PolicyDetail{{PolicyName: aws.String("deny-all"), PolicyDocument: urlDoc(denyAll)}},
				Tags:                    []iamtypes.Tag{{Key: aws.String("Email"), Value: aws.String("Alice@Example.com")}, {Key: aws.String("Admin"), Value: aws.String("true")}},
				PermissionsBoundary:     &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String(customPol), PermissionsBoundaryType: iamtypes.PermissionsBoundaryAttachmentTypePolicy},
			},
			{Arn: aws.String(bobArn), UserName: aws.String("bob@example.com"), UserId: aws.String("AIDABOB"), Path: aws.String("/"), CreateDate: aws.Time(t0)},
		},
		GroupDetailList: []iamtypes.GroupDetail{{
			Arn: aws.String(devsArn), GroupName: aws.String("devs"), GroupId: aws.String("AGPADEVS"), Path: aws.String("/"), CreateDate: aws.Time(t0),
			AttachedManagedPolicies: []iamtypes.AttachedPolicy{{PolicyArn: aws.String(readOnly), PolicyName: aws.String("ReadOnlyAccess")}},
			GroupPolicyList:         []iamtypes.PolicyDetail{{PolicyName: aws.String("s3-read"), PolicyDocument: urlDoc(readS3)}},
		}},
		RoleDetailList: []iamtypes.RoleDetail{
			{
				Arn: aws.String(appRoleArn), RoleName: aws.String("app-role"), RoleId: aws.String("AROAAPP"), Path: aws.String("/"), CreateDate: aws.Time(t0),
				AssumeRolePolicyDocument: urlDoc(trustEC2),
				InstanceProfileList: []iamtypes.InstanceProfile{{
					Arn: aws.String(profileArn), InstanceProfileId: aws.String("AIPAAPP"), InstanceProfileName: aws.String("app-profile"),
					Path: aws.String("/"), CreateDate: aws.Time(t0),
				}},
				RolePolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("logs"), PolicyDocument: urlDoc(readS3)}},
				Tags:           []iamtypes.Tag{{Key: aws.String("Owner"), Value: aws.String("Platform-Team")}},
				RoleLastUsed:   &iamtypes.RoleLastUsed{LastUsedDate: aws.Time(t0.Add(24 * time.Hour)), Region: aws.String(ew)},
			},
			{
				Arn: aws.String(lamRoleArn), RoleName: aws.String("lambda-exec"), RoleId: aws.String("AROALAMBDA"), Path: aws.String("/service/"),
				CreateDate: aws.Time(t0), AssumeRolePolicyDocument: urlDoc(trustLam),
				AttachedManagedPolicies: []iamtypes.AttachedPolicy{{PolicyArn: aws.String(customPol), PolicyName: aws.String("read-logs")}},
			},
		},
		Policies: []iamtypes.ManagedPolicyDetail{
			{
				Arn: aws.String(customPol), PolicyName: aws.String("read-logs"), PolicyId: aws.String("ANPAREADLOGS"), Path: aws.String("/"),
				DefaultVersionId: aws.String("v2"), AttachmentCount: aws.Int32(2), IsAttachable: true, CreateDate: aws.Time(t0), UpdateDate: aws.Time(t0),
				PolicyVersionList: []iamtypes.PolicyVersion{
					{VersionId: aws.String("v1"), IsDefaultVersion: false, Document: urlDoc(readS3v1), CreateDate: aws.Time(t0)},
					{VersionId: aws.String("v2"), IsDefaultVersion: true, Document: urlDoc(readS3), CreateDate: aws.Time(t0)},
				},
			},
			{
				Arn: aws.String(readOnly), PolicyName: aws.String("ReadOnlyAccess"), PolicyId: aws.String("ANPAREADONLY"), Path: aws.String("/"),
				DefaultVersionId: aws.String("v1"), AttachmentCount: aws.Int32(1), IsAttachable: true, CreateDate: aws.Time(t0), UpdateDate: aws.Time(t0),
				PolicyVersionList: []iamtypes.PolicyVersion{{VersionId: aws.String("v1"), IsDefaultVersion: true, Document: urlDoc(readS3v1), CreateDate: aws.Time(t0)}},
			},
		},
	})
	m.ok(t, op("iam:ListAccessKeys"), acct, "global", "alice", &iam.ListAccessKeysOutput{AccessKeyMetadata: []iamtypes.AccessKeyMetadata{
		{AccessKeyId: aws.String("AKIAALICEKEY00000001"), UserName: aws.String("alice"), Status: iamtypes.StatusTypeActive, CreateDate: aws.Time(t0)},
		{AccessKeyId: aws.String("AKIAALICEKEY00000002"), UserName: aws.String("alice"), Status: iamtypes.StatusTypeInactive, CreateDate: aws.Time(t0)},
	}})
	m.ok(t, op("iam:ListAccessKeys"), acct, "global", "bob@example.com", &iam.ListAccessKeysOutput{})
	m.ok(t, op("iam:GetAccessKeyLastUsed"), acct, "global", "AKIAALICEKEY00000001", &iam.GetAccessKeyLastUsedOutput{
		UserName: aws.String("alice"), AccessKeyLastUsed: &iamtypes.AccessKeyLastUsed{LastUsedDate: aws.Time(t0.Add(time.Hour)), Region: aws.String(ew), ServiceName: aws.String("s3")},
	})
	m.fail(op("iam:GetAccessKeyLastUsed"), acct, "global", "AKIAALICEKEY00000002", snapshot.ClassDenied, "AccessDenied")
	m.ok(t, op("iam:ListMFADevices"), acct, "global", "alice", &iam.ListMFADevicesOutput{MFADevices: []iamtypes.MFADevice{
		{SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/alice"), UserName: aws.String("alice"), EnableDate: aws.Time(t0)},
	}})
	report := "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_active,access_key_1_last_rotated\n" +
		"<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2024-02-01T08:00:00+00:00,true,false,N/A\n" +
		"alice,arn:aws:iam::111122223333:user/alice,2024-03-01T10:00:00+00:00,true,2024-03-02T10:00:00+00:00,true,true,2024-03-01T10:00:00+00:00\n" +
		"bob@example.com,arn:aws:iam::111122223333:user/bob,2024-03-01T10:00:00+00:00,false,N/A,false,false,N/A\n"
	m.ok(t, op("iam:GetCredentialReport"), acct, "global", "", &iam.GetCredentialReportOutput{
		Content: []byte(report), GeneratedTime: aws.Time(t0), ReportFormat: iamtypes.ReportFormatTypeTextCsv,
	})

	// --- EC2 ---
	m.ok(t, op("ec2:DescribeVpcs"), acct, ew, "", &ec2.DescribeVpcsOutput{Vpcs: []ec2types.Vpc{
		{VpcId: aws.String("vpc-0a1"), CidrBlock: aws.String("10.0.0.0/16"), IsDefault: aws.Bool(false), OwnerId: aws.String(acct),
			State: ec2types.VpcStateAvailable, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("main")}}},
		{VpcId: aws.String("vpc-0b2"), CidrBlock: aws.String("172.31.0.0/16"), IsDefault: aws.Bool(true), OwnerId: aws.String(acct), State: ec2types.VpcStateAvailable},
	}})
	m.ok(t, op("ec2:DescribeFlowLogs"), acct, ew, "", &ec2.DescribeFlowLogsOutput{FlowLogs: []ec2types.FlowLog{
		{FlowLogId: aws.String("fl-1"), ResourceId: aws.String("vpc-0a1"), FlowLogStatus: aws.String("ACTIVE"), LogDestinationType: ec2types.LogDestinationTypeS3},
	}})
	m.ok(t, op("ec2:DescribeSubnets"), acct, ew, "", &ec2.DescribeSubnetsOutput{Subnets: []ec2types.Subnet{
		{SubnetId: aws.String("subnet-01"), SubnetArn: aws.String("arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-01"), VpcId: aws.String("vpc-0a1"),
			CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String("eu-west-1a"), MapPublicIpOnLaunch: aws.Bool(true)},
		{SubnetId: aws.String("subnet-02"), VpcId: aws.String("vpc-0a1"), CidrBlock: aws.String("10.0.2.0/24"), AvailabilityZone: aws.String("eu-west-1b"),
			MapPublicIpOnLaunch: aws.Bool(false), Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("private")}}},
	}})
	m.ok(t, op("ec2:DescribeSecurityGroups"), acct, ew, "", &ec2.DescribeSecurityGroupsOutput{SecurityGroups: []ec2types.SecurityGroup{
		{
			GroupId: aws.String("sg-web"), GroupName: aws.String("web"), VpcId: aws.String("vpc-0a1"), OwnerId: aws.String(acct), Description: aws.String("web tier"),
			SecurityGroupArn: aws.String("arn:aws:ec2:eu-west-1:111122223333:security-group/sg-web"),
			IpPermissions: []ec2types.IpPermission{
				{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("ssh from anywhere")}}},
				{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), Ipv6Ranges: []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}},
				{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8080), ToPort: aws.Int32(8081), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("203.0.113.7/32")}, {CidrIp: aws.String("198.51.100.0/24")}}},
			},
			IpPermissionsEgress: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
			Tags:                []ec2types.Tag{{Key: aws.String("Classification"), Value: aws.String("Internal")}},
		},
		{
			GroupId: aws.String("sg-db"), GroupName: aws.String("db"), VpcId: aws.String("vpc-0a1"), OwnerId: aws.String(acct), Description: aws.String("database"),
			IpPermissions: []ec2types.IpPermission{
				{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
					UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-web"), UserId: aws.String(acct)}},
					IpRanges:         []ec2types.IpRange{{CidrIp: aws.String("10.0.1.0/24")}, {CidrIp: aws.String("10.0.1.10/32")}}},
			},
		},
	}})
	m.ok(t, op("ec2:DescribeKeyPairs"), acct, ew, "", &ec2.DescribeKeyPairsOutput{KeyPairs: []ec2types.KeyPairInfo{
		{KeyName: aws.String("deploy"), KeyPairId: aws.String("key-0123"), KeyFingerprint: aws.String("1f:51:ae:28"), KeyType: ec2types.KeyTypeRsa, CreateTime: aws.Time(t0)},
	}})
	m.ok(t, op("ec2:DescribeVolumes"), acct, ew, "", &ec2.DescribeVolumesOutput{Volumes: []ec2types.Volume{
		{VolumeId: aws.String("vol-1"), Encrypted: aws.Bool(true), KmsKeyId: aws.String("arn:aws:kms:eu-west-1:111122223333:key/abcd"), Size: aws.Int32(8),
			State: ec2types.VolumeStateInUse, CreateTime: aws.Time(t0), AvailabilityZone: aws.String("eu-west-1a"),
			Attachments: []ec2types.VolumeAttachment{{InstanceId: aws.String("i-web"), VolumeId: aws.String("vol-1"), Device: aws.String("/dev/xvda")}},
			Tags:        []ec2types.Tag{{Key: aws.String("Classification"), Value: aws.String("PII")}, {Key: aws.String("Retention"), Value: aws.String("30")}, {Key: aws.String("Ratio"), Value: aws.String("0.5")}}},
		{VolumeId: aws.String("vol-2"), Encrypted: aws.Bool(false), Size: aws.Int32(100), State: ec2types.VolumeStateAvailable, CreateTime: aws.Time(t0)},
	}})
	m.ok(t, op("ec2:DescribeInstances"), acct, ew, "", &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{{
		ReservationId: aws.String("r-1"), OwnerId: aws.String(acct),
		Instances: []ec2types.Instance{
			{
				InstanceId: aws.String("i-web"), InstanceType: ec2types.InstanceTypeT3Micro, ImageId: aws.String("ami-1"), KeyName: aws.String("deploy"),
				LaunchTime: aws.Time(t0), State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning, Code: aws.Int32(16)},
				PrivateDnsName: aws.String("ip-10-0-1-10.eu-west-1.compute.internal"), PrivateIpAddress: aws.String("10.0.1.10"),
				PublicIpAddress: aws.String("54.0.0.10"), SubnetId: aws.String("subnet-01"), VpcId: aws.String("vpc-0a1"),
				IamInstanceProfile: &ec2types.IamInstanceProfile{Arn: aws.String(profileArn), Id: aws.String("AIPAAPP")},
				SecurityGroups:     []ec2types.GroupIdentifier{{GroupId: aws.String("sg-web"), GroupName: aws.String("web")}},
				BlockDeviceMappings: []ec2types.InstanceBlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"),
					Ebs: &ec2types.EbsInstanceBlockDevice{VolumeId: aws.String("vol-1"), DeleteOnTermination: aws.Bool(true), Status: ec2types.AttachmentStatusAttached}}},
				MetadataOptions: &ec2types.InstanceMetadataOptionsResponse{HttpTokens: ec2types.HttpTokensStateRequired},
				Tags:            []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web-1")}, {Key: aws.String("Owner"), Value: aws.String("Web-Team")}, {Key: aws.String("PCI"), Value: aws.String("")}},
			},
			{
				InstanceId: aws.String("i-batch"), InstanceType: ec2types.InstanceTypeT3Micro, LaunchTime: aws.Time(t0),
				State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameStopped, Code: aws.Int32(80)}, PrivateDnsName: aws.String(""),
				SubnetId: aws.String("subnet-02"), VpcId: aws.String("vpc-0a1"), KeyName: aws.String("missing-key"),
				SecurityGroups: []ec2types.GroupIdentifier{{GroupId: aws.String("sg-db"), GroupName: aws.String("db")}},
			},
		},
	}}})
	m.ok(t, Call{"ec2", "GetEbsEncryptionByDefault"}, acct, ew, "", &ec2.GetEbsEncryptionByDefaultOutput{EbsEncryptionByDefault: aws.Bool(false)})
	m.ok(t, Call{"ec2", "GetEbsEncryptionByDefault"}, acct, "us-east-1", "", &ec2.GetEbsEncryptionByDefaultOutput{EbsEncryptionByDefault: aws.Bool(true)})

	// --- S3 ---
	m.ok(t, op("s3:ListBuckets"), acct, "global", "", &s3.ListBucketsOutput{Buckets: []s3types.Bucket{
		{Name: aws.String("logs-111122223333"), CreationDate: aws.Time(t0)},
		{Name: aws.String("public-site"), CreationDate: aws.Time(t0)},
	}})
	m.ok(t, op("s3:GetBucketLocation"), acct, "us-east-1", "logs-111122223333", &s3.GetBucketLocationOutput{})
	m.ok(t, op("s3:GetBucketLocation"), acct, ew, "public-site", &s3.GetBucketLocationOutput{LocationConstraint: s3types.BucketLocationConstraintEuWest1})
	m.ok(t, op("s3:GetBucketTagging"), acct, "us-east-1", "logs-111122223333", &s3.GetBucketTaggingOutput{TagSet: []s3types.Tag{
		{Key: aws.String("Classification"), Value: aws.String("Confidential")}, {Key: aws.String("Owner"), Value: aws.String("Sec@Example.com")},
	}})
	m.fail(op("s3:GetBucketTagging"), acct, ew, "public-site", snapshot.ClassNotFound, "NoSuchTagSet")
	m.ok(t, op("s3:GetBucketEncryption"), acct, "us-east-1", "logs-111122223333", &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("arn:aws:kms:us-east-1:111122223333:key/k1")}}},
	}})
	m.fail(op("s3:GetBucketEncryption"), acct, ew, "public-site", snapshot.ClassNotFound, "ServerSideEncryptionConfigurationNotFoundError")
	m.fail(op("s3:GetBucketPolicy"), acct, "us-east-1", "logs-111122223333", snapshot.ClassNotFound, "NoSuchBucketPolicy")
	m.ok(t, op("s3:GetBucketPolicy"), acct, ew, "public-site", &s3.GetBucketPolicyOutput{Policy: aws.String(publicPol)})
	m.fail(op("s3:GetBucketPolicyStatus"), acct, "us-east-1", "logs-111122223333", snapshot.ClassNotFound, "NoSuchBucketPolicy")
	m.ok(t, op("s3:GetBucketPolicyStatus"), acct, ew, "public-site", &s3.GetBucketPolicyStatusOutput{PolicyStatus: &s3types.PolicyStatus{IsPublic: aws.Bool(true)}})
	m.ok(t, op("s3:GetPublicAccessBlock"), acct, "us-east-1", "logs-111122223333", &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	m.fail(op("s3:GetPublicAccessBlock"), acct, ew, "public-site", snapshot.ClassNotFound, "NoSuchPublicAccessBlockConfiguration")
	owner := &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String("abc123")}
	m.ok(t, op("s3:GetBucketAcl"), acct, "us-east-1", "logs-111122223333", &s3.GetBucketAclOutput{Grants: []s3types.Grant{{Grantee: owner, Permission: s3types.PermissionFullControl}}})
	m.ok(t, op("s3:GetBucketAcl"), acct, ew, "public-site", &s3.GetBucketAclOutput{Grants: []s3types.Grant{
		{Grantee: owner, Permission: s3types.PermissionFullControl},
		{Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: s3types.PermissionRead},
	}})
	m.ok(t, op("s3:GetBucketVersioning"), acct, "us-east-1", "logs-111122223333", &s3.GetBucketVersioningOutput{Status: s3types.BucketVersioningStatusEnabled})
	m.ok(t, op("s3:GetBucketVersioning"), acct, ew, "public-site", &s3.GetBucketVersioningOutput{})
	m.ok(t, op("s3:GetBucketLogging"), acct, "us-east-1", "logs-111122223333", &s3.GetBucketLoggingOutput{})
	m.ok(t, op("s3:GetBucketLogging"), acct, ew, "public-site", &s3.GetBucketLoggingOutput{LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String("logs-111122223333"), TargetPrefix: aws.String("site/")}})

	// --- Lambda ---
	m.ok(t, op("lambda:ListFunctions"), acct, ew, "", &lambda.ListFunctionsOutput{Functions: []lambdatypes.FunctionConfiguration{{
		FunctionName: aws.String("api-handler"), FunctionArn: aws.String(fnArn), Runtime: lambdatypes.RuntimePython312,
		Role: aws.String(lamRoleArn), Handler: aws.String("app.handler"), MemorySize: aws.Int32(256), CodeSize: 1024,
		LastModified: aws.String("2024-03-01T10:00:00.000+0000"),
		Environment:  &lambdatypes.EnvironmentResponse{Variables: map[string]string{"DB_PASSWORD": "REDACTED:hmac-sha256:0123456789abcdef"}},
		VpcConfig:    &lambdatypes.VpcConfigResponse{VpcId: aws.String("vpc-0a1"), SubnetIds: []string{"subnet-02"}, SecurityGroupIds: []string{"sg-db"}},
	}}})
	m.ok(t, op("lambda:ListTags"), acct, ew, fnArn /* the collector keys ListTags by ARN */, &lambda.ListTagsOutput{Tags: map[string]string{"Owner": "API-Team", "Tier": "2"}})
	m.ok(t, op("lambda:GetPolicy"), acct, ew, "api-handler", &lambda.GetPolicyOutput{Policy: aws.String(lambdaPol), RevisionId: aws.String("r1")})

	// --- RDS ---
	m.ok(t, op("rds:DescribeDBClusters"), acct, ew, "", &rds.DescribeDBClustersOutput{DBClusters: []rdstypes.DBCluster{{
		DBClusterIdentifier: aws.String("orders"), DBClusterArn: aws.String("arn:aws:rds:eu-west-1:111122223333:cluster:orders"),
		Engine: aws.String("aurora-postgresql"), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("arn:aws:kms:eu-west-1:111122223333:key/rds"),
		ClusterCreateTime: aws.Time(t0),
		DBClusterMembers:  []rdstypes.DBClusterMember{{DBInstanceIdentifier: aws.String("orders-1"), IsClusterWriter: aws.Bool(true)}},
		TagList:           []rdstypes.Tag{{Key: aws.String("Classification"), Value: aws.String("Restricted")}},
	}}})
	m.ok(t, op("rds:DescribeDBInstances"), acct, ew, "", &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{{
		DBInstanceIdentifier: aws.String("orders-1"), DBInstanceArn: aws.String("arn:aws:rds:eu-west-1:111122223333:db:orders-1"),
		DBClusterIdentifier: aws.String("orders"), Engine: aws.String("aurora-postgresql"), StorageEncrypted: aws.Bool(true),
		PubliclyAccessible: aws.Bool(false), InstanceCreateTime: aws.Time(t0),
		Endpoint:          &rdstypes.Endpoint{Address: aws.String("orders-1.abc.eu-west-1.rds.amazonaws.com"), Port: aws.Int32(5432)},
		VpcSecurityGroups: []rdstypes.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String("sg-db"), Status: aws.String("active")}},
	}}})

	// --- DynamoDB ---
	m.ok(t, op("dynamodb:ListTables"), acct, ew, "", &dynamodb.ListTablesOutput{TableNames: []string{"sessions"}})
	m.ok(t, op("dynamodb:DescribeTable"), acct, ew, "sessions", &dynamodb.DescribeTableOutput{Table: &ddbtypes.TableDescription{
		TableName: aws.String("sessions"), TableArn: aws.String("arn:aws:dynamodb:eu-west-1:111122223333:table/sessions"),
		TableId: aws.String("5b1f0c1e-0000-4000-8000-000000000001"), TableStatus: ddbtypes.TableStatusActive,
		CreationDateTime: aws.Time(t0), ItemCount: aws.Int64(42),
	}})
	m.ok(t, op("dynamodb:ListTagsOfResource"), acct, ew, "arn:aws:dynamodb:eu-west-1:111122223333:table/sessions", &dynamodb.ListTagsOfResourceOutput{Tags: []ddbtypes.Tag{{Key: aws.String("Classification"), Value: aws.String("PII")}}})
	m.ok(t, op("dynamodb:DescribeContinuousBackups"), acct, ew, "sessions", &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &ddbtypes.ContinuousBackupsDescription{
		ContinuousBackupsStatus:        ddbtypes.ContinuousBackupsStatusEnabled,
		PointInTimeRecoveryDescription: &ddbtypes.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: ddbtypes.PointInTimeRecoveryStatusDisabled},
	}})

	// --- Config ---
	m.ok(t, op("configservice:DescribeConfigRules"), acct, ew, "", &configservice.DescribeConfigRulesOutput{ConfigRules: []cfgtypes.ConfigRule{{
		ConfigRuleName: aws.String("restricted-ssh"), ConfigRuleArn: aws.String("arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-abc"),
		ConfigRuleId: aws.String("config-rule-abc"), ConfigRuleState: cfgtypes.ConfigRuleStateActive,
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("INCOMING_SSH_DISABLED")},
	}}})
	eval := func(typ, id string, c cfgtypes.ComplianceType) cfgtypes.EvaluationResult {
		return cfgtypes.EvaluationResult{ComplianceType: c, ResultRecordedTime: aws.Time(t0),
			EvaluationResultIdentifier: &cfgtypes.EvaluationResultIdentifier{EvaluationResultQualifier: &cfgtypes.EvaluationResultQualifier{
				ConfigRuleName: aws.String("restricted-ssh"), ResourceType: aws.String(typ), ResourceId: aws.String(id)}}}
	}
	m.ok(t, op("configservice:GetComplianceDetailsByConfigRule"), acct, ew, "restricted-ssh", &configservice.GetComplianceDetailsByConfigRuleOutput{EvaluationResults: []cfgtypes.EvaluationResult{
		eval("AWS::EC2::SecurityGroup", "sg-web", cfgtypes.ComplianceTypeNonCompliant),
		eval("AWS::EC2::SecurityGroup", "sg-db", cfgtypes.ComplianceTypeCompliant),
		eval("AWS::EC2::Instance", "i-web", cfgtypes.ComplianceTypeNotApplicable),
		eval("AWS::EC2::Volume", "vol-2", cfgtypes.ComplianceTypeNonCompliant),
		eval("AWS::IAM::User", "AIDAALICE", cfgtypes.ComplianceTypeCompliant),
		eval("AWS::IAM::Group", "AGPADEVS", cfgtypes.ComplianceTypeCompliant),
		eval("AWS::IAM::Role", "AROAAPP", cfgtypes.ComplianceTypeCompliant),
		eval("AWS::S3::Bucket", "public-site", cfgtypes.ComplianceTypeNonCompliant),
		eval("AWS::::Account", acct, cfgtypes.ComplianceTypeCompliant),
		eval("AWS::EC2::Instance", "i-gone", cfgtypes.ComplianceTypeNonCompliant),
	}})
	m.ok(t, Call{"configservice", "DescribeConfigurationRecorders"}, acct, ew, "", &configservice.DescribeConfigurationRecordersOutput{
		ConfigurationRecorders: []cfgtypes.ConfigurationRecorder{{Name: aws.String("default")}}})
	m.ok(t, Call{"configservice", "DescribeConfigurationRecorderStatus"}, acct, ew, "", &configservice.DescribeConfigurationRecorderStatusOutput{
		ConfigurationRecordersStatus: []cfgtypes.ConfigurationRecorderStatus{{Name: aws.String("default"), Recording: true}}})

	// --- API Gateway ---
	m.ok(t, op("apigateway:GetRestApis"), acct, ew, "", &apigateway.GetRestApisOutput{Items: []apigwtypes.RestApi{{
		Id: aws.String("a1b2c3"), Name: aws.String("orders-api"), CreatedDate: aws.Time(t0),
		EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointTypeRegional}},
		Tags:                  map[string]string{"Owner": "API-Team"},
	}}})
	uri := "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fnArn + ":live/invocations"
	m.ok(t, op("apigateway:GetResources"), acct, ew, "a1b2c3", &apigateway.GetResourcesOutput{Items: []apigwtypes.Resource{
		{Id: aws.String("root1"), Path: aws.String("/")},
		{Id: aws.String("res1"), Path: aws.String("/orders"), ResourceMethods: map[string]apigwtypes.Method{
			"GET":  {HttpMethod: aws.String("GET"), MethodIntegration: &apigwtypes.Integration{Type: apigwtypes.IntegrationTypeAwsProxy, Uri: aws.String(uri)}},
			"POST": {HttpMethod: aws.String("POST"), MethodIntegration: &apigwtypes.Integration{Type: apigwtypes.IntegrationTypeAwsProxy, Uri: aws.String("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:${stageVariables.fn}/invocations")}},
		}},
	}})
	return m
}

// calls returns the calls of a source, sorted (for the coverage test).
func (m *memSource) calls() []Call {
	var out []Call
	for c := range m.rows {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

var _ = base64.StdEncoding // the report's Content is []byte: encoding/json writes it as base64
