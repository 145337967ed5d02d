package model

// Value conversion: decoded JSON -> J1 property values, J1 tag rules, and
// the named converters the registry uses.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/snapaudit/snapaudit/analyze/graph"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// camel turns an SDK field name into a J1 camelCase property name: the
// leading run of capitals is lowered except the last one when it starts the
// next word (KMSKeyArn -> kmsKeyArn, DBInstanceArn -> dbInstanceArn,
// InstanceId -> instanceId, ARN -> arn).
func camel(s string) string {
	r := []rune(s)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	switch {
	case n == 0:
		return s
	case n == 1 || n == len(r):
		// "Id" -> "id"; "ARN" -> "arn"
	case unicode.IsLower(r[n]):
		n-- // keep the capital that starts the next word
	}
	for i := 0; i < n; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// normalize turns decoded JSON into graph property values: json.Number
// becomes int64 (or float64), lists and maps are copied and normalized
// recursively (so it also copies registry constants).
func normalize(v any) any {
	switch x := v.(type) {
	case []string:
		return slices.Clone(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

// timeLayouts are the time formats found in responses: RFC 3339 (the SDK's
// time.Time JSON), Lambda's LastModified, and the AWS CLI's format used by
// the authorization-details fixtures.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02 15:04:05-07:00"}

// parseTime parses a response timestamp.
func parseTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// epochMS converts a timestamp string to J1 epoch milliseconds (nil when
// absent or not a timestamp).
func epochMS(v any) (any, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil, nil
	}
	t, ok := parseTime(s)
	if !ok {
		return nil, fmt.Errorf("not a timestamp: %q", s)
	}
	return t.UnixMilli(), nil
}

// flattenValue is the automatic conversion of a top-level field: scalars
// only, timestamps to epoch ms; ok=false for lists, maps and nulls.
func flattenValue(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, false // unset SDK enums and strings marshal as ""
		}
		if t, ok := parseTime(x); ok && strings.ContainsAny(x[10:11], "T ") {
			return t.UnixMilli(), true
		}
		return v, true // v, not x: boxing x again would allocate
	case json.Number, bool:
		return normalize(x), true
	}
	return nil, false
}

// tagValue converts a tag value J1's way: "true"/"false" to booleans,
// all-digit strings to integers, d.d strings to floats.
func tagValue(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if s != "" && strings.Trim(s, "0123456789") == "" && len(s) < 16 {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	if before, after, ok := strings.Cut(s, "."); ok && before != "" && after != "" &&
		strings.Trim(before, "0123456789") == "" && strings.Trim(after, "0123456789") == "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return s
}

// tagPairs reads tags as AWS returns them: a list of {Key,Value} (any
// capitalisation) or a map of key to value. Order is kept for lists; maps
// come sorted by the caller through the graph's JSON.
func tagPairs(v any) [][2]string {
	var out [][2]string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			k := scalarString(firstOf(m, "Key", "key", "TagKey")) // TagKey: KMS
			if k == "" {
				continue
			}
			out = append(out, [2]string{k, scalarString(firstOf(m, "Value", "value", "TagValue"))})
		}
	case map[string]any:
		var buf [8]string
		for _, k := range sortedNames(x, buf[:0]) {
			out = append(out, [2]string{k, scalarString(x[k])})
		}
	}
	return out
}

// sortedNames appends the names of m to buf, sorted (buf: a caller's
// array, so that a small map costs no allocation).
func sortedNames(m map[string]any, buf []string) []string {
	for k := range m {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// applyTags sets tag.<Key>, tags, classification/owner/email (lowercased
// values) and the Name tag's displayName on e (notes.md §4).
func applyTags(e *graph.Entity, tags [][2]string) {
	if len(tags) == 0 {
		return
	}
	list, _ := e.Get("tags").([]string)
	for _, kv := range tags {
		k, v := kv[0], kv[1]
		e.Set("tag."+k, tagValue(v))
		if v == "" || v == "true" {
			if !containsString(list, k) {
				list = append(list, k)
			}
		}
		switch strings.ToLower(k) {
		case "classification", "owner", "email":
			e.Set(strings.ToLower(k), strings.ToLower(v))
		case "name":
			if v != "" {
				e.Set("displayName", v)
				if e.String("name") == "" {
					e.Set("name", v)
				}
			}
		}
	}
	if list != nil {
		e.Set("tags", list)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// --- named converters used by the registry ---

// decodePolicy returns an IAM/resource policy document as compact JSON
// text. IAM returns documents URL-encoded; S3 and Lambda return plain
// JSON; the AWS CLI (and the fixtures) give an already decoded object.
func decodePolicy(v any) (any, error) {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return nil, nil
		}
		if !strings.HasPrefix(s, "{") {
			u, err := url.QueryUnescape(s)
			if err != nil {
				return nil, fmt.Errorf("policy document: URL decoding: %w", err)
			}
			s = u
		}
		raw = []byte(s)
	case map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, fmt.Errorf("policy document: %w", err)
		}
		raw = b
	default:
		return nil, fmt.Errorf("policy document: unexpected %T", v)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("policy document is not JSON: %w", err)
	}
	return buf.String(), nil
}

// defaultPolicyVersion picks the default version's document from a
// PolicyVersionList.
func defaultPolicyVersion(v any) (any, error) {
	list, _ := v.([]any)
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if d, _ := m["IsDefaultVersion"].(bool); d {
			return decodePolicy(m["Document"])
		}
	}
	return nil, nil
}

