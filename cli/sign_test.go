package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/snapshot"
)

// runWith runs snapaudit with ctx and args and returns the exit code, stdout and
// stderr.
func runWith(ctx context.Context, args ...string) (int, string, string) {
	var out, errw bytes.Buffer
	code := Run(ctx, append([]string{"snapaudit"}, args...), strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

// TestSigningCommands: keygen, sign, and verify/analyze/iam --pubkey as a user
// runs them, including every way the signature check fails.
func TestSigningCommands(t *testing.T) {
	keys := t.TempDir()
	mine, theirs := filepath.Join(keys, "mine"), filepath.Join(keys, "theirs")
	for _, p := range []string{mine, theirs} {
		if code, _, errw := runCLI(t, "keygen", "--out", p); code != ExitOK {
			t.Fatalf("keygen --out %s: exit %d: %s", p, code, errw)
		}
	}
	if st, err := os.Stat(mine + ".key"); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Fatalf("%s.key: %v (want mode 0600)", mine, err)
	}
	pub, err := snapshot.ReadPublicKey(mine + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	myID := pub.ID()
	other, err := snapshot.ReadPublicKey(theirs + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	theirID := other.ID()
	sign := func(t *testing.T, dir string) {
		if code, _, errw := runCLI(t, "sign", dir, "--key", mine+".key"); code != ExitOK {
			t.Fatalf("sign: exit %d: %s", code, errw)
		}
	}

	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string)
		args     func(dir string) []string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
	}{
		{name: "keygen refuses to overwrite", args: func(string) []string { return []string{"keygen", "--out", mine} },
			wantCode: ExitError, wantErr: "already exists"},
		{name: "keygen without --out", args: func(string) []string { return []string{"keygen"} },
			wantCode: ExitUsage, wantErr: "--out PREFIX is required"},
		{name: "sign without --key", args: func(d string) []string { return []string{"sign", d} },
			wantCode: ExitUsage, wantErr: "--key FILE is required"},
		{name: "sign with a public key", args: func(d string) []string { return []string{"sign", d, "--key", mine + ".pub"} },
			wantCode: ExitError, wantErr: `this is a "snapaudit-ed25519-public-key-v1" file`},
		{name: "sign", args: func(d string) []string { return []string{"sign", d, "--key", mine + ".key"} },
			wantCode: ExitOK, wantOut: "manifest.json.sig with key " + myID},
		{name: "sign twice", setup: sign, args: func(d string) []string { return []string{"sign", d, "--key", mine + ".key"} },
			wantCode: ExitError, wantErr: "already signed"},
		{name: "verify unsigned", args: func(d string) []string { return []string{"verify", d} },
			wantCode: ExitOK, wantOut: "signature: none"},
		{name: "verify signed without --pubkey", setup: sign, args: func(d string) []string { return []string{"verify", d} },
			wantCode: ExitOK, wantOut: "signature: present (key " + myID + ") but not checked"},
		{name: "verify --pubkey", setup: sign, args: func(d string) []string { return []string{"verify", d, "--pubkey", mine + ".pub"} },
			wantCode: ExitOK, wantOut: "signature: valid, key " + myID},
		{name: "verify --pubkey of another key", setup: sign,
			args:     func(d string) []string { return []string{"verify", "--pubkey", theirs + ".pub", d} },
			wantCode: ExitError, wantOut: "manifest.json.sig: signed by key " + myID, wantErr: "1 problem(s) found"},
		{name: "verify --pubkey unsigned", args: func(d string) []string { return []string{"verify", "--pubkey", mine + ".pub", d} },
			wantCode: ExitError, wantOut: "manifest.json.sig: missing: the snapshot is not signed"},
		{name: "verify --pubkey, manifest changed after signing", setup: func(t *testing.T, d string) {
			sign(t, d)
			path := filepath.Join(d, snapshot.ManifestName)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil { // whitespace only: the self-hash still holds
				t.Fatal(err)
			}
		}, args: func(d string) []string { return []string{"verify", "--pubkey", mine + ".pub", d} },
			wantCode: ExitError, wantOut: "manifest.json changed after it was signed"},
		{name: "verify --pubkey that is not a key", args: func(d string) []string { return []string{"verify", "--pubkey", d, d} },
			wantCode: ExitError, wantErr: "--pubkey: read key"},
		{name: "analyze --pubkey", setup: sign, args: func(d string) []string { return []string{"analyze", d, "--pubkey", mine + ".pub"} },
			wantCode: ExitOK, wantOut: "graph:"},
		{name: "analyze --pubkey of another key", setup: sign,
			args:     func(d string) []string { return []string{"analyze", d, "--pubkey", theirs + ".pub"} },
			wantCode: ExitError, wantErr: "signed by key " + myID + ", not by the expected key " + theirID + "; `snapaudit verify --pubkey FILE"},
		{name: "analyze --pubkey --no-verify", args: func(d string) []string { return []string{"analyze", "--no-verify", "--pubkey", mine + ".pub", d} },
			wantCode: ExitUsage, wantErr: "cannot go with --no-verify"},
		{name: "iam escalation --pubkey", setup: sign,
			args:     func(d string) []string { return []string{"iam", "escalation", d, "--pubkey", mine + ".pub"} },
			wantCode: ExitOK},
		{name: "iam who-can --pubkey of another key", setup: sign,
			args: func(d string) []string {
				return []string{"iam", "who-can", d, "--pubkey", theirs + ".pub", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::logs/a"}
			},
			wantCode: ExitError, wantErr: "not by the expected key " + theirID},
		{name: "iam can --pubkey unsigned",
			args: func(d string) []string {
				return []string{"iam", "can", d, "--pubkey", mine + ".pub", "--principal", "arn:aws:iam::111122223333:role/r"}
			},
			wantCode: ExitError, wantErr: "failed verification"},
		{name: "iam escalation --pubkey --no-verify",
			args: func(d string) []string {
				return []string{"iam", "escalation", d, "--no-verify", "--pubkey", mine + ".pub"}
			},
			wantCode: ExitUsage, wantErr: "iam escalation: --pubkey checks the signature while verifying"},
		{name: "iam simulate --snapshot --pubkey of another key", setup: sign,
			args: func(d string) []string {
				return []string{"iam", "simulate", "--snapshot", d, "--pubkey", theirs + ".pub",
					"--principal", "arn:aws:iam::111122223333:role/r", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::logs/a"}
			},
			wantCode: ExitError, wantErr: "not by the expected key " + theirID},
		{name: "iam simulate --graph --pubkey",
			args: func(d string) []string {
				return []string{"iam", "simulate", "--graph", filepath.Join(d, "graph.json"), "--pubkey", mine + ".pub",
					"--principal", "arn:aws:iam::111122223333:role/r", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::logs/a"}
			},
			wantCode: ExitUsage, wantErr: "it goes with --snapshot, not --graph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newTestSnapshot(t)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			code, out, errw := runCLI(t, tt.args(dir)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errw)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, out)
			}
			if !strings.Contains(errw, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errw)
			}
		})
	}
}

// TestCommandsCancelled: a cancelled context (what Ctrl-C does) stops every
// command that reads a snapshot with an error, never a result.
func TestCommandsCancelled(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "k")
	if code, _, errw := runCLI(t, "keygen", "--out", keys); code != ExitOK {
		t.Fatalf("keygen: %s", errw)
	}
	tests := []struct {
		name string
		args func(dir string) []string
	}{
		{name: "verify", args: func(d string) []string { return []string{"verify", d} }},
		{name: "analyze", args: func(d string) []string { return []string{"analyze", d} }},
		{name: "analyze --no-verify", args: func(d string) []string { return []string{"analyze", "--no-verify", d} }},
		{name: "sign", args: func(d string) []string { return []string{"sign", "--key", keys + ".key", d} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newTestSnapshot(t)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			code, out, errw := runWith(ctx, tt.args(dir)...)
			if code != ExitError || !strings.Contains(errw, context.Canceled.Error()) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errw, ExitError, context.Canceled)
			}
			if out != "" {
				t.Errorf("a cancelled command printed a result: %q", out)
			}
			if _, err := os.Lstat(filepath.Join(dir, snapshot.SignatureName)); err == nil {
				t.Errorf("a cancelled command left a signature")
			}
		})
	}
}
