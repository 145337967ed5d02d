package model

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestEntityTypes checks, per entity type, the security-relevant and J1
// properties of entities built from the world account.
func TestEntityTypes(t *testing.T) {
	g := buildWorld(t)
	web := "arn:aws:ec2:eu-west-1:111122223333:instance/i-web"
	tests := []struct {
		name  string
		key   string
		typ   string
		class []string
		props map[string]any
		// absent lists properties that must not be set.
		absent []string
	}{
		{"account: alias, summary, root MFA, credential report root row", "arn:aws:iam::111122223333:root", "aws_account", []string{"Account"},
			map[string]any{"accountId": acct, "name": "acme-prod", "displayName": "acme-prod", "mfaEnabled": true, "rootUserAccessKeyEnabled": false,
				"rootMfaVirtual": true, "rootPasswordLastUsed": int64(1706774400000), "rootAccessKey1Active": false,
				"organizationId": "o-exampleorgid", "organizationMasterAccountId": "999988887777",
				// read from the management account's rows (the member's own are denied): org.go
				"organizationPath": "o-exampleorgid/r-exmp/ou-exmp-workload1/ou-exmp-prod0001/"},
			[]string{"userId"}},
		{"service placeholder: required Service props and per-region setting", "111122223333:aws_ec2", "aws_ec2", []string{"Service"},
			map[string]any{"category": []string{"infrastructure"}, "function": []string{"compute"},
				"ebsEncryptionByDefault": map[string]any{"eu-west-1": false, "us-east-1": true}}, nil},
		{"instance: host, state, public IP, Name tag, owner lowercased", web, "aws_instance", []string{"Host"},
			map[string]any{"id": "i-web", "name": "i-web", "displayName": "web-1", "hostname": "ip-10-0-1-10.eu-west-1.compute.internal",
				"state": "running", "active": true, "publicIpAddress": "54.0.0.10", "region": region, "accountId": acct,
				"createdOn": int64(1709287200000), "owner": "web-team", "tag.Owner": "Web-Team", "tags": []string{"PCI"},
				"webLink":       "https://console.aws.amazon.com/ec2/v2/home?region=eu-west-1#Instances:instanceId=i-web",
				"reservationId": "r-1", "metadataHttpTokens": "required"}, nil},
		{"stopped instance: no public IP is null, not absent", "arn:aws:ec2:eu-west-1:111122223333:instance/i-batch", "aws_instance", []string{"Host"},
			map[string]any{"active": false, "publicIpAddress": nil, "hostname": nil}, []string{"architecture"}},
		{"volume: encryption, KMS key, tag conversions", "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1", "aws_ebs_volume", []string{"DataStore", "Disk"},
			map[string]any{"encrypted": true, "kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/abcd", "classification": "pii",
				"tag.Retention": int64(30), "tag.Ratio": 0.5, "attachedInstanceIds": []any{"i-web"}}, nil},
		{"unencrypted volume without tags: classification null", "arn:aws:ec2:eu-west-1:111122223333:volume/vol-2", "aws_ebs_volume", []string{"DataStore", "Disk"},
			map[string]any{"encrypted": false, "classification": nil}, nil},
		{"security group: raw SDK permissions kept for Rego", "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-web", "aws_security_group", []string{"Firewall"},
			map[string]any{"category": []string{"network"}, "isStateful": true, "groupName": "web", "vpcId": "vpc-0a1"}, nil},
		{"security group without SecurityGroupArn: key from template", "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-db", "aws_security_group", []string{"Firewall"},
			map[string]any{"ipPermissionsEgress": []any{}}, nil},
		{"vpc: CIDR, internal, public unknown, flow logs", "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a1", "aws_vpc", []string{"Network"},
			map[string]any{"CIDR": "10.0.0.0/16", "internal": true, "public": nil, "flowLogsEnabled": true, "displayName": "main", "defaultVpc": false}, nil},
		{"vpc without flow log in an answered region: false", "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0b2", "aws_vpc", []string{"Network"},
			map[string]any{"flowLogsEnabled": false, "defaultVpc": true}, nil},
		{"subnet: ARN key from SubnetArn, Name tag", "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-02", "aws_subnet", []string{"Network"},
			map[string]any{"CIDR": "10.0.2.0/24", "displayName": "private", "mapPublicIpOnLaunch": false}, nil},
		{"subnet with an internet gateway route: public", "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-01", "aws_subnet", []string{"Network"},
			map[string]any{"public": true, "internal": true}, nil},
		{"subnet on the VPC's main table (NAT route only): not public", "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-02", "aws_subnet", []string{"Network"},
			map[string]any{"public": false}, nil},
		{"elastic IP: IpAddress", "arn:aws:ec2:eu-west-1:111122223333:elastic-ip/eipalloc-web", "aws_eip", []string{"IpAddress"},
			map[string]any{"ipAddress": "54.0.0.10", "publicIpAddress": "54.0.0.10", "privateIpAddress": "10.0.1.10", "name": "54.0.0.10",
				"displayName": "web-ip", "instanceId": "i-web"}, nil},
		{"unassociated elastic IP", "arn:aws:ec2:eu-west-1:111122223333:elastic-ip/eipalloc-spare", "aws_eip", []string{"IpAddress"},
			map[string]any{"owner": "network-team"}, []string{"instanceId", "associationId"}},
		{"ENI: TagSet, addresses, groups, attachment", "arn:aws:ec2:eu-west-1:111122223333:network-interface/eni-web", "aws_eni", []string{"NetworkInterface"},
			map[string]any{"displayName": "web-eni", "macAddress": "02:00:00:00:00:01", "publicIpAddress": "54.0.0.10", "privateIpAddresses": []any{"10.0.1.10"},
				"securityGroupIds": []any{"sg-web"}, "instanceId": "i-web", "interfaceType": "interface"}, nil},
		{"NAT gateway: Gateway props, public connectivity", "arn:aws:ec2:eu-west-1:111122223333:natgateway/nat-0a1", "aws_nat_gateway", []string{"Gateway"},
			map[string]any{"category": []string{"network"}, "function": []string{"nat"}, "public": true, "active": true,
				"publicIpAddress": "54.0.0.20", "createdOn": int64(1768039200000)}, nil},
		{"deleted private NAT gateway: kept, inactive", "arn:aws:ec2:eu-west-1:111122223333:natgateway/nat-old", "aws_nat_gateway", []string{"Gateway"},
			map[string]any{"public": false, "active": false, "state": "deleted"}, []string{"publicIpAddress"}},
		{"network ACL: Firewall, stateless, raw entries kept for Rego", "arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-0a1", "aws_network_acl", []string{"Firewall"},
			map[string]any{"category": []string{"network"}, "isStateful": false, "isDefault": false, "subnetIds": []any{"subnet-01", "subnet-02"}}, nil},
		{"main route table", "arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-main", "aws_route_table", []string{"Configuration"},
			map[string]any{"main": true, "internetGatewayRoute": false, "vpcId": "vpc-0a1"}, nil},
		{"public route table", "arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-public", "aws_route_table", []string{"Configuration"},
			map[string]any{"main": false, "internetGatewayRoute": true, "subnetIds": []any{"subnet-01"}}, nil},
		{"VPN gateway: public unknown", "arn:aws:ec2:eu-west-1:111122223333:vpn-gateway/vgw-0a1", "aws_vpn_gateway", []string{"Gateway"},
			map[string]any{"public": nil, "category": []string{"network"}, "function": []string{"remote-access-gateway"}, "active": true,
				"amazonSideAsn": int64(64512)}, nil},
		{"key pair", "arn:aws:ec2:eu-west-1:111122223333:key-pair/deploy", "aws_key_pair", []string{"AccessKey"},
			map[string]any{"id": "key-0123", "fingerprint": "1f:51:ae:28"}, nil},
		{"user: IAM conventions, email tag lowercased, credential report", aliceArn, "aws_iam_user", []string{"User"},
			map[string]any{"arn": aliceArn, "name": "alice", "username": "alice", "userId": "AIDAALICE", "email": "alice@example.com",
				"permissionsBoundaryArn": customPol, "tag.Admin": true, "tags": []string{"Admin"}, "passwordEnabled": true, "mfaEnabled": true}, nil},
		{"user without boundary: empty string", bobArn, "aws_iam_user", []string{"User"},
			map[string]any{"permissionsBoundaryArn": "", "passwordLastUsed": nil}, []string{"groupNames"}},
		{"group", devsArn, "aws_iam_group", []string{"UserGroup"}, map[string]any{"groupId": "AGPADEVS", "name": "devs"}, nil},
		{"role: decoded trust policy, instance profiles", appRoleArn, "aws_iam_role", []string{"AccessRole"},
			map[string]any{"roleId": "AROAAPP", "assumeRolePolicyDocument": trustEC2, "permissionsBoundaryArn": "", "path": "/",
				"instanceProfileArns": []any{profileArn}, "owner": "platform-team"}, []string{"assumeRolePolicyDocumentRaw"}},
		{"customer managed policy: default version document", customPol, "aws_iam_policy", []string{"AccessPolicy"},
			map[string]any{"policyName": "read-logs", "awsManaged": false, "document": readS3, "defaultVersionId": "v2", "attachmentCount": int64(2)}, nil},
		{"AWS managed policy", readOnly, "aws_iam_policy", []string{"AccessPolicy"}, map[string]any{"awsManaged": true, "document": readS3v1}, nil},
		{"user inline policy: synthetic key, no arn", aliceArn + "/inline-policy/deny-all", "aws_iam_user_policy", []string{"AccessPolicy"},
			map[string]any{"policyName": "deny-all", "document": denyAll, "principalArn": aliceArn}, []string{"arn", "policyDocument"}},
		{"group inline policy", devsArn + "/inline-policy/s3-read", "aws_iam_group_policy", []string{"AccessPolicy"},
			map[string]any{"document": readS3, "principalArn": devsArn}, nil},
		{"role inline policy", appRoleArn + "/inline-policy/logs", "aws_iam_role_policy", []string{"AccessPolicy"},
			map[string]any{"principalArn": appRoleArn}, nil},
		{"access key: active, last used", "AKIAALICEKEY00000001", "aws_iam_access_key", []string{"AccessKey"},
			map[string]any{"active": true, "lastUsedService": "s3", "lastUsedOn": int64(1709290800000)}, nil},
		{"access key whose last-used call was denied: unknown", "AKIAALICEKEY00000002", "aws_iam_access_key", []string{"AccessKey"},
			map[string]any{"active": false}, []string{"lastUsedOn"}},
		{"virtual MFA device", "arn:aws:iam::111122223333:mfa/alice", "mfa_device", []string{"AccessKey"}, map[string]any{"virtual": true}, nil},
		{"password policy", "111122223333:password-policy", "aws_iam_account_password_policy", []string{"PasswordPolicy"},
			map[string]any{"minLength": int64(14), "maxAgeDays": int64(90), "historyCount": int64(24), "requireSymbols": true}, nil},
		{"bucket with configuration: region, encryption, blocks, versioning", "arn:aws:s3:::logs-111122223333", "aws_s3_bucket", []string{"DataStore"},
			map[string]any{"region": "us-east-1", "encrypted": true, "encryptionAlgorithm": "aws:kms", "classification": "confidential",
				"owner": "sec@example.com", "versioningEnabled": true, "loggingEnabled": false, "policyPublic": false, "public": false,
				"restrictPublicBuckets": true}, []string{"policy"}},
		{"public bucket: policy, ACL, no encryption config, no block", "arn:aws:s3:::public-site", "aws_s3_bucket", []string{"DataStore"},
			map[string]any{"region": "eu-west-1", "encrypted": false, "policy": publicPol, "policyPublic": true, "aclPublic": true,
				"blockPublicPolicy": false, "public": true, "loggingEnabled": true, "versioningEnabled": false, "classification": nil}, nil},
		{"lambda: runtime, role, tags by ARN parent, resource policy", fnArn, "aws_lambda_function", []string{"Function"},
			map[string]any{"runtime": "python3.12", "role": lamRoleArn, "owner": "api-team", "tag.Tier": int64(2), "policy": lambdaPol,
				"vpcId": "vpc-0a1", "subnetIds": []any{"subnet-02"}}, []string{"environment"}},
		{"rds cluster", "arn:aws:rds:eu-west-1:111122223333:cluster:orders", "aws_rds_cluster", []string{"DataStore", "Database", "Cluster"},
			map[string]any{"encrypted": true, "classification": "restricted"}, nil},
		{"db instance: hostname from endpoint, not public", "arn:aws:rds:eu-west-1:111122223333:db:orders-1", "aws_db_instance", []string{"DataStore", "Database", "Host"},
			map[string]any{"encrypted": true, "publiclyAccessible": false, "hostname": "orders-1.abc.eu-west-1.rds.amazonaws.com", "classification": nil}, nil},
		{"dynamodb table: always encrypted, PITR, tags by ARN parent", "arn:aws:dynamodb:eu-west-1:111122223333:table/sessions", "aws_dynamodb_table", []string{"DataStore", "Database"},
			map[string]any{"encrypted": true, "pointInTimeRecoveryEnabled": false, "classification": "pii", "name": "sessions"}, nil},
		{"config rule", "arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-abc", "aws_config_rule", []string{"ControlPolicy"},
			map[string]any{"name": "restricted-ssh", "sourceIdentifier": "INCOMING_SSH_DISABLED", "category": "config"}, nil},
		{"rest api: Gateway props, map tags", "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3", "aws_api_gateway_rest_api", []string{"Gateway"},
			map[string]any{"public": true, "category": []string{"application"}, "function": []string{"api-gateway"}, "owner": "api-team", "name": "orders-api"}, nil},
		{"global Internet", InternetKey, "internet", []string{"Internet", "Network"}, map[string]any{"CIDR": "0.0.0.0/0", "public": true}, nil},
		{"external host from a /32 rule", "host:203.0.113.7", externalHostType, []string{"Host"}, map[string]any{"public": true, "_source": "system-mapper"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := g.Entity(tc.key)
			if e == nil {
				t.Fatalf("no entity %s", tc.key)
			}
			if e.Type != tc.typ || !cmp.Equal(e.Class, tc.class) {
				t.Errorf("type/class %s %v, want %s %v", e.Type, e.Class, tc.typ, tc.class)
			}
			for k, want := range tc.props {
				got, ok := e.Lookup(k)
				if !ok {
					t.Errorf("%s: missing", k)
					continue
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			for _, k := range tc.absent {
				if v, ok := e.Lookup(k); ok {
					t.Errorf("%s = %v, want absent", k, v)
				}
			}
			for _, req := range []string{"name", "displayName"} {
				if _, ok := e.Lookup(req); !ok {
					t.Errorf("required %s missing", req)
				}
			}
			if len(e.Key) < 10 {
				t.Errorf("_key %q shorter than J1's 10 characters", e.Key)
			}
		})
	}
}

// TestRelationships checks the properties and direction of chosen
// relationships in the world graph (that every declared kind is built at
// all is TestEveryRelationshipBuilt).
func TestRelationships(t *testing.T) {
	g := buildWorld(t)
	const (
		zoneRecord = "arn:aws:route53:::hostedzone/Z0EXAMPLEPUBLIC/recordset/"
		distArn    = "arn:aws:cloudfront::111122223333:distribution/E2EXAMPLE1"
	)
	web := "arn:aws:ec2:eu-west-1:111122223333:instance/i-web"
	sgWeb := "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-web"
	sgDB := "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-db"
	rule := "arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-abc"
	tests := []struct {
		name        string
		key         string
		typ         string
		props       map[string]any
		wantMissing bool
	}{
		{"account HAS service", graph.RelationshipKey(AccountKey(acct), "HAS", ServiceKey(acct, "ec2")), "aws_account_has_ec2", nil, false},
		{"service HAS entity", graph.RelationshipKey(ServiceKey(acct, "ec2"), "HAS", web), "aws_ec2_has_instance", nil, false},
		{"instance USES volume with device props", graph.RelationshipKey(web, "USES", "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1"),
			"aws_instance_uses_ebs_volume", map[string]any{"deviceName": "/dev/xvda", "deleteOnTermination": true}, false},
		{"SG PROTECTS instance", graph.RelationshipKey(sgWeb, "PROTECTS", web), "aws_security_group_protects_instance", nil, false},
		{"instance HAS SG", graph.RelationshipKey(web, "HAS", sgWeb), "aws_instance_has_security_group", nil, false},
		{"instance USES key pair", graph.RelationshipKey(web, "USES", "arn:aws:ec2:eu-west-1:111122223333:key-pair/deploy"), "aws_instance_uses_key_pair", nil, false},
		{"instance with unknown key pair: no edge", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:instance/i-batch", "USES",
			"arn:aws:ec2:eu-west-1:111122223333:key-pair/missing-key"), "", nil, true},
		{"instance USES role via instance profile", graph.RelationshipKey(web, "USES", appRoleArn), "aws_instance_uses_iam_role", nil, false},
		{"bucket USES KMS key by alias name, in its own region", graph.RelationshipKey("arn:aws:s3:::logs-111122223333", "USES",
			"arn:aws:kms:us-east-1:111122223333:key/k1"), "aws_s3_bucket_uses_kms_key", nil, false},
		{"the same alias name in another region is another key: no edge", graph.RelationshipKey("arn:aws:s3:::logs-111122223333", "USES",
			"arn:aws:kms:eu-west-1:111122223333:key/abcd"), "", nil, true},
		{"volume USES KMS key by key ARN", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:volume/vol-1", "USES",
			"arn:aws:kms:eu-west-1:111122223333:key/abcd"), "aws_ebs_volume_uses_kms_key", nil, false},
		{"kms service HAS key", graph.RelationshipKey(ServiceKey(acct, "kms"), "HAS", "arn:aws:kms:eu-west-1:111122223333:key/abcd"),
			"aws_kms_has_key", nil, false},
		{"VPC CONTAINS subnet", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a1", "CONTAINS",
			"arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-01"), "aws_vpc_contains_subnet", nil, false},
		{"user HAS managed policy", graph.RelationshipKey(aliceArn, "HAS", customPol), "aws_iam_user_has_policy", nil, false},
		{"user HAS inline policy", graph.RelationshipKey(aliceArn, "HAS", aliceArn+"/inline-policy/deny-all"), "aws_iam_user_has_policy", nil, false},
		{"group HAS AWS managed policy", graph.RelationshipKey(devsArn, "HAS", readOnly), "aws_iam_group_has_policy", nil, false},
		{"group CONTAINS user", graph.RelationshipKey(devsArn, "CONTAINS", aliceArn), "aws_iam_group_contains_user", nil, false},
		{"role HAS managed policy", graph.RelationshipKey(lamRoleArn, "HAS", customPol), "aws_iam_role_has_policy", nil, false},
		{"user HAS access key", graph.RelationshipKey(aliceArn, "HAS", "AKIAALICEKEY00000001"), "aws_iam_user_has_access_key", nil, false},
		{"user HAS mfa device", graph.RelationshipKey(aliceArn, "HAS", "arn:aws:iam::111122223333:mfa/alice"), "aws_iam_user_has_mfa_device", nil, false},
		{"lambda HAS role", graph.RelationshipKey(fnArn, "HAS", lamRoleArn), "aws_lambda_function_has_iam_role", nil, false},
		{"cluster CONTAINS db instance", graph.RelationshipKey("arn:aws:rds:eu-west-1:111122223333:cluster:orders", "CONTAINS",
			"arn:aws:rds:eu-west-1:111122223333:db:orders-1"), "aws_rds_cluster_contains_db_instance", map[string]any{"isClusterWriter": true}, false},
		{"API TRIGGERS lambda (qualifier stripped)", graph.RelationshipKey("arn:aws:apigateway:eu-west-1::/restapis/a1b2c3", "TRIGGERS", fnArn),
			"aws_api_gateway_rest_api_triggers_lambda_function", map[string]any{"httpMethod": "GET", "resourcePath": "/orders"}, false},
		{"config EVALUATES SG", graph.RelationshipKey(rule, "EVALUATES", sgWeb), "aws_config_rule_evaluates_security_group",
			map[string]any{"complianceType": "NON_COMPLIANT"}, false},
		{"config EVALUATES user by unique id", graph.RelationshipKey(rule, "EVALUATES", aliceArn), "aws_config_rule_evaluates_iam_user", nil, false},
		{"config EVALUATES account", graph.RelationshipKey(rule, "EVALUATES", AccountKey(acct)), "aws_config_rule_evaluates_account", nil, false},
		{"config EVALUATES bucket by name", graph.RelationshipKey(rule, "EVALUATES", "arn:aws:s3:::public-site"), "aws_config_rule_evaluates_s3_bucket", nil, false},
		{"ingress from the Internet: REVERSE", "aws_security_group_rule:sg-web:ingress:tcp:22-22:0.0.0.0/0", "aws_security_group_rule",
			map[string]any{"ingress": true, "egress": false, "ipProtocol": "tcp", "fromPort": int64(22), "toPort": int64(22), "portRange": "22-22",
				"description": "ssh from anywhere", "groupId": "sg-web"}, false},
		{"egress all protocols: FORWARD, *", "aws_security_group_rule:sg-web:egress:*:*:0.0.0.0/0", "aws_security_group_rule",
			map[string]any{"egress": true, "ipProtocol": "*", "fromPort": int64(0), "toPort": int64(65535), "portRange": "*"}, false},
		{"subnet HAS instance", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-01", "HAS", web), "aws_subnet_has_instance", nil, false},
		{"instance USES ENI", graph.RelationshipKey(web, "USES", "arn:aws:ec2:eu-west-1:111122223333:network-interface/eni-web"), "aws_instance_uses_eni", nil, false},
		{"instance USES EIP", graph.RelationshipKey(web, "USES", "arn:aws:ec2:eu-west-1:111122223333:elastic-ip/eipalloc-web"), "aws_instance_uses_eip", nil, false},
		{"SG PROTECTS ENI", graph.RelationshipKey(sgWeb, "PROTECTS", "arn:aws:ec2:eu-west-1:111122223333:network-interface/eni-web"), "aws_security_group_protects_eni", nil, false},
		{"subnet USES its VPC's main route table", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-02", "USES",
			"arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-main"), "aws_subnet_uses_route_table", map[string]any{"main": true}, false},
		{"subnet with an explicit table does not use the main one", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-01", "USES",
			"arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-main"), "", nil, true},
		{"detached VPN gateway: no edge", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0b2", "HAS",
			"arn:aws:ec2:eu-west-1:111122223333:vpn-gateway/vgw-old"), "", nil, true},
		{"active peering: requester CONNECTS accepter", graph.RelationshipKey("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a1", "CONNECTS",
			"arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0b2"), "aws_vpc_connects_vpc",
			map[string]any{"vpcPeeringConnectionId": "pcx-0a1b2", "status": "active", "accepterCidr": "172.31.0.0/16"}, false},
		{"NACL ingress allow from the Internet: REVERSE, protocol name, rule number", "aws_network_acl_rule:acl-0a1:ingress:100:tcp:1024-65535:0.0.0.0/0",
			"aws_network_acl_rule", map[string]any{"ingress": true, "ipProtocol": "tcp", "fromPort": int64(1024), "toPort": int64(65535),
				"ruleNumber": int64(100), "networkAclId": "acl-0a1", "ipRange": "0.0.0.0/0"}, false},
		{"NACL default egress deny: FORWARD DENIES, all protocols", "aws_network_acl_rule:acl-0a1:egress:32767:*:*:0.0.0.0/0",
			"aws_network_acl_rule", map[string]any{"egress": true, "protocol": "*", "portRange": "*", "ruleNumber": int64(32767)}, false},
		{"NACL IPv6 ICMP entry", "aws_network_acl_rule:acl-0a1:ingress:400:icmpv6:*:::/0", "aws_network_acl_rule",
			map[string]any{"ipProtocol": "icmpv6"}, false},
		{"ingress from another SG", "aws_security_group_rule:sg-db:ingress:tcp:5432-5432:sg-web", "aws_security_group_rule", map[string]any{"ingress": true}, false},
		{"global record CONNECTS regional instance by public IP", graph.RelationshipKey(zoneRecord+"web.example.com./A/primary", "CONNECTS", web),
			"aws_route53_record_connects_instance", nil, false},
		{"record to an address outside the account: no edge", graph.RelationshipKey(zoneRecord+"web.example.com./A/canary", "CONNECTS", web), "", nil, true},
		{"record alias CONNECTS distribution", graph.RelationshipKey(zoneRecord+"www.example.com./A", "CONNECTS", distArn),
			"aws_route53_record_connects_cloudfront_distribution", nil, false},
		{"distribution CONNECTS S3 origin", graph.RelationshipKey(distArn, "CONNECTS", "arn:aws:s3:::public-site"),
			"aws_cloudfront_distribution_connects_s3_bucket", map[string]any{"originId": "site"}, false},
		{"distribution TRIGGERS edge function (version stripped)", graph.RelationshipKey(distArn, "TRIGGERS", fnArn),
			"aws_cloudfront_distribution_triggers_lambda_function", map[string]any{"eventType": "viewer-request"}, false},
		{"domain HAS zone of a subdomain", graph.RelationshipKey("arn:aws:route53domains::111122223333:domain/example.com", "HAS",
			"arn:aws:route53:::hostedzone/Z0EXAMPLEPRIVATE"), "aws_route53_domain_has_zone", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := g.Relationship(tc.key)
			if tc.wantMissing {
				if r != nil {
					t.Fatalf("unexpected relationship %s", tc.key)
				}
				return
			}
			if r == nil {
				t.Fatalf("no relationship %s", tc.key)
			}
			if r.Type != tc.typ {
				t.Errorf("_type %s, want %s", r.Type, tc.typ)
			}
			for k, want := range tc.props {
				if diff := cmp.Diff(want, r.Get(k)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
	// Direction of the SG rule ends.
	in := g.Relationship("aws_security_group_rule:sg-web:ingress:tcp:22-22:0.0.0.0/0")
	out := g.Relationship("aws_security_group_rule:sg-web:egress:*:*:0.0.0.0/0")
	if in.From != InternetKey || in.To != sgWeb || out.From != sgWeb || out.To != InternetKey {
		t.Errorf("rule ends: ingress %s->%s, egress %s->%s", in.From, in.To, out.From, out.To)
	}
	if r := g.Relationship("aws_security_group_rule:sg-db:ingress:tcp:5432-5432:10.0.1.10/32"); r == nil || r.From != web {
		t.Errorf("a /32 of an instance's private IP should come from that instance: %+v", r)
	}
	if r := g.Relationship("aws_security_group_rule:sg-db:ingress:tcp:5432-5432:10.0.1.0/24"); r == nil ||
		r.From != "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-01" {
		t.Errorf("a subnet's CIDR should come from that subnet: %+v", r)
	}
	_ = sgDB
}

// TestMapPersons resolves aws_iam_user IS Person against Person entities.
func TestMapPersons(t *testing.T) {
	tests := []struct {
		name    string
		persons map[string]string // key -> email
		want    []string          // relationship keys
	}{
		{"no persons: nothing created", nil, nil},
		{"email tag matches, case-insensitively", map[string]string{"person:alice": "ALICE@example.com"},
			[]string{graph.RelationshipKey(aliceArn, "IS", "person:alice")}},
		{"username that is an email matches", map[string]string{"person:bob": "bob@example.com"},
			[]string{graph.RelationshipKey(bobArn, "IS", "person:bob")}},
		{"unrelated person", map[string]string{"person:carol": "carol@example.com"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := buildWorld(t)
			for k, m := range tc.persons {
				g.AddEntity(graph.NewEntity(k, "okta_user", []string{"Person"}, map[string]any{"email": m}))
			}
			n := MapPersons(g)
			if n != len(tc.want) {
				t.Errorf("MapPersons added %d, want %d", n, len(tc.want))
			}
			for _, k := range tc.want {
				r := g.Relationship(k)
				if r == nil || r.Type != "aws_iam_user_is_person" || r.Class != "IS" {
					t.Errorf("relationship %s: %+v", k, r)
				}
			}
		})
	}
}

// TestBuildErrors: bad input is an error naming the call, never a panic.
func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name string
		row  snapshot.Row
		want []string
	}{
		{"truncated JSON", snapshot.Row{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeInstances", Page: 3,
			Status: snapshot.StatusOK, Response: `{"Reservations":[{"Instances":[`},
			[]string{"ec2:DescribeInstances 111122223333/eu-west-1 page 3", "malformed response (ec2.DescribeInstancesOutput)", "unexpected end of JSON"}},
		{"per-parent row names its parent", snapshot.Row{AccountID: acct, Region: region, Service: "s3", Operation: "GetBucketPolicy", ParentKey: "b1",
			Status: snapshot.StatusOK, Response: `not json`}, []string{"s3:GetBucketPolicy 111122223333/eu-west-1 parent b1 page 0"}},
		{"bad timestamp", snapshot.Row{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeVolumes",
			Status: snapshot.StatusOK, Response: `{"Volumes":[{"VolumeId":"vol-9","CreateTime":"2024-13-45T99:00:00Z"}]}`},
			[]string{"ec2:DescribeVolumes 111122223333/eu-west-1 page 0", "Volumes[0].CreateTime", "want timestamp string"}},
		{"policy that is not JSON", snapshot.Row{AccountID: acct, Region: "global", Service: "iam", Operation: "GetAccountAuthorizationDetails",
			Status: snapshot.StatusOK, Response: `{"Policies":[{"Arn":"arn:aws:iam::111122223333:policy/p","PolicyVersionList":[{"IsDefaultVersion":true,"Document":"%7Bbroken"}]}]}`},
			[]string{"iam:GetAccountAuthorizationDetails", "aws_iam_policy", "property document", "not JSON"}},
		{"security group rules of the wrong shape", snapshot.Row{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeSecurityGroups",
			Status: snapshot.StatusOK, Response: `{"SecurityGroups":[{"GroupId":"sg-x","IpPermissions":["tcp/22"]}]}`},
			[]string{"ec2:DescribeSecurityGroups 111122223333/eu-west-1 page 0", "SecurityGroups[0].IpPermissions[0]: got string, want object"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &memSource{}
			src.add(tc.row)
			_, err := Build(context.Background(), src)
			if err == nil {
				t.Fatal("Build succeeded on bad input")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestBuildCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, world(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestBuildPaging: items of several pages and repeated items merge.
func TestBuildPaging(t *testing.T) {
	src := &memSource{}
	for page, ids := range [][]string{{"vol-a", "vol-b"}, {"vol-c", "vol-a"}} {
		var vols []ec2types.Volume
		for _, id := range ids {
			vols = append(vols, ec2types.Volume{VolumeId: aws.String(id), Encrypted: aws.Bool(true)})
		}
		src.ok(t, op("ec2:DescribeVolumes"), acct, region, "", &ec2.DescribeVolumesOutput{Volumes: vols})
		src.rows[op("ec2:DescribeVolumes")][page].Page = int32(page)
	}
	src.fail(op("ec2:DescribeVolumes"), acct, "us-east-1", "", snapshot.ClassDenied, "UnauthorizedOperation")
	g, err := Build(context.Background(), src, WithAccounts("999988887777"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.EntitiesOfType("aws_ebs_volume")); n != 3 {
		t.Errorf("%d volumes, want 3", n)
	}
	if g.Entity(AccountKey("999988887777")) == nil || g.Entity(ServiceKey("999988887777", "s3")) == nil {
		t.Error("WithAccounts account and its services missing")
	}
	if r := g.Relationship(graph.RelationshipKey(AccountKey(acct), "HAS", ServiceKey(acct, "ec2"))); r == nil {
		t.Error("account seen in rows has no service edges")
	}
}

// TestSubnetPublicUnknown: where the route tables are unknown (the call
// failed), a subnet's public flag is null, never a guessed false, and the
// subnet's gaps name the call.
func TestSubnetPublicUnknown(t *testing.T) {
	m := world(t)
	rt := op("ec2:DescribeRouteTables")
	delete(m.rows, rt)
	m.fail(rt, acct, region, "", snapshot.ClassDenied, "UnauthorizedOperation")
	g, err := Build(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"subnet-01", "subnet-02"} {
		s := g.Entity("arn:aws:ec2:eu-west-1:111122223333:subnet/" + id)
		if v, ok := s.Lookup("public"); !ok || v != nil {
			t.Errorf("%s: public = %v (set %v), want null", id, v, ok)
		}
	}
	found := false
	for _, c := range Sources("aws_subnet") {
		found = found || c == rt
	}
	if !found {
		t.Errorf("Sources(aws_subnet) = %v, want it to include %s", Sources("aws_subnet"), rt)
	}
}

// TestNetworkACLEntryWithoutDirection: an entry without Egress gives no
// rule relationship (its direction is unknown), and the ACL still exists.
func TestNetworkACLEntryWithoutDirection(t *testing.T) {
	m := &memSource{}
	m.add(snapshot.Row{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeNetworkAcls", Params: "{}",
		Status: snapshot.StatusOK, Response: `{"NetworkAcls":[{"NetworkAclId":"acl-x","Entries":[` +
			`{"CidrBlock":"0.0.0.0/0","RuleNumber":1,"Protocol":"-1","RuleAction":"allow"},` +
			`{"CidrBlock":"0.0.0.0/0","RuleNumber":2,"Protocol":"-1","RuleAction":"deny","Egress":true}]}]}`})
	g, err := Build(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if g.Entity("arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-x") == nil {
		t.Fatal("no network ACL entity")
	}
	var rules []string
	for _, r := range g.Relationships() {
		if r.Type == "aws_network_acl_rule" {
			rules = append(rules, r.Key()+" "+r.Class)
		}
	}
	if want := []string{"aws_network_acl_rule:acl-x:egress:2:*:*:0.0.0.0/0 DENIES"}; !cmp.Equal(rules, want) {
		t.Errorf("rules %v, want %v", rules, want)
	}
}
