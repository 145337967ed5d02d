package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// cancelAfter is a stderr that reads --json progress lines and cancels the
// run once n calls have finished (Ctrl-C mid-run, without sleeping).
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
	buf    bytes.Buffer
	lines  []byte
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	c.lines = append(c.lines, p...)
	for {
		i := bytes.IndexByte(c.lines, '\n')
		if i < 0 {
			return len(p), nil
		}
		var ev struct{ Kind string }
		if json.Unmarshal(c.lines[:i], &ev) == nil && ev.Kind == "call_finished" {
			if c.n--; c.n == 0 {
				c.cancel()
			}
		}
		c.lines = c.lines[i+1:]
	}
}

// TestCollectResume drives the CLI as a user does after an interruption:
// the interrupted run says what it kept, a new run into the directory says
// what is there and how to resume or discard it, a resume with other
// settings is refused, and --resume finishes a snapshot with the same calls
// as an uninterrupted run.
func TestCollectResume(t *testing.T) {
	collectEnv(t)
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/basic"))
	t.Setenv("AWS_ENDPOINT_URL", srv.URL())
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "snap")

	run := func(t *testing.T, ctx context.Context, stderr *bytes.Buffer, wantCode int, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if stderr == nil {
			stderr = &bytes.Buffer{}
		}
		code := Run(ctx, append([]string{"snapaudit"}, args...), strings.NewReader(""), &out, stderr)
		if code != wantCode {
			t.Fatalf("snapaudit %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, wantCode, stderr)
		}
		return out.String()
	}
	contains := func(t *testing.T, what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}

	uninterrupted := filepath.Join(tmp, "whole")
	run(t, t.Context(), nil, ExitOK, "collect", "--out", uninterrupted)
	want, err := snapshot.Open(uninterrupted)
	if err != nil {
		t.Fatal(err)
	}

	// Interrupted after 12 calls.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	progress := &cancelAfter{n: 12, cancel: cancel}
	var out bytes.Buffer
	if code := Run(ctx, []string{"snapaudit", "collect", "--json", "--out", dir}, strings.NewReader(""), &out, progress); code != ExitError {
		t.Fatalf("interrupted collect: exit %d, want %d\n%s", code, ExitError, progress.buf.String())
	}
	contains(t, "interrupted run's stderr", progress.buf.String(), "calls completed so far are kept in "+dir,
		"resume with snapaudit collect --resume "+dir)

	t.Run("a new run into the leftover says what it is", func(t *testing.T) {
		var stderr bytes.Buffer
		run(t, t.Context(), &stderr, ExitError, "collect", "--out", dir)
		contains(t, "stderr", stderr.String(), dir+" holds an interrupted collection (started ", "calls done)",
			"snapaudit collect --resume "+dir, "snapaudit collect --discard-partial --out "+dir)
	})
	t.Run("other settings are refused", func(t *testing.T) {
		var stderr bytes.Buffer
		run(t, t.Context(), &stderr, ExitError, "collect", "--resume", dir, "--regions", "eu-west-1")
		contains(t, "stderr", stderr.String(), "collected with other settings (regions: every enabled region then, eu-west-1 now)",
			"--discard-partial --out "+dir)
	})
	t.Run("usage", func(t *testing.T) {
		run(t, t.Context(), nil, ExitUsage, "collect", "--resume", dir, "--out", dir)
		run(t, t.Context(), nil, ExitUsage, "collect", "--resume", dir, "--discard-partial")
		run(t, t.Context(), nil, ExitError, "collect", "--resume", filepath.Join(tmp, "nothing-here"))
	})

	var stderr bytes.Buffer
	if got := run(t, t.Context(), &stderr, ExitOK, "collect", "--resume", dir); got != dir+"\n" {
		t.Errorf("stdout %q, want the snapshot path", got)
	}
	contains(t, "resume's stderr", stderr.String(), "resumed: ", "calls taken from the interrupted run's journal")
	if out := run(t, t.Context(), nil, ExitOK, "verify", dir); !strings.HasPrefix(out, "OK ") {
		t.Errorf("verify: %q", out)
	}
	got, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The clock and the random redaction key differ between the two
	// collections, so compare what does not depend on them.
	if !slices.EqualFunc(got.Manifest().Calls, want.Manifest().Calls, func(a, b snapshot.CallStatus) bool {
		return a.AccountID == b.AccountID && a.Region == b.Region && a.Service == b.Service && a.Operation == b.Operation &&
			a.Status == b.Status && a.Invocations == b.Invocations && a.Pages == b.Pages && a.OKPages == b.OKPages
	}) {
		t.Errorf("resumed snapshot's calls differ from an uninterrupted run's")
	}

	t.Run("a committed snapshot is never overwritten", func(t *testing.T) {
		var stderr bytes.Buffer
		run(t, t.Context(), &stderr, ExitError, "collect", "--resume", dir)
		run(t, t.Context(), &stderr, ExitError, "collect", "--discard-partial", "--out", dir)
		contains(t, "stderr", stderr.String(), "committed snapshot (it is never overwritten)")
		if _, err := snapshot.Verify(t.Context(), dir); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
	t.Run("discard and start over", func(t *testing.T) {
		d := filepath.Join(tmp, "again")
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		if code := Run(ctx, []string{"snapaudit", "collect", "--json", "--out", d}, strings.NewReader(""), &out,
			&cancelAfter{n: 5, cancel: cancel}); code != ExitError {
			t.Fatalf("interrupted collect: exit %d", code)
		}
		run(t, t.Context(), nil, ExitOK, "collect", "--discard-partial", "--out", d)
		if _, err := snapshot.Verify(t.Context(), d); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}
