package actions

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/snapaudit/snapaudit/analyze/iam/actions/internal/build"
)

// sharedData is ../shared/data seen from the repository root.
const sharedData = "../../../../shared/data"

func load(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEmbeddedNotStale fails when actions.json.gz differs from a fresh build
// of ../shared/data/iam-actions. Fix: go generate ./analyze/iam/actions.
func TestEmbeddedNotStale(t *testing.T) {
	dir := filepath.Join(sharedData, "iam-actions")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no %s: %v", dir, err)
	}
	fresh, err := build.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := load(t)
	want := fromFile(fresh)
	if c.Source() != want.Source() {
		t.Errorf("stale actions.json.gz: source %q, data is %q (run go generate ./analyze/iam/actions)", c.Source(), want.Source())
	}
	if diff := cmp.Diff(want.services, c.services); diff != "" {
		t.Errorf("stale actions.json.gz (run go generate ./analyze/iam/actions): -fresh +embedded\n%s", diff)
	}
	if diff := cmp.Diff(want.rcp, c.rcp); diff != "" {
		t.Errorf("stale RCP services: %s", diff)
	}
	// The encoder is deterministic, so the committed bytes match too.
	enc, err := build.Encode(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, embedded) {
		t.Log("note: committed gzip bytes differ from a fresh encoding (content is equal)")
	}
}

func TestCatalogInvariants(t *testing.T) {
	c := load(t)
	if c.Len() < 15000 {
		t.Fatalf("only %d actions", c.Len())
	}
	valid := map[AccessLevel]bool{List: true, Read: true, Write: true, Tagging: true, PermissionsManagement: true}
	prev := ""
	for _, s := range c.Services() {
		if s.Prefix <= prev {
			t.Errorf("services not sorted/unique: %q after %q", s.Prefix, prev)
		}
		prev = s.Prefix
		if len(s.Actions) == 0 {
			t.Errorf("service %s has no actions", s.Prefix)
		}
		for _, a := range s.Actions {
			for _, l := range a.Levels() {
				if !valid[l] {
					t.Errorf("%s: bad level %q", a, l)
				}
			}
		}
	}
	for _, s := range c.RCPServices() {
		if _, ok := c.byPrefix[s]; !ok {
			t.Errorf("RCP service %q not in catalog", s)
		}
	}
}

func names(l []Action) []string {
	out := make([]string, len(l))
	for i, a := range l {
		out[i] = a.String()
	}
	return out
}

func TestLookupAndExpand(t *testing.T) {
	c := load(t)
	tests := []struct {
		name      string
		pattern   string
		contains  []string
		excludes  []string
		exact     []string
		wantEmpty bool
	}{
		{name: "concrete action, any case", pattern: "S3:getobject", exact: []string{"s3:GetObject"}},
		{name: "prefix wildcard", pattern: "s3:Get*", contains: []string{"s3:GetObject", "s3:GetBucketPolicy"}, excludes: []string{"s3:PutObject", "s3:ListBucket"}},
		{name: "question mark", pattern: "iam:?etRole", exact: []string{"iam:GetRole", "iam:SetRole"}[:1]},
		{name: "infix wildcard", pattern: "glue:*DataQuality*", contains: []string{"glue:CancelDataQualityRuleRecommendationRun"}, excludes: []string{"glue:GetTable"}},
		{name: "service wildcard", pattern: "*:GetCallerIdentity", exact: []string{"sts:GetCallerIdentity"}},
		{name: "unknown service", pattern: "nosuch:*", wantEmpty: true},
		{name: "unknown action", pattern: "s3:NoSuchAction", wantEmpty: true},
		{name: "no colon", pattern: "s3", wantEmpty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(c.Expand(tt.pattern))
			if tt.wantEmpty && len(got) != 0 {
				t.Fatalf("Expand(%q) = %v, want none", tt.pattern, got)
			}
			if tt.exact != nil {
				if diff := cmp.Diff(tt.exact, got); diff != "" {
					t.Fatalf("Expand(%q): %s", tt.pattern, diff)
				}
			}
			set := map[string]bool{}
			for _, g := range got {
				set[g] = true
			}
			for _, w := range tt.contains {
				if !set[w] {
					t.Errorf("Expand(%q) lacks %s", tt.pattern, w)
				}
			}
			for _, w := range tt.excludes {
				if set[w] {
					t.Errorf("Expand(%q) has %s", tt.pattern, w)
				}
			}
		})
	}
	if a, ok := c.Lookup("s3:getobject"); !ok || a.Level != "Read" || a.Name != "GetObject" {
		t.Errorf("Lookup(s3:getobject) = %+v, %v", a, ok)
	}
	if a, ok := c.Lookup("iam:PassRole"); !ok || a.Levels()[0] != PermissionsManagement && a.Level != "Write" {
		t.Errorf("Lookup(iam:PassRole) = %+v, %v", a, ok)
	}
}

func TestComplement(t *testing.T) {
	c := load(t)
	all := c.Expand("*")
	if len(all) != c.Len() {
		t.Fatalf("Expand(*) = %d actions, Len = %d", len(all), c.Len())
	}
	tests := []struct {
		name string
		not  []string
	}{
		{name: "NotAction iam:*", not: []string{"iam:*"}},
		{name: "NotAction several services", not: []string{"iam:*", "organizations:*", "account:*"}},
		{name: "NotAction one action", not: []string{"s3:GetObject"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comp := c.Complement(tt.not)
			ex := c.ExpandAll(tt.not)
			if len(comp)+len(ex) != c.Len() {
				t.Fatalf("complement %d + excluded %d != %d", len(comp), len(ex), c.Len())
			}
			for _, a := range comp {
				for _, p := range tt.not {
					if glob(strings.ToLower(p), strings.ToLower(a.String())) {
						t.Fatalf("%s in complement of %s", a, p)
					}
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{name: "not gzip", in: []byte("{}")},
		{name: "gzip of garbage", in: mustGzip(t, []byte("not json"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(bytes.NewReader(tt.in)); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func mustGzip(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// The resource types of actions come from the data set (the IAM Service
// Authorization Reference): s3:GetObject is authorized against objects,
// s3:ListBucket against buckets, ec2:DescribeInstances against no resource.
// A variable matches anything, slashes included (object keys and role
// paths have them), so s3:ListBucket's pattern also matches object ARNs.
func TestAppliesTo(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action, arn string
		want        bool
	}{
		{"s3:GetObject", "arn:aws:s3:::b/k", true},
		{"s3:GetObject", "arn:aws:s3:::b", false},
		{"s3:ListBucket", "arn:aws:s3:::b", true},
		{"s3:ListAllMyBuckets", "*", true},
		{"s3:ListAllMyBuckets", "arn:aws:s3:::b", false},
		{"ec2:DescribeInstances", "", true},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:111122223333:volume/vol-1", false},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:f", true},
	}
	for _, tc := range tests {
		a, ok := c.Lookup(tc.action)
		if !ok {
			t.Fatalf("%s not in the catalog", tc.action)
		}
		if got := a.AppliesTo(tc.arn); got != tc.want {
			t.Errorf("%s applies to %q = %v, want %v (patterns %v)", tc.action, tc.arn, got, tc.want, a.Resources)
		}
	}
}
