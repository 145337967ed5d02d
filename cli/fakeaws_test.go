package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFakeAWSServe runs the hidden `fakeaws serve` command the way
// docs/performance.md does: collect against the URL it prints, then stop
// it; the collected snapshot verifies.
func TestFakeAWSServe(t *testing.T) {
	collectEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	outR, outW := io.Pipe()
	var serveErr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"snapaudit", "fakeaws", "serve", "--resources", "300", "--latency", "1ms"},
			strings.NewReader(""), outW, &serveErr)
		outW.Close()
	}()
	url, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("fakeaws serve printed no URL: %v (stderr %q)", err, serveErr.String())
	}
	go io.Copy(io.Discard, outR) //nolint:errcheck // drain the rest

	dir := filepath.Join(t.TempDir(), "snap")
	if code, out, errw := runArgs("collect", "--endpoint-url", strings.TrimSpace(url), "--region", "us-east-1", "--out", dir); code != ExitOK {
		t.Fatalf("collect: exit %d, stdout %q, stderr %q", code, out, errw)
	}
	if code, out, errw := runArgs("verify", dir); code != ExitOK {
		t.Fatalf("verify: exit %d, stdout %q, stderr %q", code, out, errw)
	}
	// The synthetic KMS keys (one per region here) are judged by
	// AWS-KMS-001: us-west-2's key does not rotate.
	_, out, errw := runArgs("analyze", dir, "--all")
	var kmsFindings []string
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 3 && f[2] == "AWS-KMS-001" && strings.HasPrefix(f[3], "arn:aws:kms:") {
			kmsFindings = append(kmsFindings, f[0]+" "+f[5])
		}
	}
	if want := []string{"FAIL us-west-2", "PASS eu-west-1", "PASS us-east-1"}; !slices.Equal(kmsFindings, want) {
		t.Errorf("AWS-KMS-001 findings %q, want %q; stderr %q", kmsFindings, want, errw)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("fakeaws serve: exit %d, stderr %q", code, serveErr.String())
	}
	if !strings.Contains(serveErr.String(), "synthetic account") || !strings.Contains(serveErr.String(), " requests in ") {
		t.Errorf("fakeaws serve stderr %q: want the world and the request count", serveErr.String())
	}
	if _, out, _ := runArgs("--help"); strings.Contains(out, "fakeaws") {
		t.Errorf("fakeaws is listed in the main help:\n%s", out)
	}
}

func TestFakeAWSServeUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"nothing to serve", []string{"fakeaws", "serve"}, "give one of --resources N or --world DIR"},
		{"both", []string{"fakeaws", "serve", "--resources", "10", "--world", "x"}, "give one of"},
		{"too many", []string{"fakeaws", "serve", "--resources", "1000000000"}, "--resources must be between"},
		{"argument", []string{"fakeaws", "serve", "--resources", "10", "extra"}, "unexpected argument"},
		{"negative latency", []string{"fakeaws", "serve", "--resources", "10", "--latency", "-1s"}, "--latency must not be negative"},
		{"unknown subcommand", []string{"fakeaws", "bogus"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errw := runArgs(tc.args...)
			if code != ExitUsage || !strings.Contains(errw, tc.want) {
				t.Errorf("exit %d stderr %q, want %d and %q", code, errw, ExitUsage, tc.want)
			}
		})
	}
	code, _, errw := runArgs("fakeaws", "serve", "--resources", "10", "--addr", "0.0.0.0:0")
	if code != ExitError || !strings.Contains(errw, "loopback") {
		t.Errorf("non-loopback address: exit %d stderr %q, want %d naming loopback", code, errw, ExitError)
	}
}
