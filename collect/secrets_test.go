package collect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// planted is one secret value the secrets world serves in one redacted
// field.
type planted struct {
	call, path string // registry call and its Redact (or, with url, RedactURL) path
	url        bool
	value      string // the field's whole value (its marker must appear)
	secret     string // the distinct string inside value that must never reach disk
}

// seed returns a distinct secret for name. The characters that JSON, URL
// and HTML escaping change are in it, so each encoded form differs from the
// plain one.
func seed(name string) string { return "S3CR3T/" + name + "+&<x>=~Zq" }

const (
	apigwMethod = "Items[].ResourceMethods{}.MethodIntegration."
	batchJob    = "JobDefinitions[]."
	lambdaEnv   = "Functions[].Environment."
)

// batchEnv lists the job definition container environments (ECS, EKS and
// their multi-node forms) and the name of each one's planted secret.
var batchEnv = []struct{ path, name string }{
	{batchJob + "ContainerProperties.Environment[].Value", "batch-container-env"},
	{batchJob + "EcsProperties.TaskProperties[].Containers[].Environment[].Value", "batch-ecs-env"},
	{batchJob + "EksProperties.PodProperties.Containers[].Env[].Value", "batch-eks-env"},
	{batchJob + "EksProperties.PodProperties.InitContainers[].Env[].Value", "batch-eks-init-env"},
	{nodeRanges + "Container.Environment[].Value", "batch-node-env"},
	{nodeRanges + "EcsProperties.TaskProperties[].Containers[].Environment[].Value", "batch-node-ecs-env"},
	{nodeRanges + "EksProperties.PodProperties.Containers[].Env[].Value", "batch-node-eks-env"},
	{nodeRanges + "EksProperties.PodProperties.InitContainers[].Env[].Value", "batch-node-eks-init-env"},
}

