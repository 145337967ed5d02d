package cli

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/analyze/rules"
)

func analyzeCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "analyze",
		Usage:     "rebuild the graph from a snapshot and evaluate the Rego checks (offline)",
		ArgsUsage: "SNAPSHOT",
		Description: "Verifies the snapshot (and, with --pubkey, its signature), rebuilds the JupiterOne-style\n" +
			"graph, finds privilege-escalation paths (when the snapshot has at most " + strconv.Itoa(analyze.DefaultEscalationLimit) + "\n" +
			"principals, or with --escalation), derives IAM TRUSTS/ALLOWS and evaluates the built-in checks plus any --policies\n" +
			"directories. Needs no network and no credentials. Exit status: 0 no failing check, 3 at\n" +
			"least one FAIL (or ERROR with --fail-on-error), 1 the analysis itself failed (including a\n" +
			"snapshot or signature that does not verify), 2 usage error, 5 stopped at the --max-memory budget.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output format: table or json"},
			&ucli.BoolFlag{Name: "all", Usage: "table: also list PASS findings"},
			&ucli.StringSliceFlag{Name: "policies", Usage: "directory of your own Rego checks (repeatable)"},
			&ucli.StringFlag{Name: "config", Usage: "JSON or YAML file merged into data.snapaudit.config (e.g. required_tags); a key no check reads is an error"},
			&ucli.DurationFlag{Name: "rule-timeout", Usage: "time limit of each check; one that runs longer is stopped and reported as ERROR",
				DefaultText: "1m per 250,000 entities and relationships of the graph, at least 1m (rules.RuleTimeoutFor); " +
					"--log-level debug shows the limit used"},
			&ucli.StringFlag{Name: "rule-memory", Usage: "memory budget of each check (e.g. 512MiB, 4GiB); one that needs more is stopped and reported as ERROR",
				DefaultText: "1GiB per 5,000,000 entities and relationships of the graph, at least 1GiB (rules.RuleMemoryFor); " +
					"--log-level debug shows the budget used"},
			&ucli.StringFlag{Name: "max-memory", Usage: "memory budget of the whole analysis (e.g. 8GiB, 50%, or 0 for none); past it analyze " +
				"stops with exit status 5, naming the phase (default: 80% of the physical memory, or of the cgroup's limit if lower)"},
			&ucli.StringFlag{Name: "graph-out", Usage: "write the graph as J1-style JSON {entities, relationships} to `FILE`"},
			&ucli.BoolFlag{Name: "no-verify", Usage: "skip the integrity check of the snapshot"},
			pubkeyFlag,
			&ucli.BoolFlag{Name: "fail-on-error", Usage: "exit 3 also when a check could not be evaluated (ERROR)"},
			&ucli.BoolFlag{Name: "escalation", Usage: "find privilege-escalation paths (as iam escalation does) for AWS-IAM-003 whatever the " +
				"snapshot's size; by default they are found unless it has more than " + strconv.Itoa(analyze.DefaultEscalationLimit) +
				" principals (users and roles), and AWS-IAM-003 then reports ERROR saying so"},
			&ucli.BoolFlag{Name: "no-escalation", Usage: "do not look for privilege-escalation paths (AWS-IAM-003 reports ERROR per account)"},
			// Profiling for performance work (README "Benchmarks"); hidden from the help.
			&ucli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a pprof CPU profile of the analysis to `FILE`"},
			&ucli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a pprof heap profile (allocations) at the end to `FILE`"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usagef("analyze: want exactly one SNAPSHOT directory, got %d arguments", c.NArg())
			}
			format := c.String("format")
			if format != "table" && format != "json" {
				return usagef("analyze: --format must be table or json, not %q", format)
			}
			log, err := logger(c, s)
			if err != nil {
				return err
			}
			if p := c.String("graph-out"); p != "" {
				if err := outsideSnapshot(c.Args().First(), p); err != nil {
					return usagef("analyze: --graph-out: %v", err)
				}
			}
			vopts, err := snapshotVerifyOptions(c, "analyze")
			if err != nil {
				return err
			}
			budget, err := maxMemory(c.String("max-memory"), physicalMemory())
			if err != nil {
				return usagef("analyze: --max-memory: %v", err)
			}
			opts := []analyze.Option{
				analyze.WithMaxMemory(budget),
				analyze.WithLogger(log),
				analyze.WithVerify(!c.Bool("no-verify")),
				analyze.WithVerifyOptions(vopts...),
				analyze.WithPolicyDirs(c.StringSlice("policies")...),
			}
			switch {
			case c.Bool("escalation") && c.Bool("no-escalation"):
				return usagef("analyze: --escalation and --no-escalation contradict each other: give one")
			case c.Bool("escalation"):
				opts = append(opts, analyze.WithEscalation(true))
			case c.Bool("no-escalation"):
				opts = append(opts, analyze.WithEscalation(false))
			}
			ruleOpts, err := ruleOptions(c)
			if err != nil {
				return err
			}
			opts = append(opts, analyze.WithRuleOptions(ruleOpts...))
			stopProfile, err := startProfiles(c.String("cpuprofile"), c.String("memprofile"))
			if err != nil {
				return err
			}
			a, err := analyze.New(c.Context, opts...)
			if err != nil {
				stopProfile()
				return err
			}
			rep, err := a.Run(c.Context, c.Args().First())
			if perr := stopProfile(); err == nil && perr != nil {
				return perr
			}
			if err != nil {
				return err
			}
			if p := c.String("graph-out"); p != "" {
				if err := writeGraphFile(p, rep.Graph); err != nil {
					return fmt.Errorf("--graph-out: %w", err)
				}
			}
			// Nothing below reads the graph: let the collector have it
			// before the report is written (at 1,000,000 resources it is
			// most of the live heap).
			rep.Graph = nil
			if format == "json" {
				if err := writeReportJSON(s.out, rep); err != nil {
					return err
				}
			} else {
				if err := renderTable(s.out, rep, c.Bool("all")); err != nil {
					return err
				}
			}
			if rep.Summary.Fail > 0 || (c.Bool("fail-on-error") && rep.Summary.Error > 0) {
				return ErrFindings
			}
			return nil
		},
	}
}

