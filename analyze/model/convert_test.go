package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// decode decodes one JSON value as encoding/json does with UseNumber.
func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := stdJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// stdJSON decodes the first JSON value of s with encoding/json (UseNumber);
// rest reports data after it.
func stdJSON(s string) (v any, err error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the JSON value (%v)", err)
	}
	return v, nil
}

func TestCamel(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"simple", "InstanceId", "instanceId"},
		{"leading acronym", "KMSKeyArn", "kmsKeyArn"},
		{"db prefix", "DBInstanceArn", "dbInstanceArn"},
		{"all caps", "ARN", "arn"},
		{"two letters", "Id", "id"},
		{"already camel", "tags", "tags"},
		{"SSE", "SSEDescription", "sseDescription"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := camel(tc.in); got != tc.want {
				t.Errorf("camel(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	doc := decode(t, `{"Reservations":[{"ReservationId":"r-1","Instances":[{"InstanceId":"i-1","State":{"Name":"running"},"Tags":["a","b"]},{"InstanceId":"i-2"}]}],
		"Methods":{"POST":{"Uri":"p"},"GET":{"Uri":"g"}}, "Count": 3}`)
	e := env{Account: "111122223333", Region: "eu-west-1", Parent: "bucket"}
	var items []scope
	_ = walk(doc, parsePath("Reservations[].Instances[]"), nil, func(el any, st []any) error {
		items = append(items, scope{env: e, elem: el, stack: st})
		return nil
	})
	if len(items) != 2 {
		t.Fatalf("walk found %d instances, want 2", len(items))
	}
	tests := []struct {
		name string
		s    scope
		tmpl string
		want string
	}{
		{"envelope and item", items[0], "arn:aws:ec2:{region}:{account}:instance/{InstanceId}", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"},
		{"nested path", items[0], "{State.Name}", "running"},
		{"enclosing element", items[0], "{^.ReservationId}/{InstanceId}", "r-1/i-1"},
		{"missing field empties the whole template", items[1], "x/{State.Name}", ""},
		{"parent key", items[1], "{parent}", "bucket"},
		{"number", scope{elem: doc}, "n={Count}", "n=3"},
		{"list is not a key", items[0], "{Tags}", ""},
		{"climb too far", items[0], "{^^.X}", ""},
		{"literal", items[0], "Account Password Policy", "Account Password Policy"},
		{"base filter", scope{elem: decode(t, `{"Id":"/hostedzone/Z0123"}`)}, "zone/{Id|base}", "zone/Z0123"},
		{"base filter of a plain value", items[0], "{InstanceId|base}", "i-1"},
		{"base filter of nothing", items[1], "{State.Name|base}", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.expand(tc.tmpl); got != tc.want {
				t.Errorf("expand(%q) = %q, want %q", tc.tmpl, got, tc.want)
			}
		})
	}
	// Maps iterate in sorted key order: deterministic output.
	if got := lookup(doc, "Methods{}.Uri"); !cmp.Equal(got, []any{"g", "p"}) {
		t.Errorf("map values = %v, want [g p]", got)
	}
	if got := lookup(doc, "Nothing[]"); got != nil {
		t.Errorf("lookup of nothing = %#v, want untyped nil", got)
	}
}

func TestConverters(t *testing.T) {
	tests := []struct {
		name    string
		conv    Conv
		in      any
		want    any
		wantErr string
	}{
		{"url-encoded policy", decodePolicy, "%7B%22Version%22%3A+%222012-10-17%22%7D", `{"Version":"2012-10-17"}`, ""},
		{"plain JSON policy is compacted", decodePolicy, "{ \"a\" : 1 }", `{"a":1}`, ""},
		{"decoded object (CLI shape)", decodePolicy, map[string]any{"a": "b"}, `{"a":"b"}`, ""},
		{"empty policy is absent", decodePolicy, "", nil, ""},
		{"broken policy", decodePolicy, "%7Bx", nil, "not JSON"},
		{"broken escape", decodePolicy, "%zz", nil, "URL decoding"},
		{"epoch ms", epochMS, "2024-03-01T10:00:00Z", int64(1709287200000), ""},
		{"lambda LastModified", epochMS, "2024-03-01T10:00:00.000+0000", int64(1709287200000), ""},
		{"not a time", epochMS, "yesterday", nil, "not a timestamp"},
		{"bucket region empty", bucketRegion, "", "us-east-1", ""},
		{"bucket region EU", bucketRegion, "EU", "eu-west-1", ""},
		{"bucket region", bucketRegion, "ap-south-1", "ap-south-1", ""},
		{"aws managed", awsManaged, "arn:aws:iam::aws:policy/ReadOnlyAccess", true, ""},
		{"customer managed", awsManaged, "arn:aws:iam::111122223333:policy/x", false, ""},
		{"ACL AllUsers", aclPublic, decode(t, `[{"Grantee":{"URI":"http://acs.amazonaws.com/groups/global/AllUsers"}}]`), true, ""},
		{"ACL owner only", aclPublic, decode(t, `[{"Grantee":{"ID":"abc"}}]`), false, ""},
		{"private endpoint", notPrivateEndpoint, decode(t, `["PRIVATE"]`), false, ""},
		{"edge endpoint", notPrivateEndpoint, decode(t, `["EDGE"]`), true, ""},
		{"no endpoint config: unknown", notPrivateEndpoint, nil, nil, ""},
		{"equals nil stays unknown", equals("Enabled"), nil, nil, ""},
		{"ABAC status Enabled", onOff("Enabled", "Disabled"), "Enabled", true, ""},
		{"ABAC status Disabled", onOff("Enabled", "Disabled"), "Disabled", false, ""},
		{"ABAC status empty (not an AbacStatus answer) stays unknown", onOff("Enabled", "Disabled"), "", nil, ""},
		{"ABAC status absent stays unknown", onOff("Enabled", "Disabled"), nil, nil, ""},
		{"summary flag", equalsNumber(1), json.Number("1"), true, ""},
		{"any recorder recording", anyTrue, []any{false, true}, true, ""},
		{"first of list", first, []any{json.Number("7")}, int64(7), ""},
		{"dns name trailing dot and case", dnsName, "WWW.Example.com.", "www.example.com", ""},
		{"dns name dualstack ELB alias", dnsName, "dualstack.web-1.eu-west-1.elb.amazonaws.com.", "web-1.eu-west-1.elb.amazonaws.com", ""},
		{"dns name absent", dnsName, nil, nil, ""},
		{"s3 global endpoint", s3BucketFromHost, "logs.s3.amazonaws.com", "logs", ""},
		{"s3 regional endpoint, dotted bucket", s3BucketFromHost, "my.site.s3.eu-west-1.amazonaws.com", "my.site", ""},
		{"s3 legacy dash endpoint", s3BucketFromHost, "logs.s3-us-west-2.amazonaws.com", "logs", ""},
		{"s3 website endpoint", s3BucketFromHost, "www.example.com.s3-website-us-east-1.amazonaws.com.", "www.example.com", ""},
		{"s3 website dot endpoint", s3BucketFromHost, "site.s3-website.eu-central-1.amazonaws.com", "site", ""},
		{"s3 dualstack endpoint", s3BucketFromHost, "logs.s3.dualstack.us-east-1.amazonaws.com", "logs", ""},
		{"not s3", s3BucketFromHost, "d111111abcdef8.cloudfront.net", "", ""},
		{"s3 website alias", s3WebsiteAlias, "s3-website-eu-west-1.amazonaws.com. Example.com.", "example.com", ""},
		{"other alias", s3WebsiteAlias, "d111111abcdef8.cloudfront.net. example.com.", "", ""},
		{"execute-api host", restAPIFromHost, "a1b2c3.execute-api.eu-west-1.amazonaws.com", "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3", ""},
		{"custom domain target is no REST API", restAPIFromHost, "d-abc123.execute-api.eu-west-1.amazonaws.com", "", ""},
		{"registrable of subdomain", registrableDomain, "api.internal.example.com.", "example.com", ""},
		{"registrable under co.uk", registrableDomain, "www.example.co.uk", "example.co.uk", ""},
		{"registrable of itself", registrableDomain, "example.com.", "example.com", ""},
		{"joined values", joined, []any{"192.0.2.1", "192.0.2.2"}, "192.0.2.1, 192.0.2.2", ""},
		{"joined nothing", joined, nil, nil, ""},
		{"edge function version", unqualifiedLambda, "arn:aws:lambda:us-east-1:111122223333:function:f:3", "arn:aws:lambda:us-east-1:111122223333:function:f", ""},
		{"all encrypted", allTrue, []any{true, true}, true, ""},
		{"one unencrypted", allTrue, []any{true, false}, false, ""},
		{"no devices: unknown", allTrue, nil, nil, ""},
		{"group all is public", has("all"), []any{"all"}, true, ""},
		{"no group is not public", has("all"), nil, false, ""},
		{"count of nothing", count, nil, int64(0), ""},
		{"count of list", count, []any{"i-1", "i-2"}, int64(2), ""},
		{"count of text", count, "i-1", nil, "not a list"},
		{"split subnets", split(","), "subnet-a, subnet-b,", []any{"subnet-a", "subnet-b"}, ""},
		{"split nothing", split(","), nil, nil, ""},
		{"placeholder volume", except("vol-ffffffff"), "vol-ffffffff", "", ""},
		{"real volume", except("vol-ffffffff"), "vol-1", "vol-1", ""},
		{"S3 destination with a prefix", s3BucketARN, "arn:aws:s3:::flow-logs/vpc/", "arn:aws:s3:::flow-logs", ""},
		{"S3 bucket ARN", s3BucketARN, "arn:aws:s3:::flow-logs", "arn:aws:s3:::flow-logs", ""},
		{"not an S3 ARN", s3BucketARN, "arn:aws:logs:us-east-1:1:log-group:x", "", ""},
		{"internet gateway route", internetGatewayRoute, decode(t, `[{"GatewayId":"local","State":"active"},{"GatewayId":"igw-1","State":"active"}]`), true, ""},
		{"blackholed internet gateway route", internetGatewayRoute, decode(t, `[{"GatewayId":"igw-1","State":"blackhole"}]`), false, ""},
		{"NAT route only", internetGatewayRoute, decode(t, `[{"NatGatewayId":"nat-1","State":"active"}]`), false, ""},
		{"routes unknown", internetGatewayRoute, nil, nil, ""},
		{"list contains", contains("FTP"), []any{"SFTP", "FTP"}, true, ""},
		{"list lacks", contains("FTP"), []any{"SFTP", "FTPS"}, false, ""},
		{"no list: unknown", contains("FTP"), nil, nil, ""},
		{"arn path part", arnPathPart(1), "arn:aws:transfer:eu-west-1:111122223333:user/s-01/alice", "s-01", ""},
		{"arn path part missing", arnPathPart(2), "arn:aws:transfer:eu-west-1:111122223333:server/s-01", nil, ""},
		{"not an arn", arnPathPart(1), "user/s-01/alice", nil, ""},
		{"transfer hostname", transferHostname, "arn:aws:transfer:eu-west-1:111122223333:server/s-01", "s-01.server.transfer.eu-west-1.amazonaws.com", ""},
		{"transfer hostname of a user", transferHostname, "arn:aws:transfer:eu-west-1:111122223333:user/s-01/a", nil, ""},
		{"public endpoint", transferPublic, decode(t, `{"EndpointType":"PUBLIC"}`), true, ""},
		{"VPC endpoint with EIPs", transferPublic, decode(t, `{"EndpointType":"VPC","EndpointDetails":{"AddressAllocationIds":["eipalloc-1"]}}`), true, ""},
		{"internal VPC endpoint", transferPublic, decode(t, `{"EndpointType":"VPC","EndpointDetails":{"AddressAllocationIds":null}}`), false, ""},
		{"legacy VPC_ENDPOINT", transferPublic, decode(t, `{"EndpointType":"VPC_ENDPOINT"}`), false, ""},
		{"no endpoint type: unknown", transferPublic, decode(t, `{"EndpointType":""}`), nil, ""},
		{"bucket of home directory", bucketOfPath, "/logs/partner-a/in", "logs", ""},
		{"bucket root", bucketOfPath, "/logs", "logs", ""},
		{"relative path names no bucket", bucketOfPath, "logs/x", "", ""},
		{"default version", defaultPolicyVersion, decode(t, `[{"IsDefaultVersion":false,"Document":"{\"v\":1}"},{"IsDefaultVersion":true,"Document":"{\"v\":2}"}]`), `{"v":2}`, ""},
		// types_ecr.go: unknown inputs stay nil, never a guessed false or zero.
		{"count present", severityCount("HIGH"), map[string]any{"HIGH": json.Number("3")}, int64(3), ""},
		{"count absent from a summary is zero", severityCount("CRITICAL"), map[string]any{"HIGH": json.Number("3")}, int64(0), ""},
		{"no summary: unknown", severityCount("CRITICAL"), nil, nil, ""},
		{"critical", numericSeverity, "CRITICAL", int64(10), ""},
		{"informational", numericSeverity, "INFORMATIONAL", int64(0), ""},
		{"undefined severity: unknown", numericSeverity, "UNDEFINED", nil, ""},
		{"attribute found", attribute("package_name"), []any{map[string]any{"Key": "package_version", "Value": "1.0"},
			map[string]any{"Key": "package_name", "Value": "openssl"}}, "openssl", ""},
		{"numeric attribute", attribute("CVSS2_SCORE"), []any{map[string]any{"Key": "CVSS2_SCORE", "Value": "7.5"}}, 7.5, ""},
		{"attribute missing", attribute("package_name"), []any{}, nil, ""},
		{"immutable", immutableTags, "IMMUTABLE", true, ""},
		{"immutable with exclusions", immutableTags, "IMMUTABLE_WITH_EXCLUSION", true, ""},
		{"mutable", immutableTags, "MUTABLE", false, ""},
		{"mutability unknown", immutableTags, nil, nil, ""},
		{"principal star", publicPolicy, ecrPolicy(`[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]`), true, ""},
		{"AWS star in a list", publicPolicy, ecrPolicy(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"ecr:*"}`), true, ""},
		{"NotPrincipal allow", publicPolicy, ecrPolicy(`[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"ecr:*"}]`), true, ""},
		{"star with an org condition", publicPolicy, ecrPolicy(`[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]`), false, ""},
		{"deny star", publicPolicy, ecrPolicy(`[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]`), false, ""},
		{"one account", publicPolicy, ecrPolicy(`[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"ecr:*"}]`), false, ""},
		{"no statement", publicPolicy, `{"Version":"2012-10-17"}`, false, ""},
		{"no policy: unknown", publicPolicy, nil, nil, ""},
		{"broken statement", publicPolicy, ecrPolicy(`"x"`), nil, "Statement"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.conv(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLambdaFromIntegrationURI(t *testing.T) {
	fn := "arn:aws:lambda:eu-west-1:111122223333:function:f"
	tests := []struct{ name, uri, want string }{
		{"proxy integration", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fn + "/invocations", fn},
		{"alias qualifier dropped", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fn + ":prod/invocations", fn},
		{"stage variable names no function", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:1:function:${stageVariables.f}/invocations", ""},
		{"HTTP integration", "https://example.com/orders", ""},
		{"other service", "arn:aws:apigateway:eu-west-1:sqs:path/111122223333/q", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lambdaARNFromURI(tc.uri); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestApplyTags(t *testing.T) {
	tests := []struct {
		name string
		tags [][2]string
		pre  map[string]any
		want map[string]any
	}{
		{"J1 value conversion", [][2]string{{"On", "true"}, {"Off", "false"}, {"N", "42"}, {"F", "1.5"}, {"S", "v1.2.3"}, {"Z", "007"}},
			map[string]any{"name": "x"},
			map[string]any{"name": "x", "tag.On": true, "tag.Off": false, "tag.N": int64(42), "tag.F": 1.5, "tag.S": "v1.2.3", "tag.Z": int64(7), "tags": []string{"On"}}},
		{"classification/owner/email lowercased", [][2]string{{"Classification", "PII"}, {"owner", "Team-A"}, {"Email", "A@B.com"}},
			map[string]any{"name": "x"},
			map[string]any{"name": "x", "tag.Classification": "PII", "classification": "pii", "tag.owner": "Team-A", "owner": "team-a", "tag.Email": "A@B.com", "email": "a@b.com"}},
		{"Name tag sets displayName, keeps name", [][2]string{{"Name", "web"}}, map[string]any{"name": "i-1", "displayName": "i-1"},
			map[string]any{"name": "i-1", "displayName": "web", "tag.Name": "web"}},
		{"empty value listed in tags", [][2]string{{"PHI", ""}}, map[string]any{},
			map[string]any{"tag.PHI": "", "tags": []string{"PHI"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := graph.NewEntity("", "", nil, tc.pre)
			applyTags(e, tc.tags)
			if diff := cmp.Diff(tc.want, e.PropMap()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := tagPairs(decode(t, `{"b":"2","a":"1"}`)); len(got) != 2 {
		t.Errorf("map tags: %v", got)
	}
}

func TestGlobalEntities(t *testing.T) {
	g := graph.New()
	in1, in2 := Internet(g), Internet(g)
	ev := Everyone(g)
	if in1 != in2 || in1.Key != "global:internet" || ev.Key != "global:everyone" {
		t.Fatalf("Internet/Everyone not get-or-create: %v %v %v", in1, in2, ev)
	}
	if ev.Get("principal") != "*" || in1.Get("CIDRv6") != "::/0" {
		t.Errorf("global entity properties: %v %v", ev.PropMap(), in1.PropMap())
	}
	svc := ServiceEntity(g, "111122223333", "ssm")
	if svc.Type != "aws_ssm" || g.Relationship(graph.RelationshipKey(AccountKey("111122223333"), "HAS", svc.Key)) == nil {
		t.Errorf("unknown service placeholder not created with its account edge: %+v", svc)
	}
	if ServiceEntity(g, "111122223333", "ssm") != svc {
		t.Error("ServiceEntity is not get-or-create")
	}
}

// ecrPolicy wraps statements in a policy document.
func ecrPolicy(stmt string) string { return `{"Version":"2012-10-17","Statement":` + stmt + `}` }

func TestListConverters(t *testing.T) {
	tests := []struct {
		name string
		conv Conv
		in   string // JSON; "" is an absent value
		want any
	}{
		{"valueNamed picks the pair", valueNamed("containerInsights"),
			`[{"Name":"other","Value":"x"},{"Name":"containerInsights","Value":"enabled"}]`, "enabled"},
		{"valueNamed without the pair", valueNamed("containerInsights"), `[{"Name":"other","Value":"x"}]`, nil},
		{"valueNamed absent", valueNamed("containerInsights"), "", nil},
		{"listedWhere gathers the enabled", listedWhere("Enabled", "Types"),
			`[{"Enabled":true,"Types":["api","audit"]},{"Enabled":false,"Types":["scheduler"]},{"Types":["x"]}]`, []any{"api", "audit"}},
		{"listedWhere none enabled: empty, known", listedWhere("Enabled", "Types"), `[{"Enabled":false,"Types":["api"]}]`, []any{}},
		{"listedWhere absent: unknown", listedWhere("Enabled", "Types"), "", nil},
		{"batchScope of a scoped batch", batchScope, `"arn:aws:ecs:r:1:cluster/a\narn:x\narn:y"`, "arn:aws:ecs:r:1:cluster/a"},
		{"batchScope of one key", batchScope, `"arn:aws:ecs:r:1:cluster/a"`, "arn:aws:ecs:r:1:cluster/a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in any
			if tc.in != "" {
				in = decode(t, tc.in)
			}
			got, err := tc.conv(in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestServiceName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"other name of a placeholder", "route53domains", "route53"},
		{"placeholder itself", "route53", "route53"},
		{"service without a placeholder", "ssm", "ssm"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ServiceName(tc.in); got != tc.want {
				t.Errorf("ServiceName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