// plantedSecrets lists a secret for every Redact path of the registry
// (TestPlantedSecretsCoverRegistry keeps the two in step).
var plantedSecrets = append([]planted{
	{call: "apigateway:GetResources", path: apigwMethod + "RequestParameters{}",
		value: "'" + seed("apigw-request-header") + "'", secret: seed("apigw-request-header")},
	{call: "apigateway:GetResources", path: apigwMethod + "RequestTemplates{}",
		value: `{"apiKey": "` + seed("apigw-request-template") + `"}`, secret: seed("apigw-request-template")},
	{call: "apigateway:GetResources", path: apigwMethod + "IntegrationResponses{}.ResponseParameters{}",
		value: "'" + seed("apigw-response-header") + "'", secret: seed("apigw-response-header")},
	{call: "apigateway:GetResources", path: apigwMethod + "IntegrationResponses{}.ResponseTemplates{}",
		value: `#set($k = "` + seed("apigw-response-template") + `")`, secret: seed("apigw-response-template")},
	{call: "apigateway:GetResources", path: apigwMethod + "Uri", url: true,
		value:  "https://partner.example.com/v1/orders?format=json&api_key=" + url.QueryEscape(seed("apigw-uri-query")),
		secret: seed("apigw-uri-query")},
	{call: "apigateway:GetResources", path: apigwMethod + "Uri", url: true,
		value:  "https://svc:" + url.QueryEscape(seed("apigw-uri-password")) + "@partner.example.com/v1/refunds",
		secret: seed("apigw-uri-password")},
	{call: "cloudfront:GetDistributionConfig", path: "DistributionConfig.Origins.Items[].CustomHeaders.Items[].HeaderValue",
		value: seed("cloudfront-config-origin-verify"), secret: seed("cloudfront-config-origin-verify")},
	{call: "cloudfront:ListDistributions", path: "DistributionList.Items[].Origins.Items[].CustomHeaders.Items[].HeaderValue",
		value: seed("cloudfront-list-origin-verify"), secret: seed("cloudfront-list-origin-verify")},
	{call: "configservice:DescribeConfigRules", path: "ConfigRules[].InputParameters",
		value: `{"webhookToken":"` + seed("config-input-parameters") + `"}`, secret: seed("config-input-parameters")},
	{call: "configservice:GetComplianceDetailsByConfigRule", path: "EvaluationResults[].ResultToken",
		value: seed("config-result-token"), secret: seed("config-result-token")},
	{call: "elasticloadbalancingv2:DescribeListeners", path: "Listeners[].DefaultActions[].AuthenticateOidcConfig.ClientSecret",
		value: seed("elbv2-oidc-client-secret"), secret: seed("elbv2-oidc-client-secret")},
	{call: "ecs:DescribeTaskDefinition", path: "TaskDefinition.ContainerDefinitions[].Environment[].Value",
		value: seed("ecs-task-definition-env"), secret: seed("ecs-task-definition-env")},
	{call: "ecs:DescribeTasks", path: "Tasks[].Overrides.ContainerOverrides[].Environment[].Value",
		value: seed("ecs-task-override-env"), secret: seed("ecs-task-override-env")},
	{call: "eks:DescribeCluster", path: "Cluster.ConnectorConfig.ActivationCode",
		value: seed("eks-activation-code"), secret: seed("eks-activation-code")},
	{call: "iam:ListVirtualMFADevices", path: "VirtualMFADevices[].Base32StringSeed",
		value: seed("mfa-base32-seed"), secret: seed("mfa-base32-seed")},
	{call: "iam:ListVirtualMFADevices", path: "VirtualMFADevices[].QRCodePNG",
		value: seed("mfa-qr-code"), secret: seed("mfa-qr-code")},
	{call: "lambda:ListFunctions", path: lambdaEnv + "Variables{}",
		value: seed("lambda-env-db-password"), secret: seed("lambda-env-db-password")},
	{call: "lambda:ListFunctions", path: lambdaEnv + "Variables{}",
		value: seed("lambda-env-api-token"), secret: seed("lambda-env-api-token")},
	{call: "lambda:ListFunctions", path: lambdaEnv + "Error.Message",
		value:  `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {"K":"` + seed("lambda-env-error") + `"}`,
		secret: seed("lambda-env-error")},
	{call: "rds:DescribeDBClusters", path: "DBClusters[].PendingModifiedValues.MasterUserPassword",
		value: seed("rds-cluster-password"), secret: seed("rds-cluster-password")},
	{call: "rds:DescribeDBInstances", path: "DBInstances[].PendingModifiedValues.MasterUserPassword",
		value: seed("rds-instance-password"), secret: seed("rds-instance-password")},
	{call: "batch:DescribeJobDefinitions", path: batchJob + "Parameters{}",
		value: seed("batch-parameter-default"), secret: seed("batch-parameter-default")},
}, batchPlanted()...)

func batchPlanted() []planted {
	var out []planted
	for _, e := range batchEnv {
		out = append(out, planted{call: "batch:DescribeJobDefinitions", path: e.path, value: seed(e.name), secret: seed(e.name)})
	}
	return out
}

// plantedValue returns the value planted for the i-th secret of a path.
func plantedValue(path string, i int) string {
	n := 0
	for _, p := range plantedSecrets {
		if p.path == path {
			if n == i {
				return p.value
			}
			n++
		}
	}
	panic("no planted secret " + path)
}