// equals returns a converter testing the value's text for equality.
func equals(want string) Conv {
	return func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		return scalarString(v) == want, nil
	}
}

// onOff returns a converter of a two-valued status: true for on, false
// for off, null (unknown) for anything else, an empty status included.
func onOff(on, off string) Conv {
	return func(v any) (any, error) {
		switch scalarString(v) {
		case on:
			return true, nil
		case off:
			return false, nil
		}
		return nil, nil
	}
}

// present is true when the value is a non-empty object, list or string.
func present(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case []any:
		return len(x) > 0, nil
	case map[string]any:
		return len(x) > 0, nil
	case string:
		return x != "", nil
	}
	return true, nil
}

// first returns the first element of a list (or the value itself).
func first(v any) (any, error) {
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return nil, nil
		}
		return normalize(l[0]), nil
	}
	return normalize(v), nil
}

// anyTrue is true when any element of a list of booleans is true.
func anyTrue(v any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, nil
	}
	for _, e := range l {
		if b, _ := e.(bool); b {
			return true, nil
		}
	}
	return false, nil
}

// allTrue is true when every element of a non-empty list of booleans is
// true, false when one is false, and null (unknown) for an empty list or
// a non-boolean element (an AMI whose block devices are all encrypted).
func allTrue(v any) (any, error) {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil, nil
	}
	for _, e := range l {
		b, ok := e.(bool)
		if !ok {
			return nil, nil
		}
		if !b {
			return false, nil
		}
	}
	return true, nil
}

// has returns a converter that is true when the value, or an element of a
// list, has the text want (a snapshot's createVolumePermission groups
// include "all"). Nothing at the path is false: the path is read from an
// answer that was given.
func has(want string) Conv {
	return func(v any) (any, error) {
		l, ok := v.([]any)
		if !ok {
			l = []any{v}
		}
		for _, e := range l {
			if scalarString(e) == want {
				return true, nil
			}
		}
		return false, nil
	}
}

// count is the length of a list; nothing at the path is 0 (the SDK omits
// empty lists from an answer).
func count(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return int64(0), nil
	case []any:
		return int64(len(x)), nil
	}
	return nil, fmt.Errorf("not a list: %T", v)
}

// split returns a converter splitting text at sep into a list of its
// non-empty, trimmed parts (an Auto Scaling group's comma-separated
// VPCZoneIdentifier); nothing at the path stays nothing.
func split(sep string) Conv {
	return func(v any) (any, error) {
		s, _ := v.(string)
		var out []any
		for _, p := range strings.Split(s, sep) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
}

// except returns a RelSpec converter that drops the placeholder values
// AWS uses for "no such resource" (a copied snapshot's VolumeId
// vol-ffffffff): they give "", no target.
func except(placeholders ...string) Conv {
	return func(v any) (any, error) {
		if slices.Contains(placeholders, scalarString(v)) {
			return "", nil
		}
		return v, nil
	}
}

// awsManaged is true for policy ARNs owned by the account "aws".
func awsManaged(v any) (any, error) {
	s, _ := v.(string)
	return strings.HasPrefix(s, "arn:aws:iam::aws:"), nil
}

// bucketRegion maps a GetBucketLocation LocationConstraint to a region:
// "" is us-east-1 and the legacy "EU" is eu-west-1.
func bucketRegion(v any) (any, error) {
	s, _ := v.(string)
	switch s {
	case "":
		return "us-east-1", nil
	case "EU":
		return "eu-west-1", nil
	}
	return s, nil
}

// publicGroupURIs are the S3 ACL grantee groups that make a grant public.
var publicGroupURIs = map[string]bool{
	"http://acs.amazonaws.com/groups/global/AllUsers":           true,
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers": true,
}

// aclPublic is true when a bucket ACL grants anything to AllUsers or
// AuthenticatedUsers.
func aclPublic(v any) (any, error) {
	l, _ := v.([]any)
	for _, g := range l {
		if publicGroupURIs[scalarString(lookup(g, "Grantee.URI"))] {
			return true, nil
		}
	}
	return false, nil
}

// notPrivateEndpoint is true when an API Gateway endpoint configuration has
// any type other than PRIVATE.
func notPrivateEndpoint(v any) (any, error) {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil, nil
	}
	for _, t := range l {
		if scalarString(t) != "PRIVATE" {
			return true, nil
		}
	}
	return false, nil
}

