package model

// The escape hatches: the few things a record cannot say. Each has a Why;
// registry_test.go counts them so they stay few.

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// credentialReportHatch reads the IAM credential report.
var credentialReportHatch = Hatch{
	Name:  "credential-report",
	Why:   "the report is a base64 CSV inside the response, one row per user plus the root account, not JSON items",
	Calls: []Call{op("iam:GenerateCredentialReport"), op("iam:GetCredentialReport")},
	Rows:  credentialReportRows,
	Sets:  credentialReportProps(),
}

// credentialReportColumns are the credential report's columns after user
// and arn, as AWS documents them (IAM User Guide, "Getting credential
// reports"); credentialReportRows sets whatever columns the report has.
var credentialReportColumns = []string{"user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

// credentialReportProps names the properties credentialReportRows sets.
func credentialReportProps() map[string][]string {
	user, root := []string{"mfaEnabled"}, []string(nil)
	for _, h := range credentialReportColumns {
		user = append(user, camel(snakeToCamel(h)))
		root = append(root, "root"+snakeToCamel(h))
	}
	return map[string][]string{"aws_iam_user": user, accountType: root}
}

// credentialReportRows sets the report's columns on the users (by ARN) and,
// for the <root_account> row, on the aws_account entity with a "root"
// prefix: password_enabled -> passwordEnabled / rootPasswordEnabled.
// Timestamps become epoch ms; "N/A", "no_information" and "not_supported"
// become null.
func credentialReportRows(b *builder, c Call, rd rowData) error {
	if c != op("iam:GetCredentialReport") {
		return nil // GenerateCredentialReport only feeds the gaps
	}
	content := scalarString(lookup(rd.Body, "Content"))
	if content == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		return fmt.Errorf("credential report: base64: %w", err)
	}
	r := csv.NewReader(bytes.NewReader(raw))
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("credential report: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	ai, ok := col["arn"]
	if !ok {
		return fmt.Errorf("credential report: no arn column in %q", strings.Join(header, ","))
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("credential report line %d: %w", line, err)
		}
		arn := rec[ai]
		var e *graph.Entity
		prefix := ""
		if strings.HasSuffix(arn, ":root") {
			e = b.g.Entity(arn)
			prefix = "root"
		} else if u := b.g.Entity(arn); u != nil && u.Type == "aws_iam_user" {
			e = u
		}
		if e == nil {
			continue
		}
		for i, h := range header {
			if h == "user" || h == "arn" || i >= len(rec) {
				continue
			}
			name := camel(snakeToCamel(h))
			if prefix != "" {
				name = prefix + snakeToCamel(h)
			}
			e.Set(name, reportValue(rec[i]))
		}
		if prefix == "" {
			if v, ok := e.Get("mfaActive").(bool); ok {
				e.Set("mfaEnabled", v)
			}
		}
	}
}

