package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// iamCommand groups the IAM tools.
func iamCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:            "iam",
		Usage:           "offline IAM policy tools",
		HideHelpCommand: true,
		Subcommands:     []*ucli.Command{iamSimulateCommand(s), iamWhoCanCommand(s), iamCanCommand(s), iamExplainCommand(s), iamEscalationCommand(s)},
	}
}

func iamSimulateCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "simulate",
		Usage:     "evaluate IAM authorization requests offline",
		ArgsUsage: "[FILE]",
		Description: "Reads requests from --input FILE, a FILE argument, or stdin: one JSON object, or JSON lines.\n" +
			"Writes one JSON line per request, in order: {\"decision\": \"Allowed\"|\"ImplicitlyDenied\"|\n" +
			"\"ExplicitlyDenied\", \"reasons\": [...]}, or {\"error\": \"line N: ...\"} for a request that cannot\n" +
			"be read (the exit code is then 1). \"warnings\": [...] names malformed policy elements read anyway\n" +
			"(a Principal written as a bare ARN). A resource that is a pattern (\"*\" or wildcards) asks whether\n" +
			"SOME matching resource is allowed: the answer then has \"some_resources\": true (not necessarily all).\n" +
			"Request fields: principal, action, resource (empty: an action without a resource), resource_account,\n" +
			"context, identity_policies, resource_policy, permission_boundaries, session_policy, scps, rcps\n" +
			"(levels root first, each a list of documents), management_account, aws_managed_key, restrict_public\n" +
			"(\"on\" or \"unknown\": S3 Block Public Access RestrictPublicBuckets on a bucket with a public policy).\n\n" +
			"With --snapshot DIR, or --graph FILE (a graph written by analyze --graph-out), and --principal/--action/--resource,\n" +
			"the request is built as who-can and explain build it: the principal's policies (groups, inline, managed,\n" +
			"permissions boundary), the resource's policy, the SCPs of the principal's account and the RCPs of the\n" +
			"resource's (when the snapshot holds them), S3 Block Public Access of the bucket and its account, and the\n" +
			"snapshot's facts (tags, organisation); --context adds keys. Keys the snapshot cannot know are absent.\n" +
			"The answer's \"limits\" name what it is derived without (SCPs or RCPs not readable).",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "read requests from `FILE` (default stdin)"},
			&ucli.StringFlag{Name: "graph", Usage: "take policies from the graph JSON `FILE`"},
			&ucli.StringFlag{Name: "snapshot", Usage: "take policies from the snapshot `DIR` (rebuilds its graph offline)"},
			&ucli.BoolFlag{Name: "no-verify", Usage: "with --snapshot: skip the snapshot integrity check"},
			&ucli.StringFlag{Name: "pubkey", Usage: "with --snapshot: require a valid signature by this public key `FILE` (PREFIX.pub from snapaudit keygen)"},
			&ucli.StringFlag{Name: "principal", Usage: "principal `ARN` (with --graph)"},
			&ucli.StringFlag{Name: "action", Usage: "`service:Action` (with --graph)"},
			&ucli.StringFlag{Name: "resource", Usage: "resource `ARN` or ARN pattern (with --graph)"},
			&ucli.StringFlag{Name: "resource-account", Usage: "resource account `ID` when the ARN has none (with --graph)"},
			&ucli.StringSliceFlag{Name: "context", Usage: "condition key `KEY=VALUE` (repeatable; with --graph)"},
			&ucli.StringFlag{Name: "time", Usage: "evaluate at `RFC3339` time (aws:CurrentTime; default now)"},
		},
		Action: func(c *ucli.Context) error {
			ev, err := newIAMEvaluator(c.String("time"))
			if err != nil {
				return err
			}
			switch {
			case c.String("snapshot") != "" && c.String("graph") != "":
				return usagef("iam simulate: give --snapshot or --graph, not both")
			case c.String("snapshot") != "" || c.String("graph") != "":
				return simulateFromGraph(c, s, ev)
			}
			in := s.in
			name := c.String("input")
			if name == "" && c.Args().Len() > 0 {
				name = c.Args().First()
			}
			if c.Args().Len() > 1 || (c.String("input") != "" && c.Args().Len() > 0) {
				return usagef("iam simulate: give the input once (--input FILE or one FILE argument)")
			}
			if name != "" && name != "-" {
				f, err := os.Open(name)
				if err != nil {
					return fmt.Errorf("iam simulate: %w", err)
				}
				defer f.Close()
				in = f
			}
			failed, err := iam.Simulate(c.Context, ev, in, s.out)
			if err != nil {
				return fmt.Errorf("iam simulate: %w", err)
			}
			if failed > 0 {
				return fmt.Errorf("iam simulate: %d request(s) could not be evaluated (see the error lines)", failed)
			}
			return nil
		},
	}
}

