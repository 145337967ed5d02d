package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/snapshot"
)

// The IAM questions over a snapshot: who-can, can, explain. Each answer is
// the evaluator's full decision with the snapshot's policies and facts
// (analyze/access/query.go says which condition keys it knows).

func snapshotQueryFlags(extra ...ucli.Flag) []ucli.Flag {
	return append([]ucli.Flag{
		&ucli.BoolFlag{Name: "no-verify", Usage: "skip the snapshot integrity check"},
		pubkeyFlag,
		&ucli.StringFlag{Name: "format", Value: "table", Usage: "output `FORMAT`: table or json"},
		&ucli.StringFlag{Name: "time", Usage: "evaluate at `RFC3339` time (aws:CurrentTime; default now)"},
	}, extra...)
}

// openQuery loads the snapshot named by the one argument and indexes it;
// required names the flags the command needs.
func openQuery(c *ucli.Context, cmd string, required ...string) (*access.Query, *iam.Evaluator, error) {
	return openQueryWith(c, analyze.LoadGraph, cmd, required...)
}

// openQueryWith is openQuery with the loader of the graph.
func openQueryWith(c *ucli.Context, load func(context.Context, string, bool, *slog.Logger, ...snapshot.VerifyOption) (*graph.Graph, error),
	cmd string, required ...string) (*access.Query, *iam.Evaluator, error) {
	for _, f := range required {
		if c.String(f) == "" {
			return nil, nil, usagef("iam %s needs --%s", cmd, f)
		}
	}
	if c.Args().Len() != 1 {
		return nil, nil, usagef("iam %s: give one SNAPSHOT directory", cmd)
	}
	if f := c.String("format"); f != "table" && f != "json" {
		return nil, nil, usagef("iam %s --format %q: want table or json", cmd, f)
	}
	ev, err := newIAMEvaluator(c.String("time"))
	if err != nil {
		return nil, nil, err
	}
	cat, err := actions.Load()
	if err != nil {
		return nil, nil, err
	}
	vopts, err := snapshotVerifyOptions(c, "iam "+cmd)
	if err != nil {
		return nil, nil, err
	}
	g, err := load(c.Context, c.Args().First(), !c.Bool("no-verify"), nil, vopts...)
	if err != nil {
		return nil, nil, err
	}
	return access.NewQuery(g, ev, cat), ev, nil
}

func iamWhoCanCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "who-can",
		Usage:     "list every principal that can do an action on a resource",
		ArgsUsage: "SNAPSHOT",
		Description: "Evaluates the action on the resource for every user, role and account root of the snapshot and every\n" +
			"principal the resource's policy names (other accounts, services, role sessions, anonymous \"*\"), with\n" +
			"the full IAM evaluation: identity policies, permissions boundary, the resource's policy (a role's trust\n" +
			"policy for sts:AssumeRole), the SCPs of the principal's account and the RCPs of the resource's when\n" +
			"the snapshot holds them (read from the organisation's management account). Lists the ones allowed,\n" +
			"and the statements that decided; each answer says whether SCPs and RCPs were applied, none apply,\n" +
			"or they were not readable. A principal\n" +
			"allowed only if conditions the snapshot cannot know hold (source IP, MFA, VPC, ...) is listed as\n" +
			"conditional with those keys; principal and resource tags, accounts and organisation are known facts.\n" +
			"The limits every answer has are printed with it (accounts whose SCPs or RCPs could not be read).",
		Flags: snapshotQueryFlags(
			&ucli.StringFlag{Name: "action", Usage: "`service:Action`, e.g. s3:GetObject"},
			&ucli.StringFlag{Name: "resource", Usage: "resource `ARN` (an S3 object ARN is answered with its bucket's policy)"},
		),
		Action: func(c *ucli.Context) error {
			q, _, err := openQuery(c, "who-can", "action", "resource")
			if err != nil {
				return err
			}
			answers, err := q.WhoCan(c.Context, c.String("action"), c.String("resource"))
			if err != nil {
				return fmt.Errorf("iam who-can: %w", err)
			}
			return writeAnswers(s.out, c.String("format"), answers, false, q.Limits())
		},
	}
}

func iamCanCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "can",
		Usage:     "list what one principal can do",
		ArgsUsage: "SNAPSHOT",
		Description: "Evaluates, for the principal, every action of the IAM action catalog that applies to each collected\n" +
			"resource --resource or --service selects (by the action's resource types; object actions of a bucket\n" +
			"are asked on BUCKET/*, some objects), and each service's actions that take no resource. Lists the\n" +
			"allowed ones.\n" +
			"The table has one line per resource with the number of actions allowed per access level (--actions:\n" +
			"one line per action); --format json lists every answer with its reasons.",
		Flags: snapshotQueryFlags(
			&ucli.StringFlag{Name: "principal", Usage: "user, role or role-session `ARN`"},
			&ucli.StringFlag{Name: "resource", Usage: "only this resource `ARN`"},
			&ucli.StringFlag{Name: "service", Usage: "only resources and actions of this service `PREFIX` (s3, iam, ...)"},
			&ucli.BoolFlag{Name: "actions", Usage: "table: one line per action instead of one per resource"},
		),
		Action: func(c *ucli.Context) error {
			q, _, err := openQuery(c, "can", "principal")
			if err != nil {
				return err
			}
			answers, err := q.Can(c.Context, c.String("principal"), access.CanFilter{Resource: c.String("resource"), Service: c.String("service")})
			if err != nil {
				return fmt.Errorf("iam can: %w", err)
			}
			if c.String("format") == "json" || c.Bool("actions") {
				return writeAnswers(s.out, c.String("format"), answers, true, q.Limits())
			}
			cat, err := actions.Load()
			if err != nil {
				return err
			}
			writeCanSummary(s.out, cat, answers, q.Limits())
			return nil
		},
	}
}

func iamExplainCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "explain",
		Usage:     "show how one request is decided, policy layer by policy layer",
		ArgsUsage: "SNAPSHOT",
		Description: "Decides one request with the snapshot's policies and facts, as who-can does, and prints each policy\n" +
			"layer in evaluation order (organisation policies, resource-based policy, identity-based policies,\n" +
			"permissions boundary, session policy) with what it contributed and why each statement did or did not\n" +
			"apply. --context KEY=VALUE supplies a condition key the snapshot cannot know (aws:SourceIp=...).",
		Flags: snapshotQueryFlags(
			&ucli.StringFlag{Name: "principal", Usage: "principal `ARN` (or \"*\" for an anonymous caller)"},
			&ucli.StringFlag{Name: "action", Usage: "`service:Action`"},
			&ucli.StringFlag{Name: "resource", Usage: "resource `ARN` (empty: an action without a resource)"},
			&ucli.StringSliceFlag{Name: "context", Usage: "condition key `KEY=VALUE` (repeatable)"},
		),
		Action: func(c *ucli.Context) error {
			q, ev, err := openQuery(c, "explain", "principal", "action")
			if err != nil {
				return err
			}
			pr, err := iam.ParsePrincipal(c.String("principal"))
			if err != nil {
				return usagef("iam explain --principal: %v", err)
			}
			req, pol, unknown, external, err := q.Request(c.Context, pr, c.String("action"), c.String("resource"))
			if err != nil {
				return fmt.Errorf("iam explain: %w", err)
			}
			if err := addContext(req, c.StringSlice("context"), "iam explain"); err != nil {
				return err
			}
			x := ev.Explain(req, pol, unknown)
			if c.String("format") == "json" {
				return writeJSON(s.out, struct {
					iam.Explanation
					External bool     `json:"external,omitempty"`
					Limits   []string `json:"limits"`
				}{x, external, q.Limits()})
			}
			renderExplanation(s.out, req, x, external, q.Limits())
			return nil
		},
	}
}

