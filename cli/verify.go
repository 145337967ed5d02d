package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/snapshot"
)

// verifyCommand checks a snapshot's integrity (snapshot.Verify) and prints a
// summary or every problem found.
func verifyCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "verify",
		Usage:     "check a snapshot's integrity (manifest, file hashes, Parquet footers, stray files)",
		ArgsUsage: "SNAPSHOT_DIR",
		Description: "Recomputes every data file's SHA-256 and size, reads each Parquet footer (row count and\n" +
			"schema), checks the manifest's self-hash and structure, and reports files that are missing or\n" +
			"not listed, or are links, FIFOs, devices or sockets. Prints a summary and the signature's state\n" +
			"on stdout when the snapshot is intact; otherwise prints every problem, one per line, naming\n" +
			"the file, and exits with status 1. The hashes detect accidental damage, not deliberate\n" +
			"tampering: with --pubkey verify also requires a valid signature (snapaudit sign) by that key,\n" +
			"and a missing, foreign or broken signature fails like any other problem. Without --pubkey an\n" +
			"existing signature is reported but not checked.",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "print the full report as JSON"},
			pubkeyFlag,
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usagef("verify: want exactly one argument, the snapshot directory (got %d)", c.NArg())
			}
			vopts, err := verifyOptions(c)
			if err != nil {
				return err
			}
			dir := c.Args().First()
			rep, err := snapshot.Verify(c.Context, dir, vopts...)
			var verr *snapshot.VerifyError
			if err != nil && !errors.As(err, &verr) {
				return fmt.Errorf("verify %s: %w", dir, err) // cancelled: the report is incomplete
			}
			if c.Bool("json") {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if werr := enc.Encode(rep); werr != nil {
					return fmt.Errorf("verify: write report: %w", werr)
				}
			} else if rep.OK {
				fmt.Fprintf(s.out, "OK %s: format v%d, %d files, %d rows, %s\n",
					dir, rep.FormatVersion, rep.Files, rep.Rows, byteSize(rep.Bytes))
				fmt.Fprintln(s.out, signatureLine(rep.Signature))
			} else {
				for _, p := range rep.Problems { // paths from the snapshot directory, as a shell would take them
					fmt.Fprintf(s.out, "%s: %s\n", filepath.Join(dir, filepath.FromSlash(p.Path)), p.Message)
				}
			}
			if err != nil {
				return fmt.Errorf("verify %s: %d problem(s) found", dir, len(rep.Problems))
			}
			return nil
		},
	}
}

// byteSize renders a byte count for people: "12.3 MiB (12897484 bytes)".
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB (%d bytes)", float64(n)/float64(div), "KMGTPE"[exp], n)
}