var severityRank = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
var statusRank = map[string]int{rules.StatusFail: 0, rules.StatusError: 1, rules.StatusPass: 2}

// renderTable prints the findings (FAIL and ERROR; PASS too with all) and a
// per-check summary. The findings table is what text/tabwriter (padding 2,
// spaces) makes of it, written row by row (findingsTable): tabwriter holds
// every cell of the table until it is flushed, about 0.2 GB at 1,000,000
// resources with --all, and the rows are ordered through an index, not a
// copy of the findings.
func renderTable(w io.Writer, rep *analyze.Report, all bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	snap := rep.Snapshot
	unverified := ""
	if !snap.Verified {
		unverified = " (NOT VERIFIED: --no-verify skipped the integrity check)"
	}
	fmt.Fprintf(bw, "snapshot %s: accounts %s, regions %s, collected %s%s\n",
		snap.Dir, strings.Join(snap.Accounts, ","), strings.Join(snap.Regions, ","), snap.FinishedAt.UTC().Format("2006-01-02 15:04Z"), unverified)
	fmt.Fprintf(bw, "graph: %d entities, %d relationships\n\n", rep.Summary.Entities, rep.Summary.Relationships)

	if rows := tableOrder(rep.Findings, all); len(rows) > 0 {
		if findingsTable(bw, rep.Findings, rows) {
			fmt.Fprintln(bw, "* passed, but collection failed for part of this scope: the scope's result is ERROR")
		}
		fmt.Fprintln(bw)
	}

	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tSTATUS\tFAIL\tPASS\tERROR\tTITLE")
	for _, r := range rep.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.ID, r.Severity, r.Status, r.Fail, r.Pass, r.Error, r.Title)
	}
	tw.Flush()
	fmt.Fprintf(bw, "\n%d checks: %d FAIL, %d PASS, %d ERROR findings", rep.Summary.Rules, rep.Summary.Fail, rep.Summary.Pass, rep.Summary.Error)
	if rep.Summary.Gaps > 0 {
		fmt.Fprintf(bw, "; %d coverage gaps (failed collection calls or malformed responses; see --format json)", rep.Summary.Gaps)
	}
	fmt.Fprintln(bw)
	if lines := notCollectedLines(rep.Gaps); len(lines) > 0 {
		fmt.Fprintln(bw, "not collected: calls this snapshot never made (most often: its collector predates them); what they feed is unknown (null), not empty:")
		for _, l := range lines {
			fmt.Fprintln(bw, "  "+l)
		}
	}
	if !all && rep.Summary.Pass > 0 {
		fmt.Fprintln(bw, "(PASS findings hidden; --all lists them)")
	}
	return bw.Flush()
}