// writeSecretsWorld writes a fake-AWS world serving every planted secret in
// its field, in the wire format of the service's protocol.
func writeSecretsWorld(t *testing.T) string {
	t.Helper()
	js := func(path string, i int) string {
		b, err := json.Marshal(plantedValue(path, i))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	xs := func(path string) string { return html.EscapeString(plantedValue(path, 0)) }
	blob := func(path string) string { return base64.StdEncoding.EncodeToString([]byte(plantedValue(path, 0))) }
	files := map[string]string{
		"world.json": `{"account_id": "210987654321", "caller_arn": "arn:aws:iam::210987654321:user/auditor",
			"regions": ["us-east-1"]}`,
		"apigateway/us-east-1/GetRestApis.json": `{"item": [{"id": "s3cr3tapi1", "name": "partner-proxy"}]}`,
		"apigateway/us-east-1/GetResources@restApiId=s3cr3tapi1.json": `{"item": [{"id": "res1", "path": "/partner",
			"resourceMethods": {"GET": {"httpMethod": "GET", "authorizationType": "NONE", "methodIntegration": {
				"type": "HTTP", "httpMethod": "GET", "uri": ` + js(apigwMethod+"Uri", 0) + `,
				"requestParameters": {"integration.request.header.x-api-key": ` + js(apigwMethod+"RequestParameters{}", 0) + `},
				"requestTemplates": {"application/json": ` + js(apigwMethod+"RequestTemplates{}", 0) + `},
				"integrationResponses": {"200": {"statusCode": "200",
					"responseParameters": {"method.response.header.X-Partner-Token": ` + js(apigwMethod+"IntegrationResponses{}.ResponseParameters{}", 0) + `},
					"responseTemplates": {"application/json": ` + js(apigwMethod+"IntegrationResponses{}.ResponseTemplates{}", 0) + `}}}}},
				"POST": {"httpMethod": "POST", "authorizationType": "NONE", "methodIntegration": {
					"type": "HTTP", "httpMethod": "POST", "uri": ` + js(apigwMethod+"Uri", 1) + `}}}}]}`,
		"batch/us-east-1/DescribeJobDefinitions.json": `{"jobDefinitions": [{"jobDefinitionName": "partner-export", "revision": 1,
			"jobDefinitionArn": "arn:aws:batch:us-east-1:210987654321:job-definition/partner-export:1", "type": "container", "status": "ACTIVE",
			"parameters": {"password": ` + js(batchJob+"Parameters{}", 0) + `},
			"containerProperties": {"environment": [{"name": "DB_PASSWORD", "value": ` + js(batchEnv[0].path, 0) + `}]},
			"ecsProperties": {"taskProperties": [{"containers": [{"environment": [{"name": "T", "value": ` + js(batchEnv[1].path, 0) + `}]}]}]},
			"eksProperties": {"podProperties": {"containers": [{"env": [{"name": "T", "value": ` + js(batchEnv[2].path, 0) + `}]}],
				"initContainers": [{"env": [{"name": "T", "value": ` + js(batchEnv[3].path, 0) + `}]}]}},
			"nodeProperties": {"numNodes": 1, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "0:",
				"container": {"environment": [{"name": "T", "value": ` + js(batchEnv[4].path, 0) + `}]},
				"ecsProperties": {"taskProperties": [{"containers": [{"environment": [{"name": "T", "value": ` + js(batchEnv[5].path, 0) + `}]}]}]},
				"eksProperties": {"podProperties": {"containers": [{"env": [{"name": "T", "value": ` + js(batchEnv[6].path, 0) + `}]}],
					"initContainers": [{"env": [{"name": "T", "value": ` + js(batchEnv[7].path, 0) + `}]}]}}}]}}]}`,
		"cloudfront/us-east-1/ListDistributions.xml": `<DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary>
    <Id>E2SECRETDIST</Id><ARN>arn:aws:cloudfront::210987654321:distribution/E2SECRETDIST</ARN>
    <Origins><Quantity>1</Quantity><Items><Origin><Id>app</Id><DomainName>app.example.com</DomainName>
      <CustomHeaders><Quantity>1</Quantity><Items><OriginCustomHeader><HeaderName>X-Origin-Verify</HeaderName>
        <HeaderValue>` + xs("DistributionList.Items[].Origins.Items[].CustomHeaders.Items[].HeaderValue") + `</HeaderValue></OriginCustomHeader></Items></CustomHeaders>
    </Origin></Items></Origins>
  </DistributionSummary></Items>
</DistributionList>`,
		"cloudfront/us-east-1/GetDistributionConfig@Id=E2SECRETDIST.xml": `<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <CallerReference>partner-app</CallerReference>
  <Origins><Quantity>1</Quantity><Items><Origin><Id>app</Id><DomainName>app.example.com</DomainName>
    <CustomHeaders><Quantity>1</Quantity><Items><OriginCustomHeader><HeaderName>X-Origin-Verify</HeaderName>
      <HeaderValue>` + xs("DistributionConfig.Origins.Items[].CustomHeaders.Items[].HeaderValue") + `</HeaderValue></OriginCustomHeader></Items></CustomHeaders>
  </Origin></Items></Origins>
</DistributionConfig>`,
		"configservice/us-east-1/DescribeConfigRules.json": `{"ConfigRules": [{"ConfigRuleName": "partner-webhook",
			"Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:210987654321:function:rule"},
			"InputParameters": ` + js("ConfigRules[].InputParameters", 0) + `}]}`,
		"configservice/us-east-1/GetComplianceDetailsByConfigRule@ConfigRuleName=partner-webhook.json": `{"EvaluationResults": [
			{"ComplianceType": "COMPLIANT", "ResultToken": ` + js("EvaluationResults[].ResultToken", 0) + `}]}`,
		"elasticloadbalancingv2/us-east-1/DescribeLoadBalancers.xml": `<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerName>partner-alb</LoadBalancerName><Type>application</Type>
    <LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/partner-alb/0123456789abcdef</LoadBalancerArn>
  </member></LoadBalancers></DescribeLoadBalancersResult>
</DescribeLoadBalancersResponse>`,
		"elasticloadbalancingv2/us-east-1/DescribeListeners.xml": `<DescribeListenersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeListenersResult><Listeners><member><Port>443</Port><Protocol>HTTPS</Protocol><DefaultActions><member>
    <Type>authenticate-oidc</Type><AuthenticateOidcConfig><ClientId>partner-portal</ClientId>
    <ClientSecret>` + xs("Listeners[].DefaultActions[].AuthenticateOidcConfig.ClientSecret") + `</ClientSecret></AuthenticateOidcConfig>
  </member></DefaultActions></member></Listeners></DescribeListenersResult>
</DescribeListenersResponse>`,
		"ecs/us-east-1/ListClusters.json":        `{"clusterArns": ["arn:aws:ecs:us-east-1:210987654321:cluster/partner"]}`,
		"ecs/us-east-1/ListTasks.json":           `{"taskArns": ["arn:aws:ecs:us-east-1:210987654321:task/partner/0123abcd"]}`,
		"ecs/us-east-1/ListTaskDefinitions.json": `{"taskDefinitionArns": ["arn:aws:ecs:us-east-1:210987654321:task-definition/partner:1"]}`,
		"ecs/us-east-1/DescribeTaskDefinition.json": `{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:210987654321:task-definition/partner:1",
			"family": "partner", "revision": 1, "containerDefinitions": [{"name": "app",
				"environment": [{"name": "DB_PASSWORD", "value": ` + js("TaskDefinition.ContainerDefinitions[].Environment[].Value", 0) + `}]}]}}`,
		"ecs/us-east-1/DescribeTasks.json": `{"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:210987654321:task/partner/0123abcd",
			"overrides": {"containerOverrides": [{"name": "app",
				"environment": [{"name": "API_TOKEN", "value": ` + js("Tasks[].Overrides.ContainerOverrides[].Environment[].Value", 0) + `}]}]}}]}`,
		"eks/us-east-1/ListClusters.json": `{"clusters": ["partner-edge"]}`,
		"eks/us-east-1/DescribeCluster.json": `{"cluster": {"name": "partner-edge", "arn": "arn:aws:eks:us-east-1:210987654321:cluster/partner-edge",
			"connectorConfig": {"activationId": "a1b2c3d4-0000-0000-0000-000000000000",
				"activationCode": ` + js("Cluster.ConnectorConfig.ActivationCode", 0) + `}}}`,
		"iam/global/ListVirtualMFADevices.xml": `<ListVirtualMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListVirtualMFADevicesResult><IsTruncated>false</IsTruncated><VirtualMFADevices><member>
    <SerialNumber>arn:aws:iam::210987654321:mfa/new-device</SerialNumber>
    <Base32StringSeed>` + blob("VirtualMFADevices[].Base32StringSeed") + `</Base32StringSeed>
    <QRCodePNG>` + blob("VirtualMFADevices[].QRCodePNG") + `</QRCodePNG>
  </member></VirtualMFADevices></ListVirtualMFADevicesResult>
</ListVirtualMFADevicesResponse>`,
		"lambda/us-east-1/ListFunctions.json": `{"Functions": [{"FunctionName": "partner-sync",
			"FunctionArn": "arn:aws:lambda:us-east-1:210987654321:function:partner-sync",
			"Environment": {"Variables": {"DB_PASSWORD": ` + js(lambdaEnv+"Variables{}", 0) + `, "API_TOKEN": ` + js(lambdaEnv+"Variables{}", 1) + `},
				"Error": {"ErrorCode": "InvalidParameterValueException", "Message": ` + js(lambdaEnv+"Error.Message", 0) + `}}}]}`,
		"rds/us-east-1/DescribeDBClusters.xml": `<DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBClustersResult><DBClusters><DBCluster><DBClusterIdentifier>partner-db</DBClusterIdentifier>
    <PendingModifiedValues><MasterUserPassword>` + xs("DBClusters[].PendingModifiedValues.MasterUserPassword") + `</MasterUserPassword></PendingModifiedValues>
  </DBCluster></DBClusters></DescribeDBClustersResult>
</DescribeDBClustersResponse>`,
		"rds/us-east-1/DescribeDBInstances.xml": `<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>partner-db-1</DBInstanceIdentifier>
    <PendingModifiedValues><MasterUserPassword>` + xs("DBInstances[].PendingModifiedValues.MasterUserPassword") + `</MasterUserPassword></PendingModifiedValues>
  </DBInstance></DBInstances></DescribeDBInstancesResult>
</DescribeDBInstancesResponse>`,
	}
	return writeWorld(t, files)
}

// writeWorld writes a fake-AWS world (file name -> body) into a new
// temporary directory and returns it.
func writeWorld(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPlantedSecretsCoverRegistry: every Redact path of the registry has a
// planted secret (so TestSecretsNeverReachDisk proves it), and every
// planted secret is distinct and belongs to a declared path.
func TestPlantedSecretsCoverRegistry(t *testing.T) {
	declared := map[string]bool{}
	for _, c := range Registry() {
		for _, p := range c.Redact {
			declared[c.Name()+" "+p] = true
		}
		for _, p := range c.RedactURL {
			declared[c.Name()+" url "+p] = true
		}
	}
	planted := map[string]bool{}
	seen := map[string]bool{}
	for _, p := range plantedSecrets {
		k := p.call + " " + p.path
		if p.url {
			k = p.call + " url " + p.path
		}
		planted[k] = true
		if !declared[k] {
			t.Errorf("planted secret for %s, which the registry does not redact", k)
		}
		inValue := strings.Contains(p.value, p.secret) || strings.Contains(p.value, url.QueryEscape(p.secret))
		if seen[p.secret] || !inValue || len(p.secret) < 16 {
			t.Errorf("%s: secret %q is repeated, not in the value, or too short", k, p.secret)
		}
		seen[p.secret] = true
	}
	for k := range declared {
		if !planted[k] {
			t.Errorf("no planted secret for redaction %s: add one to plantedSecrets", k)
		}
	}
}

// TestSecretsNeverReachDisk serves a distinct secret in every redacted
// field through the loopback fake, collects with the real SDK clients and
// the real collector into a real snapshot, and searches every byte of every
// file and every decoded row value for each secret in plain, JSON-escaped,
// HTML-escaped, URL-encoded and base64 forms. Each field's marker must be
// in its call's rows, so a secret that never arrived cannot pass for one
// that was redacted.
func TestSecretsNeverReachDisk(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, writeSecretsWorld(t)))
	dir := filepath.Join(t.TempDir(), "snap")
	key := []byte("secrets-test-key")
	if _, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts(WithRedactionKey(key))...); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, p := range plantedSecrets {
		secrets = append(secrets, p.secret)
	}
	assertNoLeak(t, dir, secrets)

	s, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]string{} // call -> every string in its responses
	for _, p := range s.Partitions() {
		err := s.Rows(t.Context(), p.Service, p.Operation, func(r snapshot.Row) error {
			var v any
			if r.Response != "" {
				if err := json.Unmarshal([]byte(r.Response), &v); err != nil {
					return err
				}
			}
			values[p.Service+":"+p.Operation] = append(values[p.Service+":"+p.Operation], jsonStrings(v)...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	red := redactor{key: key}
	for _, p := range plantedSecrets {
		want := red.marker(p.value)
		if p.url {
			want = red.scrubURL(p.value)
		}
		// A []byte field is marshalled as base64, its marker too.
		if got := values[p.call]; !slices.Contains(got, want) && !slices.Contains(got, base64.StdEncoding.EncodeToString([]byte(want))) {
			t.Errorf("%s %s: redacted value %s is not in the rows: %q", p.call, p.path, want, got)
		}
	}
}

// leakForms returns the encodings of secret a snapshot must not contain.
func leakForms(secret string) []string {
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), html.EscapeString(secret)}
	for _, escapeHTML := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if err := enc.Encode(secret); err != nil {
			panic(err)
		}
		forms = append(forms, strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	// Base64 of a secret embedded in longer data depends on its alignment:
	// for each of the three alignments, the whole groups that only encode
	// secret bytes appear in the encoding.
	for off := range 3 {
		core := secret[off:]
		core = core[:len(core)/3*3]
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(core)))
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// assertNoLeak checks that no secret, in any leakForms encoding, is in a
// byte of any file under dir or in any decoded row value (data files are
// compressed, so only decoded rows prove the absence), including the
// string values inside each row's response JSON.
func assertNoLeak(t *testing.T, dir string, secrets []string) {
	t.Helper()
	check := func(where, text string) {
		for _, s := range secrets {
			for _, f := range leakForms(s) {
				if strings.Contains(text, f) {
					t.Errorf("secret %q (as %q) found in %s", s, f, where)
				}
			}
		}
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		check(path, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("only %d files in %s", files, dir)
	}
	s, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, p := range s.Partitions() {
		err := s.Rows(t.Context(), p.Service, p.Operation, func(r snapshot.Row) error {
			rows++
			where := fmt.Sprintf("decoded row %s", rowID(r))
			check(where, strings.Join([]string{r.AccountID, r.Region, r.ParentKey, r.Params, r.Status,
				string(r.ErrorClass), r.ErrorCode, r.ErrorMessage, r.Response}, "\n"))
			if r.Response != "" {
				var v any
				if err := json.Unmarshal([]byte(r.Response), &v); err != nil {
					return fmt.Errorf("%s: response is not JSON: %w", where, err)
				}
				check(where+" (JSON-decoded)", strings.Join(jsonStrings(v), "\n"))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if rows == 0 {
		t.Fatalf("no rows decoded from %s", dir)
	}
}

// jsonStrings returns every string (keys and values) in a decoded JSON value.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(out, k)
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}

// Mirrors of the output shapes of services the collector does not call yet
// (their SDK modules are not dependencies): field names and nesting as in
// aws-sdk-go-v2's ecs, batch, cloudformation and transfer packages.
type (
	ecsKeyValuePair        struct{ Name, Value *string }
	ecsSecret              struct{ Name, ValueFrom *string }
	ecsContainerDefinition struct {
		Name        *string
		Image       *string
		Environment []ecsKeyValuePair
		Secrets     []ecsSecret
	}
	ecsTaskDefinition struct {
		TaskDefinitionArn    *string
		ContainerDefinitions []ecsContainerDefinition
	}
	ecsDescribeTaskDefinitionOutput struct{ TaskDefinition *ecsTaskDefinition }

	batchContainerProperties struct {
		Image       *string
		Environment []ecsKeyValuePair
	}
	batchJobDefinition struct {
		JobDefinitionName   *string
		Parameters          map[string]string
		ContainerProperties *batchContainerProperties
	}
	batchDescribeJobDefinitionsOutput struct {
		JobDefinitions []batchJobDefinition
		NextToken      *string
	}

	cfnParameter struct{ ParameterKey, ParameterValue, ResolvedValue *string }
	cfnOutput    struct{ OutputKey, OutputValue, ExportName *string }
	cfnStack     struct {
		StackName  *string
		Parameters []cfnParameter
		Outputs    []cfnOutput
	}
	cfnDescribeStacksOutput struct {
		Stacks    []cfnStack
		NextToken *string
	}

	transferSftpConfig struct {
		UserSecretId    *string
		TrustedHostKeys []string
	}
	transferAs2Config          struct{ BasicAuthSecretId, MdnSigningAlgorithm *string }
	transferDescribedConnector struct {
		Arn        *string
		Url        *string
		SftpConfig *transferSftpConfig
		As2Config  *transferAs2Config
	}
	transferDescribeConnectorOutput struct{ Connector *transferDescribedConnector }

	embeddedLogin   struct{ Username, Password *string }
	embeddingOutput struct {
		embeddedLogin
		Name *string
	}
)

// TestSecretSuspectsCatchNewServices: adding a call whose output holds
// secrets fails the registry test until each is redacted or justified.
// Real SDK types where the module is a dependency, mirrors otherwise.
func TestSecretSuspectsCatchNewServices(t *testing.T) {
	tests := []struct {
		name string
		out  reflect.Type
		want []string // must all be reported
	}{
		{name: "ecs container environment", out: reflect.TypeFor[ecsDescribeTaskDefinitionOutput](),
			want: []string{"TaskDefinition.ContainerDefinitions[].Environment", "TaskDefinition.ContainerDefinitions[].Secrets"}},
		{name: "batch job environment and parameters", out: reflect.TypeFor[batchDescribeJobDefinitionsOutput](),
			want: []string{"JobDefinitions[].Parameters", "JobDefinitions[].ContainerProperties.Environment"}},
		{name: "cloudformation parameters and outputs", out: reflect.TypeFor[cfnDescribeStacksOutput](),
			want: []string{"Stacks[].Parameters", "Stacks[].Outputs"}},
		{name: "transfer connector secrets", out: reflect.TypeFor[transferDescribeConnectorOutput](),
			want: []string{"Connector.SftpConfig.UserSecretId", "Connector.As2Config.BasicAuthSecretId"}},
		{name: "ec2 launch template user data", out: reflect.TypeFor[ec2.DescribeLaunchTemplateVersionsOutput](),
			want: []string{"LaunchTemplateVersions[].LaunchTemplateData.UserData"}},
		{name: "ec2 password data", out: reflect.TypeFor[ec2.GetPasswordDataOutput](), want: []string{"PasswordData"}},
		{name: "sts session credentials", out: reflect.TypeFor[sts.GetSessionTokenOutput](), want: []string{"Credentials"}},
		{name: "iam new access key", out: reflect.TypeFor[iam.CreateAccessKeyOutput](), want: []string{"AccessKey.SecretAccessKey"}},
		{name: "api gateway key values (by type name)", out: reflect.TypeFor[apigateway.GetApiKeysOutput](), want: []string{"Items"}},
		{name: "promoted field of an embedded struct", out: reflect.TypeFor[embeddingOutput](), want: []string{"Password"}},
		{name: "lambda function environment", out: reflect.TypeFor[lambda.GetFunctionOutput](),
			want: []string{"Configuration.Environment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unlistedSecrets(Call{Run: Runner{out: tt.out}})
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s not reported; got %v", w, got)
				}
			}
			if slices.Contains(got, "NextToken") {
				t.Error("the pagination cursor NextToken was reported")
			}
		})
	}
}

// TestUnlistedSecretsCoverage: a redaction covers the field, its
// ancestors and descendants; a NotSecret reason covers the field and its
// descendants; nothing else does.
func TestUnlistedSecretsCoverage(t *testing.T) {
	out := reflect.TypeFor[ecsDescribeTaskDefinitionOutput]()
	env, sec := "TaskDefinition.ContainerDefinitions[].Environment", "TaskDefinition.ContainerDefinitions[].Secrets"
	tests := []struct {
		name string
		call Call
		want []string
	}{
		{name: "nothing declared", want: []string{env, sec}},
		{name: "values redacted below the field", call: Call{Redact: []string{env + "[].Value"}}, want: []string{sec}},
		{name: "justified", call: Call{NotSecret: map[string]string{sec: "Secrets Manager ARNs the agent resolves, not values"}},
			want: []string{env}},
		{name: "justifying a parent covers it", call: Call{NotSecret: map[string]string{"TaskDefinition": "x"}}},
		{name: "a sibling redaction covers nothing", call: Call{Redact: []string{"TaskDefinition.ContainerDefinitions[].Image"}},
			want: []string{env, sec}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call.Run.out = out
			if got := unlistedSecrets(tt.call); !slices.Equal(got, tt.want) {
				t.Errorf("unlisted = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRedactionDoc keeps REDACTION.md in step with the registry.
func TestRedactionDoc(t *testing.T) {
	got := RedactionDoc(Registry())
	checkGeneratedDoc(t, "REDACTION.md", got, "TestRedactionDoc")
	for _, c := range Registry() {
		if !strings.Contains(got, "`"+c.Name()+"`") {
			t.Errorf("%s is not in REDACTION.md", c.Name())
		}
	}
}

// checkGeneratedDoc compares a generated document with its committed file
// in collect/, rewriting the file first under -update.
func checkGeneratedDoc(t *testing.T, name, got, test string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Fatalf("collect/%s is stale: run go test ./collect -run %s -update", name, test)
	}
}

// TestRedactedFieldsNeverBecomeParentKeys: child keys are extracted from a
// page only after its redaction, so a key extractor that reads a redacted
// field (a mistake in a future registry entry) gets the marker, and neither
// the parent_key column nor the child's request carries the secret.
func TestRedactedFieldsNeverBecomeParentKeys(t *testing.T) {
	var calls []Call
	for _, c := range Registry() {
		switch c.Name() {
		case callerIdentityCall, regionsCall, "lambda:ListFunctions":
			calls = append(calls, c)
		case "lambda:ListTags":
			c.Keys = keys(func(o *lambda.ListFunctionsOutput) []string {
				var ks []string
				for _, f := range o.Functions {
					if f.Environment != nil {
						ks = append(ks, f.Environment.Variables["DB_PASSWORD"])
					}
				}
				return ks
			})
			calls = append(calls, c)
		}
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, writeSecretsWorld(t)))
	dir := filepath.Join(t.TempDir(), "snap")
	key := []byte("secrets-test-key")
	if _, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil,
		testOpts(WithRedactionKey(key), WithCalls(calls))...); err != nil {
		t.Fatal(err)
	}
	secret := plantedValue(lambdaEnv+"Variables{}", 0)
	assertNoLeak(t, dir, []string{secret})
	for _, r := range srv.Requests() {
		for k, v := range r.Params {
			if strings.Contains(v, secret) {
				t.Errorf("%s:%s request parameter %s carries the secret", r.Service, r.Operation, k)
			}
		}
	}
	s, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var parents []string
	if err := s.Rows(t.Context(), "lambda", "ListTags", func(r snapshot.Row) error {
		parents = append(parents, r.ParentKey)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := (redactor{key: key}).marker(secret); !slices.Equal(parents, []string{want}) {
		t.Errorf("ListTags parent keys %q, want the marker %q", parents, want)
	}
}
