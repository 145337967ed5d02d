package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/collect/synth"
)

// defaultPolicyCorpus is the managed policy corpus of a repository
// checkout, relative to its root.
const defaultPolicyCorpus = "testdata/aws-managed-policies/policies.jsonl.gz"

// synthCommand writes a synthetic organisation snapshot (hidden: a
// benchmark and test tool, not part of the audit workflow).
func synthCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "synth",
		Hidden:    true,
		Usage:     "write a synthetic, deterministic organisation snapshot (benchmarks)",
		ArgsUsage: "--resources N --out SNAPSHOT_DIR [--seed S]",
		Description: "Generates an AWS organisation of about N resources (one account per 12,500 resources, 2-4\n" +
			"regions each, every collected call answered) without contacting AWS, and writes it through the\n" +
			"snapshot writer exactly as collect would. The same N and seed give the same data files. Attached\n" +
			"AWS managed policies come from the policy corpus (--policies). See README.md \"Benchmarks\".",
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "resources", Usage: "about how many resources to generate (1 to 10,000,000)"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed; the same resources and seed give the same snapshot"},
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the snapshot to this new `DIR`"},
			&ucli.StringFlag{Name: "policies", Value: defaultPolicyCorpus, Usage: "AWS managed policy corpus (gzipped JSON lines) `FILE`"},
		},
		Action: func(c *ucli.Context) error {
			dir, n := c.String("out"), c.Int("resources")
			switch {
			case c.NArg() > 0:
				return usagef("synth: unexpected argument %q (flags only)", c.Args().First())
			case dir == "":
				return usagef("synth: --out DIR is required")
			case n < 1 || n > synth.MaxResources:
				return usagef("synth: --resources must be between 1 and %d (got %d)", synth.MaxResources, n)
			}
			path := c.String("policies")
			f, err := os.Open(path)
			if err != nil {
				return corpusError(path, c.IsSet("policies"), err)
			}
			policies, err := synth.LoadPolicies(f, path)
			f.Close()
			if err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			m, st, err := synth.Generate(c.Context, dir, synth.Options{Resources: n, Seed: c.Uint64("seed"), Policies: policies})
			if err != nil {
				return err
			}
			fmt.Fprintf(s.out, "%s: %d accounts, regions %s, %d rows, %s\n",
				dir, st.Accounts, strings.Join(st.Regions, ","), m.TotalRows(), byteSize(m.TotalBytes()))
			return nil
		},
	}
}

// corpusError says which managed policy corpus synth could not open: the
// absolute path, and for the default what it was relative to, and the
// flag that names another.
func corpusError(path string, explicit bool, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		err = fs.ErrNotExist
	}
	abs, aerr := filepath.Abs(path)
	if aerr != nil {
		abs = path
	}
	if explicit {
		return fmt.Errorf("synth: managed policy corpus %s (--policies): %w", abs, err)
	}
	return fmt.Errorf("synth: managed policy corpus %s: %w (the default, %s relative to the working directory, "+
		"exists in a repository checkout's root; elsewhere give the corpus with --policies FILE)", abs, err, path)
}
