package synth

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/snapaudit/snapaudit/collect"
)

const global = collect.RowGlobal

// identity writes the planning and account-level calls.
func (a *account) identity(ctx context.Context) error {
	g := a.g
	if err := g.ok(ctx, a.id, global, "sts:GetCallerIdentity", "", 0, &sts.GetCallerIdentityOutput{
		Account: aws.String(a.id), Arn: aws.String(callerARN(a.id)), UserId: aws.String(callerUserID(a.id)),
	}); err != nil {
		return err
	}
	var regs []ec2types.Region
	for _, r := range a.regions {
		regs = append(regs, ec2types.Region{RegionName: aws.String(r), Endpoint: aws.String("ec2." + r + ".amazonaws.com"),
			OptInStatus: aws.String("opt-in-not-required")})
	}
	if err := g.ok(ctx, a.id, global, "ec2:DescribeRegions", "", 0, &ec2.DescribeRegionsOutput{Regions: regs}); err != nil {
		return err
	}
	master := g.accounts[0]
	org := g.orgID()
	if err := g.ok(ctx, a.id, global, "organizations:DescribeOrganization", "", 0, &organizations.DescribeOrganizationOutput{
		Organization: &orgtypes.Organization{
			Id: aws.String(org), Arn: aws.String("arn:aws:organizations::" + master + ":organization/" + org),
			FeatureSet: orgtypes.OrganizationFeatureSetAll, MasterAccountId: aws.String(master),
			MasterAccountArn:   aws.String("arn:aws:organizations::" + master + ":account/" + org + "/" + master),
			MasterAccountEmail: aws.String("aws-root@synth.example.com"),
		},
	}); err != nil {
		return err
	}
	if err := g.ok(ctx, a.id, global, "iam:ListAccountAliases", "", 0, &iam.ListAccountAliasesOutput{
		AccountAliases: []string{fmt.Sprintf("synth-%s", a.id)},
	}); err != nil {
		return err
	}
	rootMFA := a.pct(70)
	return g.ok(ctx, a.id, global, "iam:GetAccountPasswordPolicy", "", 0, &iam.GetAccountPasswordPolicyOutput{
		PasswordPolicy: &iamtypes.PasswordPolicy{
			MinimumPasswordLength: aws.Int32(int32(8 + 2*a.r.IntN(4))), RequireSymbols: a.pct(70), RequireNumbers: true,
			RequireUppercaseCharacters: a.pct(80), RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			ExpirePasswords: rootMFA, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24),
		},
	})
}

// principal kinds of synthetic roles and what trusts them.
func (a *account) trustPolicy(i int) (doc string, kind string) {
	switch v := i % 20; {
	case v < 6:
		return trust(`{"Service":"ec2.amazonaws.com"}`, ""), "ec2"
	case v < 11:
		return trust(`{"Service":"lambda.amazonaws.com"}`, ""), "lambda"
	case v < 14:
		cond := ""
		if i%3 == 0 {
			cond = fmt.Sprintf(`,"Condition":{"StringEquals":{"sts:ExternalId":"%s"}}`, a.id16("", "external-id", i)[:12])
		}
		return trust(fmt.Sprintf(`{"AWS":"arn:aws:iam::%s:root"}`, a.other()), cond), "cross-account"
	case v < 17:
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + a.id +
			`:saml-provider/corp-idp"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`, "sso"
	case v < 19:
		return trust(`{"Service":"ecs-tasks.amazonaws.com"}`, ""), "ecs"
	}
	if i%200 == 19 { // the rare role anyone can assume
		return trust(`"*"`, ""), "public"
	}
	return trust(`{"Service":"states.amazonaws.com"}`, ""), "states"
}

func trust(principal, cond string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"` + cond + `}]}`
}

func enc(doc string) *string { return aws.String(url.QueryEscape(doc)) }

