package snapshot

// Signatures (provenance).
//
// The self-hash and file hashes detect accidents; they do not tell who wrote
// a snapshot, since anyone who can write it can recompute them. An ed25519
// signature over the exact bytes of manifest.json does: the manifest covers
// every data file by SHA-256, so the signature covers the whole snapshot.
// The signature lives beside the manifest in manifest.json.sig, the one file
// verify accepts that the manifest does not list (it cannot list its own
// signature).
//
// Keys and signatures are small versioned text files (FORMAT.md, section
// 10): a type line, then "name: value" lines in a fixed order, binary values
// in standard padded base64. A key id, the first 8 bytes of SHA-256 of the
// 32-byte public key in hex, names a key in messages and in the signature
// file, so "signed by another key" is told apart from "changed after
// signing". Only crypto/ed25519 from the standard library is used; the
// signature is over the raw manifest bytes, so anyone can check it with any
// ed25519 implementation.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// SignatureName is the signature file's name inside a snapshot directory.
const SignatureName = ManifestName + ".sig"

// Type lines of the text files (the first line of each).
const (
	privateKeyType = "snapaudit-ed25519-private-key-v1"
	publicKeyType  = "snapaudit-ed25519-public-key-v1"
	signatureType  = "snapaudit-ed25519-signature-v1"
)

// maxKeyFileBytes bounds key and signature files (they are about 150 bytes).
const maxKeyFileBytes = 4 << 10

// ErrSignature: a snapshot's signature is missing, malformed, made by another
// key, or does not match its manifest. A *VerifyError lists the details.
var ErrSignature = errors.New("snapshot signature check failed")

// PublicKey is an ed25519 public key with its key id.
type PublicKey struct {
	key ed25519.PublicKey
	id  string
}

// ID is the key id: the first 8 bytes of SHA-256 of the public key, in hex.
func (k *PublicKey) ID() string { return k.id }

// PrivateKey is an ed25519 signing key with its key id.
type PrivateKey struct {
	key ed25519.PrivateKey
	pub *PublicKey
}

// Public returns the key's public half.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

func newPublicKey(key ed25519.PublicKey) *PublicKey {
	sum := sha256.Sum256(key)
	return &PublicKey{key: key, id: hex.EncodeToString(sum[:8])}
}

func newPrivateKey(seed []byte) *PrivateKey {
	key := ed25519.NewKeyFromSeed(seed)
	return &PrivateKey{key: key, pub: newPublicKey(key.Public().(ed25519.PublicKey))}
}

// GenerateKey makes a new signing key from crypto/rand.
func GenerateKey() (*PrivateKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand.Reader, seed); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return newPrivateKey(seed), nil
}

// MarshalText renders the private key file.
func (k *PrivateKey) MarshalText() ([]byte, error) {
	return textFile(privateKeyType, "key-id", k.pub.id, "private-key", b64(k.key.Seed())), nil
}

// MarshalText renders the public key file.
func (k *PublicKey) MarshalText() ([]byte, error) {
	return textFile(publicKeyType, "key-id", k.id, "public-key", b64(k.key)), nil
}

// ParsePrivateKey parses a private key file.
func ParsePrivateKey(raw []byte) (*PrivateKey, error) {
	seed, id, err := parseKeyFile(raw, privateKeyType, "private-key", ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	k := newPrivateKey(seed)
	return k, checkKeyID(id, k.pub)
}

// ParsePublicKey parses a public key file.
func ParsePublicKey(raw []byte) (*PublicKey, error) {
	key, id, err := parseKeyFile(raw, publicKeyType, "public-key", ed25519.PublicKeySize)
	if err != nil {
		return nil, err
	}
	k := newPublicKey(key)
	return k, checkKeyID(id, k)
}

// parseKeyFile parses a key file of type typ: its key id and the decoded
// value of its field.
func parseKeyFile(raw []byte, typ, field string, size int) ([]byte, string, error) {
	f, err := parseTextFile(raw, typ, "key-id", field)
	if err != nil {
		return nil, "", err
	}
	v, err := unb64(f[field], size)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", field, err)
	}
	return v, f["key-id"], nil
}

// checkKeyID checks a key file's key-id line against its key.
func checkKeyID(claimed string, k *PublicKey) error {
	if claimed != k.id {
		return fmt.Errorf("key-id %s does not match the key (its id is %s): the file is damaged", claimed, k.id)
	}
	return nil
}

// ReadPrivateKey reads a private key file.
func ReadPrivateKey(path string) (*PrivateKey, error) {
	return readKey(path, "private key", ParsePrivateKey)
}

