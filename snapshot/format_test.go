package snapshot

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestParquetSchema reads a written file back through parquet-go's low-level
// API and checks it against the FORMAT.md column table, spelled out here
// independently of columnSpecs.
func TestParquetSchema(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	_, m := writeAll(t, dir, genRows(200, 300, 8), 2)
	type col struct {
		name     string
		physical format.Type
		logical  string // LogicalType.String() ("" none)
		dict     bool
	}
	want := []col{
		{name: "account_id", physical: format.ByteArray, logical: "STRING", dict: true},
		{name: "region", physical: format.ByteArray, logical: "STRING", dict: true},
		{name: "parent_key", physical: format.ByteArray, logical: "STRING"},
		{name: "params", physical: format.ByteArray, logical: "STRING"},
		{name: "page", physical: format.Int32, logical: "INT(32,true)"},
		{name: "status", physical: format.ByteArray, logical: "STRING", dict: true},
		{name: "error_class", physical: format.ByteArray, logical: "STRING", dict: true},
		{name: "error_code", physical: format.ByteArray, logical: "STRING", dict: true},
		{name: "error_message", physical: format.ByteArray, logical: "STRING"},
		{name: "response", physical: format.ByteArray, logical: "STRING"},
		{name: "collected_at", physical: format.Int64, logical: "TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)"},
	}
	for _, mf := range m.Files {
		t.Run(mf.Path, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, filepath.FromSlash(mf.Path)))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pf, err := parquet.OpenFile(f, mf.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			md := pf.Metadata()
			// Schema elements: the root, then one leaf per column.
			var got []col
			for _, el := range md.Schema[1:] {
				c := col{name: el.Name, physical: el.Type.V}
				c.logical = el.LogicalType.String()
				if rt := el.RepetitionType; !rt.Valid || rt.V != format.Required {
					t.Errorf("column %s repetition %v, want REQUIRED", el.Name, rt)
				}
				got = append(got, c)
			}
			if len(md.RowGroups) == 0 {
				t.Fatal("no row groups")
			}
			for _, rg := range md.RowGroups {
				for i, cc := range rg.Columns {
					if cc.MetaData.Codec != format.Zstd {
						t.Errorf("column %s codec %v, want ZSTD", cc.MetaData.PathInSchema, cc.MetaData.Codec)
					}
					if i < len(got) {
						got[i].dict = slices.Contains(cc.MetaData.Encoding, format.RLEDictionary)
					}
				}
				var sorting []int32
				for _, sc := range rg.SortingColumns {
					if sc.Descending {
						t.Errorf("sorting column %d descending", sc.ColumnIdx)
					}
					sorting = append(sorting, sc.ColumnIdx)
				}
				if diff := cmp.Diff([]int32{0, 1, 2, 4, 3}, sorting); diff != "" {
					t.Errorf("sorting columns (account_id, region, parent_key, page, params) (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(col{})); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
			if v, ok := pf.Lookup(keyValueVersion); !ok || v != "1" {
				t.Errorf("key/value %s = %q, %v; want \"1\"", keyValueVersion, v, ok)
			}
			if pf.NumRows() != mf.Rows {
				t.Errorf("footer rows %d, manifest %d", pf.NumRows(), mf.Rows)
			}
		})
	}
}

// TestColumnSpecsMatchWriter keeps the reader's schema table and the
// writer's struct tags in step.
func TestColumnSpecsMatchWriter(t *testing.T) {
	s := parquet.SchemaOf(fileRow{})
	if err := checkSchema(s); err != nil {
		t.Fatalf("the writer's schema fails the reader's check: %v", err)
	}
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name())
	}
	var specNames []string
	for _, c := range columnSpecs {
		specNames = append(specNames, c.Name)
	}
	if diff := cmp.Diff(specNames, names); diff != "" {
		t.Errorf("column order (-columnSpecs +fileRow):\n%s", diff)
	}
	for _, n := range names {
		if n == "service" || n == "operation" {
			t.Errorf("data files must not carry the Hive partition column %q", n)
		}
	}
}