// equalsNumber returns a converter testing a number for equality.
func equalsNumber(want int64) Conv {
	return func(v any) (any, error) {
		n, ok := normalize(v).(int64)
		if !ok {
			return nil, nil
		}
		return n == want, nil
	}
}

// lambdaFromIntegrationURI extracts the function ARN from an API Gateway
// Lambda integration URI
// (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations),
// dropping an alias or version qualifier. Stage-variable URIs name no
// function and give "".
func lambdaFromIntegrationURI(v any) (any, error) {
	uri, _ := v.(string)
	return lambdaARNFromURI(uri), nil
}

// lambdaARNFromURI is lambdaFromIntegrationURI on text.
func lambdaARNFromURI(uri string) string {
	_, after, ok := strings.Cut(uri, ":lambda:path/")
	if !ok {
		return ""
	}
	_, fn, ok := strings.Cut(after, "/functions/")
	if !ok {
		return ""
	}
	fn = strings.TrimSuffix(fn, "/invocations")
	if strings.Contains(fn, "${") || !strings.HasPrefix(fn, "arn:") {
		return ""
	}
	return unqualifiedLambdaARN(fn)
}

// unqualifiedLambdaARN drops a :version or :alias suffix
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]).
func unqualifiedLambdaARN(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 7 {
		parts = parts[:7]
	}
	return strings.Join(parts, ":")
}

// isARN is true for values that are ARNs (a virtual MFA device's serial
// number is its ARN; a hardware token's is not).
func isARN(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, nil
	}
	return strings.HasPrefix(s, "arn:"), nil
}

// internetGatewayRoute is true when a route table's Routes send traffic to
// an internet gateway (GatewayId igw-..., not blackholed), null when the
// routes are absent.
func internetGatewayRoute(v any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, nil
	}
	for _, r := range l {
		if strings.HasPrefix(scalarString(lookup(r, "GatewayId")), "igw-") && scalarString(lookup(r, "State")) != "blackhole" {
			return true, nil
		}
	}
	return false, nil
}

// s3BucketARN is the bucket ARN of an S3 destination ARN with an optional
// key prefix (arn:aws:s3:::bucket/prefix/ -> arn:aws:s3:::bucket); other
// values give "".
func s3BucketARN(v any) (any, error) {
	s, _ := v.(string)
	rest, ok := strings.CutPrefix(s, "arn:aws:s3:::")
	if !ok || rest == "" {
		return "", nil
	}
	bucket, _, _ := strings.Cut(rest, "/")
	return "arn:aws:s3:::" + bucket, nil
}

// valueNamed returns a converter that picks, from a list of {Name, Value}
// pairs (ECS cluster settings, task attachment details), the Value of the
// pair named name; nil when none is.
func valueNamed(name string) Conv {
	return func(v any) (any, error) {
		l, _ := v.([]any)
		for _, e := range l {
			if m, ok := e.(map[string]any); ok && scalarString(m["Name"]) == name {
				return normalize(m["Value"]), nil
			}
		}
		return nil, nil
	}
}

// listedWhere returns a converter that gathers, from a list of objects,
// the values of field (flattening lists) of the objects whose flag is true
// (EKS ClusterLogging [{Types, Enabled}] -> the enabled log types). An
// absent list gives nil; a list with none enabled gives an empty list.
func listedWhere(flag, field string) Conv {
	return func(v any) (any, error) {
		l, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		out := []any{}
		for _, e := range l {
			m, _ := e.(map[string]any)
			if on, _ := m[flag].(bool); !on {
				continue
			}
			switch x := m[field].(type) {
			case []any:
				out = append(out, normalize(x).([]any)...)
			case nil:
			default:
				out = append(out, normalize(x))
			}
		}
		return out, nil
	}
}

// batchScope returns the scope of a scoped batch key (collect/batch.go:
// the parent key that leads the newline-separated keys of a batched
// call's parent_key, e.g. the cluster of ecs DescribeContainerInstances).
func batchScope(v any) (any, error) {
	s, _ := v.(string)
	scope, _, _ := strings.Cut(s, "\n")
	return scope, nil
}