// ReadPublicKey reads a public key file.
func ReadPublicKey(path string) (*PublicKey, error) {
	return readKey(path, "public key", ParsePublicKey)
}

func readKey[K any](path, what string, parse func([]byte) (K, error)) (K, error) {
	var zero K
	raw, err := readKeyFile(path)
	if err != nil {
		return zero, err
	}
	k, err := parse(raw)
	if err != nil {
		return zero, fmt.Errorf("%s %s: %w", what, path, err)
	}
	return k, nil
}

// WriteKeyPair writes prefix.key (mode 0600) and prefix.pub (mode 0644). It
// refuses to overwrite either file; on failure it leaves neither behind.
func WriteKeyPair(prefix string, k *PrivateKey) (keyPath, pubPath string, err error) {
	keyPath, pubPath = prefix+".key", prefix+".pub"
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("write key pair: %s already exists (refusing to overwrite a key)", p)
		}
	}
	priv, _ := k.MarshalText()
	pub, _ := k.pub.MarshalText()
	if err := writeNew(keyPath, priv, 0o600); err != nil {
		return "", "", fmt.Errorf("write key pair: %w", err)
	}
	if err := writeNew(pubPath, pub, 0o644); err != nil {
		os.Remove(keyPath)
		return "", "", fmt.Errorf("write key pair: %w", err)
	}
	return keyPath, pubPath, nil
}

// Signature is a parsed manifest.json.sig.
type Signature struct {
	KeyID          string // id of the key that signed
	ManifestSHA256 string // SHA-256 of the manifest bytes signed (a diagnostic; the signature is what counts)
	sig            []byte
}

// MarshalText renders the signature file.
func (s *Signature) MarshalText() ([]byte, error) {
	return textFile(signatureType, "key-id", s.KeyID, "manifest-sha256", s.ManifestSHA256, "signature", b64(s.sig)), nil
}

// ParseSignature parses a signature file.
func ParseSignature(raw []byte) (*Signature, error) {
	f, err := parseTextFile(raw, signatureType, "key-id", "manifest-sha256", "signature")
	if err != nil {
		return nil, err
	}
	if !isHex(f["key-id"], 16) {
		return nil, fmt.Errorf("key-id %q is not 16 lowercase hex digits", f["key-id"])
	}
	if !isHex(f["manifest-sha256"], 64) {
		return nil, fmt.Errorf("manifest-sha256 %q is not 64 lowercase hex digits", f["manifest-sha256"])
	}
	sig, err := unb64(f["signature"], ed25519.SignatureSize)
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return &Signature{KeyID: f["key-id"], ManifestSHA256: f["manifest-sha256"], sig: sig}, nil
}

// Sign verifies the snapshot in dir completely, then signs its manifest
// bytes with k and writes manifest.json.sig. It refuses a snapshot that
// fails verification (a signature would vouch for damage) and one that is
// already signed (delete manifest.json.sig to sign again).
func Sign(ctx context.Context, dir string, k *PrivateKey) (*Signature, error) {
	if _, err := os.Lstat(filepath.Join(dir, SignatureName)); err == nil {
		return nil, fmt.Errorf("sign %s: already signed (%s exists; delete it to sign again)", dir, SignatureName)
	}
	raw, err := readMember(dir, ManifestName, MaxManifestBytes)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("sign %s: %w", dir, err)
	}
	var verr *VerifyError
	if _, err := Verify(ctx, dir); errors.As(err, &verr) {
		return nil, fmt.Errorf("sign %s: refusing to sign a snapshot that does not verify: %w", dir, err)
	} else if err != nil {
		return nil, fmt.Errorf("sign %s: %w", dir, err) // cancelled
	}
	// Sign the bytes that were verified: refuse if the manifest changed
	// while the data files were being hashed.
	if again, err := readMember(dir, ManifestName, MaxManifestBytes); err != nil || !bytes.Equal(again, raw) {
		return nil, fmt.Errorf("sign %s: %s changed while the snapshot was being verified; try again", dir, ManifestName)
	}
	sum := sha256.Sum256(raw)
	s := &Signature{KeyID: k.pub.id, ManifestSHA256: hex.EncodeToString(sum[:]), sig: ed25519.Sign(k.key, raw)}
	text, _ := s.MarshalText()
	if err := writeNewSynced(dir, SignatureName, text); err != nil {
		return nil, fmt.Errorf("sign %s: %w", dir, err)
	}
	return s, nil
}

