package fakeaws

// KMS in a synthetic world: kms_keys keys per account (collect/synth's
// weight for aws_kms_key, 8 per mille, outside synthKinds so the other
// kinds' counts stay as they were), spread over the regions. In each
// region key j is
//
//   - AWS managed when j%3 == 1 and an AWS service is left to own it
//     (alias/aws/<service>, one per service: kmsServices), else customer
//     managed with the alias alias/app-r<region>-<j>;
//   - disabled when customer managed and j%10 == 5;
//   - rotated automatically: AWS-managed keys always, customer keys seven
//     in ten (the others are AWS-KMS-001 failures);
//   - tagged (Owner, and Classification on every other) when customer
//     managed.
//
// Key 0 of each region has kmsManyAliases aliases, so ListAliases with its
// KeyId takes several pages at KMS's largest Limit (100). Paging is KMS's:
// Limit (ListKeys default 100, at most 1000; ListAliases and
// ListResourceTags default 50, at most 100), Marker in the request,
// Truncated and NextMarker in the answer.

import (
	"fmt"
	"strconv"
	"strings"
)

// kmsPerMille is the share of KMS keys (collect/synth's aws_kms_key weight).
const kmsPerMille = 8

// kmsManyAliases is how many aliases key 0 of each region has.
const kmsManyAliases = 150

// kmsServices own the AWS-managed keys of a region, one key each.
var kmsServices = []string{"acm", "backup", "dynamodb", "ebs", "elasticfilesystem", "lambda", "rds", "s3",
	"secretsmanager", "sns", "sqs", "ssm"}

// kmsKeyID is the id of key j of region ri (a UUID).
func kmsKeyID(ri, j int) string { return fmt.Sprintf("%08x-5e7c-4000-8000-%012d", ri, j) }

// kmsManaged is the service whose AWS-managed key key j is ("" for a
// customer-managed key).
func kmsManaged(j int) string {
	if j%3 == 1 && j/3 < len(kmsServices) {
		return kmsServices[j/3]
	}
	return ""
}

// kmsAliasCount is how many aliases key j has.
func kmsAliasCount(j int) int {
	if j == 0 {
		return kmsManyAliases
	}
	return 1
}

// kmsAlias is the k-th alias name of key j of region ri.
func kmsAlias(ri, j, k int) string {
	if s := kmsManaged(j); s != "" {
		return "alias/aws/" + s
	}
	if k == 0 {
		return fmt.Sprintf("alias/app-r%d-%06d", ri, j)
	}
	return fmt.Sprintf("alias/app-r%d-%06d-%03d", ri, j, k)
}

// kmsKey is the index of the key a request's KeyId names (key id or key
// ARN), or KMS's NotFoundException.
func (g *synthetic) kmsKey(region string, ri int, p map[string]string) (int, *fixture) {
	id := strings.TrimPrefix(p["KeyId"], g.arn("kms", region, "key/"))
	if ri >= 0 {
		if j, ok := index(id, kmsKeyID(ri, 0)[:24], g.perRegion("kms_keys", ri)); ok && id == kmsKeyID(ri, j) {
			return j, nil
		}
	}
	return 0, errFixture("NotFoundException", fmt.Sprintf("Key '%s' does not exist", g.arn("kms", region, "key/"+id)), 400)
}

// kmsLimit is the request's Limit, def when absent; a Limit outside 1 to
// most is KMS's ValidationException.
func kmsLimit(p map[string]string, def, most int) (int, *fixture) {
	s, ok := p["Limit"]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		return 0, errFixture("ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'limit' failed to satisfy constraint: "+
			"Member must have value less than or equal to %d and greater than or equal to 1", s, most), 400)
	}
	return n, nil
}