func writeAnswers(w io.Writer, format string, answers []access.Answer, byResource bool, limits []string) error {
	if format == "json" {
		if answers == nil {
			answers = []access.Answer{}
		}
		return writeJSON(w, struct {
			Answers []access.Answer `json:"answers"`
			Limits  []string        `json:"limits"`
		}{answers, limits})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if byResource {
		fmt.Fprintln(tw, "RESOURCE\tACTION\tDECISION\tDECIDED BY")
	} else {
		fmt.Fprintln(tw, "PRINCIPAL\tTYPE\tDECISION\tDECIDED BY")
	}
	for _, a := range answers {
		decision := "allowed"
		if a.Conditional {
			decision = "conditional: " + strings.Join(a.ConditionKeys, ", ")
		}
		if a.SomeResources {
			decision += " (some resources)"
		}
		if byResource {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Resource, a.Action, decision, decidedBy(a.Reasons))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Principal, a.PrincipalType, decision, decidedBy(a.Reasons))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d allowed. Derived without:\n", len(answers))
	for _, l := range limits {
		fmt.Fprintf(w, "  - %s\n", l)
	}
	return nil
}

// decidedBy shortens the evaluator's reasons to the policies and
// statements that allowed.
func decidedBy(reasons []string) string {
	var out []string
	for _, r := range reasons {
		if r, ok := strings.CutPrefix(r, "allowed by "); ok {
			out = append(out, r)
		}
	}
	if len(out) == 0 && len(reasons) > 0 {
		return reasons[0]
	}
	return strings.Join(out, "; ")
}

func renderExplanation(w io.Writer, req *iam.Request, x iam.Explanation, external bool, limits []string) {
	res := req.Resource
	if res == "" {
		res = "(no resource)"
	}
	fmt.Fprintf(w, "%s  %s  %s\n", req.Principal.Raw, req.Action, res)
	for _, l := range x.Layers {
		fmt.Fprintf(w, "\n%s: %s\n", l.Layer, l.Contribution)
		for _, st := range l.Statements {
			fmt.Fprintf(w, "  %-6s %s statement %s: %s\n", st.Effect, st.Policy, st.Statement, st.Outcome)
		}
	}
	if external {
		fmt.Fprintf(w, "\nthe principal's account is not in the snapshot: its identity policies are taken to allow\n")
	}
	fmt.Fprintf(w, "\ndecision: %s", x.Result.Decision)
	if x.Result.Conditional {
		fmt.Fprintf(w, " (conditional: %s)", strings.Join(x.Result.ConditionKeys, ", "))
	}
	fmt.Fprintln(w)
	for _, r := range x.Result.Reasons {
		fmt.Fprintf(w, "  %s\n", r)
	}
	for _, wn := range x.Result.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wn)
	}
	fmt.Fprintln(w, "derived without:")
	for _, l := range limits {
		fmt.Fprintf(w, "  - %s\n", l)
	}
}

