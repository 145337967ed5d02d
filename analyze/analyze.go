package analyze

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/analyze/rules"
	"github.com/snapaudit/snapaudit/policies"
	"github.com/snapaudit/snapaudit/snapshot"
)

// Analyzer runs the analysis pipeline. Its Rego checks are compiled once in
// New; Run may be called for many snapshots, also concurrently.
type Analyzer struct {
	opts   options
	engine *rules.Engine
}

type options struct {
	verify     bool
	verifyOpts []snapshot.VerifyOption
	policyDirs []string
	config     map[string]any
	ruleOpts   []rules.Option
	logger     *slog.Logger
	evalTime   time.Time
	maxMemory  uint64
	escalation EscalationMode
	// escalationLimit is EscalationAuto's limit (principals).
	escalationLimit int
}

// Option configures an Analyzer.
type Option func(*options)

// WithVerify turns the full integrity check of the snapshot before analysis
// on (the default) or off.
func WithVerify(on bool) Option { return func(o *options) { o.verify = on } }

// WithVerifyOptions passes options to the integrity check, for example
// snapshot.WithPublicKey to require a valid signature.
func WithVerifyOptions(opts ...snapshot.VerifyOption) Option {
	return func(o *options) { o.verifyOpts = append(o.verifyOpts, opts...) }
}

// WithPolicyDirs adds directories of auditor-written Rego checks next to the
// built-in ones.
func WithPolicyDirs(dirs ...string) Option {
	return func(o *options) { o.policyDirs = append(o.policyDirs, dirs...) }
}

// WithConfig sets data.snapaudit.config for the checks (for example
// {"required_tags": ["Owner"]}).
func WithConfig(cfg map[string]any) Option { return func(o *options) { o.config = cfg } }

// WithRuleOptions passes options to the Rego engine (rules.New), for example
// rules.WithConfigFile, rules.WithRuleTimeout or rules.WithRuleMemory.
func WithRuleOptions(opts ...rules.Option) Option {
	return func(o *options) { o.ruleOpts = append(o.ruleOpts, opts...) }
}

// WithMaxMemory sets the memory budget of the process during Run, in
// bytes (0, the default: none). Past it Run stops and returns a
// *MemoryError naming the phase (memory.go). The budget is process-wide:
// one analysis per process, as the CLI runs it.
func WithMaxMemory(bytes uint64) Option { return func(o *options) { o.maxMemory = bytes } }

// EscalationMode says when Run runs the privilege-escalation analysis
// (access.Query.Escalation) and adds it to the graph as ESCALATES
// relationships (access.AddEscalation) before the checks, for AWS-IAM-003.
// Where it does not run, each account says why (access.SkipEscalation) and
// the check reports ERROR with the reason, never PASS.
type EscalationMode int

const (
	// EscalationAuto, the default, runs the analysis unless the snapshot
	// has more principals (users and roles) than the limit
	// (WithEscalationLimit, DefaultEscalationLimit): its cost grows with
	// them, about a seventh of the analysis' CPU (docs/performance.md,
	// "Escalation"). A skip is logged once at Info.
	EscalationAuto EscalationMode = iota
	// EscalationOn runs it whatever the size (analyze --escalation).
	EscalationOn
	// EscalationOff never runs it (analyze --no-escalation).
	EscalationOff
)

// DefaultEscalationLimit is EscalationAuto's limit: the most principals
// for which the analysis runs by default. A 100,000-resource synthetic
// organisation has 7,568 (the analysis then adds about 1.9 CPU-seconds on
// both cores, 18% of the analysis' CPU, and 0.15 GiB of peak RSS);
// 160,000 resources, about 12,000 (10,049 roles: the organisation issue 9
// measures; 3.3 s of a 15.3 s analysis); 1,000,000 resources, 75,680
// (about 14 CPU-seconds and 0.43 GiB more peak RSS, measured: issue 9
// would run it by default at about 5 s of wall and 0.3 GiB):
// docs/performance.md, "Escalation", "Before the derivation".
const DefaultEscalationLimit = 20000

// WithEscalationMode sets when the privilege-escalation analysis runs
// (default EscalationAuto).
func WithEscalationMode(m EscalationMode) Option { return func(o *options) { o.escalation = m } }

// WithEscalation forces the privilege-escalation analysis on
// (EscalationOn) or off (EscalationOff) whatever the snapshot's size;
// without it the analysis runs when the snapshot is small enough
// (EscalationAuto).
func WithEscalation(on bool) Option {
	if on {
		return WithEscalationMode(EscalationOn)
	}
	return WithEscalationMode(EscalationOff)
}

