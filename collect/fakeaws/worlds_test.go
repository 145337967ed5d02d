package fakeaws

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/transfer"
	"github.com/aws/aws-sdk-go-v2/service/workspaces"
)

const (
	demoWorld = "../../testdata/fakeaws/demo"
	orgWorld  = "../../testdata/fakeaws/org" // the management account of the demo's organisation
)

// clients builds the real SDK client of each service a world may hold.
var clients = map[string]func(aws.Config) any{
	"acm":                    func(c aws.Config) any { return acm.NewFromConfig(c) },
	"apigateway":             func(c aws.Config) any { return apigateway.NewFromConfig(c) },
	"autoscaling":            func(c aws.Config) any { return autoscaling.NewFromConfig(c) },
	"batch":                  func(c aws.Config) any { return batch.NewFromConfig(c) },
	"cloudfront":             func(c aws.Config) any { return cloudfront.NewFromConfig(c) },
	"configservice":          func(c aws.Config) any { return configservice.NewFromConfig(c) },
	"dynamodb":               func(c aws.Config) any { return dynamodb.NewFromConfig(c) },
	"ec2":                    func(c aws.Config) any { return ec2.NewFromConfig(c) },
	"ecr":                    func(c aws.Config) any { return ecr.NewFromConfig(c) },
	"ecs":                    func(c aws.Config) any { return ecs.NewFromConfig(c) },
	"eks":                    func(c aws.Config) any { return eks.NewFromConfig(c) },
	"elasticloadbalancing":   func(c aws.Config) any { return elasticloadbalancing.NewFromConfig(c) },
	"elasticloadbalancingv2": func(c aws.Config) any { return elasticloadbalancingv2.NewFromConfig(c) },
	"iam":                    func(c aws.Config) any { return iam.NewFromConfig(c) },
	"kms":                    func(c aws.Config) any { return kms.NewFromConfig(c) },
	"lambda":                 func(c aws.Config) any { return lambda.NewFromConfig(c) },
	"organizations":          func(c aws.Config) any { return organizations.NewFromConfig(c) },
	"rds":                    func(c aws.Config) any { return rds.NewFromConfig(c) },
	"route53":                func(c aws.Config) any { return route53.NewFromConfig(c) },
	"route53domains":         func(c aws.Config) any { return route53domains.NewFromConfig(c) },
	"s3":                     func(c aws.Config) any { return s3Client(c) },
	"s3control":              func(c aws.Config) any { return s3controlClient(c) },
	"sts":                    func(c aws.Config) any { return sts.NewFromConfig(c) },
	"transfer":               func(c aws.Config) any { return transfer.NewFromConfig(c) },
	"workspaces":             func(c aws.Config) any { return workspaces.NewFromConfig(c) },
}

// emptyOnPurpose are fixtures that legitimately decode to an empty output.
var emptyOnPurpose = map[string]bool{
	"apigateway/global/GetRestApis.json": true,
	"s3/global/GetBucketLogging.xml":     true,
	"s3/global/GetBucketVersioning.xml":  true,
}

