package fakeaws

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestRoutes(t *testing.T) {
	rt, err := parseRoutes(routesTSV)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, service, method, target string
		wantOp                        string
		wantCaps                      map[string]string
	}{
		{name: "s3 ListBuckets x-id", service: "s3", method: "GET", target: "/?x-id=ListBuckets", wantOp: "ListBuckets", wantCaps: map[string]string{}},
		{name: "s3 ListBuckets bare", service: "s3", method: "GET", target: "/", wantOp: "ListBuckets", wantCaps: map[string]string{}},
		{name: "s3 GetBucketPolicy", service: "s3", method: "GET", target: "/logs?policy=", wantOp: "GetBucketPolicy", wantCaps: map[string]string{"Bucket": "logs"}},
		{name: "s3 GetBucketPolicyStatus", service: "s3", method: "GET", target: "/logs?policyStatus", wantOp: "GetBucketPolicyStatus", wantCaps: map[string]string{"Bucket": "logs"}},
		{name: "s3 GetBucketLocation trailing slash", service: "s3", method: "GET", target: "/logs/?location", wantOp: "GetBucketLocation", wantCaps: map[string]string{"Bucket": "logs"}},
		{name: "s3 ListObjectsV2 beats ListObjects", service: "s3", method: "GET", target: "/logs?list-type=2", wantOp: "ListObjectsV2", wantCaps: map[string]string{"Bucket": "logs"}},
		{name: "s3 ListObjects", service: "s3", method: "GET", target: "/logs", wantOp: "ListObjects", wantCaps: map[string]string{"Bucket": "logs"}},
		{name: "s3 GetObjectTagging greedy key", service: "s3", method: "GET", target: "/logs/a/b%2Fc.txt?tagging", wantOp: "GetObjectTagging", wantCaps: map[string]string{"Bucket": "logs", "Key": "a/b/c.txt"}},
		{name: "s3 HeadBucket", service: "s3", method: "HEAD", target: "/logs", wantOp: "HeadBucket", wantCaps: map[string]string{"Bucket": "logs"}},
		{name: "lambda ListFunctions", service: "lambda", method: "GET", target: "/2015-03-31/functions?MaxItems=50", wantOp: "ListFunctions", wantCaps: map[string]string{}},
		{name: "lambda GetPolicy", service: "lambda", method: "GET", target: "/2015-03-31/functions/orders/policy", wantOp: "GetPolicy", wantCaps: map[string]string{"FunctionName": "orders"}},
		{name: "lambda GetFunction", service: "lambda", method: "GET", target: "/2015-03-31/functions/orders", wantOp: "GetFunction", wantCaps: map[string]string{"FunctionName": "orders"}},
		{name: "lambda ListTags escaped ARN", service: "lambda", method: "GET", target: "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders", wantOp: "ListTags", wantCaps: map[string]string{"Resource": "arn:aws:lambda:us-east-1:123456789012:function:orders"}},
		{name: "apigateway GetRestApis", service: "apigateway", method: "GET", target: "/restapis?limit=25", wantOp: "GetRestApis", wantCaps: map[string]string{}},
		{name: "apigateway GetResources", service: "apigateway", method: "GET", target: "/restapis/a1b2c3/resources?embed=methods", wantOp: "GetResources", wantCaps: map[string]string{"restApiId": "a1b2c3"}},
		{name: "apigateway GetIntegration", service: "apigateway", method: "GET", target: "/restapis/a1/resources/r1/methods/GET/integration", wantOp: "GetIntegration", wantCaps: map[string]string{"restApiId": "a1", "resourceId": "r1", "httpMethod": "GET"}},
		{name: "eks ListClusters", service: "eks", method: "GET", target: "/clusters?maxResults=100", wantOp: "ListClusters", wantCaps: map[string]string{}},
		{name: "eks DescribeCluster", service: "eks", method: "GET", target: "/clusters/platform", wantOp: "DescribeCluster", wantCaps: map[string]string{"name": "platform"}},
		{name: "eks ListNodegroups", service: "eks", method: "GET", target: "/clusters/platform/node-groups", wantOp: "ListNodegroups", wantCaps: map[string]string{"clusterName": "platform"}},
		{name: "cloudfront ListDistributions", service: "cloudfront", method: "GET", target: "/2020-05-31/distribution", wantOp: "ListDistributions", wantCaps: map[string]string{}},
		{name: "cloudfront GetDistributionConfig", service: "cloudfront", method: "GET", target: "/2020-05-31/distribution/E2EXAMPLE/config", wantOp: "GetDistributionConfig", wantCaps: map[string]string{"Id": "E2EXAMPLE"}},
		{name: "cloudfront ListTagsForResource", service: "cloudfront", method: "GET", target: "/2020-05-31/tagging?Resource=arn%3Aaws%3Acloudfront%3A%3A1%3Adistribution%2FE2", wantOp: "ListTagsForResource", wantCaps: map[string]string{}},
		{name: "route53 ListHostedZones", service: "route53", method: "GET", target: "/2013-04-01/hostedzone", wantOp: "ListHostedZones", wantCaps: map[string]string{}},
		{name: "route53 ListResourceRecordSets", service: "route53", method: "GET", target: "/2013-04-01/hostedzone/Z0EX/rrset?name=b.example.com.&type=A", wantOp: "ListResourceRecordSets", wantCaps: map[string]string{"HostedZoneId": "Z0EX"}},
		{name: "route53 ListTagsForResource", service: "route53", method: "GET", target: "/2013-04-01/tags/hostedzone/Z0EX", wantOp: "ListTagsForResource", wantCaps: map[string]string{"ResourceType": "hostedzone", "ResourceId": "Z0EX"}},
		{name: "write op still named", service: "lambda", method: "DELETE", target: "/2015-03-31/functions/orders", wantOp: "DeleteFunction", wantCaps: map[string]string{"FunctionName": "orders"}},
		{name: "no route", service: "lambda", method: "GET", target: "/nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			op, caps, _, ok := rt.match(tt.service, tt.method, u.EscapedPath(), u.Query())
			if op != tt.wantOp || ok != (tt.wantOp != "") {
				t.Fatalf("op %q (ok=%v), want %q", op, ok, tt.wantOp)
			}
			if ok && !maps.Equal(caps, tt.wantCaps) {
				t.Errorf("captures %v, want %v", caps, tt.wantCaps)
			}
		})
	}
}

