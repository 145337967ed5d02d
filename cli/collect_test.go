package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// collectEnv points the SDK at nothing but the test's static keys.
func collectEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE": "", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": "cli-secret", "AWS_SESSION_TOKEN": "",
		redactionKeyEnv: "",
	} {
		t.Setenv(k, v)
	}
}

func TestCollectCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     func(url, dir, keyFile string) []string
		wantCode int
		check    func(t *testing.T, dir, stdout, stderr string)
	}{
		{
			name: "json events",
			args: func(url, dir, keyFile string) []string {
				return []string{"collect", "--endpoint-url", url, "--regions", "us-east-1", "--max-attempts", "2",
					"--redaction-key-file", keyFile, "--json", dir}
			},
			wantCode: ExitOK,
			check: func(t *testing.T, dir, stdout, stderr string) {
				if stdout != dir+"\n" {
					t.Errorf("stdout %q, want the snapshot path", stdout)
				}
				sc := bufio.NewScanner(strings.NewReader(stderr))
				kinds := map[string]int{}
				for sc.Scan() {
					var ev struct{ Kind string }
					if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
						t.Fatalf("stderr line is not JSON: %q", sc.Text())
					}
					kinds[ev.Kind]++
				}
				if kinds["call_started"] == 0 || kinds["call_started"] != kinds["call_finished"] || kinds["summary"] != 1 {
					t.Errorf("event kinds %v", kinds)
				}
				if _, err := snapshot.Verify(t.Context(), dir); err != nil {
					t.Errorf("verify: %v", err)
				}
			},
		},
		{
			name: "quiet without a terminal",
			args: func(url, dir, _ string) []string {
				return []string{"collect", "--endpoint-url", url, "--regions", "eu-west-1", "--out", dir}
			},
			wantCode: ExitOK,
			check: func(t *testing.T, dir, stdout, stderr string) {
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				if len(lines) != 2 || !strings.HasPrefix(lines[0], "collected account 123456789012:") ||
					!strings.HasPrefix(lines[1], "snapshot: ") {
					t.Errorf("stderr %q, want the two summary lines only", stderr)
				}
				if !strings.Contains(stderr, "regions eu-west-1") || !strings.Contains(stderr, "not_found=") {
					t.Errorf("summary lacks regions or error classes: %q", stderr)
				}
			},
		},
		{
			name: "profiles and the workers' debug line",
			args: func(url, dir, _ string) []string {
				base := filepath.Dir(dir)
				return []string{"--log-level", "debug", "collect", "--endpoint-url", url, "--regions", "us-east-1",
					"--cpuprofile", filepath.Join(base, "cpu.prof"), "--memprofile", filepath.Join(base, "mem.prof"), dir}
			},
			wantCode: ExitOK,
			check: func(t *testing.T, dir, _, stderr string) {
				for _, name := range []string{"cpu.prof", "mem.prof"} {
					b, err := os.ReadFile(filepath.Join(filepath.Dir(dir), name))
					if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b { // pprof profiles are gzipped
						t.Errorf("%s: %d bytes, err %v; want a gzipped pprof profile", name, len(b), err)
					}
				}
				if !strings.Contains(stderr, "msg=workers concurrency=8 idle=") {
					t.Errorf("stderr lacks the workers' debug line:\n%s", stderr)
				}
			},
		},
		{
			name:     "missing directory argument",
			args:     func(url, _, _ string) []string { return []string{"collect", "--endpoint-url", url} },
			wantCode: ExitUsage,
		},
		{
			name: "directory given twice",
			args: func(url, dir, _ string) []string {
				return []string{"collect", "--endpoint-url", url, "--out", dir, dir}
			},
			wantCode: ExitUsage,
		},
		{
			name: "empty redaction key file",
			args: func(url, dir, _ string) []string {
				empty := filepath.Join(filepath.Dir(dir), "empty.key")
				if err := os.WriteFile(empty, nil, 0o600); err != nil {
					panic(err)
				}
				return []string{"collect", "--endpoint-url", url, "--redaction-key-file", empty, dir}
			},
			wantCode: ExitError,
			check: func(t *testing.T, dir, _, stderr string) {
				if !strings.Contains(stderr, "is empty") {
					t.Errorf("stderr %q", stderr)
				}
				if _, err := os.Stat(dir); err == nil {
					t.Error("a snapshot directory was created")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			collectEnv(t)
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/basic"))
			tmp := t.TempDir()
			keyFile := filepath.Join(tmp, "redaction.key")
			if err := os.WriteFile(keyFile, []byte("fixed-key\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(tmp, "snap")
			var out, errw bytes.Buffer
			code := Run(t.Context(), append([]string{"snapaudit"}, tt.args(srv.URL(), dir, keyFile)...), nil, &out, &errw)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, errw.String())
			}
			if tt.check != nil {
				tt.check(t, dir, out.String(), errw.String())
			}
		})
	}
}

