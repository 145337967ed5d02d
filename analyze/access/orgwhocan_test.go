package access

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// The organisation fixture: a management account and two members of
// organisation o-fixture, as analyze/model writes them (ARN keys, decoded
// documents, HAS/CONTAINS), plus an account outside the snapshot.
const (
	orgID    = "o-fixture"
	mgmt     = "100000000001"
	memberA  = "200000000002"
	memberB  = "300000000003"
	outsider = "900000000009"
)

// orgBuilder adds entities of any account (world's helpers are
// single-account).
type orgBuilder struct {
	t testing.TB
	g *graph.Graph
}

func iamARN(acct, kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }

func (b *orgBuilder) add(acct, key, typ, class string, props map[string]any) *graph.Entity {
	b.t.Helper()
	props["accountId"] = acct
	if _, ok := props["arn"]; !ok {
		props["arn"] = key
	}
	e, added := b.g.AddEntity(graph.NewEntity(key, typ, []string{class}, props))
	if !added {
		b.t.Fatalf("entity %s added twice", key)
	}
	return e
}

func (b *orgBuilder) rel(from *graph.Entity, verb string, to *graph.Entity) {
	b.t.Helper()
	if err := b.g.AddRelationship(graph.NewRelationship(from, verb, to, nil)); err != nil {
		b.t.Fatal(err)
	}
}

func (b *orgBuilder) user(acct, name string, tags map[string]string) *graph.Entity {
	u := b.add(acct, iamARN(acct, "user", name), "aws_iam_user", "User", map[string]any{
		"name": name, "username": name, "userId": "AIDA" + strings.ToUpper(name) + acct, "permissionsBoundaryArn": "",
	})
	setTags(u, tags)
	return u
}

func (b *orgBuilder) role(acct, name, trust, boundary string, tags map[string]string) *graph.Entity {
	r := b.add(acct, iamARN(acct, "role", name), "aws_iam_role", "AccessRole", map[string]any{
		"name": name, "roleId": "AROA" + strings.ToUpper(name) + acct, "assumeRolePolicyDocument": trust,
		"permissionsBoundaryArn": boundary,
	})
	setTags(r, tags)
	return r
}

func (b *orgBuilder) group(acct, name string, members ...*graph.Entity) *graph.Entity {
	g := b.add(acct, iamARN(acct, "group", name), "aws_iam_group", "UserGroup", map[string]any{"name": name})
	for _, m := range members {
		b.rel(g, "CONTAINS", m)
	}
	return g
}

// policy adds a customer managed policy of acct held by owners.
func (b *orgBuilder) policy(acct, name, document string, owners ...*graph.Entity) *graph.Entity {
	p := b.add(acct, iamARN(acct, "policy", name), "aws_iam_policy", "AccessPolicy", map[string]any{
		"name": name, "document": document, "awsManaged": false,
	})
	for _, o := range owners {
		b.rel(o, "HAS", p)
	}
	return p
}

func (b *orgBuilder) inline(owner *graph.Entity, name, document string) {
	typ := map[string]string{"aws_iam_user": "aws_iam_user_policy", "aws_iam_role": "aws_iam_role_policy", "aws_iam_group": "aws_iam_group_policy"}[owner.Type]
	p := b.add(accountOf(owner), owner.Key+"/inline-policy/"+name, typ, "AccessPolicy", map[string]any{
		"name": name, "document": document, "principalArn": owner.Key,
	})
	p.Delete("arn")
	b.rel(owner, "HAS", p)
}

// A bucket as collected without a public access block
// (GetPublicAccessBlock's NoSuchPublicAccessBlockConfiguration:
// effectiveRestrictPublicBuckets false): its policy is not restricted; with
// ABAC enabled, so its tags are aws:ResourceTag/* (abac.go).
func (b *orgBuilder) bucket(acct, name, policy string, tags map[string]string) *graph.Entity {
	e := b.add(acct, "arn:aws:s3:::"+name, "aws_s3_bucket", "DataStore", map[string]any{"name": name, "policy": nilIfEmpty(policy), "effectiveRestrictPublicBuckets": false, "abacEnabled": true})
	setTags(e, tags)
	return e
}

func (b *orgBuilder) key(acct, region, id, policy string, tags map[string]string) *graph.Entity {
	arn := "arn:aws:kms:" + region + ":" + acct + ":key/" + id
	e := b.add(acct, arn, "aws_kms_key", "CryptoKey", map[string]any{"name": id, "id": id, "keyManager": "CUSTOMER", "policy": policy})
	setTags(e, tags)
	return e
}

func setTags(e *graph.Entity, tags map[string]string) {
	for k, v := range tags {
		e.Set("tag."+k, v)
	}
}

const adminDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// orgPolicies are the organisation's paths, SCPs and RCPs per account, as
// analyze/model sets them (levels root first). The management account is
// in the root; SCPs and RCPs do not apply to it.
//
// SCPs (FullAWSAccess everywhere, and): OU ou-a (member A) denies
// s3:DeleteObject and every KMS action; member A's own level denies
// writing objects of a-red to principals not tagged team=red (a condition
// on a fact, on a prefix: narrower than the grants); member B's own level
// denies kms:Encrypt outside vpc-1 (a condition on request context: the
// access becomes conditional on aws:sourcevpc). OU ou-b has a region guard
// (every action outside eu-west-1 and us-east-1 denied but STS, S3,
// Organizations, Support): decided where the resource's ARN (or IAM's
// single endpoint) says where the request goes, conditional on
// aws:requestedregion where the caller chooses. RCP on OU ou-b (member B):
// S3 only for principals of the organisation (anonymous callers of
// b-data's public List lose it; the outsider is unknown: conditional).
// RCPs on member B: b-audit's objects only for principals tagged team=red,
// whatever account they are in; KMS only for principals of the
// organisation, which does not apply to the AWS-managed key k3 (RCPs do
// not apply to AWS managed keys: callers outside the snapshot keep it).
var orgPolicies = func() map[string]map[string]any {
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	// The most common SCP: AWS's example region guard
	// (orgs_manage_policies_scps_examples_general.html, "Deny access to AWS
	// based on the requested AWS Region"), IAM deliberately not exempt:
	// its requests go to us-east-1, which the guard allows.
	regionGuard := orgPol{"p-regions", "RegionGuard", doc(`{"Effect":"Deny","NotAction":["sts:*","s3:*","organizations:*","support:*"],"Resource":"*",` +
		`"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}`)}
	root := "r-fixture"
	path := func(ou string) string { return orgID + "/" + root + "/" + ou }
	return map[string]map[string]any{
		mgmt: {"organizationPath": path(""), "serviceControlPolicies": orgLevelsJSON(orgLevel{root, []orgPol{full}}, orgLevel{mgmt, []orgPol{full}}),
			"resourceControlPolicies": orgLevelsJSON(orgLevel{root, nil}, orgLevel{mgmt, nil})},
		memberA: {"organizationPath": path("ou-a/"),
			"serviceControlPolicies": orgLevelsJSON(orgLevel{root, []orgPol{full}},
				orgLevel{"ou-a", []orgPol{full, {"p-nodelete", "NoDeleteNoKMS", doc(`{"Effect":"Deny","Action":["s3:DeleteObject","kms:*"],"Resource":"*"}`)}}},
				orgLevel{memberA, []orgPol{full, {"p-red", "RedWritesRed", doc(`{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::a-red/*",`+
					`"Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}}`, `{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::a-blue/private/*"}`)}}}),
			"resourceControlPolicies": orgLevelsJSON(orgLevel{root, nil}, orgLevel{"ou-a", nil}, orgLevel{memberA, nil})},
		memberB: {"organizationPath": path("ou-b/"),
			"serviceControlPolicies": orgLevelsJSON(orgLevel{root, []orgPol{full}}, orgLevel{"ou-b", []orgPol{full, regionGuard}},
				orgLevel{memberB, []orgPol{full, {"p-vpc", "EncryptInVPC", doc(`{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*",` +
					`"Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}`)}}}),
			"resourceControlPolicies": orgLevelsJSON(orgLevel{root, nil},
				orgLevel{"ou-b", []orgPol{{"p-orgonly", "S3OrgOnly", doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",` +
					`"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + orgID + `"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`)}}},
				orgLevel{memberB, []orgPol{{"p-audit", "AuditRed", doc(`{"Effect":"Deny","Principal":"*","Action":["s3:GetObject","s3:PutObject"],` +
					`"Resource":"arn:aws:s3:::b-audit/*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}}`)},
					{"p-kmsorg", "KMSOrgOnly", doc(`{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",` +
						`"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + orgID + `"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`)}}})},
	}
}()

type orgPol struct{ id, name, document string }

type orgLevel struct {
	target   string
	policies []orgPol
}

// orgLevelsJSON writes levels as analyze/model's serviceControlPolicies and
// resourceControlPolicies properties.
func orgLevelsJSON(levels ...orgLevel) string {
	type pol struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Document string `json:"document"`
	}
	type level struct {
		Target   string `json:"target"`
		Policies []pol  `json:"policies"`
	}
	out := []level{}
	for _, l := range levels {
		lv := level{Target: l.target, Policies: []pol{}}
		for _, p := range l.policies {
			lv.Policies = append(lv.Policies, pol{p.id, p.name, p.document})
		}
		out = append(out, lv)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings only
	}
	return string(b)
}

// orgFixture builds the organisation. What each piece is for:
//
// management (mgmt): user alice in group admins, which has the AWS managed
// AdministratorAccess; role auditor, assumable from member A's account,
// with List/Get on S3.
//
// member A: user bob (team=blue) and carol (team=red) with s3:* on "*"
// (bob's through an inline policy, carol's through a customer managed one
// with a Deny narrower than the grant: objects under secret/ of b-data);
// role ops with AdministratorAccess (so held in two accounts) and a
// permissions boundary of S3 and KMS; role app, assumed by EC2, whose
// session i-0123 a bucket policy of B names; user dan with ABAC reads
// (aws:ResourceTag/team = his team); user frank (team=red) with a read
// for team blue only and a write from an office network.
//
// member B: bucket b-data whose policy grants the organisation read by
// aws:PrincipalOrgID, the session of A's app write, anyone List from an
// office network (aws:SourceIp), and denies secret/ to everyone; bucket
// b-logs whose policy grants A's root PutObject, except outside logs/ (a
// Deny with NotResource); KMS key k1 whose policy delegates to B's account
// and grants Decrypt to principals tagged team=blue in the organisation;
// KMS key k2 whose policy does not delegate to the account (no root
// statement: identity policies cannot use it, not even the root's) and
// lets reader decrypt from inside the organisation; AWS-managed key k3
// (aws/s3) whose policy lets every principal of B use it through S3
// (kms:CallerAccount, kms:ViaService); role reader trusting A's root when
// the caller is tagged team=blue, and the outsider account with an
// ExternalId; user erin.
func orgFixture(t testing.TB) *graph.Graph {
	b := &orgBuilder{t: t, g: graph.New()}
	for _, a := range []string{mgmt, memberA, memberB} {
		e := model.Account(b.g, a)
		e.Set("organizationId", orgID)
		e.Set("organizationMasterAccountId", mgmt)
		for k, v := range orgPolicies[a] {
			e.Set(k, v)
		}
	}
	adminAccess := b.add("", "arn:aws:iam::aws:policy/AdministratorAccess", "aws_iam_policy", "AccessPolicy", map[string]any{
		"name": "AdministratorAccess", "document": adminDocument, "awsManaged": true,
	})
	adminAccess.Delete("accountId")

	// Management account.
	alice := b.user(mgmt, "alice", nil)
	admins := b.group(mgmt, "admins", alice)
	b.rel(admins, "HAS", adminAccess)
	auditor := b.role(mgmt, "auditor", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberA+`:root"},"Action":"sts:AssumeRole"}`), "", nil)
	b.inline(auditor, "read", doc(`{"Effect":"Allow","Action":["s3:List*","s3:GetBucketPolicy","s3:GetObject"],"Resource":"*"}`))

	// Member A.
	bob := b.user(memberA, "bob", map[string]string{"team": "blue"})
	b.inline(bob, "s3", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	carol := b.user(memberA, "carol", map[string]string{"team": "red"})
	b.policy(memberA, "S3NoSecrets", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-data/secret/*"}`), carol)
	ops := b.role(memberA, "ops", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberA+`:root"},"Action":"sts:AssumeRole"}`),
		iamARN(memberA, "policy", "Boundary"), nil)
	b.rel(ops, "HAS", adminAccess)
	b.policy(memberA, "Boundary", doc(`{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}`))
	app := b.role(memberA, "app", doc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), "", map[string]string{"team": "blue"})
	b.inline(app, "data", doc(`{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b-data/*"}`,
		`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+iamARN(memberB, "role", "reader")+`"}`))
	dan := b.user(memberA, "dan", map[string]string{"team": "blue"})
	b.policy(memberA, "ABAC", doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`), dan)
	frank := b.user(memberA, "frank", map[string]string{"team": "red"})
	b.policy(memberA, "Conditions", doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::a-blue/*","Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}`), frank)
	// What the SCPs change on the edges: gus (blue) would decrypt B's key
	// by its key policy, but A's OU denies KMS; ivy (blue) and jo (red)
	// may write a-red's objects, but A denies it to all but team red.
	gus := b.user(memberA, "gus", map[string]string{"team": "blue"})
	b.inline(gus, "kms", doc(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`))
	for _, n := range []struct{ name, team string }{{"ivy", "blue"}, {"jo", "red"}} {
		u := b.user(memberA, n.name, map[string]string{"team": n.team})
		b.inline(u, "red", doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::a-red/*"}`))
	}
	// pat reads a-blue's private/ only, which A's SCP denies, and writes
	// all of it: the SCP covers part of the bucket's objects and the whole
	// of pat's only read there.
	pat := b.user(memberA, "pat", nil)
	b.inline(pat, "blue", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a-blue/private/*"}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::a-blue/*"}`))
	b.bucket(memberA, "a-blue", "", map[string]string{"team": "blue"})
	b.bucket(memberA, "a-red", "", map[string]string{"team": "red"})

	// Member B.
	b.bucket(memberB, "b-data", doc(
		`{"Sid":"OrgRead","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b-data/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`"}}}`,
		`{"Sid":"AppWrite","Effect":"Allow","Principal":{"AWS":"arn:aws:sts::`+memberA+`:assumed-role/app/i-0123"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b-data/*"}`,
		`{"Sid":"OfficeList","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b-data","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`,
		`{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b-data/secret/*"}`), nil)
	b.bucket(memberB, "b-logs", doc(
		`{"Sid":"ALogs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberA+`:root"},"Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b-logs/*"}`,
		`{"Sid":"OnlyLogs","Effect":"Deny","Principal":"*","Action":"s3:PutObject","NotResource":"arn:aws:s3:::b-logs/logs/*"}`), nil)
	b.key(memberB, "eu-west-1", "k1", doc(
		`{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberB+`:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"BlueTeam","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*",`+
			`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`","aws:PrincipalTag/team":"blue"}}}`), map[string]string{"env": "prod"})
	b.key(memberB, "eu-west-1", "k2", doc(
		`{"Sid":"ReaderInOrg","Effect":"Allow","Principal":{"AWS":"`+iamARN(memberB, "role", "reader")+`"},"Action":"kms:Decrypt","Resource":"*",`+
			`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`"}}}`), nil)
	k3 := b.key(memberB, "eu-west-1", "k3", doc(
		`{"Sid":"ThroughS3","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",`+
			`"Condition":{"StringEquals":{"kms:CallerAccount":"`+memberB+`","kms:ViaService":"s3.eu-west-1.amazonaws.com"}}}`,
		`{"Sid":"Metadata","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberB+`:root"},"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}`), nil)
	k3.Set("keyManager", "AWS")
	b.role(memberB, "reader", doc(
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberA+`:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`,
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+outsider+`:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-1"}}}`), "", nil)
	// k4 is in a Region B's guard denies; kim reads k1 and k4 and IAM
	// (us-east-1: allowed) and lists Lambda functions (any Region:
	// conditional on it).
	b.key(memberB, "us-west-2", "k4", doc(
		`{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberB+`:root"},"Action":"kms:*","Resource":"*"}`), nil)
	// Three functions alike but for their Region: the guard's answer is
	// not shared between them.
	for _, region := range []string{"eu-west-1", "us-east-1", "us-west-2"} {
		arn := "arn:aws:lambda:" + region + ":" + memberB + ":function:f"
		b.add(memberB, arn, "aws_lambda_function", "Function", map[string]any{"name": "f", "region": region})
	}
	kim := b.user(memberB, "kim", nil)
	b.inline(kim, "regional", doc(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":["arn:aws:kms:eu-west-1:`+memberB+`:key/k1","arn:aws:kms:us-west-2:`+memberB+`:key/k4"]}`,
		`{"Effect":"Allow","Action":["iam:GetUser","lambda:ListFunctions"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":["arn:aws:lambda:eu-west-1:`+memberB+`:function:f","arn:aws:lambda:us-west-2:`+memberB+`:function:f"]}`))
	// max may invoke them in eu-west-1 only, by his own policy's condition
	// (IAM User Guide, reference_policies_examples_aws_deny-requested-region.html
	// shows the key in an identity policy): decided per function.
	max := b.user(memberB, "max", nil)
	b.inline(max, "eu", doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:`+memberB+`:function:f",`+
		`"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`))
	// b-audit grants A's root writes and the organisation reads, but B's
	// RCP keeps it to team red: the grants joined with other accounts'
	// principals' own access (Who) must apply it (exceptPrincipals).
	b.bucket(memberB, "b-audit", doc(
		`{"Sid":"AWrite","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+memberA+`:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b-audit/*"}`,
		`{"Sid":"OrgRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-audit/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`"}}}`), nil)
	// quinn (red) may decrypt k1 if tagged green (false on the facts) and
	// encrypt it (B's SCP: only from vpc-1): his only access to k1 is
	// conditional on the VPC, whatever the organisation says of Decrypt.
	quinn := b.user(memberB, "quinn", map[string]string{"team": "red"})
	k1 := "arn:aws:kms:eu-west-1:" + memberB + ":key/k1"
	b.inline(quinn, "k1", doc(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+k1+`","Condition":{"StringEquals":{"aws:PrincipalTag/team":"green"}}}`,
		`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"`+k1+`"}`))
	// hal may only encrypt: B's SCP makes it conditional on the VPC.
	hal := b.user(memberB, "hal", nil)
	b.inline(hal, "kms", doc(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}`))
	erin := b.user(memberB, "erin", map[string]string{"team": "blue"})
	b.policy(memberB, "KMSUse", doc(`{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b-*"}`), erin)
	model.Everyone(b.g)
	return b.g
}

// orgLevelCases adds to the organisation fixture principals whose edges'
// levels the organisation's answers alone would make firm where the
// evaluator allows only under conditions: the organisation allows one
// action of a level outright (kms:Decrypt) and another only from vpc-1
// (B's SCP on kms:Encrypt), and the principal's own policies refuse the
// first. ned refuses it by a Deny of his own, olga by her permissions
// boundary; each also has a statement with a Condition on a fact that
// holds (their team tag), so the levels are decided statement by
// statement (factLevels). The evaluator: Write only from vpc-1, Read
// (kms:DescribeKey) outright. pete shows the same without organisation
// policies. paul's boundary refuses his only grant, kms:Decrypt, which
// the lenient answers (policy.go) let through k1's grant to "*" on
// principals tagged blue: no access at all.
func orgLevelCases(t testing.TB, g *graph.Graph) {
	b := &orgBuilder{t: t, g: g}
	k1 := "arn:aws:kms:eu-west-1:" + memberB + ":key/k1"
	grant := doc(`{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"`+k1+`"}`,
		`{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"`+k1+`","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}`)
	ned := b.user(memberB, "ned", map[string]string{"team": "red"})
	b.inline(ned, "k1", grant)
	b.inline(ned, "nodecrypt", doc(`{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}`))
	b.policy(memberB, "NoDecrypt", doc(`{"Effect":"Allow","Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}`))
	olga := b.user(memberB, "olga", map[string]string{"team": "red"})
	olga.Set("permissionsBoundaryArn", iamARN(memberB, "policy", "NoDecrypt"))
	b.inline(olga, "k1", grant)
	paul := b.user(memberB, "paul", map[string]string{"team": "red"})
	paul.Set("permissionsBoundaryArn", iamARN(memberB, "policy", "NoDecrypt"))
	b.inline(paul, "k1", doc(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+k1+`"}`))
	// No organisation policy needed: pete (management account: no SCPs)
	// reads m-logs' objects outright by one statement, which his own Deny
	// refuses, and from an office network by another; the evaluator:
	// Read only from the office network.
	b.bucket(mgmt, "m-logs", "", nil)
	pete := b.user(mgmt, "pete", map[string]string{"team": "red"})
	b.inline(pete, "logs", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::m-logs/*"}`,
		`{"Effect":"Allow","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::m-logs/*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`,
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::m-logs","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}`))
	b.inline(pete, "noget", doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`))
	// A Condition outside the grant decides too: m-tls's policy denies
	// requests without TLS (AWS's example bucket policy), so pete's
	// unconditional write there holds only if aws:SecureTransport does.
	b.bucket(mgmt, "m-tls", doc(`{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::m-tls","arn:aws:s3:::m-tls/*"],`+
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), nil)
	b.inline(pete, "tls", doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::m-tls/*"}`))
}

// probeActions picks, for a resource ARN, one action per access level of
// each service that acts on it (its own; sts for roles) from the catalog:
// the first that applies to the resource or to its parts (arn/*), plus the
// actions the fixture's policies name.
func probeActions(cat *actions.Catalog, arn string) []probe {
	svcs := []string{arnService(arn)}
	if svcs[0] == "iam" {
		svcs = append(svcs, "sts")
	}
	var out []probe
	seen := map[string]bool{}
	add := func(a actions.Action, r string) {
		if k := a.String() + " " + r; !seen[k] {
			seen[k] = true
			out = append(out, probe{a.String(), r})
		}
	}
	for _, s := range cat.Services() {
		if !slices.Contains(svcs, s.Prefix) {
			continue
		}
		for _, lo := range levelOrder {
			for _, r := range []string{arn, arn + "/*"} {
				if r != arn && !strings.HasPrefix(arn, "arn:aws:s3:::") {
					continue
				}
				i := slices.IndexFunc(s.Actions, func(a actions.Action) bool { return slices.Contains(a.Levels(), lo.level) && a.AppliesTo(r) })
				if i >= 0 {
					add(s.Actions[i], r)
				}
			}
		}
		for _, name := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "kms:Decrypt", "kms:Encrypt", "sts:AssumeRole"} {
			a, ok := cat.Lookup(name)
			if !ok || a.Service != s.Prefix {
				continue
			}
			for _, r := range []string{arn, arn + "/logs/x", arn + "/secret/x", arn + "/x"} {
				if a.AppliesTo(r) && (r == arn || strings.HasPrefix(arn, "arn:aws:s3:::")) {
					add(a, r)
				}
			}
		}
	}
	return out
}

type probe struct{ action, resource string }

// answerLine is one principal of a who-can answer with its conditional
// keys, for comparing answers.
func answerLines(as []Answer) []string {
	out := []string{}
	for _, a := range as {
		s := a.Principal
		if a.Conditional {
			s += " (conditional: " + strings.Join(a.ConditionKeys, ", ") + ")"
		}
		out = append(out, s)
	}
	return out
}

// TestOrgWhoCanAgrees: for every resource of the organisation fixture and
// a representative action per access level, the graph's who-can
// (Index.WhoCan over the derived relationships) gives exactly the
// principals, and conditional flags, that the evaluator gives
// (Query.WhoCan). Every disagreement is reported.
func TestOrgWhoCanAgrees(t *testing.T) {
	g := derivedOrgFixture(t)
	q := newGraphQuery(t, g)
	ix := NewIndex(g)
	probes, disagreements, missing := 0, 0, 0
	for _, arn := range fixtureARNs(g) {
		for _, p := range probeActions(q.cat, arn) {
			probes++
			_, d, m := compareWhoCan(t, q, ix, p)
			disagreements += d
			missing += m
		}
	}
	if probes < 50 {
		t.Errorf("only %d probes: the fixture or the catalog lost resources", probes)
	}
	// The edges' levels, level by level: what the evaluator says of the
	// actions each edge names.
	levels := checkEdgeLevels(t, g, q)
	t.Logf("%d probes, %d disagreements, %d principals without an access edge, %d edge levels compared", probes, disagreements, missing, levels)
}

// TestOrgFixtureAnswers pins a few answers of the fixture that each
// exercise one behaviour, so that agreement is not agreement on nothing.
func TestOrgFixtureAnswers(t *testing.T) {
	g := orgFixture(t)
	if _, err := Derive(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	q := newGraphQuery(t, g)
	ix := NewIndex(g)
	a, b := func(kind, n string) string { return iamARN(memberA, kind, n) }, func(kind, n string) string { return iamARN(memberB, kind, n) }
	m, root := func(kind, n string) string { return iamARN(mgmt, kind, n) }, model.AccountKey
	sourceIP := " (conditional: aws:sourceip)"
	viaS3 := " (conditional: kms:viaservice)"
	tests := []struct {
		name, action, resource string
		want                   []string
	}{
		{"another account's root grant reaches that account's principals whose own policies allow (ops within its boundary)",
			"s3:PutObject", "arn:aws:s3:::b-logs/logs/x", []string{
				root(memberA), root(memberB), a("role", "ops"), a("user", "bob"), a("user", "carol"),
			}},
		{"a Deny with NotResource: nobody writes outside logs/, not even the root", "s3:PutObject", "arn:aws:s3:::b-logs/x", []string{}},
		{"organisation read by aws:PrincipalOrgID: in B by the bucket policy alone, elsewhere with the identity half",
			"s3:GetObject", "arn:aws:s3:::b-data/x", []string{
				m("role", "auditor"), root(mgmt), m("user", "alice"), a("role", "app"), a("role", "ops"), root(memberA),
				a("user", "bob"), a("user", "carol"), b("role", "reader"), root(memberB), b("user", "erin"), b("user", "hal"),
				b("user", "kim"), b("user", "max"), b("user", "quinn"), "arn:aws:sts::" + memberA + ":assumed-role/app/i-0123",
			}},
		{"the Deny narrower than the grant survives", "s3:GetObject", "arn:aws:s3:::b-data/secret/x", []string{}},
		{"a role session named in a bucket policy; s3:* in A does not reach B without a grant", "s3:PutObject", "arn:aws:s3:::b-data/x", []string{
			root(memberB), "arn:aws:sts::" + memberA + ":assumed-role/app/i-0123",
		}},
		{"public List from an office network: conditional on the source IP; anonymous callers refused by B's RCP", "s3:ListBucket", "arn:aws:s3:::b-data", []string{
			m("role", "auditor") + sourceIP, root(mgmt) + sourceIP, m("user", "alice") + sourceIP,
			a("role", "ops") + sourceIP, root(memberA) + sourceIP, a("user", "bob") + sourceIP, a("user", "carol") + sourceIP,
			b("role", "reader") + sourceIP, root(memberB), b("user", "erin") + sourceIP, b("user", "hal") + sourceIP, b("user", "kim") + sourceIP,
			b("user", "max") + sourceIP, b("user", "quinn") + sourceIP,
		}},
		{"ABAC on bucket tags: dan reads his team's bucket only", "s3:GetObject", "arn:aws:s3:::a-red/x", []string{
			root(memberA), a("role", "ops"), a("user", "bob"), a("user", "carol"),
		}},
		{"key policy by principal tag in the organisation: bob is blue but has no kms identity policy, ops has no tag; A's SCP denies KMS even to its root",
			"kms:Decrypt", "arn:aws:kms:eu-west-1:" + memberB + ":key/k1", []string{
				root(mgmt) + " (conditional: aws:principaltag/team)", root(memberB), b("user", "erin"), b("user", "kim"),
			}},
		{"a key policy without the account: identity policies do not count (erin's KMSUse, the root's), only the role it names",
			"kms:Decrypt", "arn:aws:kms:eu-west-1:" + memberB + ":key/k2", []string{b("role", "reader")}},
		{"an AWS-managed key: every principal of B through S3 (kms:CallerAccount is the caller's account, a fact), none of A; callers outside the snapshot unknown",
			"kms:Decrypt", "arn:aws:kms:eu-west-1:" + memberB + ":key/k3", []string{
				"* (conditional: kms:calleraccount, kms:viaservice)", b("role", "reader") + viaS3, root(memberB) + viaS3,
				b("user", "erin") + viaS3, b("user", "hal") + viaS3, b("user", "kim") + viaS3, b("user", "max") + viaS3,
				b("user", "quinn") + viaS3,
			}},
		{"a region guard SCP on a key in a Region it denies: nobody of B, not even its root", "kms:Decrypt", "arn:aws:kms:us-west-2:" + memberB + ":key/k4", []string{}},
		{"a region guard SCP on a function in a Region it allows, and on its twin in one it denies", "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:" + memberB + ":function:f", []string{
			root(memberB), b("user", "kim"), b("user", "max"),
		}},
		{"a region guard SCP on a function in a Region it denies", "lambda:InvokeFunction", "arn:aws:lambda:us-west-2:" + memberB + ":function:f", []string{}},
		{"a region guard SCP on IAM, requested in us-east-1 (a Region it allows): allowed, not conditional", "iam:GetUser", b("user", "kim"), []string{
			root(memberB), b("user", "kim"),
		}},
		{"an SCP Deny on an action for member A's OU: nobody of A deletes objects, not even its root", "s3:DeleteObject", "arn:aws:s3:::a-blue/x", []string{}},
		{"an SCP Deny on a prefix: nobody of A reads a-blue/private/", "s3:GetObject", "arn:aws:s3:::a-blue/private/x", []string{}},
		{"an SCP Deny on a fact narrower than the grant: only team red writes a-red", "s3:PutObject", "arn:aws:s3:::a-red/x", []string{
			a("user", "carol"), a("user", "jo"), root(memberA) + " (conditional: aws:principaltag/team)",
		}},
		{"an SCP Deny on request context: B encrypts only from vpc-1", "kms:Encrypt", "arn:aws:kms:eu-west-1:" + memberB + ":key/k1", []string{
			root(memberB) + " (conditional: aws:sourcevpc)", b("user", "erin") + " (conditional: aws:sourcevpc)", b("user", "hal") + " (conditional: aws:sourcevpc)",
			b("user", "quinn") + " (conditional: aws:sourcevpc)",
		}},
		{"trust with a caller tag condition across accounts: the blue app role, not the untagged", "sts:AssumeRole", b("role", "reader"), []string{
			a("role", "app"), root(memberA) + " (conditional: aws:principaltag/team)",
			root(outsider) + " (conditional: identity policies of account " + outsider + " (not in the snapshot), sts:externalid)",
		}},
	}
	// Conditions on facts are decided; those on request context are kept,
	// marked, with their keys.
	if r := g.Relationship(a("user", "frank") + "|access|" + model.ServiceKey(memberA, "s3")); r != nil {
		t.Errorf("frank (team red) has access by a condition on team blue: %v", r.PropMap())
	}
	if r := g.Relationship(a("user", "frank") + "|access|arn:aws:s3:::a-blue"); r == nil {
		t.Error("frank's write from the office network: no access relationship")
	} else if c, _ := r.Get("conditional").(bool); !c || !slices.Equal(stringList(r.Get("conditionKeys")), []string{"aws:sourceip"}) {
		t.Errorf("frank's write: conditional %v, conditionKeys %v", r.Get("conditional"), r.Get("conditionKeys"))
	} else if got, want := stringList(r.Get("statements")), []string{iamARN(memberA, "policy", "Conditions") + " statement #1"}; !slices.Equal(got, want) {
		t.Errorf("frank's write: statements %q, want %q", got, want)
	}
	// The organisation policies on the edges: A's OU denies KMS (gus has
	// no access at all), A denies writing a-red but to team red (jo has
	// access to a-red, ivy none), B's VPC condition makes hal's only access
	// conditional on it; anonymous callers lose b-data's public List (B's
	// RCP); every member account says its SCPs and RCPs were applied (the
	// management account: none, they do not apply to it).
	for _, r := range g.Relationships() {
		if r.Type == AccessType && (r.From == a("user", "gus") || r.From == a("user", "ivy")) {
			t.Errorf("SCP-denied access has an edge: %s %v", r.Key(), r.Get("accessLevels"))
		}
	}
	if g.Relationship(a("user", "jo")+"|access|arn:aws:s3:::a-red") == nil {
		t.Error("jo (team red): no access edge to a-red")
	}
	if r := g.Relationship(b("user", "hal") + "|access|" + model.ServiceKey(memberB, "kms")); r == nil {
		t.Error("hal: no access edge to B's KMS")
	} else if c, _ := r.Get("conditional").(bool); !c || !slices.Equal(stringList(r.Get("conditionKeys")), []string{"aws:requestedregion", "aws:sourcevpc"}) {
		t.Errorf("hal's KMS access: conditional %v, conditionKeys %v, want conditional on aws:requestedregion (on any key: any Region) and aws:sourcevpc",
			r.Get("conditional"), r.Get("conditionKeys"))
	}
	// B's region guard on the edges: decided where the request's Region
	// follows from the target (a key's ARN; IAM's endpoint in us-east-1),
	// conditional where the caller picks it (Lambda on "*").
	kim, max := b("user", "kim"), b("user", "max")
	for _, c := range []struct {
		who, target string
		keys        []string // nil: no edge
	}{
		{kim, "arn:aws:kms:eu-west-1:" + memberB + ":key/k1", []string{}},
		{kim, "arn:aws:kms:us-west-2:" + memberB + ":key/k4", nil},
		{kim, model.ServiceKey(memberB, "iam"), []string{}},
		{kim, model.ServiceKey(memberB, "lambda"), []string{"aws:requestedregion"}},
		{kim, "arn:aws:lambda:eu-west-1:" + memberB + ":function:f", []string{}},
		{kim, "arn:aws:lambda:us-west-2:" + memberB + ":function:f", nil},
		{max, "arn:aws:lambda:eu-west-1:" + memberB + ":function:f", []string{}},
		{max, "arn:aws:lambda:us-west-2:" + memberB + ":function:f", nil},
		{max, "arn:aws:lambda:us-east-1:" + memberB + ":function:f", nil},
	} {
		r := g.Relationship(c.who + "|access|" + c.target)
		switch {
		case r == nil && c.keys != nil:
			t.Errorf("%s: no access edge to %s", c.who, c.target)
		case r != nil && c.keys == nil:
			t.Errorf("%s: access edge to %s, which the Region denies: %v", c.who, c.target, r.PropMap())
		case r != nil && (r.Get("conditional") != (len(c.keys) > 0) || !slices.Equal(stringList(r.Get("conditionKeys")), c.keys)):
			t.Errorf("%s's access to %s: conditional %v, conditionKeys %v, want keys %v", c.who, c.target, r.Get("conditional"), r.Get("conditionKeys"), c.keys)
		}
	}
	if r := g.Relationship("arn:aws:s3:::b-data|allows|" + model.EveryoneKey); r == nil || r.Get("anonymousEffective") != false {
		t.Errorf("b-data's public grant: anonymousEffective should be false (RCP): %v", r)
	}
	for acctID, want := range map[string][2]string{mgmt: {OrgPoliciesNone, OrgPoliciesNone}, memberA: {OrgPoliciesApplied, OrgPoliciesApplied},
		memberB: {OrgPoliciesApplied, OrgPoliciesApplied}} {
		e := g.Entity(model.AccountKey(acctID))
		if got := [2]string{e.String(scpStatusProp), e.String(rcpStatusProp)}; got != want {
			t.Errorf("account %s: SCPs, RCPs %q, want %q", acctID, got, want)
		}
	}
	// quinn's only access to k1 is Encrypt (his Decrypt needs team green):
	// conditional on B's VPC condition, though the SCPs allow Decrypt
	// outright.
	if r := g.Relationship(b("user", "quinn") + "|access|arn:aws:kms:eu-west-1:" + memberB + ":key/k1"); r == nil {
		t.Error("quinn: no access edge to k1")
	} else if c, _ := r.Get("conditional").(bool); !c || !slices.Equal(stringList(r.Get("conditionKeys")), []string{"aws:sourcevpc"}) {
		t.Errorf("quinn's access to k1: conditional %v, conditionKeys %v, want conditional on aws:sourcevpc", r.Get("conditional"), r.Get("conditionKeys"))
	}
	// A's SCP denies reading a-blue/private/, all that pat may read there:
	// asked apart, pat's policies and the SCP each allow reading some of
	// a-blue's objects; together, none (only Write is left).
	if r := g.Relationship(a("user", "pat") + "|access|arn:aws:s3:::a-blue"); r == nil {
		t.Error("pat: no access edge to a-blue")
	} else if got := stringList(r.Get("accessLevels")); !slices.Equal(got, []string{"Write"}) {
		t.Errorf("pat's access to a-blue: levels %v, want [Write] (the SCP denies the whole of pat's read)", got)
	}
	// B's RCP on b-audit on the edges: the grants to A's root and to
	// Everyone, joined with other accounts' principals' own access, reach
	// only team red (carol); bob (blue), ops and the management account's
	// untagged principals are in exceptPrincipals.
	for _, level := range []actions.AccessLevel{actions.Read, actions.Write} {
		acc, err := ix.Who("arn:aws:s3:::b-audit", level)
		if err != nil {
			t.Fatal(err)
		}
		var others []string
		for _, x := range acc {
			if !strings.HasPrefix(x.Principal, "arn:aws:iam::"+memberB+":") {
				others = append(others, x.Principal)
			}
		}
		if want := []string{a("user", "carol")}; !slices.Equal(slices.Compact(others), want) {
			t.Errorf("Who %s on b-audit, other accounts: %q, want %q (B's RCP keeps it to team red)", level, others, want)
		}
	}
	// The session grant is a relationship of its own, naming the session.
	sess := g.Relationship(a("role", "app") + "|access|arn:aws:s3:::b-data|sessions")
	if sess == nil {
		t.Error("no access relationship for the session of app that b-data's policy names")
	} else if got := stringList(sess.Get("sessions")); !slices.Equal(got, []string{"arn:aws:sts::" + memberA + ":assumed-role/app/i-0123"}) ||
		!slices.Contains(stringList(sess.Get("accessLevels")), "Write") {
		t.Errorf("session access: sessions %v, levels %v", got, sess.Get("accessLevels"))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkWhoCan(t, q, ix, tc.action, tc.resource, tc.want) })
	}
}

func newGraphQuery(t testing.TB, g *graph.Graph) *Query {
	t.Helper()
	cat, err := testCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return NewQuery(g, iam.NewEvaluator(iam.WithClock(zeroTime), iam.WithRCPServices(cat.RCPServices())), cat)
}

// levelAnswer is the evaluator's answer for one access level of an edge:
// some action of the level allowed, some allowed without conditions, and
// the keys of the conditional answers.
type levelAnswer struct {
	allowed, firm bool
	keys          []string
}

// edgeLevels asks the evaluator (Query, with every policy) about the
// actions an aws_principal_access edge names, level by level, on the
// requests its Resource patterns make of the target: the resource's ARN
// (or the part of it a pattern names, asked with the resource it belongs
// to: Query.owner), "*" for a service entity, the patterns themselves for
// an account; the actions an edge names are its Action patterns' and,
// with notActions, every action but those (sts:GetCallerIdentity, which
// needs no permission, none: freeAction).
func edgeLevels(t *testing.T, q *Query, r *graph.Relationship, pr iam.Principal, target *graph.Entity) map[string]levelAnswer {
	t.Helper()
	var requests []string
	var svc string
	switch r.Get("scope") {
	case scopeAccount: // every service, on the Resource patterns ("*")
		for _, p := range stringList(r.Get("resources")) {
			requests = append(requests, actions.VariablesAsWildcards(p))
		}
	case scopeService:
		svc = strings.TrimPrefix(target.Type, "aws_")
		requests = []string{"*"}
	default:
		arn := target.String("arn")
		svc = arnService(arn)
		for _, p := range stringList(r.Get("resources")) {
			w := actions.VariablesAsWildcards(p)
			switch {
			case glob(w, arn):
				requests = append(requests, arn)
				if glob(w, arn+"/x") { // "*": the bucket's objects too (abacTargets)
					requests = append(requests, arn+"/*")
				}
			case strings.HasPrefix(w, arn+"/"):
				requests = append(requests, p)
			case glob(w, arn+"/x"):
				requests = append(requests, arn+"/*")
			}
		}
	}
	svcs := []string{svc}
	if svc == "iam" { // sts:AssumeRole* act on roles
		svcs = append(svcs, "sts")
	}
	// The actions the edge names: its Action patterns, and everything but
	// its NotAction exclusions.
	pats, nots := stringList(r.Get("actions")), stringList(r.Get("notActions"))
	matches := func(name string) func(string) bool {
		return func(p string) bool { return glob(strings.ToLower(p), name) }
	}
	out := map[string]levelAnswer{}
	for _, s := range q.cat.Services() {
		if svc != "" && !slices.Contains(svcs, s.Prefix) {
			continue
		}
		for _, a := range s.Actions {
			name := strings.ToLower(a.String())
			if a.String() == freeAction { // everybody's: no edge speaks of it
				continue
			}
			if !slices.ContainsFunc(pats, matches(name)) && (len(nots) == 0 || slices.ContainsFunc(nots, matches(name))) {
				continue
			}
			for _, req := range slices.Compact(slices.Sorted(slices.Values(requests))) {
				ans, err := q.decide(context.Background(), pr, a.String(), req, q.owner(req))
				if err != nil {
					t.Fatalf("%s %s on %s: %v", pr.ARN, a, req, err)
				}
				if ans.Decision != iam.Allowed {
					continue
				}
				for _, l := range a.Levels() {
					la := out[string(l)]
					la.allowed = true
					la.firm = la.firm || !ans.Conditional
					if ans.Conditional {
						la.keys = append(la.keys, ans.ConditionKeys...)
					}
					out[string(l)] = la
				}
			}
		}
	}
	return out
}

// checkEdgeLevels compares each aws_principal_access edge to a resource, a
// service entity or an account (with Action or NotAction statements) with
// the evaluator, level by level: every level the
// edge lists is allowed for some action it names, firm (not in
// conditionalLevels) exactly when the evaluator allows one without
// conditions, every level the evaluator allows for an action it names is
// listed, and the edge's conditionKeys are keys the evaluator's
// conditional answers name. It returns the number of levels compared.
func checkEdgeLevels(t *testing.T, g *graph.Graph, q *Query) int {
	t.Helper()
	n := 0
	for _, r := range g.Relationships() {
		if r.Type != AccessType {
			continue
		}
		target := g.Entity(r.To)
		for _, w := range accessCallers(r) {
			pr, err := iam.ParsePrincipal(w)
			if err != nil {
				t.Fatal(err)
			}
			ev := edgeLevels(t, q, r, pr, target)
			condLevels := stringList(r.Get("conditionalLevels"))
			var evKeys []string
			for _, l := range stringList(r.Get("accessLevels")) {
				n++
				la := ev[l]
				evKeys = append(evKeys, la.keys...)
				switch edgeFirm := !slices.Contains(condLevels, l); {
				case !la.allowed:
					t.Errorf("%s: level %s, which the evaluator allows for no action the edge names", r.Key(), l)
				case edgeFirm != la.firm:
					t.Errorf("%s: level %s firm %v, the evaluator: firm %v (conditional on %v)", r.Key(), l, edgeFirm, la.firm, uniqSorted(la.keys))
				}
			}
			for _, lo := range levelOrder {
				if l := string(lo.level); ev[l].allowed && !slices.Contains(stringList(r.Get("accessLevels")), l) {
					n++
					t.Errorf("%s: no level %s, which the evaluator allows for an action the edge names (firm %v)", r.Key(), l, ev[l].firm)
				}
			}
			for _, k := range stringList(r.Get("conditionKeys")) {
				if !slices.Contains(evKeys, k) {
					t.Errorf("%s: condition key %s, which no conditional answer of the evaluator names (%v)", r.Key(), k, uniqSorted(evKeys))
				}
			}
		}
	}
	return n
}