// snakeToCamel: password_last_used -> PasswordLastUsed.
func snakeToCamel(s string) string {
	parts := strings.Split(s, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

func reportValue(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "", "N/A", "no_information", "not_supported":
		return nil
	}
	if t, ok := parseTime(s); ok {
		return t.UnixMilli()
	}
	return s
}

// s3PublicHatch computes a bucket's public flag.
var s3PublicHatch = Hatch{
	Name:   "s3-public",
	Why:    "public combines four per-bucket calls (policy status, ACL, public access block) after all of them are read",
	Finish: s3Public,
	Sets:   map[string][]string{"aws_s3_bucket": {"public"}},
}

// s3Public sets `public` on every bucket: true when the bucket policy is
// public and RestrictPublicBuckets does not neutralise it, or the ACL
// grants to AllUsers/AuthenticatedUsers and IgnorePublicAcls is off; false
// when every input is known and none of that holds; null (unknown)
// otherwise. The account-level public access block (s3control) is not
// collected yet.
func s3Public(b *builder) error {
	for _, e := range b.g.EntitiesOfType("aws_s3_bucket") {
		pol, polOK := e.Get("policyPublic").(bool)
		acl, aclOK := e.Get("aclPublic").(bool)
		restrict, rOK := e.Get("restrictPublicBuckets").(bool)
		ignore, iOK := e.Get("ignorePublicAcls").(bool)
		public := (polOK && rOK && pol && !restrict) || (aclOK && iOK && acl && !ignore)
		switch {
		case public:
			e.Set("public", true)
		case polOK && aclOK && rOK && iOK:
			e.Set("public", false)
		default:
			e.Set("public", nil)
		}
	}
	return nil
}

// securityGroupRulesHatch emits the J1 security group rule relationships.
var securityGroupRulesHatch = Hatch{
	Name: "security-group-rules",
	Why:  "one IpPermission fans out to one ALLOWS per CIDR/group with a target chosen by CIDR kind, direction-dependent ends and a custom _key",
	Finish: func(b *builder) error {
		for _, sg := range b.g.EntitiesOfType("aws_security_group") {
			if err := sgRules(b, sg, "ipPermissions", true); err != nil {
				return err
			}
			if err := sgRules(b, sg, "ipPermissionsEgress", false); err != nil {
				return err
			}
		}
		return nil
	},
	Produces: []RelInfo{
		{From: "internet", Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: "internet", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_instance", Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: "aws_instance", Type: sgRuleType},
		{From: "aws_subnet", Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: "aws_subnet", Type: sgRuleType},
		{From: "aws_vpc", Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: "aws_vpc", Type: sgRuleType},
		{From: externalHostType, Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: externalHostType, Type: sgRuleType},
		{From: externalNetworkType, Verb: "ALLOWS", To: "aws_security_group", Type: sgRuleType},
		{From: "aws_security_group", Verb: "ALLOWS", To: externalNetworkType, Type: sgRuleType},
	},
}

const (
	sgRuleType = "aws_security_group_rule"
	// externalHostType and externalNetworkType are the entities J1's
	// mapper would create for rule CIDRs that match nothing ingested
	// (notes.md §6); property _source marks them "system-mapper".
	externalHostType    = "external_host"
	externalNetworkType = "external_network"
)

// sgRules emits one ALLOWS per (permission, CIDR or group) of one list.
// Ingress is REVERSE (source ALLOWS the SG); egress FORWARD.
func sgRules(b *builder, sg *graph.Entity, prop string, ingress bool) error {
	perms, _ := sg.Get(prop).([]any)
	acct, region := sg.String("accountId"), sg.String("region")
	for i, p := range perms {
		perm, ok := p.(map[string]any)
		if !ok {
			return fmt.Errorf("security group %s: %s[%d] is %T, not an object", sg.Key, prop, i, p)
		}
		proto := scalarString(perm["IpProtocol"])
		if proto == "-1" || proto == "" {
			proto = "*"
		}
		from, fromOK := perm["FromPort"].(int64)
		to, toOK := perm["ToPort"].(int64)
		portRange := "*"
		if proto == "*" || !fromOK || !toOK || from == -1 {
			from, to = 0, 65535
		} else {
			if to == -1 {
				to = 65535
			}
			portRange = fmt.Sprintf("%d-%d", from, to)
		}
		base := map[string]any{
			"ingress": ingress, "inbound": ingress, "egress": !ingress, "outbound": !ingress,
			"ipProtocol": proto, "protocol": proto, "fromPort": from, "toPort": to, "portRange": portRange,
			"groupId": sg.String("id"),
		}
		emit := func(target *graph.Entity, label, description string) error {
			props := make(map[string]any, len(base)+2)
			for k, v := range base {
				props[k] = v
			}
			if description != "" {
				props["description"] = description
			}
			if strings.Contains(label, "/") {
				props["ipRange"] = label
			}
			dir := "egress"
			fromE, toE := sg, target
			if ingress {
				dir = "ingress"
				fromE, toE = target, sg
			}
			r := &graph.Relationship{
				Key:        fmt.Sprintf("%s:%s:%s:%s:%s:%s", sgRuleType, sg.String("id"), dir, proto, portRange, label),
				Type:       sgRuleType,
				Class:      "ALLOWS",
				From:       fromE.Key,
				To:         toE.Key,
				Properties: props,
			}
			return b.g.AddRelationship(r)
		}
		for _, r := range listOf(perm["IpRanges"]) {
			cidr := scalarString(lookup(r, "CidrIp"))
			if err := emit(b.cidrTarget(acct, region, cidr), cidr, scalarString(lookup(r, "Description"))); err != nil {
				return err
			}
		}
		for _, r := range listOf(perm["Ipv6Ranges"]) {
			cidr := scalarString(lookup(r, "CidrIpv6"))
			if err := emit(b.cidrTarget(acct, region, cidr), cidr, scalarString(lookup(r, "Description"))); err != nil {
				return err
			}
		}
		for _, r := range listOf(perm["UserIdGroupPairs"]) {
			gid := scalarString(lookup(r, "GroupId"))
			owner := scalarString(lookup(r, "UserId"))
			if owner == "" {
				owner = acct
			}
			targets := b.lookup("aws_security_group", "id", owner, region, gid)
			if len(targets) == 0 {
				b.unresolved["aws_security_group ALLOWS aws_security_group (rule group pair)"]++
				continue
			}
			if err := emit(targets[0], gid, scalarString(lookup(r, "Description"))); err != nil {
				return err
			}
		}
	}
	return nil
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// cidrTarget picks the entity a rule CIDR stands for: the Internet for
// 0.0.0.0/0 and ::/0; for a single address an instance of the account and
// region with that public or private IP, else an external host; for other
// CIDRs a subnet or VPC with exactly that CIDR, else an external network.
func (b *builder) cidrTarget(acct, region, cidr string) *graph.Entity {
	if cidr == "0.0.0.0/0" || cidr == "::/0" {
		return Internet(b.g)
	}
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil {
		// Not a CIDR AWS would accept; keep the text as an external network.
		return b.external(externalNetworkType, "network:"+cidr, "Network", map[string]any{"CIDR": cidr})
	}
	addr := pfx.Addr()
	public := addr.IsGlobalUnicast() && !addr.IsPrivate()
	if pfx.IsSingleIP() {
		ip := addr.String()
		for _, prop := range []string{"publicIpAddress", "privateIpAddress"} {
			if t := b.lookup("aws_instance", prop, acct, region, ip); len(t) > 0 {
				return t[0]
			}
		}
		props := map[string]any{"ipAddress": ip, "public": public}
		if public {
			props["publicIpAddress"] = ip
		} else {
			props["privateIpAddress"] = ip
		}
		return b.external(externalHostType, "host:"+ip, "Host", props)
	}
	for _, typ := range []string{"aws_subnet", "aws_vpc"} {
		for _, prop := range []string{"CIDR", "CIDRv6"} {
			if t := b.lookup(typ, prop, acct, region, pfx.String()); len(t) > 0 {
				return t[0]
			}
		}
	}
	return b.external(externalNetworkType, "network:"+pfx.String(), "Network",
		map[string]any{"CIDR": pfx.String(), "public": public, "internal": nil})
}

// external gets or creates a mapper-style placeholder for an address
// outside the snapshot.
func (b *builder) external(typ, key, class string, props map[string]any) *graph.Entity {
	if e := b.g.Entity(key); e != nil {
		return e
	}
	name := strings.SplitN(key, ":", 2)[1]
	props["name"], props["displayName"], props["_source"] = name, name, "system-mapper"
	if class == "Host" {
		props["hostname"] = nil
	}
	e, _ := b.g.AddEntity(&graph.Entity{Key: key, Type: typ, Class: []string{class}, Properties: props})
	return e
}
