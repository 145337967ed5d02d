package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/snapshot"
)

// newTestSnapshot writes a small snapshot with two partitions.
func newTestSnapshot(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	w, err := snapshot.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	rows := []snapshot.Row{
		{AccountID: "111122223333", Region: "us-east-1", Service: "ec2", Operation: "DescribeInstances", Params: "{}",
			Status: snapshot.StatusOK, Response: `{"Reservations":[]}`, CollectedAt: at},
		{AccountID: "111122223333", Region: "global", Service: "s3", Operation: "GetBucketPolicy", ParentKey: "logs",
			Params: `{"Bucket":"logs"}`, Status: snapshot.StatusError, ErrorClass: snapshot.ClassNotFound,
			ErrorCode: "NoSuchBucketPolicy", ErrorMessage: "The bucket policy does not exist", CollectedAt: at},
	}
	for _, r := range rows {
		if err := w.Write(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit(ctx, snapshot.Metadata{Accounts: []string{"111122223333"}, StartedAt: at, FinishedAt: at}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestVerifyCommand(t *testing.T) {
	const part = "data/service=ec2/operation=DescribeInstances/part-00000.parquet"
	flipByte := func(t *testing.T, dir string) {
		path := filepath.Join(dir, filepath.FromSlash(part))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x01
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "stray.txt"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     func(dir string) []string
		corrupt  func(t *testing.T, dir string)
		wantCode int
		wantOut  []string // substrings of stdout
		wantErr  string   // substring of stderr
		wantJSON string   // "ok" or "problems": stdout is a report saying so
	}{
		{name: "intact", args: func(d string) []string { return []string{"verify", d} }, wantCode: ExitOK,
			wantOut: []string{"OK ", ": format v1, 2 files, 2 rows, "}},
		{name: "intact json", args: func(d string) []string { return []string{"verify", "--json", d} }, wantCode: ExitOK,
			wantOut: []string{`"ok": true`, `"files": 2`}, wantJSON: "ok"},
		{name: "corrupt lists every problem", args: func(d string) []string { return []string{"verify", d} },
			corrupt: flipByte, wantCode: ExitError,
			wantOut: []string{part + ": sha256 is", "stray.txt: unexpected file"},
			wantErr: "2 problem(s) found"},
		{name: "corrupt json", args: func(d string) []string { return []string{"verify", "--json", d} },
			corrupt: flipByte, wantCode: ExitError, wantOut: []string{`"path": "stray.txt"`}, wantJSON: "problems"},
		{name: "manifest edited", args: func(d string) []string { return []string{"verify", d} },
			corrupt: func(t *testing.T, dir string) {
				path := filepath.Join(dir, snapshot.ManifestName)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, bytes.Replace(b, []byte(`"rows": 1`), []byte(`"rows": 2`), 1), 0o644); err != nil {
					t.Fatal(err)
				}
			}, wantCode: ExitError, wantOut: []string{"manifest.json: "}},
		{name: "not a snapshot", args: func(d string) []string { return []string{"verify", filepath.Dir(d)} },
			wantCode: ExitError, wantOut: []string{"manifest.json: missing"}},
		{name: "no such directory: its path, not \".\"", args: func(d string) []string { return []string{"verify", filepath.Join(d, "nope")} },
			wantCode: ExitError, wantOut: []string{string(filepath.Separator) + "nope: not a directory"}},
		{name: "missing argument", args: func(string) []string { return []string{"verify"} }, wantCode: ExitUsage,
			wantErr: "want exactly one argument"},
		{name: "two arguments", args: func(d string) []string { return []string{"verify", d, d} }, wantCode: ExitUsage,
			wantErr: "want exactly one argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newTestSnapshot(t)
			if tt.corrupt != nil {
				tt.corrupt(t, dir)
			}
			var out, errw bytes.Buffer
			code := Run(context.Background(), append([]string{"snapaudit"}, tt.args(dir)...), strings.NewReader(""), &out, &errw)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out.String(), errw.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(errw.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errw.String())
			}
			if tt.wantJSON != "" {
				var rep snapshot.Report
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
					t.Fatalf("--json output is not a report: %v\n%s", err, out.String())
				}
				if rep.OK != (tt.wantJSON == "ok") || rep.OK != (len(rep.Problems) == 0) {
					t.Errorf("report ok=%v with %d problems, want %s", rep.OK, len(rep.Problems), tt.wantJSON)
				}
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{name: "bytes", n: 1023, want: "1023 bytes"},
		{name: "KiB", n: 1536, want: "1.5 KiB (1536 bytes)"},
		{name: "MiB", n: 5 << 20, want: "5.0 MiB (5242880 bytes)"},
		{name: "GiB", n: 3 << 30, want: fmt.Sprintf("3.0 GiB (%d bytes)", int64(3<<30))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := byteSize(tt.n); got != tt.want {
				t.Fatalf("byteSize(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
