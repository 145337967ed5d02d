package cli

import (
	"fmt"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/snapshot"
)

// keygenCommand makes an ed25519 key pair for signing snapshots.
func keygenCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:  "keygen",
		Usage: "make an ed25519 key pair for signing snapshots (PREFIX.key, PREFIX.pub)",
		Description: "Writes the private key to PREFIX.key (mode 0600; keep it secret, off the machines that\n" +
			"store snapshots) and the public key to PREFIX.pub (give it to whoever checks snapshots).\n" +
			"Refuses to overwrite either file. The formats are in snapshot/FORMAT.md, section 10.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write `PREFIX`.key and PREFIX.pub"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 0 {
				return usagef("keygen: takes no arguments (got %d); name the files with --out PREFIX", c.NArg())
			}
			prefix := c.String("out")
			if prefix == "" {
				return usagef("keygen: --out PREFIX is required")
			}
			k, err := snapshot.GenerateKey()
			if err != nil {
				return err
			}
			keyPath, pubPath, err := snapshot.WriteKeyPair(prefix, k)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.out, "key id %s: private key %s (keep it secret), public key %s\n", k.Public().ID(), keyPath, pubPath)
			return nil
		},
	}
}

// signCommand signs a snapshot's manifest.
func signCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "sign",
		Usage:     "sign a snapshot (writes SNAPSHOT/manifest.json.sig) so verify --pubkey can prove who made it",
		ArgsUsage: "SNAPSHOT_DIR",
		Description: "Verifies the snapshot completely, then writes an ed25519 signature over the exact bytes of\n" +
			"manifest.json to manifest.json.sig in the snapshot. Refuses a snapshot that does not verify or\n" +
			"is already signed (delete manifest.json.sig to sign again). Check with\n" +
			"snapaudit verify --pubkey PREFIX.pub SNAPSHOT_DIR.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "key", Usage: "private key `FILE` (PREFIX.key from snapaudit keygen)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usagef("sign: want exactly one argument, the snapshot directory (got %d)", c.NArg())
			}
			if c.String("key") == "" {
				return usagef("sign: --key FILE is required")
			}
			k, err := snapshot.ReadPrivateKey(c.String("key"))
			if err != nil {
				return err
			}
			dir := c.Args().First()
			sig, err := snapshot.Sign(c.Context, dir, k)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.out, "signed %s with key %s\n", filepath.Join(dir, snapshot.SignatureName), sig.KeyID)
			return nil
		},
	}
}

// pubkeyFlag is the --pubkey flag of verify, analyze and the iam questions.
var pubkeyFlag = &ucli.StringFlag{Name: "pubkey", Usage: "require a valid signature by this public key `FILE` (PREFIX.pub from snapaudit keygen)"}

// verifyOptions turns --pubkey into snapshot.Verify options.
func verifyOptions(c *ucli.Context) ([]snapshot.VerifyOption, error) {
	path := c.String("pubkey")
	if path == "" {
		return nil, nil
	}
	pub, err := snapshot.ReadPublicKey(path)
	if err != nil {
		return nil, fmt.Errorf("--pubkey: %w", err)
	}
	return []snapshot.VerifyOption{snapshot.WithPublicKey(pub)}, nil
}

// snapshotVerifyOptions is verifyOptions for the commands that read a
// snapshot with --no-verify as an option: a signature cannot be required
// of a snapshot that is not verified.
func snapshotVerifyOptions(c *ucli.Context, cmd string) ([]snapshot.VerifyOption, error) {
	if c.Bool("no-verify") && c.String("pubkey") != "" {
		return nil, usagef("%s: --pubkey checks the signature while verifying; it cannot go with --no-verify", cmd)
	}
	return verifyOptions(c)
}

// signatureLine describes a verified snapshot's signature for people.
func signatureLine(st snapshot.SignatureStatus) string {
	switch {
	case st.Valid:
		return fmt.Sprintf("signature: valid, key %s", st.KeyID)
	case st.Present:
		return fmt.Sprintf("signature: present (key %s) but not checked; pass --pubkey FILE to check it", st.KeyID)
	}
	return "signature: none (unsigned; see snapaudit sign)"
}