// writeCanSummary prints one line per resource: the number of allowed
// actions per access level, and how many of them are conditional.
func writeCanSummary(w io.Writer, cat *actions.Catalog, answers []access.Answer, limits []string) {
	type row struct {
		resource string
		levels   map[actions.AccessLevel]int
		cond     int
		n        int
	}
	var rows []*row
	byRes := map[string]*row{}
	for _, a := range answers {
		r := byRes[a.Resource]
		if r == nil {
			r = &row{resource: a.Resource, levels: map[actions.AccessLevel]int{}}
			byRes[a.Resource] = r
			rows = append(rows, r)
		}
		r.n++
		if a.Conditional {
			r.cond++
		}
		if act, ok := cat.Lookup(a.Action); ok {
			for _, l := range act.Levels() {
				r.levels[l]++
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tACTIONS\tBY ACCESS LEVEL\tCONDITIONAL")
	for _, r := range rows {
		var lv []string
		for _, l := range []actions.AccessLevel{actions.List, actions.Read, actions.Write, actions.Tagging, actions.PermissionsManagement} {
			if n := r.levels[l]; n > 0 {
				lv = append(lv, fmt.Sprintf("%s %d", l, n))
			}
		}
		res := r.resource
		if res == "" {
			res = "(actions without a resource)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\n", res, r.n, strings.Join(lv, ", "), r.cond)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d allowed actions on %d resources (--actions lists them, --format json with reasons). Derived without:\n", len(answers), len(rows))
	for _, l := range limits {
		fmt.Fprintf(w, "  - %s\n", l)
	}
}

func iamEscalationCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "escalation",
		Usage:     "find the principals that can become an administrator or another principal",
		ArgsUsage: "SNAPSHOT",
		Description: "For every user and role, asks the IAM evaluator about each documented privilege-escalation technique\n" +
			"(assuming a role, passing a role to a service that runs one's code, changing one's own or a group's\n" +
			"policies, policy versions, boundaries or a role's trust policy, creating access keys or passwords for\n" +
			"others, ...; the list, with sources, is analyze/access/techniques.go) and prints the shortest path of\n" +
			"each principal that is not an administrator to administrator access, step by step with the\n" +
			"permissions used. --principal shows one principal's paths and every edge out of it; --format json\n" +
			"gives administrators, edges and paths. A technique allowed on most roles or users of an account is one\n" +
			"edge to the set (\"to_set\", listed under \"sets\", with the members it misses in \"except\";\n" +
			"its permissions name the member as <member>), not one edge per target.",
		Flags: snapshotQueryFlags(
			&ucli.StringFlag{Name: "principal", Usage: "only this principal `ARN`"},
			&ucli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a pprof CPU profile to `FILE`"},
			&ucli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a pprof allocation profile to `FILE`"},
		),
		Action: func(c *ucli.Context) (err error) {
			stopProfile, err := startProfiles(c.String("cpuprofile"), c.String("memprofile"))
			if err != nil {
				return err
			}
			defer func() {
				if perr := stopProfile(); err == nil {
					err = perr
				}
			}()
			// The analysis asks the evaluator itself: the graph's derived
			// access relationships are not needed.
			q, _, err := openQueryWith(c, analyze.LoadModel, "escalation")
			if err != nil {
				return err
			}
			res, err := q.Escalation(c.Context)
			if err != nil {
				return fmt.Errorf("iam escalation: %w", err)
			}
			if p := c.String("principal"); p != "" {
				res.Paths = slices.DeleteFunc(res.Paths, func(x access.EscalationPath) bool { return x.Principal != p })
				res.Edges = slices.DeleteFunc(res.Edges, func(x access.EscalationEdge) bool { return x.From != p })
			}
			if c.String("format") == "json" {
				return writeJSON(s.out, res)
			}
			renderEscalation(s.out, res, c.String("principal") != "")
			return nil
		},
	}
}

func renderEscalation(w io.Writer, res *access.Escalation, edges bool) {
	fmt.Fprintf(w, "%d administrators (\"*\" on \"*\"); %d principals can become one:\n", len(res.Admins), len(res.Paths))
	for _, p := range res.Paths {
		cond := ""
		if p.Conditional {
			cond = " (conditional)"
		}
		fmt.Fprintf(w, "\n%s%s\n", p.Principal, cond)
		for i, st := range p.Steps {
			fmt.Fprintf(w, "  %d. %s -> %s\n", i+1, st.Name, st.To)
			fmt.Fprintf(w, "     using %s\n", strings.Join(st.Permissions, "; "))
			if st.Conditional {
				fmt.Fprintf(w, "     only if the conditions on %s hold\n", strings.Join(st.ConditionKeys, ", "))
			}
		}
	}
	if edges {
		fmt.Fprintf(w, "\nedges (%d):\n", len(res.Edges))
		for _, e := range res.Edges {
			to := e.To
			if e.ToSet != "" {
				to = fmt.Sprintf("every one of the %s (%d)", e.ToSet, len(res.Sets[e.ToSet]))
				if len(e.Except) > 0 {
					to += " but " + strings.Join(e.Except, ", ")
				}
			}
			fmt.Fprintf(w, "  %s -> %s by %s\n", e.Technique, to, strings.Join(e.Permissions, "; "))
		}
	}
	fmt.Fprintln(w, "\nderived without:")
	for _, l := range res.Limits {
		fmt.Fprintf(w, "  - %s\n", l)
	}
}

// writeJSON writes v as indented JSON, with <, > and & as they are (ARNs
// and policy text stay readable).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