// contains returns a converter testing whether a list holds the text want
// (nil when the value is not a list).
func contains(want string) Conv {
	return func(v any) (any, error) {
		l, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		return slices.ContainsFunc(l, func(e any) bool { return scalarString(e) == want }), nil
	}
}

// arnPathPart returns a converter giving the i-th '/'-separated part of an
// ARN's resource (arn:aws:transfer:R:A:user/s-ID/NAME, 1: s-ID); nil when
// there is none.
func arnPathPart(i int) Conv {
	return func(v any) (any, error) {
		parts := strings.SplitN(scalarString(v), ":", 6)
		if len(parts) != 6 {
			return nil, nil
		}
		if res := strings.Split(parts[5], "/"); i < len(res) && res[i] != "" {
			return res[i], nil
		}
		return nil, nil
	}
}

// dnsName normalises a DNS name for matching: lower case, without the
// trailing dot Route 53 writes and the "dualstack." prefix of ELB alias
// targets (nil when there is no name).
func dnsName(v any) (any, error) {
	if h := hostOf(v); h != "" {
		return h, nil
	}
	return nil, nil
}

// hostOf is dnsName on text.
func hostOf(v any) string {
	s := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(scalarString(v))), ".")
	return strings.TrimPrefix(s, "dualstack.")
}

// s3BucketFromHost is the bucket named by an S3 endpoint host name ("" for
// any other name).
func s3BucketFromHost(v any) (any, error) {
	if m := s3HostRE.FindStringSubmatch(hostOf(v)); m != nil {
		return m[1], nil
	}
	return "", nil
}

// s3WebsiteAlias takes "ALIAS_DNS_NAME RECORD_NAME" and gives the record's
// name (the bucket) when the alias targets an S3 website endpoint.
func s3WebsiteAlias(v any) (any, error) {
	target, name, ok := strings.Cut(scalarString(v), " ")
	if !ok || !s3WebsiteRE.MatchString(hostOf(target)) {
		return "", nil
	}
	return hostOf(name), nil
}

// restAPIFromHost is the ARN of the REST API whose default endpoint a host
// name is ("" for any other name).
func restAPIFromHost(v any) (any, error) {
	if m := executeAPIRE.FindStringSubmatch(hostOf(v)); m != nil {
		return "arn:aws:apigateway:" + m[2] + "::/restapis/" + m[1], nil
	}
	return "", nil
}

// registrableDomain is the registered domain a DNS name belongs to
// (api.example.com -> example.com, www.example.co.uk -> example.co.uk).
func registrableDomain(v any) (any, error) {
	labels := strings.Split(hostOf(v), ".")
	n := 2
	if k := len(labels); k >= 3 && len(labels[k-1]) == 2 && secondLevelLabels[labels[k-2]] {
		n = 3
	}
	if len(labels) < n {
		return strings.Join(labels, "."), nil
	}
	return strings.Join(labels[len(labels)-n:], "."), nil
}

// joined joins a list of values with ", " (a record's values).
func joined(v any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, nil
	}
	parts := make([]string, 0, len(l))
	for _, e := range l {
		parts = append(parts, scalarString(e))
	}
	return strings.Join(parts, ", "), nil
}

// unqualifiedLambda is unqualifiedLambdaARN as a converter (a Lambda@Edge
// association names a function version).
func unqualifiedLambda(v any) (any, error) {
	return unqualifiedLambdaARN(scalarString(v)), nil
}

// s3HostRE matches the S3 REST and website endpoint host names of a bucket:
// BUCKET.s3.amazonaws.com, BUCKET.s3[.-]REGION.amazonaws.com,
// BUCKET.s3.dualstack.REGION.amazonaws.com, BUCKET.s3-website[.-]REGION.amazonaws.com.
var s3HostRE = regexp.MustCompile(`^(.+)\.s3(?:[.-]website)?(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com$`)

// s3WebsiteRE matches the alias target of a Route 53 alias to an S3
// website endpoint (the bucket is named like the record).
var s3WebsiteRE = regexp.MustCompile(`^s3-website[.-][a-z0-9-]+\.amazonaws\.com$`)

// executeAPIRE matches an API Gateway REST API's default endpoint host
// name, REST_API_ID.execute-api.REGION.amazonaws.com.
var executeAPIRE = regexp.MustCompile(`^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$`)

// secondLevelLabels are the labels that, under a two-letter country code,
// make a public suffix of their own (example.co.uk): an approximation of
// the public suffix list, enough to find the registered domain of a zone.
var secondLevelLabels = map[string]bool{"ac": true, "co": true, "com": true, "edu": true, "gov": true, "net": true, "org": true}