// kmsPage pages total items by the request's Limit and Marker, writing
// each with item into the JSON list member list, and ends the answer with
// Truncated and NextMarker.
func kmsPage(p map[string]string, total, def, most int, list string, item func(b *strings.Builder, i int)) *fixture {
	size, bad := kmsLimit(p, def, most)
	if bad != nil {
		return bad
	}
	start, end, next, bad := page(total, size, p["Marker"])
	if bad != nil {
		bad.Err.Code = "InvalidMarkerException" // KMS's name for it
		return bad
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{%q:[`, list)
	for i := start; i < end; i++ {
		if i > start {
			b.WriteByte(',')
		}
		item(&b, i)
	}
	if next != "" {
		fmt.Fprintf(&b, `],"NextMarker":%q,"Truncated":true}`, next)
	} else {
		b.WriteString(`],"Truncated":false}`)
	}
	return jsonFixture(b.String())
}

func (g *synthetic) kmsListKeys(region string, ri int, p map[string]string, _ string) *fixture {
	if ri < 0 {
		return nil
	}
	return kmsPage(p, g.perRegion("kms_keys", ri), 100, 1000, "Keys", func(b *strings.Builder, j int) {
		fmt.Fprintf(b, `{"KeyId":%q,"KeyArn":%q}`, kmsKeyID(ri, j), g.arn("kms", region, "key/"+kmsKeyID(ri, j)))
	})
}

func (g *synthetic) kmsDescribeKey(region string, ri int, p map[string]string, _ string) *fixture {
	j, nf := g.kmsKey(region, ri, p)
	if nf != nil {
		return nf
	}
	manager, enabled, state, desc := "CUSTOMER", true, "Enabled", fmt.Sprintf("application key %d", j)
	if s := kmsManaged(j); s != "" {
		manager, desc = "AWS", "Default key that protects my "+s+" data when no other key is defined"
	} else if j%10 == 5 {
		enabled, state = false, "Disabled"
	}
	return jsonFixture(fmt.Sprintf(`{"KeyMetadata":{"AWSAccountId":%q,"KeyId":%q,"Arn":%q,"CreationDate":%d,"Enabled":%t,`+
		`"Description":%q,"KeyUsage":"ENCRYPT_DECRYPT","KeyState":%q,"Origin":"AWS_KMS","KeyManager":%q,`+
		`"CustomerMasterKeySpec":"SYMMETRIC_DEFAULT","KeySpec":"SYMMETRIC_DEFAULT","EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],"MultiRegion":false}}`,
		g.account, kmsKeyID(ri, j), g.arn("kms", region, "key/"+kmsKeyID(ri, j)), 1709200000+3600*j, enabled, desc, state, manager))
}

func (g *synthetic) kmsKeyPolicy(region string, ri int, p map[string]string, _ string) *fixture {
	j, nf := g.kmsKey(region, ri, p)
	if nf != nil {
		return nf
	}
	if n := p["PolicyName"]; n != "" && n != "default" {
		return errFixture("NotFoundException", fmt.Sprintf("No such policy exists: %s", n), 400)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + g.account + `:root"},"Action":"kms:*","Resource":"*"}]}`
	if s := kmsManaged(j); s != "" {
		policy = `{"Version":"2012-10-17","Statement":[{"Sid":"Allow access through ` + s + ` for all principals in the account",` +
			`"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*",` +
			`"kms:CreateGrant","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + g.account +
			`","kms:ViaService":"` + s + `.` + region + `.amazonaws.com"}}}]}`
	}
	return jsonFixture(fmt.Sprintf(`{"Policy":%s,"PolicyName":"default"}`, strconv.Quote(policy)))
}

func (g *synthetic) kmsRotation(region string, ri int, p map[string]string, _ string) *fixture {
	j, nf := g.kmsKey(region, ri, p)
	if nf != nil {
		return nf
	}
	on := kmsManaged(j) != "" || mix(uint64(ri)<<32|uint64(j))%10 < 7
	return jsonFixture(fmt.Sprintf(`{"KeyId":%q,"KeyRotationEnabled":%t,"RotationPeriodInDays":365}`,
		g.arn("kms", region, "key/"+kmsKeyID(ri, j)), on))
}

func (g *synthetic) kmsTags(region string, ri int, p map[string]string, _ string) *fixture {
	j, nf := g.kmsKey(region, ri, p)
	if nf != nil {
		return nf
	}
	var tags []string
	if kmsManaged(j) == "" {
		tags = append(tags, fmt.Sprintf(`{"TagKey":"Owner","TagValue":"team-%d"}`, j%40))
		if j%2 == 0 {
			tags = append(tags, `{"TagKey":"Classification","TagValue":"confidential"}`)
		}
	}
	return kmsPage(p, len(tags), 50, 100, "Tags", func(b *strings.Builder, i int) { b.WriteString(tags[i]) })
}

// kmsAliases answers ListAliases: a key's aliases (KeyId), or every alias
// of the region (key 0's first, then one per other key).
func (g *synthetic) kmsAliases(region string, ri int, p map[string]string, _ string) *fixture {
	if ri < 0 {
		return nil
	}
	at := func(i int) (j, k int) { // the region's i-th alias
		if i < kmsAliasCount(0) {
			return 0, i
		}
		return i - kmsAliasCount(0) + 1, 0
	}
	total := g.perRegion("kms_keys", ri) - 1 + kmsAliasCount(0)
	if _, ok := p["KeyId"]; ok {
		key, nf := g.kmsKey(region, ri, p)
		if nf != nil {
			return nf
		}
		at = func(i int) (int, int) { return key, i }
		total = kmsAliasCount(key)
	}
	return kmsPage(p, total, 50, 100, "Aliases", func(b *strings.Builder, i int) {
		j, k := at(i)
		name := kmsAlias(ri, j, k)
		fmt.Fprintf(b, `{"AliasName":%q,"AliasArn":%q,"TargetKeyId":%q,"CreationDate":%d,"LastUpdatedDate":%d}`,
			name, g.arn("kms", region, name), kmsKeyID(ri, j), 1709200000+3600*j, 1709200000+3600*j)
	})
}