// WithEscalationLimit sets EscalationAuto's limit: the analysis runs by
// default only when the snapshot has at most n principals (users and
// roles). n <= 0 keeps DefaultEscalationLimit.
func WithEscalationLimit(n int) Option { return func(o *options) { o.escalationLimit = n } }

// WithLogger sets the logger for diagnostics.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithEvalTime fixes the clock the checks see; by default it is the time
// the snapshot's collection finished, so results are reproducible.
func WithEvalTime(t time.Time) Option { return func(o *options) { o.evalTime = t } }

// New compiles the built-in checks and those in the policy directories.
func New(ctx context.Context, opts ...Option) (*Analyzer, error) {
	o := options{verify: true, logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	if o.escalationLimit <= 0 {
		o.escalationLimit = DefaultEscalationLimit
	}
	ropts := []rules.Option{rules.WithPolicies(policies.FS), rules.WithLogger(o.logger)}
	for _, d := range o.policyDirs {
		ropts = append(ropts, rules.WithPolicyDir(d))
	}
	if o.config != nil {
		ropts = append(ropts, rules.WithConfig(o.config))
	}
	ropts = append(ropts, o.ruleOpts...)
	eng, err := rules.New(ctx, ropts...)
	if err != nil {
		return nil, err
	}
	return &Analyzer{opts: o, engine: eng}, nil
}

// Rules lists the checks the analyzer evaluates.
func (a *Analyzer) Rules() []rules.RuleInfo { return a.engine.Rules() }

// Report is the outcome of one analysis.
type Report struct {
	Snapshot SnapshotSummary     `json:"snapshot"`
	Summary  Summary             `json:"summary"`
	Rules    []rules.RuleSummary `json:"rules"`
	Findings []rules.Finding     `json:"findings"`
	Gaps     []model.Gap         `json:"gaps"`
	// Graph is the rebuilt graph (written with --graph-out).
	Graph *graph.Graph `json:"-"`
}

// SnapshotSummary describes the analysed snapshot.
type SnapshotSummary struct {
	Dir           string    `json:"dir"`
	FormatVersion int       `json:"format_version"`
	Tool          string    `json:"tool"`
	Accounts      []string  `json:"accounts"`
	Regions       []string  `json:"regions"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	Verified      bool      `json:"verified"`
}

// Summary counts what the analysis produced.
type Summary struct {
	Entities      int `json:"entities"`
	Relationships int `json:"relationships"`
	Rules         int `json:"rules"`
	Fail          int `json:"fail"`
	Pass          int `json:"pass"`
	Error         int `json:"error"`
	Gaps          int `json:"gaps"`
}

// Failed reports whether any finding failed.
func (r *Report) Failed() bool { return r.Summary.Fail > 0 }

// Run analyses the snapshot in dir.
func (a *Analyzer) Run(ctx context.Context, dir string) (*Report, error) {
	first := "graph build"
	if a.opts.verify {
		first = "verify"
	}
	ctx, mem := watchMemory(ctx, a.opts.maxMemory, first)
	defer mem.close()
	// The collector's headroom follows the snapshot's size (memory.go). A
	// manifest that cannot be read is left to verify and the graph build
	// to report.
	if snap, err := snapshot.Open(dir); err == nil {
		mem.expect(snap.Manifest().TotalRows())
	}
	start := time.Now()
	enter := func(phase string) {
		mem.enter(phase)
		// What each phase starts from, for memory work (docs/performance.md
		// "Peak memory"): the live heap the last collection found and what
		// the process holds from the OS.
		used, live := processMemory()
		a.opts.logger.Debug("phase", "name", phase, "at", time.Since(start), "live_heap", mib(live), "held", mib(used))
	}
	rep, err := a.run(ctx, dir, enter)
	if used, live := processMemory(); err == nil {
		a.opts.logger.Debug("phase", "name", "done", "at", time.Since(start), "live_heap", mib(live), "held", mib(used))
	}
	if merr := mem.err(); merr != nil {
		// Whatever the phase made of its cancellation, the analysis is
		// incomplete: the budget is the reason.
		return nil, merr
	}
	return rep, err
}

// run is Run; enter is called with the name of each phase as it starts.
func (a *Analyzer) run(ctx context.Context, dir string, enter func(phase string)) (*Report, error) {
	// A malformed response is skipped and its call becomes a coverage gap
	// (ERROR for the checks of the types it feeds), like a failed call.
	var malformed []*model.RowError
	g, m, err := buildGraph(ctx, dir, a.opts.verify, a.opts.verifyOpts, a.opts.logger, enter,
		model.OnMalformed(func(e *model.RowError) { malformed = append(malformed, e) }))
	if err != nil {
		return nil, err
	}

	gaps := model.Gaps(append(model.FromManifest(m.Calls), model.FromMalformed(malformed)...), model.WithPlan(m.Plan))
	evalTime := a.opts.evalTime
	if evalTime.IsZero() {
		evalTime = m.FinishedAt
	}
	// The escalation analysis reads the collected graph alone (policies,
	// groups, what runs as a role), never the derived access: it runs
	// before the derivation, on a heap without the derived relationships
	// and without sorting them (docs/performance.md, "Escalation").
	if a.runEscalation(g) {
		enter("escalation")
		if err := escalation(ctx, g, evalTime, a.opts.logger); err != nil {
			return nil, err
		}
	}
	enter("IAM derivation")
	if err := derive(ctx, g, a.opts.logger); err != nil {
		return nil, err
	}
	enter("checks")
	res, err := a.engine.Evaluate(ctx, rules.Input{
		Graph:    g,
		Gaps:     ruleGaps(gaps),
		EvalTime: evalTime,
		Snapshot: rules.SnapshotInfo{Accounts: m.Accounts, Regions: m.Regions, CollectedAt: m.FinishedAt},
	})
	if err != nil {
		return nil, fmt.Errorf("evaluate checks: %w", err)
	}

	rep := &Report{
		Snapshot: SnapshotSummary{
			Dir: dir, FormatVersion: m.FormatVersion, Tool: m.Tool.Name + " " + m.Tool.Version,
			Accounts: m.Accounts, Regions: m.Regions, StartedAt: m.StartedAt, FinishedAt: m.FinishedAt,
			Verified: a.opts.verify,
		},
		Rules:    res.Rules,
		Findings: res.Findings,
		Gaps:     gaps,
		Graph:    g,
	}
	if rep.Findings == nil {
		rep.Findings = []rules.Finding{}
	}
	if rep.Gaps == nil {
		rep.Gaps = []model.Gap{}
	}
	ne, nr := g.Len()
	rep.Summary = Summary{Entities: ne, Relationships: nr, Rules: len(res.Rules), Gaps: len(gaps)}
	for _, f := range res.Findings {
		switch f.Status {
		case rules.StatusFail:
			rep.Summary.Fail++
		case rules.StatusPass:
			rep.Summary.Pass++
		case rules.StatusError:
			rep.Summary.Error++
		}
	}
	return rep, nil
}

// LoadGraph verifies the snapshot in dir (unless verify is false), rebuilds
// its graph and adds the IAM derivations: the graph analyze evaluates, for
// tools such as iam simulate --snapshot. Such tools report no coverage
// gaps, so a malformed response is an error here. vopts are the
// verification's options (snapshot.WithPublicKey requires a signature).
func LoadGraph(ctx context.Context, dir string, verify bool, log *slog.Logger, vopts ...snapshot.VerifyOption) (*graph.Graph, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g, _, err := loadGraph(ctx, dir, verify, vopts, log, func(string) {})
	return g, err
}

// LoadModel is LoadGraph without the IAM derivation (no TRUSTS, ALLOWS
// or access relationships, no placeholder principals): the graph the
// on-demand IAM questions need, which ask the evaluator themselves
// (iam escalation).
func LoadModel(ctx context.Context, dir string, verify bool, log *slog.Logger, vopts ...snapshot.VerifyOption) (*graph.Graph, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g, _, err := buildGraph(ctx, dir, verify, vopts, log, func(string) {})
	return g, err
}

// verifyFailed turns a failed verification into one line: the first
// problem, how many more, and what to do.
func verifyFailed(dir string, err error) error {
	var verr *snapshot.VerifyError
	if !errors.As(err, &verr) || len(verr.Problems) == 0 {
		return fmt.Errorf("verify %s: %w", dir, err)
	}
	more := ""
	if n := len(verr.Problems) - 1; n == 1 {
		more = " (and 1 more problem)"
	} else if n > 1 {
		more = fmt.Sprintf(" (and %d more problems)", n)
	}
	if errors.Is(err, snapshot.ErrSignature) { // a required signature is not to be skipped
		return fmt.Errorf("snapshot %s failed verification: %s%s; `snapaudit verify --pubkey FILE %s` lists every problem: %w",
			dir, verr.Problems[0], more, dir, err)
	}
	return fmt.Errorf("snapshot %s failed verification: %s%s; `snapaudit verify %s` lists every problem, --no-verify skips the check: %w",
		dir, verr.Problems[0], more, dir, snapshot.ErrCorrupt)
}

func loadGraph(ctx context.Context, dir string, verify bool, vopts []snapshot.VerifyOption, log *slog.Logger,
	enter func(phase string), opts ...model.Option) (*graph.Graph, *snapshot.Manifest, error) {
	g, m, err := buildGraph(ctx, dir, verify, vopts, log, enter, opts...)
	if err != nil {
		return nil, nil, err
	}
	enter("IAM derivation")
	if err := derive(ctx, g, log); err != nil {
		return nil, nil, err
	}
	return g, m, nil
}

// buildGraph is loadGraph without the IAM derivation.
func buildGraph(ctx context.Context, dir string, verify bool, vopts []snapshot.VerifyOption, log *slog.Logger,
	enter func(phase string), opts ...model.Option) (*graph.Graph, *snapshot.Manifest, error) {
	if verify {
		enter("verify")
		if _, err := snapshot.Verify(ctx, dir, vopts...); err != nil {
			return nil, nil, verifyFailed(dir, err)
		}
	}
	enter("graph build")
	snap, err := snapshot.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	m := snap.Manifest()
	start := time.Now()
	opts = append([]model.Option{model.WithLogger(log), model.WithAccounts(m.Accounts...)}, opts...)
	g, err := model.Build(ctx, snap, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("build graph from %s: %w", dir, err)
	}
	log.Debug("graph built", "duration", time.Since(start))
	return g, m, nil
}

// ruleGaps adapts the model's gaps to the rule engine's.
func ruleGaps(gaps []model.Gap) []rules.Gap {
	out := make([]rules.Gap, 0, len(gaps))
	for _, g := range gaps {
		reason := string(g.Class)
		switch g.Class {
		case "":
			reason = rules.ReasonNotCollected
		case model.ClassMalformed:
			reason = "malformed response"
		}
		out = append(out, rules.Gap{
			ResourceType: g.ResourceType, AccountID: g.AccountID, Region: g.Region,
			Service: g.Service, Operation: g.Operation, Reason: reason,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ResourceType < out[j].ResourceType })
	return out
}

// runEscalation reports whether the escalation analysis runs on g (the
// mode and, in auto, the number of principals); when not, it records why on
// the accounts for AWS-IAM-003.
func (a *Analyzer) runEscalation(g *graph.Graph) bool {
	switch a.opts.escalation {
	case EscalationOn:
		return true
	case EscalationOff:
		access.SkipEscalation(g, "turned off with --no-escalation")
		return false
	}
	n, limit := access.EscalationPrincipals(g), a.opts.escalationLimit
	if n <= limit {
		return true
	}
	reason := fmt.Sprintf("%d principals > the limit %d for running it by default", n, limit)
	a.opts.logger.Info("privilege-escalation analysis skipped: AWS-IAM-003 reports ERROR; --escalation runs it whatever the size",
		"principals", n, "limit", limit)
	access.SkipEscalation(g, reason)
	return false
}

// escalation runs the privilege-escalation analysis at time at (the
// condition key aws:CurrentTime) and adds it to g.
func escalation(ctx context.Context, g *graph.Graph, at time.Time, log *slog.Logger) error {
	start := time.Now()
	cat, err := actions.Load()
	if err != nil {
		return fmt.Errorf("escalation: %w", err)
	}
	ev := iam.NewEvaluator(iam.WithRCPServices(cat.RCPServices()), iam.WithClock(func() time.Time { return at }), iam.WithoutReasons())
	res, err := access.NewQuery(g, ev, cat).Escalation(ctx)
	if err != nil {
		return fmt.Errorf("escalation: %w", err)
	}
	if err := access.AddEscalation(g, res); err != nil {
		return fmt.Errorf("escalation: %w", err)
	}
	log.Debug("escalation analysed", "duration", time.Since(start), "edges", len(res.Edges), "paths", len(res.Paths))
	return nil
}

// derive adds the IAM derivations (TRUSTS, ALLOWS, effective access).
func derive(ctx context.Context, g *graph.Graph, log *slog.Logger) error {
	start := time.Now()
	st, err := access.Derive(ctx, g, access.WithLogger(log))
	if err != nil {
		return fmt.Errorf("derive IAM access: %w", err)
	}
	log.Debug("IAM access derived", "duration", time.Since(start), "stats", st)
	return nil
}