func newIAMEvaluator(at string) (*iam.Evaluator, error) {
	cat, err := actions.Load()
	if err != nil {
		return nil, err
	}
	opts := []iam.Option{iam.WithRCPServices(cat.RCPServices())}
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, usagef("iam simulate --time: %v", err)
		}
		opts = append(opts, iam.WithClock(func() time.Time { return t }))
	}
	return iam.NewEvaluator(opts...), nil
}

func simulateFromGraph(c *ucli.Context, s streams, ev *iam.Evaluator) error {
	for _, f := range []string{"principal", "action", "resource"} {
		if c.String(f) == "" {
			return usagef("iam simulate --graph/--snapshot needs --%s", f)
		}
	}
	var g *graph.Graph
	var err error
	if dir := c.String("snapshot"); dir != "" {
		vopts, verr := snapshotVerifyOptions(c, "iam simulate")
		if verr != nil {
			return verr
		}
		g, err = analyze.LoadGraph(c.Context, dir, !c.Bool("no-verify"), nil, vopts...)
	} else {
		if c.String("pubkey") != "" {
			return usagef("iam simulate: --pubkey checks a snapshot's signature; it goes with --snapshot, not --graph")
		}
		g, err = readGraph(c.String("graph"))
	}
	if err != nil {
		return err
	}
	pr, err := iam.ParsePrincipal(c.String("principal"))
	if err != nil {
		return usagef("iam simulate: %v", err)
	}
	cat, err := actions.Load()
	if err != nil {
		return err
	}
	// The request and policies who-can and explain decide with: SCPs and
	// RCPs of both accounts, Block Public Access at both levels, the
	// snapshot's facts (tags, organisation); --context on top.
	q := access.NewQuery(g, ev, cat)
	req, pol, _, _, err := q.Hypothetical(c.Context, pr, c.String("action"), c.String("resource"), c.String("resource-account"))
	if err != nil {
		return fmt.Errorf("iam simulate: %w", err)
	}
	if err := addContext(req, c.StringSlice("context"), "iam simulate"); err != nil {
		return err
	}
	res := ev.Evaluate(req, pol)
	if res.Reasons == nil {
		res.Reasons = []string{}
	}
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		iam.Result
		Limits []string `json:"limits,omitempty"`
	}{res, q.Limits()})
}

// addContext adds the --context KEY=VALUE flags kvs to req's context.
func addContext(req *iam.Request, kvs []string, cmd string) error {
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usagef("%s --context %q: want KEY=VALUE", cmd, kv)
		}
		if req.Context == nil {
			req.Context = map[string][]string{}
		}
		req.Context[k] = append(req.Context[k], v)
	}
	return nil
}

func readGraph(path string) (*graph.Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("iam simulate --graph: %w", err)
	}
	defer f.Close()
	var doc graph.Document
	if err := json.NewDecoder(io.Reader(f)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("iam simulate --graph %s: %w", path, err)
	}
	g := graph.New()
	for _, e := range doc.Entities {
		g.AddEntity(e)
	}
	for _, r := range doc.Relationships {
		if err := g.AddRelationship(r); err != nil {
			return nil, fmt.Errorf("iam simulate --graph %s: %w", path, err)
		}
	}
	return g, nil
}
