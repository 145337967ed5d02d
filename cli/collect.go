package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/snapshot"
)

// collectMemoryLimit is the soft limit on the Go runtime's memory that
// collect sets unless GOMEMLIMIT is set. The collector's live memory is
// bounded by design (the snapshot writer's 64 MiB row budget, the pending
// child keys, a page per worker, the encoders at commit): about 150 MiB
// from 10,000 to 1,000,000 resources. Without a limit the garbage
// collector lets the heap grow to twice the live memory before it runs,
// and the process keeps that high-water mark (docs/performance.md,
// "Collect under latency"). Past the limit the collector still runs; the
// garbage collector just works harder.
const collectMemoryLimit = 160 << 20

// redactionKeyEnv names the environment variable holding the redaction key.
const redactionKeyEnv = "SNAPAUDIT_REDACTION_KEY"

// collectCommand walks an AWS account read-only into a snapshot directory.
func collectCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "collect",
		Usage:     "walk an AWS account read-only and write a snapshot",
		ArgsUsage: "--out SNAPSHOT_DIR | SNAPSHOT_DIR | --resume SNAPSHOT_DIR",
		Description: "Collects the raw API responses of the account the credentials reach (the standard AWS\n" +
			"credential chain: environment, AWS_PROFILE/--profile, SSO, instance roles; --role-arn assumes a\n" +
			"role first) into a new snapshot directory. Only List/Get/Describe calls are made. Secrets\n" +
			"(e.g. Lambda environment values) are replaced by keyed-hash markers before they reach disk.\n" +
			"AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured. Progress and the summary go to\n" +
			"stderr; the snapshot path is printed on stdout.\n\n" +
			"Every completed call is journaled in the directory's staging area (.tmp/journal) before it\n" +
			"counts as done. An interrupted collection (Ctrl-C, kill, reboot) leaves no snapshot, but keeps\n" +
			"that journal: --resume DIR finishes it without repeating completed calls (only sts\n" +
			"GetCallerIdentity is asked again, to check the account) and writes the same snapshot an\n" +
			"uninterrupted run would. Run it with the same settings (--role-arn, --regions, redaction key);\n" +
			"other settings are refused. --discard-partial --out DIR starts over instead. A committed\n" +
			"snapshot is never overwritten.\n\n" +
			"Exit status: 0 collected; 1 no snapshot (unreachable endpoint, unusable credentials, ...);\n" +
			"2 usage error; 4 the snapshot was written but some calls failed: denied (a denied call alone is\n" +
			"enough), throttled after the retries, or other errors. They are listed on stderr by call, error\n" +
			"class and region, and recorded as error rows, so analyze reports the affected checks as ERROR.\n" +
			"not_found (e.g. a bucket without a policy) and unsupported answers are not failures.",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the snapshot to this new `DIR` (or give it as the argument)"},
			&ucli.StringFlag{Name: "profile", Usage: "shared config profile (default: AWS_PROFILE or default)"},
			&ucli.StringFlag{Name: "region", Usage: "home region for credentials and STS (default: AWS_REGION, else us-east-1)"},
			&ucli.StringSliceFlag{Name: "regions", Usage: "collect only these regions (comma-separated; default: every enabled region); " +
				"a name that is not a region is a usage error listing the valid ones"},
			&ucli.StringFlag{Name: "role-arn", Usage: "assume this role before collecting"},
			&ucli.StringFlag{Name: "external-id", Usage: "external ID for --role-arn"},
			&ucli.StringFlag{Name: "session-name", Value: "snapaudit", Usage: "role session name for --role-arn"},
			&ucli.StringFlag{Name: "endpoint-url", Usage: "send every service to this endpoint (overrides AWS_ENDPOINT_URL)"},
			&ucli.IntFlag{Name: "concurrency", Value: 8, Usage: "concurrent API calls"},
			&ucli.IntFlag{Name: "max-attempts", Value: 10, Usage: "attempts per API call (adaptive retry)"},
			&ucli.DurationFlag{Name: "read-timeout", Value: 60 * time.Second, Usage: "how long a connection may stay silent before the call is retried (e.g. 2m over a slow proxy)"},
			&ucli.StringFlag{Name: "redaction-key-file", Usage: "file holding the HMAC key for redaction markers " +
				"(default: $" + redactionKeyEnv + ", else a random key per run)"},
			&ucli.BoolFlag{Name: "json", Usage: "write progress events as JSON lines on stderr"},
			&ucli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a pprof CPU profile of the collection to `FILE`"},
			&ucli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a pprof heap profile (allocations) at the end to `FILE`"},
		}, resumeFlags()...),
		Action: func(c *ucli.Context) error {
			dir, resume, err := collectTarget(c) // resume.go
			if err != nil {
				return err
			}
			if c.Int("concurrency") < 1 || c.Int("max-attempts") < 1 {
				return usagef("collect: --concurrency and --max-attempts must be at least 1")
			}
			if c.Duration("read-timeout") <= 0 {
				return usagef("collect: --read-timeout must be positive (e.g. 60s)")
			}
			for _, f := range []string{"external-id", "session-name"} {
				if c.IsSet(f) && c.String("role-arn") == "" {
					return usagef("collect: --%s needs --role-arn (it applies to the role to assume)", f)
				}
			}
			regions := splitList(c.StringSlice("regions"))
			if err := collect.CheckRegionNames(regions); err != nil {
				return usageError{fmt.Errorf("collect: %w", err)}
			}
			key, err := redactionKey(c.String("redaction-key-file"))
			if err != nil {
				return err
			}
			cfg, err := collect.LoadConfig(c.Context, collect.ConfigOptions{
				Profile:     c.String("profile"),
				Region:      c.String("region"),
				RoleARN:     c.String("role-arn"),
				ExternalID:  c.String("external-id"),
				SessionName: c.String("session-name"),
				EndpointURL: c.String("endpoint-url"),
				MaxAttempts: c.Int("max-attempts"),
				ReadTimeout: c.Duration("read-timeout"),
			})
			if err != nil {
				return err
			}
			log, err := logger(c, s)
			if err != nil {
				return err
			}
			r := newProgress(s.err, c.Bool("json"), isTerminal(s.err))
			opts := []collect.Option{collect.WithConcurrency(c.Int("concurrency")), collect.WithEvents(r.event), collect.WithToolVersion(Version), collect.WithLogger(log),
				collect.WithRoleARN(c.String("role-arn"))}
			if len(regions) > 0 {
				opts = append(opts, collect.WithRegions(regions...))
			}
			if key != nil {
				opts = append(opts, collect.WithRedactionKey(key))
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(collectMemoryLimit)) // restored for in-process callers (tests)
			}
			stopProfile, err := startProfiles(c.String("cpuprofile"), c.String("memprofile"))
			if err != nil {
				return err
			}
			m, sum, err := runCollect(c.Context, dir, resume, c.Bool("discard-partial"), cfg, opts)
			if perr := stopProfile(); err == nil && perr != nil {
				return perr
			}
			r.finish(sum, m, err)
			if ue := (*collect.UnknownRegionsError)(nil); errors.As(err, &ue) {
				return usageError{fmt.Errorf("collect: %w", err)}
			}
			if err != nil {
				return explainCollectError(dir, err)
			}
			fmt.Fprintln(s.out, dir)
			if len(sum.Failures) > 0 {
				return ErrPartial // finish listed the failed calls
			}
			return nil
		},
	}
}

