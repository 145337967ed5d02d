package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/analyze/catalog"
)

// typesCommand prints the catalog of entity and relationship types the
// analyzer can produce (analyze/catalog; docs/resource-types.md is the
// same, generated).
func typesCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:  "types",
		Usage: "list the entity and relationship types the analyzer can produce, with the calls and IAM permissions each needs",
		Description: "Prints every entity _type (its _class, scope, the collected calls it is built from and the IAM\n" +
			"action each needs, its _key templates and properties) and every relationship type (_type, from,\n" +
			"verb, to). Generated from the registries of this build; needs no snapshot. --format json prints\n" +
			"the catalog as one JSON document: {\"version\", \"entityTypes\": [...], \"relationshipTypes\": [...]}\n" +
			"(the fields are in README.md, \"Supported types\").",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output format: table or json"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 0 {
				return usagef("types: takes no arguments, got %q", strings.Join(c.Args().Slice(), " "))
			}
			cat := catalog.Build()
			switch f := c.String("format"); f {
			case "json":
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				return enc.Encode(cat)
			case "table":
				return renderTypes(s.out, cat)
			default:
				return usagef("types: --format must be table or json, not %q", f)
			}
		},
	}
}

// renderTypes prints the catalog as two tables: the entity types, one
// line per call a type reads (its source call first, marked *) with the
// IAM action it needs, then the relationship types.
func renderTypes(w io.Writer, cat catalog.Catalog) error {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tCLASS\tKIND\tSCOPE\tCALL\tIAM ACTION\tKEY")
	for _, e := range cat.EntityTypes {
		calls := slices.Clone(e.Calls)
		slices.SortStableFunc(calls, func(a, b catalog.CallInfo) int {
			return cmp.Compare(boolRank(a.Call != e.Source), boolRank(b.Call != e.Source))
		})
		call, action := "-", "-"
		if len(calls) > 0 {
			call, action = calls[0].Call, dash(calls[0].Action)
			if call == e.Source {
				call += " *"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Type, dash(strings.Join(e.Class, ",")), e.Kind, dash(e.Scope),
			call, action, dash(strings.Join(e.Key, " | ")))
		for _, ci := range calls[min(1, len(calls)):] {
			fmt.Fprintf(tw, "\t\t\t\t%s\t%s\n", ci.Call, dash(ci.Action))
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "RELATIONSHIP TYPE\tFROM\tVERB\tTO\tORIGIN")
	for _, r := range cat.RelationshipTypes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Type, r.From, r.Verb, r.To, r.Origin)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d entity types, %d relationship types. * = the call whose items are the entities. "+
		"Properties: --format json or docs/resource-types.md.\n", len(cat.EntityTypes), len(cat.RelationshipTypes))
	return err
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
