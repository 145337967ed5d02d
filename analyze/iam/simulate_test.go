package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestSimulateGolden runs the stream over testdata/simulate_input.jsonl:
// one output line per non-blank input line, errors in place.
func TestSimulateGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/simulate_input.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	failed, err := Simulate(context.Background(), newTestEvaluator(), bytes.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/simulate_output.golden"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("output differs from %s (run with -update):\n%s", golden, out.String())
	}
	nonBlank := 0
	for _, l := range strings.Split(string(in), "\n") {
		if strings.TrimSpace(l) != "" {
			nonBlank++
		}
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != nonBlank {
		t.Fatalf("%d output lines for %d requests", len(lines), nonBlank)
	}
	errs := 0
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line not JSON: %s", l)
		}
		if _, ok := m["error"]; ok {
			errs++
		}
	}
	if failed != errs || failed != 4 {
		t.Fatalf("failed = %d, error lines = %d, want 4", failed, errs)
	}
}

func TestSimulateSingleObject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "pretty-printed object",
			in:   "{\n  \"principal\": \"111122223333\",\n  \"action\": \"s3:ListAllMyBuckets\"\n}\n",
			want: `"decision":"Allowed"`,
		},
		{
			name: "broken pretty-printed object",
			in:   "{\n  \"principal\": \"111122223333\",\n  \"action\": \n}\n",
			want: `{"error":"line 4: invalid character '}'`,
		},
		{name: "empty input", in: "\n\n", want: ""},
		{
			name: "unknown field in a pretty-printed object",
			in:   "\n{\n  \"principal\": \"111122223333\",\n  \"action\": \"s3:GetObject\",\n  \"identity_policy\": {}\n}\n",
			want: `{"error":"line 2: json: unknown field \"identity_policy\""}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if _, err := Simulate(context.Background(), newTestEvaluator(), strings.NewReader(tt.in), &out); err != nil {
				t.Fatal(err)
			}
			if tt.want == "" && out.Len() != 0 || !strings.Contains(out.String(), tt.want) {
				t.Fatalf("got %q, want it to contain %q", out.String(), tt.want)
			}
			if tt.want != "" && strings.Count(out.String(), "\n") != 1 {
				t.Fatalf("want exactly one line, got %q", out.String())
			}
		})
	}
}

func TestSimulateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Simulate(ctx, newTestEvaluator(), strings.NewReader(`{"principal":"*","action":"s3:GetObject"}`+"\n"), &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// TestSimulateStreams covers inputs of several requests: every request gets
// one output line, in order, and every error names the line it is about.
func TestSimulateStreams(t *testing.T) {
	const ok = `{"principal":"111122223333","action":"s3:ListAllMyBuckets"}`
	tests := []struct {
		name   string
		in     string
		want   []string // substrings of the output lines, in order
		failed int
	}{
		{
			name:   "JSON lines with a broken first line",
			in:     "{\"principal\": \n" + ok + "\n\n" + ok + "\n",
			want:   []string{`{"error":"line 1: not a JSON object: unexpected end of JSON input"}`, `"Allowed"`, `"Allowed"`},
			failed: 1,
		},
		{
			name:   "unknown field on a JSON line",
			in:     ok + "\n" + `{"principal":"111122223333","action":"s3:GetObject","identity_policy":{}}` + "\n",
			want:   []string{`"Allowed"`, `{"error":"line 2: json: unknown field \"identity_policy\""}`},
			failed: 1,
		},
		{
			name:   "two pretty-printed objects",
			in:     "{\n \"principal\": \"111122223333\",\n \"action\": \"s3:ListAllMyBuckets\"\n}\n{\n \"principal\": \"\",\n \"action\": \"s3:GetObject\"\n}\n",
			want:   []string{`"Allowed"`, `{"error":"line 5: no principal"}`},
			failed: 1,
		},
		{
			name:   "trailing data on a JSON line",
			in:     ok + "\n" + ok + " {}\n",
			want:   []string{`"Allowed"`, `{"error":"line 2: trailing data after the request object"}`},
			failed: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			failed, err := Simulate(context.Background(), newTestEvaluator(), strings.NewReader(tt.in), &out)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tt.want) || failed != tt.failed {
				t.Fatalf("got %d lines, %d failed, want %d and %d:\n%s", len(lines), failed, len(tt.want), tt.failed, out.String())
			}
			for i, w := range tt.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("line %d = %s, want it to contain %s", i+1, lines[i], w)
				}
			}
		})
	}
}
