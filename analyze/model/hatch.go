package model

// The escape hatches: the few things a record cannot say. Each has a Why;
// registry_test.go counts them so they stay few.

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
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

// s3PublicHatch computes a bucket's public flag and the Block Public
// Access settings in effect for it.
var s3PublicHatch = Hatch{
	Name: "s3-public",
	Why: "public combines four per-bucket calls (policy status, ACL, public access block) and the account's " +
		"public access block (s3control) after all of them are read",
	// The account-level block feeds the buckets' gaps: what is in effect
	// is unknown where it could not be read.
	Calls:  []Call{op("s3control:GetPublicAccessBlock")},
	Finish: s3Public,
	Sets:   map[string][]string{"aws_s3_bucket": {"effectiveIgnorePublicAcls", "effectiveRestrictPublicBuckets", "public"}},
}

// s3Public sets on every bucket the Block Public Access settings in effect
// (effectiveRestrictPublicBuckets, effectiveIgnorePublicAcls): S3 applies
// the most restrictive combination of the bucket's and its account's
// (Amazon S3 User Guide, access-control-block-public-access.html), so a
// setting is on when either level's is, off when both are off, and null
// when neither is on and one is unknown. Then `public`: true when the
// bucket policy is public and RestrictPublicBuckets in effect does not
// neutralise it, or the ACL grants to AllUsers/AuthenticatedUsers and
// IgnorePublicAcls in effect is off; false when every input is known and
// none of that holds; null (unknown) otherwise.
func s3Public(b *builder) error {
	for _, e := range b.g.EntitiesOfType("aws_s3_bucket") {
		acct := b.g.Entity("arn:aws:iam::" + e.String("accountId") + ":root")
		restrict, rOK := eitherOn(e, "restrictPublicBuckets", acct, "s3RestrictPublicBuckets")
		ignore, iOK := eitherOn(e, "ignorePublicAcls", acct, "s3IgnorePublicAcls")
		e.Set("effectiveRestrictPublicBuckets", knownBool(restrict, rOK))
		e.Set("effectiveIgnorePublicAcls", knownBool(ignore, iOK))
		pol, polOK := e.Get("policyPublic").(bool)
		acl, aclOK := e.Get("aclPublic").(bool)
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

// eitherOn is the Block Public Access setting in effect for bucket from
// its own property prop and its account's acctProp (acct may be nil):
// on when either is true, off when both are false, unknown (ok false)
// otherwise.
func eitherOn(bucket *graph.Entity, prop string, acct *graph.Entity, acctProp string) (on, ok bool) {
	own, ownOK := bucket.Get(prop).(bool)
	var level, levelOK bool
	if acct != nil {
		level, levelOK = acct.Get(acctProp).(bool)
	}
	switch {
	case (ownOK && own) || (levelOK && level):
		return true, true
	case ownOK && levelOK:
		return false, true
	}
	return false, false
}

// knownBool is v when ok, else nil (unknown).
func knownBool(v, ok bool) any {
	if ok {
		return v
	}
	return nil
}

// subnetRoutesHatch finds each subnet's route table and its public flag.
var subnetRoutesHatch = Hatch{
	Name: "subnet-routes",
	Why:  "a subnet without an explicit association uses its VPC's main route table: a fallback across two other entities that a RelSpec cannot state",
	// The route tables feed the subnets' gaps: public is unknown where
	// DescribeRouteTables failed.
	Calls:  []Call{op("ec2:DescribeRouteTables")},
	Finish: subnetRoutes,
	Produces: []RelInfo{{From: "aws_subnet", Verb: "USES", To: "aws_route_table",
		Type: graph.RelationshipType("aws_subnet", "USES", "aws_route_table")}},
}

// subnetRoutes sets `public` on every subnet from its route table (the
// one explicitly associated with it, else its VPC's main table, which it
// then USES with main=true): true when the table routes to an internet
// gateway, false when it does not, null when no table is known (the call
// failed, or the table is not in the snapshot). NACLs are not consulted:
// a public subnet whose NACL denies everything is still public here.
func subnetRoutes(b *builder) error {
	for _, s := range b.g.EntitiesOfType("aws_subnet") {
		acct, region := s.String("accountId"), s.String("region")
		tables := b.lookup("aws_route_table", "subnetIds", acct, region, s.String("id"))
		if len(tables) == 0 {
			for _, rt := range b.lookup("aws_route_table", "vpcId", acct, region, s.String("vpcId")) {
				if rt.Get("main") == true {
					tables = append(tables, rt)
					_ = b.g.AddRelationship(graph.NewRelationship(s, "USES", rt, map[string]any{"main": true}))
				}
			}
		}
		var public any
		if len(tables) == 1 {
			if v, ok := tables[0].Get("internetGatewayRoute").(bool); ok {
				public = v
			}
		}
		s.Set("public", public)
	}
	return nil
}