// notCollectedLines lists the gaps of calls the snapshot never made
// (class ""), one line per call and what it leaves unknown per type, with
// its scopes (the first few of many; the JSON report has each):
// "s3:GetBucketAbac in 111122223333/eu-west-1, 111122223333/us-east-1:
// aws_s3_bucket abacEnabled".
func notCollectedLines(gaps []model.Gap) []string {
	type scope struct{ call, at string }
	var scopes []scope
	what := map[scope][]string{}
	for _, g := range gaps {
		if g.Class != "" {
			continue
		}
		at := g.AccountID
		if g.Region != "" {
			at += "/" + g.Region
		}
		k := scope{g.Service + ":" + g.Operation, at}
		if _, ok := what[k]; !ok {
			scopes = append(scopes, k)
		}
		unknown := "(entities)"
		if len(g.Unknown) > 0 {
			unknown = strings.Join(g.Unknown, ", ")
		}
		what[k] = append(what[k], g.ResourceType+" "+unknown)
	}
	slices.SortFunc(scopes, func(a, b scope) int { return cmp.Or(strings.Compare(a.call, b.call), strings.Compare(a.at, b.at)) })
	var lines []string
	at := map[string][]string{} // call and what -> scopes
	for _, k := range scopes {
		line := k.call + "\x00" + strings.Join(what[k], "; ")
		if _, ok := at[line]; !ok {
			lines = append(lines, line)
		}
		at[line] = append(at[line], k.at)
	}
	const shown = 4
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		call, unknown, _ := strings.Cut(l, "\x00")
		where := at[l]
		list := strings.Join(where, ", ")
		if len(where) > shown {
			list = fmt.Sprintf("%d accounts/Regions: %s and %d more", len(where), strings.Join(where[:shown-1], ", "), len(where)-shown+1)
		}
		out = append(out, call+" in "+list+": "+unknown)
	}
	return out
}

// tableOrder is the indexes of the findings the table lists (PASS only with
// all), ordered by status, severity, rule and resource key; ties keep the
// findings' order.
func tableOrder(fs []rules.Finding, all bool) []int32 {
	rows := make([]int32, 0, len(fs))
	for i := range fs {
		if all || fs[i].Status != rules.StatusPass {
			rows = append(rows, int32(i))
		}
	}
	slices.SortStableFunc(rows, func(i, j int32) int {
		a, b := &fs[i], &fs[j]
		return cmp.Or(cmp.Compare(statusRank[a.Status], statusRank[b.Status]),
			cmp.Compare(severityRank[a.Severity], severityRank[b.Severity]),
			strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.ResourceKey, b.ResourceKey))
	})
	return rows
}

// findingsHeader is the first row of the findings table; a row's last cell
// (the message) is not a column.
var findingsHeader = [...]string{"STATUS", "SEVERITY", "RULE", "RESOURCE", "ACCOUNT", "REGION", "MESSAGE"}

// findingCells is the row of finding f in the findings table, and whether
// it is a Partial PASS.
func findingCells(f *rules.Finding) ([len(findingsHeader)]string, bool) {
	status := f.Status
	if f.Partial {
		status += "*"
	}
	return [...]string{status, f.Severity, f.RuleID, orDash(f.ResourceKey), orDash(f.AccountID), orDash(f.Region),
		oneLine(f.Message)}, f.Partial
}

// findingsTable writes the findings fs[rows...] as a table and reports
// whether any is a Partial PASS. It writes what tabwriter.NewWriter(w, 0, 0,
// 2, ' ', 0) writes, byte for byte, in two passes over the rows (the width
// of each column, in runes, then the rows) instead of holding the table; a
// cell with a byte tabwriter reads as a control (tab, newline, vertical
// tab, form feed, its escape 0xff) sends the table through tabwriter
// itself.
func findingsTable(w io.Writer, fs []rules.Finding, rows []int32) (partial bool) {
	const padding = 2
	var width [len(findingsHeader) - 1]int
	plain := true
	measure := func(cells [len(findingsHeader)]string) {
		for c, cell := range cells {
			if strings.ContainsAny(cell, "\t\n\v\f\xff") {
				plain = false
			}
			if c < len(width) {
				width[c] = max(width[c], utf8.RuneCountInString(cell)+padding)
			}
		}
	}
	measure(findingsHeader)
	for _, i := range rows {
		cells, p := findingCells(&fs[i])
		measure(cells)
		partial = partial || p
	}
	if !plain {
		tw := tabwriter.NewWriter(w, 0, 0, padding, ' ', 0)
		fmt.Fprintln(tw, strings.Join(findingsHeader[:], "\t"))
		for _, i := range rows {
			cells, _ := findingCells(&fs[i])
			fmt.Fprintln(tw, strings.Join(cells[:], "\t"))
		}
		tw.Flush()
		return partial
	}
	const spaces = "                                                                "
	row := func(cells [len(findingsHeader)]string) {
		for c, cell := range cells[:len(width)] {
			io.WriteString(w, cell)
			for pad := width[c] - utf8.RuneCountInString(cell); pad > 0; pad -= len(spaces) {
				io.WriteString(w, spaces[:min(pad, len(spaces))])
			}
		}
		io.WriteString(w, cells[len(width)])
		io.WriteString(w, "\n")
	}
	row(findingsHeader)
	for _, i := range rows {
		cells, _ := findingCells(&fs[i])
		row(cells)
	}
	return partial
}

