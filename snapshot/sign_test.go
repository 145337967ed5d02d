package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func mustKey(t testing.TB) *PrivateKey {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSign(t testing.TB, dir string, k *PrivateKey) {
	t.Helper()
	if _, err := Sign(context.Background(), dir, k); err != nil {
		t.Fatalf("Sign: %v", err)
	}
}

func TestKeyFiles(t *testing.T) {
	k := mustKey(t)
	priv, _ := k.MarshalText()
	pub, _ := k.Public().MarshalText()
	if len(k.Public().ID()) != 16 {
		t.Fatalf("key id %q is not 16 hex digits", k.Public().ID())
	}
	k2, err := ParsePrivateKey(priv)
	if err != nil || k2.Public().ID() != k.Public().ID() {
		t.Fatalf("private key round trip: %v, id %v", err, k2)
	}
	p2, err := ParsePublicKey(pub)
	if err != nil || p2.ID() != k.Public().ID() || !p2.key.Equal(k.Public().key) {
		t.Fatalf("public key round trip: %v", err)
	}
	if !strings.HasPrefix(string(priv), "snapaudit-ed25519-private-key-v1\nkey-id: "+k.Public().ID()+"\nprivate-key: ") {
		t.Errorf("private key file:\n%s", priv)
	}

	other, _ := mustKey(t).Public().MarshalText()
	tests := []struct {
		name    string
		raw     string
		parse   func([]byte) error
		wantMsg string
	}{
		{name: "public key read as private", raw: string(pub), parse: parsePriv, wantMsg: `this is a "snapaudit-ed25519-public-key-v1" file`},
		{name: "newer version", raw: strings.Replace(string(pub), "-v1", "-v2", 1), parse: parsePub, wantMsg: "version this snapaudit does not read"},
		{name: "not a key file", raw: "-----BEGIN OPENSSH PRIVATE KEY-----\n", parse: parsePriv, wantMsg: "not a snapaudit key"},
		{name: "empty", raw: "", parse: parsePub, wantMsg: "not a snapaudit key"},
		{name: "extra line", raw: string(pub) + "comment: hi\n", parse: parsePub, wantMsg: "want 3 lines"},
		{name: "bad base64", raw: strings.Replace(string(pub), "public-key: ", "public-key: !", 1), parse: parsePub, wantMsg: "invalid base64"},
		{name: "key id of another key", raw: string(pub[:strings.Index(string(pub), "\npublic-key")]) + string(other[strings.Index(string(other), "\npublic-key"):]),
			parse: parsePub, wantMsg: "does not match the key"},
		{name: "short key", raw: "snapaudit-ed25519-public-key-v1\nkey-id: 0011223344556677\npublic-key: AAAA\n", parse: parsePub, wantMsg: "3 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse([]byte(tt.raw))
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("parse = %v, want an error containing %q", err, tt.wantMsg)
			}
		})
	}
}

func parsePriv(b []byte) error { _, err := ParsePrivateKey(b); return err }
func parsePub(b []byte) error  { _, err := ParsePublicKey(b); return err }

func TestWriteKeyPair(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "audit")
	k := mustKey(t)
	keyPath, pubPath, err := WriteKeyPair(prefix, k)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(keyPath); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Errorf("%s: %v, mode %v; want 0600", keyPath, err, st.Mode())
	}
	if rk, err := ReadPrivateKey(keyPath); err != nil || rk.Public().ID() != k.Public().ID() {
		t.Errorf("ReadPrivateKey: %v", err)
	}
	if rp, err := ReadPublicKey(pubPath); err != nil || rp.ID() != k.Public().ID() {
		t.Errorf("ReadPublicKey: %v", err)
	}
	before, _ := os.ReadFile(keyPath)
	if _, _, err := WriteKeyPair(prefix, mustKey(t)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second WriteKeyPair = %v, want a refusal to overwrite", err)
	}
	if after, _ := os.ReadFile(keyPath); string(after) != string(before) {
		t.Errorf("the existing key was overwritten")
	}
	// Only the .pub exists: nothing is written, no orphan .key is left.
	prefix2 := filepath.Join(t.TempDir(), "x")
	mustWrite(t, prefix2+".pub", "mine")
	if _, _, err := WriteKeyPair(prefix2, k); err == nil {
		t.Errorf("WriteKeyPair over an existing .pub succeeded")
	}
	if _, err := os.Lstat(prefix2 + ".key"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a .key was left behind: %v", err)
	}
	if _, err := ReadPublicKey(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadPublicKey(directory) = %v", err)
	}
}

