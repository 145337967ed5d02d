package cli

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// resetListener accepts loopback connections and resets each at once (a
// dead proxy or a firewall that answers with RST); it counts them.
func resetListener(t *testing.T) (url string, conns *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = &atomic.Int32{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
		}
	}()
	return "http://" + ln.Addr().String(), conns
}

// TestCollectUnreachable: an endpoint that cannot be reached fails the
// collection after a few quick attempts (not the patient retry budget meant
// for throttling) with one line that says so, and leaves no snapshot.
func TestCollectUnreachable(t *testing.T) {
	resetURL, conns := resetListener(t)
	tests := []struct {
		name     string
		endpoint string
		want     []string
	}{
		{name: "connection refused", endpoint: "http://127.0.0.1:1",
			want: []string{"cannot reach AWS", "sts:GetCallerIdentity", "connection refused"}},
		{name: "connection reset", endpoint: resetURL,
			want: []string{"cannot reach AWS", "sts:GetCallerIdentity", "connection reset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			collectEnv(t)
			dir := filepath.Join(t.TempDir(), "snap")
			var out, errw bytes.Buffer
			code := Run(t.Context(), []string{"snapaudit", "collect", "--endpoint-url", tt.endpoint, dir}, nil, &out, &errw)
			if code != ExitError {
				t.Errorf("exit %d, want %d", code, ExitError)
			}
			stderr := errw.String()
			if strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
	if n := conns.Load(); n == 0 || n > 3 {
		t.Errorf("the resetting endpoint saw %d connections, want 1 to 3 (a few quick attempts)", n)
	}
}