// outsideSnapshot refuses an output path inside the snapshot directory:
// writing there would replace the manifest or add a file verify rejects. Both
// paths are compared after resolving symbolic links of their existing parts.
func outsideSnapshot(snapDir, out string) error {
	resolve := func(p string) (string, error) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		// Resolve the longest existing prefix; the rest does not exist yet.
		rest := ""
		for dir := abs; ; dir = filepath.Dir(dir) {
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				return filepath.Join(real, rest), nil
			}
			if dir == filepath.Dir(dir) {
				return abs, nil
			}
			rest = filepath.Join(filepath.Base(dir), rest)
		}
	}
	snap, err := resolve(snapDir)
	if err != nil {
		return err
	}
	o, err := resolve(out)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(snap, o); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s is inside the snapshot %s; write it elsewhere (a snapshot is never written by analyze)", out, snapDir)
	}
	return nil
}

// defaultMaxMemory is the share of the physical memory --max-memory
// defaults to.
const defaultMaxMemory = 80

// maxMemory is the budget of --max-memory value v: a size, a percentage of
// physical (0: unknown), "0" for none, "" for the default.
func maxMemory(v string, physical uint64) (uint64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		v = strconv.Itoa(defaultMaxMemory) + "%"
	}
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || n <= 0 || n > 100 {
			return 0, fmt.Errorf("%q: want a percentage of the physical memory above 0 and at most 100", v)
		}
		if physical == 0 {
			return 0, nil // unknown physical memory: no budget rather than a guessed one
		}
		return uint64(float64(physical) * n / 100), nil
	}
	return rules.ParseByteSize(v)
}

// physicalMemory is the memory this process may use: the machine's
// (/proc/meminfo MemTotal) or its cgroup's limit, whichever is lower; 0
// where neither can be read (the budget is then off by default).
func physicalMemory() uint64 {
	var total uint64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					total = kb << 10
				}
			}
		}
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n // "max" (no limit) does not parse
		}
	}
	return total
}

// startProfiles starts a CPU profile to cpu and arranges a heap profile
// (all allocations since the start, and what is live) to mem; either may be
// empty. The returned function stops and writes them.
func startProfiles(cpu, mem string) (func() error, error) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		cpuFile = f
	}
	return func() error {
		var errs []error
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
			}
		}
		if mem != "" {
			f, err := os.Create(mem)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("--memprofile: %w", err))
			}
		}
		return errors.Join(errs...)
	}, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ruleOptions are the engine options of --config, --rule-timeout and
// --rule-memory. The config file is read by the engine, so that a key no
// check reads is reported with the file's name.
func ruleOptions(c *ucli.Context) ([]rules.Option, error) {
	// An unset limit is left to the engine: proportional to the graph.
	var opts []rules.Option
	if c.IsSet("rule-timeout") {
		d := c.Duration("rule-timeout")
		if d <= 0 {
			return nil, usagef("analyze: --rule-timeout %s: want more than 0", d)
		}
		opts = append(opts, rules.WithRuleTimeout(d))
	}
	if c.IsSet("rule-memory") {
		memory, err := rules.ParseByteSize(c.String("rule-memory"))
		if err != nil {
			return nil, usagef("analyze: --rule-memory: %v", err)
		}
		opts = append(opts, rules.WithRuleMemory(memory))
	}
	if p := c.String("config"); p != "" {
		opts = append(opts, rules.WithConfigFile(p))
	}
	return opts, nil
}