func TestSignAndVerify(t *testing.T) {
	signer := mustKey(t)
	stranger := mustKey(t)
	sigPath := func(dir string) string { return filepath.Join(dir, SignatureName) }
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		pub     *PublicKey // nil: verify without a key
		want    SignatureStatus
		wantMsg string // "" the snapshot verifies; else a problem of manifest.json.sig containing it
	}{
		{name: "unsigned, no key", setup: func(*testing.T, string) {}, want: SignatureStatus{}},
		{name: "signed, no key: present, unchecked", setup: func(t *testing.T, d string) { mustSign(t, d, signer) },
			want: SignatureStatus{Present: true, KeyID: signer.Public().ID()}},
		{name: "signed, right key", setup: func(t *testing.T, d string) { mustSign(t, d, signer) }, pub: signer.Public(),
			want: SignatureStatus{Present: true, KeyID: signer.Public().ID(), Checked: true, Valid: true}},
		{name: "unsigned, key given", setup: func(*testing.T, string) {}, pub: signer.Public(),
			wantMsg: "missing: the snapshot is not signed"},
		{name: "signed by another key", setup: func(t *testing.T, d string) { mustSign(t, d, stranger) }, pub: signer.Public(),
			want:    SignatureStatus{Present: true, KeyID: stranger.Public().ID(), Checked: true},
			wantMsg: "signed by key " + stranger.Public().ID() + ", not by the expected key " + signer.Public().ID()},
		{name: "manifest changed after signing", setup: func(t *testing.T, d string) {
			mustSign(t, d, signer)
			rehash(t, d, func(m map[string]any) { m["caller"].(map[string]any)["arn"] = "arn:aws:iam::111122223333:user/mallory" })
		}, pub: signer.Public(), want: SignatureStatus{Present: true, KeyID: signer.Public().ID(), Checked: true},
			wantMsg: "manifest.json changed after it was signed"},
		{name: "signature bytes damaged", setup: func(t *testing.T, d string) {
			mustSign(t, d, signer)
			b, _ := os.ReadFile(sigPath(d))
			i := strings.Index(string(b), "signature: ") + len("signature: ")
			b[i+3] = map[bool]byte{true: 'B', false: 'A'}[b[i+3] == 'A'] // another base64 letter
			mustWrite(t, sigPath(d), string(b))
		}, pub: signer.Public(), want: SignatureStatus{Present: true, KeyID: signer.Public().ID(), Checked: true},
			wantMsg: "does not verify"},
		{name: "malformed, no key", setup: func(t *testing.T, d string) { mustWrite(t, sigPath(d), "hello\n") },
			want: SignatureStatus{Present: true}, wantMsg: "malformed signature file"},
		{name: "malformed, key given", setup: func(t *testing.T, d string) { mustWrite(t, sigPath(d), "hello\n") },
			pub: signer.Public(), want: SignatureStatus{Present: true}, wantMsg: "malformed signature file"},
		{name: "signature is a symlink", setup: func(t *testing.T, d string) {
			mustSign(t, d, signer)
			elsewhere := filepath.Join(t.TempDir(), "sig")
			if err := os.Rename(sigPath(d), elsewhere); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(elsewhere, sigPath(d)); err != nil {
				t.Fatal(err)
			}
		}, pub: signer.Public(), want: SignatureStatus{Present: true}, wantMsg: "symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := goodSnapshot(t, 12)
			tt.setup(t, dir)
			var opts []VerifyOption
			if tt.pub != nil {
				opts = append(opts, WithPublicKey(tt.pub))
			}
			rep, err := Verify(context.Background(), dir, opts...)
			if rep.Signature != tt.want {
				t.Errorf("Signature = %+v, want %+v", rep.Signature, tt.want)
			}
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrSignature) || rep.OK {
				t.Fatalf("Verify = %v, want ErrSignature", err)
			}
			if !hasProblem(rep, SignatureName, tt.wantMsg) {
				t.Errorf("no problem for %s containing %q: %v", SignatureName, tt.wantMsg, rep.Problems)
			}
		})
	}
}

// TestSignatureIsTheOnlyExtraFile: verify accepts manifest.json.sig beside
// the manifest and still flags anything else.
func TestSignatureIsTheOnlyExtraFile(t *testing.T) {
	dir := goodSnapshot(t, 12)
	mustSign(t, dir, mustKey(t))
	mustWrite(t, filepath.Join(dir, "manifest.json.asc"), "x")
	mustWrite(t, filepath.Join(dir, DataDir, SignatureName), "x")
	rep, err := Verify(context.Background(), dir)
	if err == nil || hasProblem(rep, SignatureName, "") || len(rep.Problems) != 2 ||
		!hasProblem(rep, "manifest.json.asc", "unexpected file") || !hasProblem(rep, DataDir+"/"+SignatureName, "unexpected file") {
		t.Fatalf("Verify = %v; problems %v", err, rep.Problems)
	}
}

func TestSignRefuses(t *testing.T) {
	k := mustKey(t)
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantMsg string
	}{
		{name: "already signed", setup: func(t *testing.T, d string) { mustSign(t, d, k) }, wantMsg: "already signed"},
		{name: "does not verify", setup: func(t *testing.T, d string) { mustWrite(t, filepath.Join(d, "stray"), "x") },
			wantMsg: "refusing to sign a snapshot that does not verify"},
		{name: "cancelled", wantMsg: context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := goodSnapshot(t, 12)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.setup != nil {
				tt.setup(t, dir)
			} else {
				cancel()
			}
			defer cancel()
			before, _ := os.ReadFile(filepath.Join(dir, SignatureName))
			_, err := Sign(ctx, dir, k)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Sign = %v, want an error containing %q", err, tt.wantMsg)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, SignatureName)); string(after) != string(before) {
				t.Errorf("the signature file changed")
			}
		})
	}
}
