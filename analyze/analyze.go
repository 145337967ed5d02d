package analyze

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/graph"
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
	policyDirs []string
	config     map[string]any
	ruleOpts   []rules.Option
	logger     *slog.Logger
	evalTime   time.Time
}

// Option configures an Analyzer.
type Option func(*options)

// WithVerify turns the full integrity check of the snapshot before analysis
// on (the default) or off.
func WithVerify(on bool) Option { return func(o *options) { o.verify = on } }

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
	g, m, err := loadGraph(ctx, dir, a.opts.verify, a.opts.logger)
	if err != nil {
		return nil, err
	}

	gaps := model.Gaps(model.FromManifest(m.Calls))
	evalTime := a.opts.evalTime
	if evalTime.IsZero() {
		evalTime = m.FinishedAt
	}
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
// tools such as iam simulate --snapshot.
func LoadGraph(ctx context.Context, dir string, verify bool, log *slog.Logger) (*graph.Graph, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g, _, err := loadGraph(ctx, dir, verify, log)
	return g, err
}

func loadGraph(ctx context.Context, dir string, verify bool, log *slog.Logger) (*graph.Graph, *snapshot.Manifest, error) {
	if verify {
		if _, err := snapshot.Verify(ctx, dir); err != nil {
			return nil, nil, fmt.Errorf("verify %s (skip with --no-verify): %w", dir, err)
		}
	}
	snap, err := snapshot.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	m := snap.Manifest()
	start := time.Now()
	g, err := model.Build(ctx, snap, model.WithLogger(log), model.WithAccounts(m.Accounts...))
	if err != nil {
		return nil, nil, fmt.Errorf("build graph from %s: %w", dir, err)
	}
	log.Debug("graph built", "duration", time.Since(start))
	if err := derive(ctx, g, log); err != nil {
		return nil, nil, err
	}
	return g, m, nil
}

// ruleGaps adapts the model's gaps to the rule engine's.
func ruleGaps(gaps []model.Gap) []rules.Gap {
	out := make([]rules.Gap, 0, len(gaps))
	for _, g := range gaps {
		reason := string(g.Class)
		if reason == "" {
			reason = "not collected"
		}
		out = append(out, rules.Gap{
			ResourceType: g.ResourceType, AccountID: g.AccountID, Region: g.Region,
			Service: g.Service, Operation: g.Operation, Reason: reason,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ResourceType < out[j].ResourceType })
	return out
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