func TestProgressRendering(t *testing.T) {
	events := []collect.Event{
		{Kind: collect.EventCallStarted, Service: "ec2", Operation: "DescribeVpcs", Region: "eu-west-1"},
		{Kind: collect.EventCallFinished, Service: "ec2", Operation: "DescribeVpcs", Region: "eu-west-1", Pages: 1, Rows: 1},
		{Kind: collect.EventRegionSkipped, Region: "ap-east-1", Message: "not enabled"},
	}
	sum := collect.Summary{AccountID: "111122223333", Regions: []string{"eu-west-1"}, Calls: 1, Rows: 1,
		Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 2}, SkippedRegions: map[string]string{"ap-east-1": "not enabled"}}
	tests := []struct {
		name      string
		json, tty bool
		want      []string // substrings, in order
	}{
		{name: "quiet", want: []string{"collected account 111122223333: 1 calls, 1 rows, regions eu-west-1, errors denied=2",
			"skipped region ap-east-1: not enabled"}},
		{name: "terminal", tty: true, want: []string{"\r\033[Kcalls 0/1", "skipped region ap-east-1", "\r\033[K",
			"collected account 111122223333"}},
		{name: "json lines", json: true, want: []string{`{"kind":"call_started"`, `{"kind":"call_finished"`,
			`{"kind":"region_skipped"`, `{"kind":"summary","summary":{"account_id":"111122223333"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&buf, tt.json, tt.tty)
			for _, e := range events {
				p.event(e)
			}
			p.finish(sum, nil, nil)
			out := buf.String()
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%q", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestCollectReadTimeout: --read-timeout bounds how long a silent
// connection is waited for; a call whose every attempt stalls is recorded
// as failed with the timeout in its message, and the rest is collected.
func TestCollectReadTimeout(t *testing.T) {
	collectEnv(t)
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/basic"))
	srv.Fail(fakeaws.Fault{Service: "iam", Operation: "ListAccountAliases", Kind: fakeaws.FaultStall, Times: -1})
	dir := filepath.Join(t.TempDir(), "snap")
	var out, errw bytes.Buffer
	code := Run(t.Context(), []string{"snapaudit", "collect", "--endpoint-url", srv.URL(), "--regions", "us-east-1",
		"--max-attempts", "1", "--read-timeout", "250ms", "--out", dir}, nil, &out, &errw)
	if code != ExitPartial || !strings.Contains(errw.String(), "iam:ListAccountAliases  other  global  no answer within 250ms") {
		t.Fatalf("exit %d, want %d with the stalled call listed; stderr:\n%s", code, ExitPartial, errw.String())
	}
	s, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	if err := s.Rows(t.Context(), "iam", "ListAccountAliases", func(r snapshot.Row) error {
		msgs = append(msgs, r.ErrorMessage)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "250ms") {
		t.Errorf("ListAccountAliases rows' messages %q, want one naming the 250ms read timeout", msgs)
	}

	errw.Reset()
	code = Run(t.Context(), []string{"snapaudit", "collect", "--endpoint-url", srv.URL(), "--read-timeout", "0s",
		filepath.Join(t.TempDir(), "snap")}, nil, &out, &errw)
	if code != ExitUsage || !strings.Contains(errw.String(), "--read-timeout must be positive") {
		t.Errorf("--read-timeout 0s: exit %d, stderr %q", code, errw.String())
	}
}
