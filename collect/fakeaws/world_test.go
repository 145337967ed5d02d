package fakeaws

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

const okWorldJSON = `{"account_id": "123456789012", "caller_arn": "arn:aws:iam::123456789012:user/t", "regions": ["us-east-1"]}`

// TestReadWorldErrors: a malformed world is rejected with an error naming the
// offending file and the problem.
func TestReadWorldErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "missing world.json",
			files: map[string]string{"ec2/us-east-1/DescribeVpcs.xml": "<a/>"},
			want:  []string{"world.json"},
		},
		{
			name:  "unknown world.json field",
			files: map[string]string{"world.json": `{"account_id": "123456789012", "caller_arn": "arn:aws:iam::123456789012:user/t", "regions": ["us-east-1"], "region": "x"}`},
			want:  []string{"world.json", `unknown field "region"`},
		},
		{
			name:  "bad account id",
			files: map[string]string{"world.json": `{"account_id": "1234", "caller_arn": "arn:aws:iam::1234:user/t", "regions": ["us-east-1"]}`},
			want:  []string{"world.json", "account_id"},
		},
		{
			name:  "bucket in unknown region",
			files: map[string]string{"world.json": `{"account_id": "123456789012", "caller_arn": "arn:aws:iam::123456789012:user/t", "regions": ["us-east-1"], "buckets": {"b": "eu-west-9"}}`},
			want:  []string{"world.json", `buckets["b"]`},
		},
		{
			name:  "malformed JSON fixture",
			files: map[string]string{"world.json": okWorldJSON, "dynamodb/us-east-1/ListTables.json": `{"TableNames": [}`},
			want:  []string{"dynamodb/us-east-1/ListTables.json", "invalid JSON"},
		},
		{
			name:  "malformed XML fixture",
			files: map[string]string{"world.json": okWorldJSON, "ec2/us-east-1/DescribeVpcs.xml": `<DescribeVpcsResponse><vpcSet></DescribeVpcsResponse>`},
			want:  []string{"ec2/us-east-1/DescribeVpcs.xml", "invalid XML"},
		},
		{
			name:  "two XML roots",
			files: map[string]string{"world.json": okWorldJSON, "ec2/us-east-1/DescribeVpcs.xml": `<a/><b/>`},
			want:  []string{"ec2/us-east-1/DescribeVpcs.xml", "root"},
		},
		{
			name:  "unknown service directory",
			files: map[string]string{"world.json": okWorldJSON, "config/us-east-1/DescribeConfigRules.json": `{}`},
			want:  []string{"config/", "configservice"},
		},
		{
			name:  "bad region directory",
			files: map[string]string{"world.json": okWorldJSON, "ec2/useast1/DescribeVpcs.xml": `<a/>`},
			want:  []string{"ec2/useast1/", "region"},
		},
		{
			name:  "file directly in a service directory",
			files: map[string]string{"world.json": okWorldJSON, "ec2/DescribeVpcs.xml": `<a/>`},
			want:  []string{"ec2/DescribeVpcs.xml", "region directory"},
		},
		{
			name:  "unknown extension",
			files: map[string]string{"world.json": okWorldJSON, "ec2/us-east-1/DescribeVpcs.txt": `x`},
			want:  []string{"ec2/us-east-1/DescribeVpcs.txt", "extension"},
		},
		{
			name:  "lower-case operation",
			files: map[string]string{"world.json": okWorldJSON, "ec2/us-east-1/describeVpcs.xml": `<a/>`},
			want:  []string{"ec2/us-east-1/describeVpcs.xml", "operation name"},
		},
		{
			name:  "match without value",
			files: map[string]string{"world.json": okWorldJSON, "iam/global/ListAccessKeys@UserName.xml": `<a/>`},
			want:  []string{"iam/global/ListAccessKeys@UserName.xml", "@<param>=<value>"},
		},
		{
			name: "page without first page",
			files: map[string]string{"world.json": okWorldJSON,
				"ec2/us-east-1/DescribeVpcs@VpcId.1=vpc-1#p2.xml": `<a/>`,
				"ec2/us-east-1/DescribeVpcs@VpcId.1=vpc-1#p3.xml": `<a>p2</a>`},
			want: []string{"ec2/us-east-1/DescribeVpcs@VpcId.1=vpc-1#p2.xml", "first page"},
		},
		{
			name: "unreachable page",
			files: map[string]string{"world.json": okWorldJSON,
				"ec2/us-east-1/DescribeVpcs.xml":    `<a><nextToken>p2</nextToken></a>`,
				"ec2/us-east-1/DescribeVpcs#p2.xml": `<a/>`,
				"ec2/us-east-1/DescribeVpcs#p3.xml": `<a/>`},
			want: []string{"#p3.xml", `"p3"`, "no other page"},
		},
		{
			name: "same request answered twice",
			files: map[string]string{"world.json": okWorldJSON,
				"s3/global/GetBucketPolicy@Bucket=b.json":       `{}`,
				"s3/global/GetBucketPolicy@Bucket=b.error.json": `{"code": "NoSuchBucketPolicy"}`},
			want: []string{"GetBucketPolicy@Bucket=b", "answers the same requests"},
		},
		{
			name:  "error fixture without code",
			files: map[string]string{"world.json": okWorldJSON, "s3/global/GetBucketPolicy.error.json": `{"message": "x"}`},
			want:  []string{"s3/global/GetBucketPolicy.error.json", `"code" is required`},
		},
		{
			name:  "error fixture with unknown field",
			files: map[string]string{"world.json": okWorldJSON, "s3/global/GetBucketPolicy.error.json": `{"code": "x", "type": "Sender"}`},
			want:  []string{"s3/global/GetBucketPolicy.error.json", "unknown field"},
		},
		{
			name:  "error fixture with success status",
			files: map[string]string{"world.json": okWorldJSON, "s3/global/GetBucketPolicy.error.json": `{"code": "x", "status": 200}`},
			want:  []string{"s3/global/GetBucketPolicy.error.json", "status 200"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			w, err := readWorldFS(fsys)
			if err == nil {
				t.Fatalf("want an error, loaded %d fixtures", len(w.Fixtures()))
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestReadWorldDir: ReadWorld names the directory; the shipped worlds load.
func TestReadWorldDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := ReadWorld(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadWorld(%s) = %v, want an error naming the directory", missing, err)
	}
	for _, dir := range []string{basicWorld} {
		w, err := ReadWorld(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Fixtures()) == 0 {
			t.Errorf("%s: no fixtures", dir)
		}
	}
}

// TestLookup covers fixture selection: region before global, most matches
// wins, pages by token, unknown token.
func TestLookup(t *testing.T) {
	fsys := fstest.MapFS{
		"world.json":                                  {Data: []byte(okWorldJSON)},
		"iam/global/ListAccessKeys.xml":               {Data: []byte(`<default/>`)},
		"iam/global/ListAccessKeys@UserName=a.xml":    {Data: []byte(`<a><Marker>m2</Marker></a>`)},
		"iam/global/ListAccessKeys@UserName=a#m2.xml": {Data: []byte(`<a2/>`)},
		"ec2/global/DescribeVpcs.xml":                 {Data: []byte(`<global/>`)},
		"ec2/us-east-1/DescribeVpcs.xml":              {Data: []byte(`<regional/>`)},
	}
	w, err := readWorldFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, service, region, op string
		params                    map[string]string
		wantPath, wantErr         string
	}{
		{name: "default", service: "iam", region: "us-east-1", op: "ListAccessKeys", params: map[string]string{"UserName": "b"}, wantPath: "iam/global/ListAccessKeys.xml"},
		{name: "matched first page", service: "iam", region: "us-east-1", op: "ListAccessKeys", params: map[string]string{"UserName": "a"}, wantPath: "iam/global/ListAccessKeys@UserName=a.xml"},
		{name: "matched second page", service: "iam", region: "us-east-1", op: "ListAccessKeys", params: map[string]string{"UserName": "a", "Marker": "m2"}, wantPath: "iam/global/ListAccessKeys@UserName=a#m2.xml"},
		{name: "unknown token", service: "iam", region: "us-east-1", op: "ListAccessKeys", params: map[string]string{"UserName": "a", "Marker": "zz"}, wantErr: "InvalidNextToken"},
		{name: "region first", service: "ec2", region: "us-east-1", op: "DescribeVpcs", wantPath: "ec2/us-east-1/DescribeVpcs.xml"},
		{name: "global fallback", service: "ec2", region: "eu-west-1", op: "DescribeVpcs", wantPath: "ec2/global/DescribeVpcs.xml"},
		{name: "nothing", service: "ec2", region: "eu-west-1", op: "DescribeSubnets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e := w.lookup(tt.service, tt.region, tt.op, tt.params)
			var gotPath, gotErr string
			if f != nil {
				gotPath = f.Path
			}
			if e != nil {
				gotErr = e.Code
			}
			if gotPath != tt.wantPath || gotErr != tt.wantErr {
				t.Errorf("got %q/%q, want %q/%q", gotPath, gotErr, tt.wantPath, tt.wantErr)
			}
		})
	}
}

// fatalRecorder is a testing.TB whose Fatalf records instead of stopping.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper()                        {}
func (r *fatalRecorder) Fatalf(format string, a ...any) { r.msg = fmt.Sprintf(format, a...) }

// TestLoadWorldFails: LoadWorld fails the test with the file's name.
func TestLoadWorldFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "world.json"), []byte(`{"account_id": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &fatalRecorder{TB: t}
	if w := LoadWorld(rec, dir); w != nil {
		t.Errorf("LoadWorld returned a world for a broken directory")
	}
	if !strings.Contains(rec.msg, filepath.Join(dir)) || !strings.Contains(rec.msg, "world.json") {
		t.Errorf("Fatalf message %q does not name the directory and world.json", rec.msg)
	}
}