// redactionKey reads the key from the file, else the environment; nil
// means "random per run".
func redactionKey(file string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("collect: --redaction-key-file: %w", err)
		}
		if b = bytes.TrimSpace(b); len(b) == 0 {
			return nil, fmt.Errorf("collect: --redaction-key-file %s is empty", file)
		}
		return b, nil
	}
	if v := os.Getenv(redactionKeyEnv); v != "" {
		return []byte(v), nil
	}
	return nil, nil
}

// splitList accepts both repeated flags and comma-separated values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress renders collector events on stderr: JSON lines with --json, a
// rewritten status line on a terminal, nothing otherwise; a summary at the
// end in every mode.
type progress struct {
	w          io.Writer
	json, tty  bool
	mu         sync.Mutex
	started    int
	finished   int
	rows       int
	errors     int
	lastRender time.Time
}

func newProgress(w io.Writer, jsonLines, tty bool) *progress {
	return &progress{w: w, json: jsonLines, tty: tty}
}

func (p *progress) event(e collect.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case collect.EventCallStarted:
		p.started++
	case collect.EventCallFinished:
		p.finished++
		p.rows += e.Rows
		if e.ErrorClass != "" {
			p.errors++
		}
	}
	switch {
	case p.json:
		if e.Kind == collect.EventDone {
			return // the summary line carries it
		}
		b, err := json.Marshal(e)
		if err == nil {
			fmt.Fprintf(p.w, "%s\n", b)
		}
	case p.tty:
		if e.Kind == collect.EventRegionSkipped {
			fmt.Fprintf(p.w, "\r\033[Kskipped region %s: %s\n", e.Region, e.Message)
		}
		// Redraw at most ten times a second.
		if now := time.Now(); now.Sub(p.lastRender) >= 100*time.Millisecond || e.Kind == collect.EventDone {
			p.lastRender = now
			fmt.Fprintf(p.w, "\r\033[Kcalls %d/%d  rows %d  errors %d  %s:%s %s", p.finished, p.started, p.rows,
				p.errors, e.Service, e.Operation, e.Region)
		}
	}
}

