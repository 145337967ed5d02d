package access

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// wantRel is a relationship that must exist with (at least) these
// properties; _type and _class are checked when set.
type wantRel struct {
	key   string
	typ   string
	class string
	props map[string]any
}

// wantEnt is an entity that must exist with these properties.
type wantEnt struct {
	key   string
	typ   string
	props map[string]any
}

const (
	stsAssume  = `"Action":"sts:AssumeRole"`
	dataBucket = "arn:aws:s3:::data"
)

// deriveCase is one hand-built graph and what Derive must make of it.
type deriveCase struct {
	name    string
	build   func(w *world)
	limits  Limits
	want    []wantRel
	ents    []wantEnt
	absent  []string // relationship keys that must not exist
	stats   func(t *testing.T, st Stats)
	wantErr bool
}

func TestDerive(t *testing.T) {
	tests := []deriveCase{
		{
			name: "same-account user trusted",
			build: func(w *world) {
				w.user("alice")
				w.role("ops", doc(`{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+`"},`+stsAssume+`}`), "")
			},
			want: []wantRel{{
				key: roleARN("ops") + "|trusts|" + userARN("alice"), typ: "aws_iam_role_trusts_user", class: "TRUSTS",
				props: map[string]any{
					"actions": []string{"sts:AssumeRole"}, "crossAccount": false, "externalIdRequired": false,
					"principal": userARN("alice"), "sid": "Alice", "effect": "Allow", "conditional": false, "conditions": nil,
				},
			}},
		},
		{
			name: "user trusted by path-less ARN and by unique id",
			build: func(w *world) {
				w.add("arn:aws:iam::"+acct+":user/eng/bob", "aws_iam_user", "User", map[string]any{"userId": "AIDABOBXXXXXXXXXXXXXX"})
				w.role("ops", doc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::`+acct+`:user/bob","AIDABOBXXXXXXXXXXXXXX","AROAGONEXXXXXXXXXXXXX"]},`+stsAssume+`}`), "")
			},
			want: []wantRel{
				{key: roleARN("ops") + "|trusts|arn:aws:iam::" + acct + ":user/eng/bob", props: map[string]any{
					"principal": "AIDABOBXXXXXXXXXXXXXX,arn:aws:iam::" + acct + ":user/bob",
				}},
				{key: roleARN("ops") + "|trusts|AROAGONEXXXXXXXXXXXXX", typ: "aws_iam_role_trusts_role"},
			},
			ents: []wantEnt{{key: "AROAGONEXXXXXXXXXXXXX", typ: "aws_iam_role", props: map[string]any{"_source": "system-mapper", "deleted": true}}},
		},
		{
			name: "cross-account account with ExternalId",
			build: func(w *world) {
				w.role("vendor", doc(`{"Effect":"Allow","Principal":{"AWS":"`+other+`"},`+stsAssume+`,"Condition":{"StringEquals":{"sts:ExternalId":"x-123"}}}`), "")
			},
			want: []wantRel{{
				key: roleARN("vendor") + "|trusts|" + model.AccountKey(other), typ: "aws_iam_role_trusts_account",
				props: map[string]any{
					"crossAccount": true, "externalIdRequired": true, "principal": other, "conditional": true,
					"conditions": `[{"StringEquals":{"sts:ExternalId":"x-123"}}]`,
				},
			}},
			ents: []wantEnt{{key: model.AccountKey(other), typ: "aws_account", props: map[string]any{"_source": "system-mapper", "external": true, "accountId": other}}},
		},
		{
			name: "cross-account role without ExternalId",
			build: func(w *world) {
				w.role("ci", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+other+`:role/deployer"},"Action":["sts:AssumeRole","sts:TagSession"]}`), "")
			},
			want: []wantRel{{
				key: roleARN("ci") + "|trusts|arn:aws:iam::" + other + ":role/deployer", typ: "aws_iam_role_trusts_role",
				props: map[string]any{"actions": []string{"sts:AssumeRole", "sts:TagSession"}, "crossAccount": true, "externalIdRequired": false},
			}},
			ents: []wantEnt{{key: "arn:aws:iam::" + other + ":role/deployer", typ: "aws_iam_role", props: map[string]any{"_source": "system-mapper", "external": true, "accountId": other}}},
		},
		{
			name: "service principal",
			build: func(w *world) {
				w.role("fn", doc(`{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ecs-tasks.amazonaws.com"]},`+stsAssume+`}`), "")
			},
			want: []wantRel{
				{key: roleARN("fn") + "|trusts|" + model.ServiceKey(acct, "lambda"), typ: "aws_iam_role_trusts_lambda", props: map[string]any{"crossAccount": false, "principal": "lambda.amazonaws.com"}},
				{key: roleARN("fn") + "|trusts|" + model.ServiceKey(acct, "ecs_tasks"), typ: "aws_iam_role_trusts_ecs_tasks"},
			},
		},
		{
			name: "everyone for star principal",
			build: func(w *world) {
				w.role("open", doc(`{"Effect":"Allow","Principal":"*",`+stsAssume+`}`, `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:TagSession"}`), "")
			},
			want: []wantRel{{
				key: roleARN("open") + "|trusts|" + model.EveryoneKey, typ: "aws_iam_role_trusts_everyone",
				props: map[string]any{"actions": []string{"sts:AssumeRole", "sts:TagSession"}, "crossAccount": true, "principal": "*"},
			}},
		},
		{
			name: "federated SAML provider placeholder",
			build: func(w *world) {
				w.role("sso", doc(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::`+acct+`:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`), "")
			},
			want: []wantRel{{
				key: roleARN("sso") + "|trusts|arn:aws:iam::" + acct + ":saml-provider/Okta", typ: "aws_iam_role_trusts_saml_provider",
				props: map[string]any{"actions": []string{"sts:AssumeRoleWithSAML"}, "crossAccount": false, "conditional": true, "externalIdRequired": false},
			}},
			ents: []wantEnt{{key: "arn:aws:iam::" + acct + ":saml-provider/Okta", typ: "aws_iam_saml_provider", props: map[string]any{"_source": "system-mapper", "external": false, "name": "Okta"}}},
		},
		{
			name: "web identity host",
			build: func(w *world) {
				w.role("web", doc(`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`), "")
			},
			want: []wantRel{{key: roleARN("web") + "|trusts|accounts.google.com", typ: "aws_iam_role_trusts_oidc_provider"}},
			ents: []wantEnt{{key: "accounts.google.com", typ: "aws_iam_oidc_provider", props: map[string]any{"external": true, "url": "accounts.google.com"}}},
		},
		{
			name: "trust statement without sts actions ignored",
			build: func(w *world) {
				w.user("alice")
				w.role("odd", doc(`{"Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+`"},"Action":"s3:GetObject"}`), "")
			},
			absent: []string{roleARN("odd") + "|trusts|" + userARN("alice")},
		},
		{
			name: "identity allows a specific bucket",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.bucket("data", "")
				w.bucket("other", "")
				w.policy("ReadData", doc(`{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["`+dataBucket+`","`+dataBucket+`/*"]}`), r)
			},
			want: []wantRel{
				{key: policyARN("ReadData") + "|allows|" + dataBucket, typ: "aws_iam_policy_allows_s3_bucket", class: "ALLOWS", props: map[string]any{
					"actions": []string{"s3:GetObject", "s3:ListBucket"}, "normalizedActions": []string{"s3:getobject", "s3:listbucket"},
					"accessLevels": []string{"List", "Read"}, "list": true, "read": true, "write": false, "tagging": false, "permissionsManagement": false,
					"admin": false, "scope": "resource", "effective": true, "conditional": false, "sid": "Read",
					"resources": []string{dataBucket, dataBucket + "/*"},
				}},
				{key: roleARN("app") + "|access|" + dataBucket, typ: AccessType, class: "ALLOWS", props: map[string]any{
					"accessLevels": []string{"List", "Read"}, "via": []string{policyARN("ReadData")}, "scope": "resource",
					"actions": []string{"s3:GetObject", "s3:ListBucket"}, "actionCount": 2, "admin": false, "crossAccount": false,
				}},
			},
			absent: []string{policyARN("ReadData") + "|allows|arn:aws:s3:::other"},
		},
		{
			name: "s3:* on * targets the s3 service entity",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.policy("S3All", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), r)
			},
			want: []wantRel{
				{key: policyARN("S3All") + "|allows|" + model.ServiceKey(acct, "s3"), typ: "aws_iam_policy_allows_s3", props: map[string]any{
					"admin": true, "scope": "service", "effective": true,
					"accessLevels": []string{"List", "Read", "Write", "Tagging", "Permissions management"},
				}},
				{key: roleARN("app") + "|access|" + model.ServiceKey(acct, "s3"), props: map[string]any{"admin": true, "scope": "service"}},
			},
		},
		{
			name: "type-wide patterns target the service entity",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.bucket("data", "")
				w.policy("Wide", doc(`{"Effect":"Allow","Action":["s3:GetObject","ec2:StartInstances"],"Resource":["arn:aws:s3:::*/*","arn:aws:ec2:*:*:instance/*"]}`), r)
			},
			want: []wantRel{
				{key: policyARN("Wide") + "|allows|" + model.ServiceKey(acct, "s3"), props: map[string]any{
					"scope": "service", "actions": []string{"s3:GetObject"}, "resources": []string{"arn:aws:s3:::*/*"}, "effective": true,
				}},
				{key: policyARN("Wide") + "|allows|" + model.ServiceKey(acct, "ec2"), props: map[string]any{
					"scope": "service", "actions": []string{"ec2:StartInstances"}, "resources": []string{"arn:aws:ec2:*:*:instance/*"},
				}},
				{key: roleARN("app") + "|access|" + model.ServiceKey(acct, "s3"), props: map[string]any{"resources": []string{"arn:aws:s3:::*/*"}}},
			},
			absent: []string{policyARN("Wide") + "|allows|" + dataBucket},
		},
		{
			name: "star on star targets the account",
			build: func(w *world) {
				u := w.user("root-ish")
				w.inline(u, "admin", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
			},
			want: []wantRel{
				{key: userARN("root-ish") + "/inline-policy/admin|allows|" + model.AccountKey(acct), typ: "aws_iam_user_policy_allows_account", props: map[string]any{
					"admin": true, "scope": "account", "effective": true, "actions": []string{"*"},
				}},
				{key: userARN("root-ish") + "|access|" + model.AccountKey(acct), props: map[string]any{"admin": true, "scope": "account"}},
			},
		},
		{
			name: "explicit deny cancels",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.bucket("data", "")
				w.policy("ReadData", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+dataBucket+`/*"}`), r)
				w.policy("DenyS3", doc(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`), r)
			},
			want:   []wantRel{{key: policyARN("ReadData") + "|allows|" + dataBucket, props: map[string]any{"effective": false}}},
			absent: []string{roleARN("app") + "|access|" + dataBucket},
		},
		{
			name: "deny of some actions leaves the rest effective",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.bucket("data", "")
				w.policy("DataRW", doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"`+dataBucket+`/*"}`), r)
				w.policy("NoWrites", doc(`{"Effect":"Deny","Action":"s3:Put*","Resource":"*"}`), r)
			},
			want: []wantRel{
				{key: policyARN("DataRW") + "|allows|" + dataBucket, props: map[string]any{"effective": true, "accessLevels": []string{"Read", "Write"}}},
				{key: roleARN("app") + "|access|" + dataBucket, props: map[string]any{"accessLevels": []string{"Read"}, "read": true, "write": false}},
			},
		},
		{
			name: "boundary cancels for the only attached role",
			build: func(w *world) {
				w.policy("OnlyEC2", doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`))
				r := w.role("bounded", "", policyARN("OnlyEC2"))
				w.bucket("data", "")
				w.policy("ReadData", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+dataBucket+`/*"}`), r)
			},
			want:   []wantRel{{key: policyARN("ReadData") + "|allows|" + dataBucket, props: map[string]any{"effective": false}}},
			absent: []string{roleARN("bounded") + "|access|" + dataBucket},
		},
		{
			name: "effective when one of two attached principals gets it",
			build: func(w *world) {
				w.policy("OnlyEC2", doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`))
				bounded := w.role("bounded", "", policyARN("OnlyEC2"))
				free := w.role("free", "", "")
				w.bucket("data", "")
				w.policy("ReadData", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+dataBucket+`/*"}`), bounded, free)
			},
			want: []wantRel{
				{key: policyARN("ReadData") + "|allows|" + dataBucket, props: map[string]any{"effective": true}},
				{key: roleARN("free") + "|access|" + dataBucket},
			},
			absent: []string{roleARN("bounded") + "|access|" + dataBucket},
		},
		{
			name: "unattached policy is not effective",
			build: func(w *world) {
				w.bucket("data", "")
				w.policy("ReadData", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+dataBucket+`/*"}`))
			},
			want: []wantRel{{key: policyARN("ReadData") + "|allows|" + dataBucket, props: map[string]any{"effective": false}}},
		},
		{
			name: "boundary missing from the graph is inconclusive",
			build: func(w *world) {
				r := w.role("bounded", "", policyARN("Gone"))
				w.policy("S3All", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), r)
			},
			absent: []string{roleARN("bounded") + "|access|" + model.ServiceKey(acct, "s3")},
			ents:   []wantEnt{{key: roleARN("bounded"), props: map[string]any{"accessInconclusive": true}}},
			stats:  func(t *testing.T, st Stats) { wantStat(t, "Inconclusive", st.Inconclusive, 1) },
		},
		{
			name: "user access through a group's policy",
			build: func(w *world) {
				u := w.user("alice")
				g := w.group("readers", u)
				w.bucket("data", "")
				w.policy("ReadData", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+dataBucket+`/*"}`), g)
			},
			want: []wantRel{{key: userARN("alice") + "|access|" + dataBucket, props: map[string]any{"via": []string{policyARN("ReadData")}, "accessLevels": []string{"Read"}}}},
		},
		{
			name: "conditional allow is effective and says so",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.bucket("data", "")
				w.policy("MFAOnly", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+dataBucket+`/*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`), r)
			},
			want: []wantRel{
				{key: policyARN("MFAOnly") + "|allows|" + dataBucket, props: map[string]any{"effective": true, "conditional": true, "conditions": `[{"Bool":{"aws:MultiFactorAuthPresent":"true"}}]`}},
				{key: roleARN("app") + "|access|" + dataBucket, props: map[string]any{"conditional": true}},
			},
		},
		{
			name: "actions of another service do not reach a bucket",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.bucket("data", "")
				w.policy("Wrong", doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"`+dataBucket+`"}`), r)
			},
			absent: []string{policyARN("Wrong") + "|allows|" + dataBucket},
		},
		{
			name: "bucket policy with star principal allows everyone",
			build: func(w *world) {
				w.bucket("public-site", doc(`{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public-site/*"}`))
			},
			want: []wantRel{{
				key: "arn:aws:s3:::public-site|allows|" + model.EveryoneKey, typ: "aws_s3_bucket_allows_everyone", class: "ALLOWS",
				props: map[string]any{"principal": "*", "crossAccount": true, "effective": true, "accessLevels": []string{"Read"}, "actions": []string{"s3:GetObject"}, "sid": "Public"},
			}},
		},
		{
			name: "bucket policy deny makes its allow ineffective",
			build: func(w *world) {
				w.bucket("locked", doc(
					`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::locked/*"}`,
					`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::locked","arn:aws:s3:::locked/*"]}`))
			},
			want: []wantRel{{key: "arn:aws:s3:::locked|allows|" + model.EveryoneKey, props: map[string]any{"effective": false}}},
		},
		{
			name: "cross-account bucket policy principal becomes a placeholder account",
			build: func(w *world) {
				w.bucket("shared", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+other+`:root"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::shared/*"}`))
			},
			want: []wantRel{{
				key: "arn:aws:s3:::shared|allows|" + model.AccountKey(other), typ: "aws_s3_bucket_allows_account",
				props: map[string]any{"crossAccount": true, "principal": "arn:aws:iam::" + other + ":root", "accessLevels": []string{"Read", "Write"}},
			}},
			ents: []wantEnt{{key: model.AccountKey(other), props: map[string]any{"_source": "system-mapper", "external": true}}},
		},
		{
			name: "bucket policy naming a role grants it access without identity policy",
			build: func(w *world) {
				w.role("reader", "", "")
				w.bucket("data", doc(`{"Effect":"Allow","Principal":{"AWS":"`+roleARN("reader")+`"},"Action":"s3:GetObject","Resource":"`+dataBucket+`/*"}`))
			},
			want: []wantRel{
				{key: dataBucket + "|allows|" + roleARN("reader"), typ: "aws_s3_bucket_allows_iam_role", props: map[string]any{"crossAccount": false}},
				{key: roleARN("reader") + "|access|" + dataBucket, props: map[string]any{"via": []string{dataBucket + "#policy"}, "accessLevels": []string{"Read"}}},
			},
		},
		{
			name: "user may assume a role only when the trust policy allows",
			build: func(w *world) {
				u := w.user("alice")
				w.user("bob")
				w.role("ops", doc(`{"Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+`"},`+stsAssume+`}`), "")
				w.role("closed", doc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},`+stsAssume+`}`), "")
				w.policy("AssumeAny", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::`+acct+`:role/*"}`), u, w.g.Entity(userARN("bob")))
			},
			want: []wantRel{{key: userARN("alice") + "|access|" + roleARN("ops"), props: map[string]any{"accessLevels": []string{"Write"}}}},
			absent: []string{
				userARN("alice") + "|access|" + roleARN("closed"),
				userARN("bob") + "|access|" + roleARN("ops"),
			},
		},
		{
			name:   "per-statement cap maps to the service entity",
			build:  threeLogBuckets,
			limits: Limits{MaxTargetsPerStatement: 2},
			want: []wantRel{{key: policyARN("Logs") + "|allows|" + model.ServiceKey(acct, "s3"), props: map[string]any{
				"capped": true, "matched": 3, "scope": "service", "effective": true,
			}}},
			absent: []string{policyARN("Logs") + "|allows|arn:aws:s3:::logs-a"},
			stats:  func(t *testing.T, st Stats) { wantStat(t, "CappedStatements", st.CappedStatements, 1) },
		},
		{
			name:   "per-principal cap marks the principal",
			build:  threeLogBuckets,
			limits: Limits{MaxAccessPerPrincipal: 2},
			want: []wantRel{
				{key: roleARN("app") + "|access|arn:aws:s3:::logs-a"},
				{key: roleARN("app") + "|access|arn:aws:s3:::logs-b"},
			},
			absent: []string{roleARN("app") + "|access|arn:aws:s3:::logs-c"},
			ents:   []wantEnt{{key: roleARN("app"), props: map[string]any{"accessCapped": true}}},
			stats:  func(t *testing.T, st Stats) { wantStat(t, "CappedPrincipals", st.CappedPrincipals, 1) },
		},
		{
			name: "unparsable document is skipped and counted",
			build: func(w *world) {
				r := w.role("app", "", "")
				w.policy("Broken", `{"Statement":`, r)
			},
			stats: func(t *testing.T, st Stats) { wantStat(t, "DocumentErrors", st.DocumentErrors, 1) },
		},
	}
	for _, tc := range tests {
		// exact: every answer from the evaluator (no shortcut).
		for _, exact := range []bool{false, true} {
			name := tc.name
			if exact {
				name += "/exact"
			}
			t.Run(name, func(t *testing.T) {
				runCase(t, tc, exact)
			})
		}
	}
}

func runCase(t *testing.T, tc deriveCase, exact bool) {
	w := newWorld(t)
	tc.build(w)
	st, err := Derive(context.Background(), w.g, WithLimits(tc.limits), func(c *config) { c.exact = exact })
	if (err != nil) != tc.wantErr {
		t.Fatalf("Derive error %v, want error %v", err, tc.wantErr)
	}
	// Every derived relationship is a kind Relationships() lists.
	kinds := Relationships()
	for _, r := range w.g.Relationships() {
		if r.Class != "TRUSTS" && r.Class != "ALLOWS" {
			continue
		}
		from, to := w.g.Entity(r.From), w.g.Entity(r.To)
		if !derivedKind(kinds, from.Type, r.Class, to.Type, r.Type) {
			t.Errorf("%s (%s %s %s, _type %s) is no kind access.Relationships() lists", r.Key(), from.Type, r.Class, to.Type, r.Type)
		}
	}
	for _, want := range tc.want {
		checkRel(t, w.g, want)
	}
	for _, k := range tc.absent {
		if r := w.g.Relationship(k); r != nil {
			t.Errorf("unexpected relationship %s (%v)", k, r.PropMap())
		}
	}
	for _, want := range tc.ents {
		e := w.g.Entity(want.key)
		if e == nil {
			t.Errorf("no entity %s", want.key)
			continue
		}
		if want.typ != "" && e.Type != want.typ {
			t.Errorf("entity %s: _type %s, want %s", want.key, e.Type, want.typ)
		}
		for k, v := range want.props {
			if diff := cmp.Diff(v, e.Get(k)); diff != "" {
				t.Errorf("entity %s property %s (-want +got):\n%s", want.key, k, diff)
			}
		}
	}
	if tc.stats != nil {
		tc.stats(t, st)
	}
}

func checkRel(t *testing.T, g *graph.Graph, want wantRel) {
	t.Helper()
	r := g.Relationship(want.key)
	if r == nil {
		var keys []string
		for _, r := range g.Relationships() {
			keys = append(keys, r.Key())
		}
		t.Errorf("no relationship %s; have:\n%v", want.key, keys)
		return
	}
	if want.typ != "" && r.Type != want.typ {
		t.Errorf("%s: _type %s, want %s", want.key, r.Type, want.typ)
	}
	if want.class != "" && r.Class != want.class {
		t.Errorf("%s: _class %s, want %s", want.key, r.Class, want.class)
	}
	for k, v := range want.props {
		if diff := cmp.Diff(v, r.Get(k)); diff != "" {
			t.Errorf("%s property %s (-want +got):\n%s", want.key, k, diff)
		}
	}
}

func wantStat(t *testing.T, name string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("Stats.%s = %d, want %d", name, got, want)
	}
}

// threeLogBuckets: one role reads three buckets through one pattern.
func threeLogBuckets(w *world) {
	r := w.role("app", "", "")
	for _, n := range []string{"logs-a", "logs-b", "logs-c"} {
		w.bucket(n, "")
	}
	w.policy("Logs", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs-*/*"}`), r)
}