// TestRouteTable checks the route data: known REST services only, unique
// operations per service, well-formed templates.
func TestRouteTable(t *testing.T) {
	rt, err := parseRoutes(routesTSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt["s3"]) < 90 || len(rt["lambda"]) < 80 || len(rt["apigateway"]) < 120 {
		t.Errorf("route counts s3=%d lambda=%d apigateway=%d look truncated", len(rt["s3"]), len(rt["lambda"]), len(rt["apigateway"]))
	}
	for svc, routes := range rt {
		info, ok := serviceByPackage(svc)
		if !ok || (info.Protocol != protoRESTJSON && info.Protocol != protoRESTXML) {
			t.Errorf("routes for %q, which is not a known REST service", svc)
		}
		seen := map[string]bool{}
		for _, r := range routes {
			key := r.Method + " " + strings.Join(r.Segments, "/") + "?" + strings.Join(slices.Sorted(maps.Keys(r.Query)), "&") + " " + r.Operation
			if seen[key] {
				t.Errorf("%s: duplicate route %s", svc, key)
			}
			seen[key] = true
			if !reOperation.MatchString(r.Operation) || !slices.Contains([]string{"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"}, r.Method) {
				t.Errorf("%s: bad route %+v", svc, r)
			}
			for _, s := range r.Segments {
				if strings.ContainsAny(s, "{}") && (!strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}")) {
					t.Errorf("%s %s: bad segment %q", svc, r.Operation, s)
				}
			}
		}
	}
	if _, err := parseRoutes("s3\tGET\t/"); err == nil {
		t.Error("parseRoutes accepted a 3-field line")
	}
}

// TestServiceRegistry: the service table is sorted by package and unique.
func TestServiceRegistry(t *testing.T) {
	for i, s := range services {
		if s.Package == "" || s.SigningName == "" || s.Protocol == protoUnknown {
			t.Errorf("incomplete entry %+v", s)
		}
		if i > 0 && services[i-1].Package >= s.Package {
			t.Errorf("not sorted/unique at %q after %q", s.Package, services[i-1].Package)
		}
	}
	for _, pkg := range []string{"ec2", "iam", "sts", "rds", "s3", "lambda", "apigateway", "dynamodb", "configservice", "organizations"} {
		if _, ok := serviceByPackage(pkg); !ok {
			t.Errorf("seed service %s missing", pkg)
		}
	}
}