// TestGoldenManifest pins the manifest (and through its hashes the data
// files) for a fixed input. A parquet-go upgrade may legitimately change the
// file bytes: inspect, then run `go test ./snapshot -run GoldenManifest
// -update`.
func TestGoldenManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	writeAll(t, dir, genRows(40, 150, 77), 4, WithMemoryBudget(8<<10))
	got, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "manifest.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("manifest differs from %s (run with -update after checking why):\n%s", golden, cmp.Diff(string(want), string(got)))
	}
	// The golden file itself is a valid manifest.
	if _, err := decodeManifest(want); err != nil {
		t.Errorf("golden manifest does not decode: %v", err)
	}
}

func TestManifestSelfHash(t *testing.T) {
	m := &Manifest{Format: FormatName, FormatVersion: 1, Accounts: []string{"111122223333"},
		Files: []File{}, Calls: []CallStatus{}, SDKModules: []Module{}, Regions: []string{}}
	raw, err := encodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func([]byte) []byte
		wantErr bool
	}{
		{name: "as written", edit: func(b []byte) []byte { return b }},
		{name: "trailing newline removed", edit: func(b []byte) []byte { return b[:len(b)-1] }, wantErr: true},
		{name: "space added", edit: func(b []byte) []byte { return append([]byte(" "), b...) }, wantErr: true},
		{name: "letter case changed in a value", edit: func(b []byte) []byte {
			return bytes.Replace(b, []byte("snapaudit-snapshot"), []byte("Snapaudit-snapshot"), 1)
		}, wantErr: true},
		{name: "hash upper-cased", edit: func(b []byte) []byte {
			return bytes.Replace(b, []byte(m.ManifestSHA256), bytes.ToUpper([]byte(m.ManifestSHA256)), 1)
		}, wantErr: true},
		{name: "hash field removed", edit: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"manifest_sha256"`), []byte(`"manifest_sha257"`), 1)
		}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeManifest(tt.edit(slices.Clone(raw)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("decodeManifest: err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestManifestLookups(t *testing.T) {
	m := &Manifest{
		Files: []File{
			{Path: "data/service=ec2/operation=DescribeInstances/part-00000.parquet", Service: "ec2", Operation: "DescribeInstances"},
			{Path: "data/service=ec2/operation=DescribeInstances/part-00001.parquet", Service: "ec2", Operation: "DescribeInstances"},
			{Path: "data/service=iam/operation=ListRoles/part-00000.parquet", Service: "iam", Operation: "ListRoles"},
		},
		Calls: []CallStatus{
			{AccountID: "111122223333", Region: "eu-west-1", Service: "ec2", Operation: "DescribeInstances", Status: CallOK},
			{AccountID: "111122223333", Region: "global", Service: "iam", Operation: "ListRoles", Status: CallPartial},
			{AccountID: "111122223333", Region: "us-east-1", Service: "ec2", Operation: "DescribeInstances", Status: CallError},
		},
	}
	tests := []struct {
		name                     string
		account, region, svc, op string
		wantFound, wantComplete  bool
		wantStatus               string
	}{
		{name: "collected ok", account: "111122223333", region: "eu-west-1", svc: "ec2", op: "DescribeInstances",
			wantFound: true, wantComplete: true, wantStatus: CallOK},
		{name: "partial", account: "111122223333", region: "global", svc: "iam", op: "ListRoles", wantFound: true, wantStatus: CallPartial},
		{name: "failed", account: "111122223333", region: "us-east-1", svc: "ec2", op: "DescribeInstances", wantFound: true, wantStatus: CallError},
		{name: "never collected region", account: "111122223333", region: "ap-south-1", svc: "ec2", op: "DescribeInstances"},
		{name: "never collected account", account: "999999999999", region: "eu-west-1", svc: "ec2", op: "DescribeInstances"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := m.Call(tt.account, tt.region, tt.svc, tt.op)
			if ok != tt.wantFound || c.Complete() != tt.wantComplete || c.Status != tt.wantStatus {
				t.Fatalf("Call = %+v, %v; want found %v complete %v status %q", c, ok, tt.wantFound, tt.wantComplete, tt.wantStatus)
			}
		})
	}
	if got := len(m.CallsOf("ec2", "DescribeInstances")); got != 2 {
		t.Errorf("CallsOf ec2:DescribeInstances = %d calls, want 2", got)
	}
	if got := len(m.FilesOf("ec2", "DescribeInstances")); got != 2 {
		t.Errorf("FilesOf ec2:DescribeInstances = %d files, want 2", got)
	}
	wantParts := []Partition{{Service: "ec2", Operation: "DescribeInstances"}, {Service: "iam", Operation: "ListRoles"}}
	if diff := cmp.Diff(wantParts, m.Partitions()); diff != "" {
		t.Errorf("Partitions (-want +got):\n%s", diff)
	}
}

func TestCallStatusOf(t *testing.T) {
	tests := []struct {
		name                        string
		invocations, pages, okPages int64
		want                        string
	}{
		{name: "all pages ok", invocations: 3, pages: 7, okPages: 7, want: CallOK},
		{name: "one of three invocations failed", invocations: 3, pages: 7, okPages: 6, want: CallPartial},
		{name: "single invocation failed on page 0", invocations: 1, pages: 1, okPages: 0, want: CallError},
		{name: "single invocation failed after two pages", invocations: 1, pages: 3, okPages: 2, want: CallError},
		{name: "every per-parent invocation denied", invocations: 4, pages: 4, okPages: 0, want: CallError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := callStatusOf(tt.invocations, tt.pages, tt.okPages); got != tt.want {
				t.Fatalf("callStatusOf(%d, %d, %d) = %q, want %q", tt.invocations, tt.pages, tt.okPages, got, tt.want)
			}
		})
	}
}

func TestBuildInfo(t *testing.T) {
	tests := []struct {
		name     string
		bi       debug.BuildInfo
		wantTool Tool
		wantMods []Module
	}{
		{
			name: "release build",
			bi: debug.BuildInfo{
				GoVersion: "go1.26.8",
				Main:      debug.Module{Path: "github.com/snapaudit/snapaudit", Version: "v1.2.3"},
				Deps: []*debug.Module{
					{Path: "github.com/parquet-go/parquet-go", Version: "v0.32.0"},
					{Path: "github.com/aws/aws-sdk-go-v2/service/s3", Version: "v1.114.8"},
					{Path: "github.com/aws/smithy-go", Version: "v1.28.8"},
					{Path: "github.com/aws/aws-sdk-go-v2", Version: "v1.47.7"},
					{Path: "github.com/aws/aws-sdk-go-v2-fork", Version: "v9.9.9"},
				},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}},
			},
			wantTool: Tool{Name: "snapaudit", Version: "v1.2.3", Revision: "abc123", GoVersion: "go1.26.8"},
			wantMods: []Module{
				{Path: "github.com/aws/aws-sdk-go-v2", Version: "v1.47.7"},
				{Path: "github.com/aws/aws-sdk-go-v2/service/s3", Version: "v1.114.8"},
				{Path: "github.com/aws/smithy-go", Version: "v1.28.8"},
			},
		},
		{
			name: "dirty dev build",
			bi: debug.BuildInfo{
				GoVersion: "go1.26.8",
				Main:      debug.Module{Path: "github.com/snapaudit/snapaudit", Version: "(devel)"},
				Settings:  []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}},
			},
			wantTool: Tool{Name: "snapaudit", Version: "(devel)", Revision: "abc123-dirty", GoVersion: "go1.26.8"},
			wantMods: []Module{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tool, mods := buildInfoFrom(&tt.bi)
			if diff := cmp.Diff(tt.wantTool, tool); diff != "" {
				t.Errorf("tool (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMods, mods); diff != "" {
				t.Errorf("modules (-want +got):\n%s", diff)
			}
		})
	}
	// The real binary: the test binary links aws-sdk-go-v2 only if this
	// package imports it, which it does not, so only check the tool part.
	tool, mods := BuildInfo()
	if tool.Name != "snapaudit" || tool.GoVersion == "" || mods == nil {
		t.Errorf("BuildInfo() = %+v, %v", tool, mods)
	}
}