// inlineDoc is a customer policy document of principal i.
func (a *account) inlineDoc(i int) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::synth-%s-data-%d/*"}]}`, a.id, i)
	case 1:
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:` + a.id + `:*"}]}`
	case 2:
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:*:` + a.id + `:table/*"}]}`
}

// attach picks 1..n managed policies from the pool (skewed to the head,
// as real estates reuse a few policies heavily) and, sometimes, a
// customer managed one.
func (a *account) attach(n int, customer []string, used map[string]int) []iamtypes.AttachedPolicy {
	pool := a.g.policies
	k := 1 + a.r.IntN(n)
	var out []iamtypes.AttachedPolicy
	seen := map[string]bool{}
	for range k {
		i := min(a.r.IntN(len(pool)), a.r.IntN(len(pool)))
		p := pool[i]
		if seen[p.arn] {
			continue
		}
		seen[p.arn] = true
		used[p.arn]++
		out = append(out, iamtypes.AttachedPolicy{PolicyArn: aws.String(p.arn), PolicyName: aws.String(p.name)})
	}
	if len(customer) > 0 && a.pct(20) {
		c := customer[a.r.IntN(len(customer))]
		used[c]++
		out = append(out, iamtypes.AttachedPolicy{PolicyArn: aws.String(c), PolicyName: aws.String(c[strings.LastIndex(c, "/")+1:])})
	}
	return out
}

// iamItem is one entry of GetAccountAuthorizationDetails, in IAM's order
// (users, groups, roles, policies), paged 100 at a time.
type iamItem struct {
	user   *iamtypes.UserDetail
	group  *iamtypes.GroupDetail
	role   *iamtypes.RoleDetail
	policy *iamtypes.ManagedPolicyDetail
}

func (a *account) iam(ctx context.Context) error {
	g := a.g
	acct := a.id
	arn := func(kind, path, name string) string { return "arn:aws:iam::" + acct + ":" + kind + path + name }
	used := map[string]int{}
	var customer []string
	nCustomer := max(1, a.n["aws_iam_role"]/50)
	for i := range nCustomer {
		customer = append(customer, arn("policy", "/", fmt.Sprintf("synth-app-%03d", i)))
	}

	var items []iamItem
	nGroups := a.n["aws_iam_group"]
	groupName := func(i int) string { return fmt.Sprintf("team-%03d", i) }
	var users []string
	for i := range a.n["aws_iam_user"] {
		name := fmt.Sprintf("user-%05d", i)
		users = append(users, name)
		u := &iamtypes.UserDetail{
			Arn: aws.String(arn("user", "/", name)), UserName: aws.String(name), Path: aws.String("/"),
			UserId: aws.String("AIDA" + strings.ToUpper(a.id16("", "user", i))), CreateDate: aws.Time(a.ago(1500)),
			GroupList: []string{groupName(i % nGroups)},
		}
		if i%5 != 0 { // one user in five has only its group's permissions
			u.AttachedManagedPolicies = a.attach(2, customer, used)
		}
		if i < a.n["aws_iam_user_policy"] {
			u.UserPolicyList = []iamtypes.PolicyDetail{{PolicyName: aws.String("inline-" + name), PolicyDocument: enc(a.inlineDoc(i))}}
		}
		if a.pct(50) {
			u.Tags = []iamtypes.Tag{{Key: aws.String("Email"), Value: aws.String(name + "@synth.example.com")}}
		}
		items = append(items, iamItem{user: u})
	}
	for i := range nGroups {
		gr := &iamtypes.GroupDetail{
			Arn: aws.String(arn("group", "/", groupName(i))), GroupName: aws.String(groupName(i)), Path: aws.String("/"),
			GroupId: aws.String("AGPA" + strings.ToUpper(a.id16("", "group", i))), CreateDate: aws.Time(a.ago(2000)),
			AttachedManagedPolicies: a.attach(2, customer, used),
		}
		if i < a.n["aws_iam_group_policy"] {
			gr.GroupPolicyList = []iamtypes.PolicyDetail{{PolicyName: aws.String("inline-" + groupName(i)), PolicyDocument: enc(a.inlineDoc(i))}}
		}
		items = append(items, iamItem{group: gr})
	}
	for i := range a.n["aws_iam_role"] {
		doc, kind := a.trustPolicy(i)
		name, path := fmt.Sprintf("%s-role-%05d", kind, i), "/"
		if kind == "lambda" || kind == "ecs" || kind == "states" {
			path = "/service-role/"
		}
		roleARN := arn("role", path, name)
		created := a.ago(1500)
		r := &iamtypes.RoleDetail{
			Arn: aws.String(roleARN), RoleName: aws.String(name), Path: aws.String(path),
			RoleId: aws.String("AROA" + strings.ToUpper(a.id16("", "role", i))), CreateDate: aws.Time(created),
			AssumeRolePolicyDocument: enc(doc),
			AttachedManagedPolicies:  a.attach(3, customer, used),
		}
		if kind == "ec2" {
			prof := arn("instance-profile", path, name)
			a.ec2Profiles = append(a.ec2Profiles, prof)
			r.InstanceProfileList = []iamtypes.InstanceProfile{{
				Arn: aws.String(prof), InstanceProfileName: aws.String(name), Path: aws.String(path), CreateDate: aws.Time(created),
				InstanceProfileId: aws.String("AIPA" + strings.ToUpper(a.id16("", "profile", i))),
				Roles: []iamtypes.Role{{Arn: aws.String(roleARN), RoleName: aws.String(name), Path: aws.String(path),
					RoleId: r.RoleId, CreateDate: aws.Time(created), AssumeRolePolicyDocument: enc(doc)}},
			}}
		}
		if kind == "lambda" {
			a.lambdaRoles = append(a.lambdaRoles, roleARN)
		}
		if kind == "ecs" {
			a.ecsRoles = append(a.ecsRoles, roleARN)
		}
		if i < a.n["aws_iam_role_policy"] {
			r.RolePolicyList = []iamtypes.PolicyDetail{{PolicyName: aws.String("inline-" + name), PolicyDocument: enc(a.inlineDoc(i))}}
		}
		if a.pct(70) {
			r.RoleLastUsed = &iamtypes.RoleLastUsed{LastUsedDate: aws.Time(a.ago(90)), Region: aws.String(a.regions[0])}
		} else {
			r.RoleLastUsed = &iamtypes.RoleLastUsed{}
		}
		if a.pct(50) {
			r.Tags = []iamtypes.Tag{{Key: aws.String("Owner"), Value: aws.String(groupName(i % nGroups))}}
		}
		items = append(items, iamItem{role: r})
	}
	// Policies: every managed policy attached in the account, with its
	// versions (IAM lists only the attached AWS managed ones).
	for _, p := range a.g.policies {
		if used[p.arn] == 0 {
			continue
		}
		items = append(items, iamItem{policy: &iamtypes.ManagedPolicyDetail{
			Arn: aws.String(p.arn), PolicyName: aws.String(p.name), PolicyId: aws.String(p.id), Path: aws.String(p.path),
			DefaultVersionId: aws.String(p.version), AttachmentCount: aws.Int32(int32(used[p.arn])),
			PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true,
			CreateDate: aws.Time(p.created), UpdateDate: aws.Time(p.updated),
			PolicyVersionList: []iamtypes.PolicyVersion{{Document: aws.String(p.doc), VersionId: aws.String(p.version),
				IsDefaultVersion: true, CreateDate: aws.Time(p.updated)}},
		}})
	}
	for i, c := range customer {
		created := a.ago(1000)
		items = append(items, iamItem{policy: &iamtypes.ManagedPolicyDetail{
			Arn: aws.String(c), PolicyName: aws.String(c[strings.LastIndex(c, "/")+1:]), Path: aws.String("/"),
			PolicyId:         aws.String("ANPA" + strings.ToUpper(a.id16("", "policy", i))),
			DefaultVersionId: aws.String("v1"), AttachmentCount: aws.Int32(int32(used[c])),
			PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true,
			CreateDate: aws.Time(created), UpdateDate: aws.Time(created),
			PolicyVersionList: []iamtypes.PolicyVersion{{Document: enc(a.inlineDoc(i)), VersionId: aws.String("v1"),
				IsDefaultVersion: true, CreateDate: aws.Time(created)}},
		}})
	}
	err := pages(ctx, g, acct, global, "iam:GetAccountAuthorizationDetails", "", items, 100, func(page []iamItem, more bool, next string) any {
		out := &iam.GetAccountAuthorizationDetailsOutput{IsTruncated: more}
		if more {
			out.Marker = aws.String(next)
		}
		for _, it := range page {
			switch {
			case it.user != nil:
				out.UserDetailList = append(out.UserDetailList, *it.user)
			case it.group != nil:
				out.GroupDetailList = append(out.GroupDetailList, *it.group)
			case it.role != nil:
				out.RoleDetailList = append(out.RoleDetailList, *it.role)
			default:
				out.Policies = append(out.Policies, *it.policy)
			}
		}
		return out
	})
	if err != nil {
		return err
	}
	return a.iamUsers(ctx, users)
}

// iamUsers writes the per-user calls, the MFA devices, the credential
// report and the account summary.
func (a *account) iamUsers(ctx context.Context, users []string) error {
	g, acct := a.g, a.id
	nKeys, nMFA := a.n["aws_iam_access_key"], a.n["mfa_device"]
	keys := make([][]string, len(users))
	for k := range nKeys {
		u := k % len(users)
		keys[u] = append(keys[u], "AKIA"+strings.ToUpper(a.id16("", "key", k)))
	}
	var virtual []iamtypes.VirtualMFADevice
	rootMFA := a.pct(80)
	if rootMFA {
		virtual = append(virtual, iamtypes.VirtualMFADevice{
			SerialNumber: aws.String("arn:aws:iam::" + acct + ":mfa/root-account-mfa-device"), EnableDate: aws.Time(a.ago(2000)),
			User: &iamtypes.User{Arn: aws.String("arn:aws:iam::" + acct + ":root"), UserId: aws.String(acct), UserName: aws.String("<root_account>"),
				Path: aws.String("/"), CreateDate: aws.Time(epoch.AddDate(-6, 0, 0))},
		})
	}
	var report strings.Builder
	report.WriteString("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation," +
		"mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region," +
		"access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date," +
		"access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")
	const rfc = "2006-01-02T15:04:05+00:00"
	fmt.Fprintf(&report, "<root_account>,arn:aws:iam::%s:root,%s,not_supported,%s,not_supported,not_supported,%t,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
		acct, epoch.AddDate(-6, 0, 0).Format(rfc), a.ago(200).Format(rfc), rootMFA)

	for i, u := range users {
		var meta []iamtypes.AccessKeyMetadata
		keyCols := [2]string{"false,N/A,N/A,N/A,N/A", "false,N/A,N/A,N/A,N/A"}
		for j, k := range keys[i] {
			created := a.ago(800)
			status := iamtypes.StatusTypeActive
			if a.pct(20) {
				status = iamtypes.StatusTypeInactive
			}
			meta = append(meta, iamtypes.AccessKeyMetadata{AccessKeyId: aws.String(k), UserName: aws.String(u), Status: status, CreateDate: aws.Time(created)})
			used := a.ago(120)
			keyCols[j] = fmt.Sprintf("%t,%s,%s,%s,s3", status == iamtypes.StatusTypeActive, created.Format(rfc), used.Format(rfc), a.regions[0])
			last := &iamtypes.AccessKeyLastUsed{LastUsedDate: aws.Time(used), Region: aws.String(a.regions[0]), ServiceName: aws.String("s3")}
			if err := g.ok(ctx, acct, global, "iam:GetAccessKeyLastUsed", k, 0, &iam.GetAccessKeyLastUsedOutput{
				UserName: aws.String(u), AccessKeyLastUsed: last}); err != nil {
				return err
			}
		}
		if err := g.ok(ctx, acct, global, "iam:ListAccessKeys", u, 0, &iam.ListAccessKeysOutput{AccessKeyMetadata: meta}); err != nil {
			return err
		}
		var mfa []iamtypes.MFADevice
		if i < nMFA {
			serial := "arn:aws:iam::" + acct + ":mfa/" + u
			enabled := a.ago(700)
			mfa = []iamtypes.MFADevice{{SerialNumber: aws.String(serial), UserName: aws.String(u), EnableDate: aws.Time(enabled)}}
			virtual = append(virtual, iamtypes.VirtualMFADevice{SerialNumber: aws.String(serial), EnableDate: aws.Time(enabled),
				User: &iamtypes.User{Arn: aws.String("arn:aws:iam::" + acct + ":user/" + u), UserName: aws.String(u),
					UserId: aws.String("AIDA" + strings.ToUpper(a.id16("", "user", i))), Path: aws.String("/"), CreateDate: aws.Time(epoch.AddDate(-4, 0, 0))}})
		}
		if err := g.ok(ctx, acct, global, "iam:ListMFADevices", u, 0, &iam.ListMFADevicesOutput{MFADevices: mfa}); err != nil {
			return err
		}
		pw := a.pct(60)
		pwUsed := "N/A"
		if pw {
			pwUsed = a.ago(60).Format(rfc)
		}
		fmt.Fprintf(&report, "%s,arn:aws:iam::%s:user/%s,%s,%t,%s,N/A,N/A,%t,%s,%s,false,N/A,false,N/A\n",
			u, acct, u, epoch.AddDate(-4, 0, 0).Format(rfc), pw, pwUsed, i < nMFA, keyCols[0], keyCols[1])
	}
	if err := g.ok(ctx, acct, global, "iam:ListVirtualMFADevices", "", 0, &iam.ListVirtualMFADevicesOutput{VirtualMFADevices: virtual}); err != nil {
		return err
	}
	if err := g.ok(ctx, acct, global, "iam:GenerateCredentialReport", "", 0, &iam.GenerateCredentialReportOutput{
		State: iamtypes.ReportStateTypeComplete, Description: aws.String("No report exists. Starting a new report generation task")}); err != nil {
		return err
	}
	if err := g.ok(ctx, acct, global, "iam:GetCredentialReport", "", 0, &iam.GetCredentialReportOutput{
		Content: []byte(report.String()), GeneratedTime: aws.Time(epoch), ReportFormat: iamtypes.ReportFormatTypeTextCsv}); err != nil {
		return err
	}
	accessKeysPresent := int32(0)
	if a.pct(5) {
		accessKeysPresent = 1
	}
	mfaOn := int32(0)
	if rootMFA {
		mfaOn = 1
	}
	return g.ok(ctx, acct, global, "iam:GetAccountSummary", "", 0, &iam.GetAccountSummaryOutput{SummaryMap: map[string]int32{
		"AccountMFAEnabled": mfaOn, "AccountAccessKeysPresent": accessKeysPresent, "AccountSigningCertificatesPresent": 0,
		"Users": int32(len(users)), "Groups": int32(a.n["aws_iam_group"]), "Roles": int32(a.n["aws_iam_role"]),
		"Policies": int32(a.n["aws_iam_role"] / 50), "MFADevices": int32(len(virtual)), "MFADevicesInUse": int32(len(virtual)),
	}})
}