// SignatureStatus is what Verify found about the signature.
type SignatureStatus struct {
	Present bool   `json:"present"`          // manifest.json.sig exists (and is a regular file)
	KeyID   string `json:"key_id,omitempty"` // the key id it names, when it parses
	Checked bool   `json:"checked"`          // a public key was given, so the signature was checked
	Valid   bool   `json:"valid"`            // checked and good
}

// checkSignature examines manifest.json.sig against the manifest bytes raw
// and, when pub is not nil, checks it. It returns the status and the
// problems (all about SignatureName).
func checkSignature(dir string, raw []byte, pub *PublicKey) (SignatureStatus, []string) {
	var st SignatureStatus
	text, err := readMember(dir, SignatureName, maxKeyFileBytes)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if pub != nil {
			return st, []string{fmt.Sprintf("missing: the snapshot is not signed, but a signature by key %s is required", pub.id)}
		}
		return st, nil
	case err != nil:
		st.Present = true
		_, msg := memberProblem(SignatureName, err)
		return st, []string{msg}
	}
	st.Present = true
	sig, err := ParseSignature(text)
	if err != nil {
		return st, []string{"malformed signature file: " + err.Error()}
	}
	st.KeyID = sig.KeyID
	if pub == nil {
		return st, nil
	}
	st.Checked = true
	if ed25519.Verify(pub.key, raw, sig.sig) {
		st.Valid = true
		return st, nil
	}
	sum := sha256.Sum256(raw)
	switch now := hex.EncodeToString(sum[:]); {
	case sig.KeyID != pub.id:
		return st, []string{fmt.Sprintf("signed by key %s, not by the expected key %s", sig.KeyID, pub.id)}
	case sig.ManifestSHA256 != now:
		return st, []string{fmt.Sprintf("%s changed after it was signed (signed sha256 %s, now %s)", ManifestName, sig.ManifestSHA256, now)}
	default:
		return st, []string{fmt.Sprintf("signature does not verify with key %s (the signature file is damaged or forged)", pub.id)}
	}
}

// textFile renders a type line and "name: value" lines.
func textFile(typ string, kv ...string) []byte {
	var b bytes.Buffer
	b.WriteString(typ + "\n")
	for i := 0; i < len(kv); i += 2 {
		b.WriteString(kv[i] + ": " + kv[i+1] + "\n")
	}
	return b.Bytes()
}

// parseTextFile parses a file textFile rendered: the type line, then
// exactly the given fields in order (a final newline and CRLF line ends are
// accepted).
func parseTextFile(raw []byte, typ string, names ...string) (map[string]string, error) {
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n"), "\n")
	if got := lines[0]; got != typ {
		gotBase, _, _ := strings.Cut(got, "-v")
		wantBase, _, _ := strings.Cut(typ, "-v")
		switch {
		case gotBase == wantBase:
			return nil, fmt.Errorf("%q is a version this snapaudit does not read (it reads %q); upgrade", got, typ)
		case strings.HasPrefix(got, "snapaudit-"):
			return nil, fmt.Errorf("this is a %q file, want %q", got, typ)
		}
		return nil, fmt.Errorf("first line is not %q: not a snapaudit key or signature file", typ)
	}
	if len(lines) != 1+len(names) {
		return nil, fmt.Errorf("want %d lines (%s, then %s), got %d", 1+len(names), typ, strings.Join(names, ", "), len(lines))
	}
	out := map[string]string{}
	for i, name := range names {
		v, ok := strings.CutPrefix(lines[1+i], name+": ")
		if !ok {
			return nil, fmt.Errorf("line %d: want %q", 2+i, name+": ...")
		}
		out[name] = v
	}
	return out, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(s string, size int) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64: %v", err)
	}
	if len(b) != size {
		return nil, fmt.Errorf("%d bytes, want %d", len(b), size)
	}
	return b, nil
}

func isHex(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789abcdef") == ""
}

// readKeyFile reads a key file the user named: links are followed (it is
// the user's path), but it must be a regular file, opening it never blocks
// and at most maxKeyFileBytes are read.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read key %s: is %s, not a regular file", path, kindOf(st.Mode()))
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	if len(raw) > maxKeyFileBytes {
		return nil, fmt.Errorf("read key %s: larger than %s, not a key file", path, sizeText(maxKeyFileBytes))
	}
	return raw, nil
}

// writeNew creates path with data and mode, failing if it exists.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := writeClose(f, data); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// writeNewSynced writes dir/name (mode 0600) atomically and without
// clobbering: a temporary file is written and synced, then hard-linked to
// its name (which fails if the name exists), so a crash never leaves a
// half-written file under the name.
func writeNewSynced(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeClose(tmp, data); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncPath(dir)
}

// writeClose writes data to f, syncs and closes it.
func writeClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