// TestWorldFixturesDecode sends, for every fixture file of the shipped worlds,
// a real SDK request that the file answers, and checks that the SDK decodes it:
// success fixtures decode without error, every string value of the file is
// found in the decoded output (so no element or member name is misspelt and
// silently dropped), and error fixtures surface their code.
func TestWorldFixturesDecode(t *testing.T) {
	for _, dir := range []string{basicWorld, demoWorld, orgWorld} {
		w := LoadWorld(t, dir)
		srv := New(t, w)
		for _, path := range w.Fixtures() {
			t.Run(strings.TrimPrefix(dir, "../../testdata/fakeaws/")+"/"+path, func(t *testing.T) {
				f := w.fixtureByPath(path)
				region, params := probe(t, w, f)
				before := len(srv.Requests())
				out, err := callOperation(t.Context(), sdkConfig(srv, region), f.Service, f.Operation, params)
				reqs := srv.Requests()[before:]
				if len(reqs) != 1 || reqs[0].Fixture != f.Path {
					t.Fatalf("requests %+v (call error: %v), want one answered by %s", reqs, err, f.Path)
				}
				if f.Kind == kindError {
					code, _ := apiErr(t, err)
					if code != f.Err.Code {
						t.Errorf("error code %q, want %q", code, f.Err.Code)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s:%s: %v", f.Service, f.Operation, err)
				}
				decoded := marshal(t, out)
				if !emptyOnPurpose[f.Path] && (decoded == "{}" || !hasContent(out)) {
					t.Errorf("decoded to an empty output: %s", decoded)
				}
				for _, leaf := range stringLeaves(t, f) {
					if !strings.Contains(decoded, strings.Trim(marshal(t, leaf), `"`)) {
						t.Errorf("value %q of the fixture is not in the decoded output (misspelt element/member?)\n%s", leaf, decoded)
					}
				}
			})
		}
	}
}

func (w *World) fixtureByPath(path string) *fixture {
	for _, fs := range w.fixtures {
		for _, f := range fs {
			if f.Path == path {
				return f
			}
		}
	}
	return nil
}

// probeValues are values tried for an input parameter a fixture does not
// match on (a default fixture still needs e.g. a bucket to be asked about).
func probeValues(w *World, param string) []string {
	switch param {
	case "Bucket":
		var bs []string
		for b := range w.Buckets {
			bs = append(bs, b)
		}
		slices.Sort(bs)
		return bs
	case "AccountId":
		return []string{w.AccountID}
	case "FunctionName":
		return []string{"fakeaws-probe-function"}
	case "RepositoryName":
		return []string{"fakeaws-probe-repository"}
	case "ImageId":
		return []string{`{"imageDigest":"sha256:fakeaws-probe"}`}
	}
	return nil
}

// probeLists are list input fields the SDK requires (ecs DescribeServices
// Services ...): callOperation fills them with one probe value, as
// probeValues does for required strings.
var probeLists = []string{"ContainerInstances", "Services", "Tasks"}

// probe finds a region and request params that f answers.
func probe(t *testing.T, w *World, f *fixture) (string, map[string]string) {
	t.Helper()
	params := maps.Clone(f.Match)
	if f.Token != "" {
		for _, tp := range w.TokenParams {
			if inputHasField(f.Service, f.Operation, tp) {
				params[tp] = f.Token
				break
			}
		}
	}
	cands := []map[string]string{params}
	for _, param := range []string{"AccountId", "Bucket", "FunctionName", "ImageId", "RepositoryName"} {
		// A fixture matches on wire names (repositoryName), probes are field names.
		given := slices.ContainsFunc(slices.Collect(maps.Keys(params)), func(k string) bool { return strings.EqualFold(k, param) })
		if given || !inputHasField(f.Service, f.Operation, param) {
			continue
		}
		var next []map[string]string
		for _, c := range cands {
			for _, v := range probeValues(w, param) {
				p := maps.Clone(c)
				p[param] = v
				next = append(next, p)
			}
		}
		cands = next
	}
	regions := []string{f.Region}
	if f.Region == "global" {
		regions = w.Regions
	}
	for _, p := range cands {
		rs := regions
		if r := w.Buckets[p["Bucket"]]; r != "" {
			rs = []string{r} // S3 refuses per-bucket calls from another region
		}
		for _, r := range rs {
			if got, _ := w.lookup(f.Service, r, f.Operation, p); got == f {
				return r, p
			}
		}
	}
	t.Fatalf("found no request that %s answers", f.Path)
	return "", nil
}

// operationMethod finds the SDK client method for an operation.
func operationMethod(service, op string) (reflect.Method, bool) {
	newClient, ok := clients[service]
	if !ok {
		return reflect.Method{}, false
	}
	return reflect.TypeOf(newClient(aws.Config{})).MethodByName(op)
}

func inputHasField(service, op, param string) bool {
	m, ok := operationMethod(service, op)
	if !ok {
		return false
	}
	_, ok = fieldFor(m.Type.In(2).Elem(), param)
	return ok
}

// fieldFor maps a wire parameter name (restApiId, continuation-token) to the
// input struct field (RestApiId, ContinuationToken).
func fieldFor(in reflect.Type, param string) (reflect.StructField, bool) {
	norm := strings.ReplaceAll(param, "-", "")
	return in.FieldByNameFunc(func(name string) bool { return strings.EqualFold(name, norm) })
}

// callOperation calls service:op with the real SDK client, filling the input
// struct's string, enum and string-list fields from params.
func callOperation(ctx context.Context, cfg aws.Config, service, op string, params map[string]string) (any, error) {
	newClient, ok := clients[service]
	if !ok {
		return nil, errors.New("no SDK client for " + service + " in this test")
	}
	client := reflect.ValueOf(newClient(cfg))
	method := client.MethodByName(op)
	if !method.IsValid() {
		return nil, errors.New(service + " client has no method " + op)
	}
	in := reflect.New(method.Type().In(1).Elem())
	for k, v := range params {
		// A query-protocol list member (ResourceArns.member.1) fills a
		// []string field with its one value.
		name, _, list := strings.Cut(k, ".member.")
		sf, ok := fieldFor(in.Elem().Type(), name)
		switch {
		case ok && !list && sf.Type == reflect.TypeOf((*string)(nil)):
			in.Elem().FieldByIndex(sf.Index).Set(reflect.ValueOf(aws.String(v)))
		case ok && list && sf.Type == reflect.TypeOf([]string(nil)):
			in.Elem().FieldByIndex(sf.Index).Set(reflect.ValueOf([]string{v}))
		case ok && !list && sf.Type.Kind() == reflect.String: // an SDK enum (ec2 SnapshotAttributeName)
			in.Elem().FieldByIndex(sf.Index).SetString(v)
		case ok && !list && sf.Type == reflect.TypeOf([]string(nil)):
			// JSON protocols flatten a list parameter as compact JSON.
			var l []string
			if err := json.Unmarshal([]byte(v), &l); err != nil {
				return nil, errors.New("param " + k + " is not a JSON list of strings: " + err.Error())
			}
			in.Elem().FieldByIndex(sf.Index).Set(reflect.ValueOf(l))
		case ok && !list:
			// A structure parameter (ecr imageId) is given as its JSON.
			if err := json.Unmarshal([]byte(v), in.Elem().FieldByIndex(sf.Index).Addr().Interface()); err != nil {
				return nil, errors.New("param " + k + " is not a string field of " + in.Elem().Type().Name() + " nor its JSON: " + err.Error())
			}
		default:
			return nil, errors.New("param " + k + " is not a string field of " + in.Elem().Type().Name())
		}
	}
	for _, name := range probeLists {
		if f := in.Elem().FieldByName(name); f.IsValid() && f.Type() == reflect.TypeOf([]string(nil)) && f.IsNil() {
			f.Set(reflect.ValueOf([]string{"fakeaws-probe"}))
		}
	}
	res := method.Call([]reflect.Value{reflect.ValueOf(ctx), in})
	err, _ := res[1].Interface().(error)
	return res[0].Interface(), err
}

// hasContent reports whether an SDK output struct has any field set besides
// its ResultMetadata.
func hasContent(out any) bool {
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	for i := range v.NumField() {
		if v.Type().Field(i).Name == "ResultMetadata" || !v.Type().Field(i).IsExported() {
			continue
		}
		if !v.Field(i).IsZero() {
			return true
		}
	}
	return false
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

var reTimestamp = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T`)

// stringLeaves lists the string values of a fixture body that should survive
// decoding verbatim: XML text and JSON strings, minus numbers, booleans,
// timestamps (reformatted by decoding) and request ids (metadata).
func stringLeaves(t *testing.T, f *fixture) []string {
	t.Helper()
	var leaves []string
	keep := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || reTimestamp.MatchString(s) {
			return
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return
		}
		if _, err := strconv.ParseBool(s); err == nil {
			return
		}
		leaves = append(leaves, s)
	}
	switch f.Kind {
	case kindXML:
		dec := xml.NewDecoder(bytes.NewReader(f.Body))
		var stack []string
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch tk := tok.(type) {
			case xml.StartElement:
				stack = append(stack, tk.Name.Local)
			case xml.EndElement:
				stack = stack[:len(stack)-1]
			case xml.CharData:
				if len(stack) > 0 && !strings.EqualFold(stack[len(stack)-1], "requestId") {
					keep(string(tk))
				}
			}
		}
	case kindJSON:
		var v any
		if err := json.Unmarshal(f.Body, &v); err != nil {
			t.Fatal(err)
		}
		if f.Service == "s3" { // an S3 JSON body is a payload string (bucket policy)
			keep(string(bytes.TrimSpace(f.Body)))
			break
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for _, e := range x {
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			case string:
				keep(x)
			}
		}
		walk(v)
	}
	return leaves
}