// finish prints the summary.
func (p *progress) finish(sum collect.Summary, m *snapshot.Manifest, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	if p.json {
		line := struct {
			Kind    string          `json:"kind"`
			Summary collect.Summary `json:"summary"`
			Error   string          `json:"error,omitempty"`
		}{Kind: "summary", Summary: sum}
		if err != nil {
			line.Error = err.Error()
		}
		if b, jerr := json.Marshal(line); jerr == nil {
			fmt.Fprintf(p.w, "%s\n", b)
		}
		return
	}
	if err != nil && len(sum.Regions) == 0 {
		return // it failed before collecting any region: the error line says it all
	}
	var errs []string
	for _, class := range slices.Sorted(maps.Keys(sum.Errors)) {
		errs = append(errs, fmt.Sprintf("%s=%d", class, sum.Errors[class]))
	}
	if len(errs) == 0 {
		errs = []string{"none"}
	}
	state := "collected"
	if err != nil {
		state = "FAILED (no snapshot written)"
	}
	fmt.Fprintf(p.w, "%s account %s: %d calls, %d rows, regions %s, errors %s, %s\n", state, orDash(sum.AccountID),
		sum.Calls, sum.Rows, orDash(strings.Join(sum.Regions, ",")), strings.Join(errs, " "),
		sum.Duration().Round(time.Millisecond))
	for _, region := range slices.Sorted(maps.Keys(sum.SkippedRegions)) {
		fmt.Fprintf(p.w, "skipped region %s: %s\n", region, sum.SkippedRegions[region])
	}
	if sum.Reused > 0 {
		fmt.Fprintf(p.w, "resumed: %d calls taken from the interrupted run's journal, not sent again\n", sum.Reused)
	}
	if err == nil {
		writeFailures(p.w, sum.Failures)
	}
	if m != nil {
		fmt.Fprintf(p.w, "snapshot: %d files, %d rows, %d bytes\n", len(m.Files), m.TotalRows(), m.TotalBytes())
	}
}

// writeFailures lists the failed calls of a committed snapshot, one line
// per call and error class:
//
//	incomplete: 3 calls failed (exit code 4); the snapshot records each as an error row:
//	  ec2:DescribeVolumes     denied  2 regions: eu-west-1, us-east-1  UnauthorizedOperation
//	  iam:ListAccountAliases  other   global                           ValidationError: bad request
func writeFailures(w io.Writer, fs []collect.CallFailure) {
	if len(fs) == 0 {
		return
	}
	n := 0
	for _, f := range fs {
		n += f.Invocations
	}
	calls := "calls"
	if n == 1 {
		calls = "call"
	}
	fmt.Fprintf(w, "incomplete: %d %s failed (exit code %d); the snapshot records each as an error row:\n", n, calls, ExitPartial)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fs {
		where := f.Regions[0]
		if len(f.Regions) > 1 {
			where = fmt.Sprintf("%d regions: %s", len(f.Regions), strings.Join(f.Regions, ", "))
		}
		if f.Invocations > len(f.Regions) {
			where += fmt.Sprintf(" (%d calls)", f.Invocations)
		}
		why := strings.Join(f.Codes, ", ")
		if f.Class == snapshot.ClassOther || why == "" {
			// "other" has no fixed meaning: show what went wrong.
			why = strings.TrimPrefix(why+": "+shorten(f.Message, 120), ": ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Call, f.Class, where, why)
	}
	tw.Flush()
}

// shorten puts s on one line of at most n runes.
func shorten(s string, n int) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
