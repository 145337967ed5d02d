package rules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// Option configures an Engine.
type Option func(*options) error

type options struct {
	parallel int
	timeout  time.Duration
	memory   uint64
	sources  []source
	data     map[string]any
	config   map[string]any
	// configOrigin is where each top-level config key came from: a file
	// (WithConfigFile) or "" (WithConfig, WithData).
	configOrigin map[string]string
	logger       *slog.Logger
}

// WithPolicies adds the policies of fsys (every *.rego that is not a
// *_test.rego, recursively). Files are named "builtin:<path>" in errors.
// Pass policies.FS for the built-in pack.
func WithPolicies(fsys fs.FS) Option {
	return func(o *options) error {
		o.sources = append(o.sources, source{fsys: fsys, label: "builtin:"})
		return nil
	}
}

// WithPolicyDir adds an auditor's policy directory (repeatable). Its files
// are named by their path in errors. The directory must exist.
func WithPolicyDir(dir string) Option {
	return func(o *options) error {
		st, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("policy directory: %w", err)
		}
		if !st.IsDir() {
			return fmt.Errorf("policy directory %s: not a directory", dir)
		}
		o.sources = append(o.sources, source{fsys: os.DirFS(dir), label: dir, dir: true})
		return nil
	}
}

// WithData deep-merges doc into the policies' data document (data.*), e.g.
// allow-lists for an auditor's own checks. Later options win.
func WithData(doc map[string]any) Option {
	return func(o *options) error {
		o.data = mergeDoc(o.data, doc)
		return nil
	}
}

// WithConfig deep-merges cfg into data.snapaudit.config, the settings the
// built-in checks read (required_tags, admin_ports; see policies/README.md).
// Known keys are validated in New. Later options win.
func WithConfig(cfg map[string]any) Option {
	return func(o *options) error {
		o.addConfig(cfg, "")
		return nil
	}
}

// WithParallelism sets how many checks Evaluate runs at once (default
// GOMAXPROCS; 1 evaluates them one after another).
func WithParallelism(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("parallelism %d: want at least 1", n)
		}
		o.parallel = n
		return nil
	}
}

// WithLogger sets the logger (default: discard). Rego print() output is
// logged at debug level with the rule id.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l != nil {
			o.logger = l
		}
		return nil
	}
}

// Engine evaluates compiled checks. It is safe for concurrent use by several
// goroutines once New returns.
type Engine struct {
	checks   []check // sorted by rule ID
	logger   *slog.Logger
	parallel int
	timeout  time.Duration
	memory   uint64
	// sharedMemory, when set, is the budget of the parallel phase (tests
	// force every check through the alone phase with it); else it is the
	// budget of one check (ruleMemory).
	sharedMemory uint64
}

type check struct {
	info  RuleInfo
	query rego.PreparedEvalQuery
	// eager: the check reads the fully converted input, because some
	// module it is compiled with may use a lazy object whole (lazyguard.go).
	eager bool
}

// New loads, validates and compiles the policies and prepares one query per
// check. Errors name the file (and line) at fault; several problems are
// reported together.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	// timeout and memory 0: proportional to the graph (ruleTimeout, ruleMemory)
	o := options{logger: slog.New(slog.NewTextHandler(io.Discard, nil)), parallel: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
	}
	data := mergeDoc(map[string]any{}, o.data)
	data = mergeDoc(data, map[string]any{"snapaudit": map[string]any{"config": mergeDoc(map[string]any{}, o.config)}})
	// mergeDoc has just made both levels maps, so the assertions hold.
	if err := validateConfig(data["snapaudit"].(map[string]any)["config"].(map[string]any)); err != nil {
		return nil, fmt.Errorf("rules: config: %w", err)
	}
	l, err := load(o.sources)
	if err != nil {
		return nil, fmt.Errorf("rules: load policies: %w", err)
	}
	caps := Capabilities()
	// Everything is compiled together (errors name every file; the user
	// checks may import the built-in packages), and the built-in checks are
	// prepared against the built-in modules alone: no module of a policy
	// directory can take part in a built-in check's evaluation.
	all, err := compile(caps, l.modules, nil)
	if err != nil {
		return nil, err
	}
	builtins := all
	if len(l.builtin) != countTrue(l.builtin) {
		if builtins, err = compile(caps, l.modules, l.builtin); err != nil {
			return nil, err
		}
	}
	config := data["snapaudit"].(map[string]any)["config"].(map[string]any)
	if err := checkConfigKeys(config, o.configOrigin, all.Modules); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}

	store := inmem.NewFromObject(data)
	// Which compiled modules may use a lazy object of the input whole:
	// the checks compiled with them read the fully converted input.
	builtinWhole := wholeInputUses(builtins.Modules)
	allWhole := builtinWhole
	if builtins != all {
		allWhole = wholeInputUses(all.Modules)
	}
	for _, uses := range [][]string{builtinWhole, allWhole} {
		if len(uses) > 0 {
			o.logger.Debug("rules: policies use a big input object whole; their checks read the fully converted input", "uses", uses)
		}
	}

	e := &Engine{logger: o.logger, parallel: o.parallel, timeout: o.timeout, memory: o.memory}
	for _, info := range l.checks {
		ref, err := ast.ParseRef(info.Package)
		if err != nil {
			return nil, fmt.Errorf("rules: %s: package %s: %w", info.File, info.Package, err)
		}
		ref = append(ref.Copy(), ast.StringTerm("findings"))
		compiler, whole := all, allWhole
		if l.builtin[info.File] {
			compiler, whole = builtins, builtinWhole
		}
		pq, err := rego.New(
			rego.Compiler(compiler),
			rego.Store(store),
			rego.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(ref)))),
			rego.Capabilities(caps),
			rego.StrictBuiltinErrors(true),
			rego.EnablePrintStatements(true),
			rego.GenerateJSON(rawResult),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("rules: prepare %s (%s): %w", info.ID, info.File, err)
		}
		e.checks = append(e.checks, check{info: info, query: pq, eager: len(whole) > 0})
	}
	o.logger.Debug("rules: compiled policies", "files", len(l.modules), "checks", len(e.checks))
	return e, nil
}

// compile compiles the modules (only those named in only, when only is not
// nil) against caps.
func compile(caps *ast.Capabilities, modules map[string]*ast.Module, only map[string]bool) (*ast.Compiler, error) {
	mods := modules
	if only != nil {
		mods = map[string]*ast.Module{}
		for name, m := range modules {
			if only[name] {
				mods[name] = m
			}
		}
	}
	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithEnablePrintStatements(true).
		WithDefaultRegoVersion(ast.RegoV1)
	if compiler.Compile(mods); compiler.Failed() {
		return nil, fmt.Errorf("rules: compile policies: %w", explainCompileErrors(compiler.Errors))
	}
	return compiler, nil
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// undefinedFunction matches the compiler's message for a call to an unknown
// function, which is how a disallowed builtin shows up.
var undefinedFunction = regexp.MustCompile(`undefined function ([A-Za-z0-9_.]+)`)

// explainCompileErrors rewrites "undefined function http.send" into a message
// that says why the builtin is missing. Each error keeps its file:line.
func explainCompileErrors(errs ast.Errors) error {
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		msg := e.Error()
		if m := undefinedFunction.FindStringSubmatch(e.Message); m != nil && isDisallowed(m[1]) {
			loc := ""
			if e.Location != nil {
				loc = fmt.Sprintf("%s:%d: ", e.Location.File, e.Location.Row)
			}
			msg = fmt.Sprintf("%sbuiltin %s is not allowed in snapaudit policies (analysis is offline and reproducible: no network, randomness or host access)", loc, m[1])
		}
		out = append(out, errors.New(msg))
	}
	return errors.Join(out...)
}

// Rules returns the metadata of every check, sorted by ID.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, len(e.checks))
	for i, c := range e.checks {
		out[i] = c.info
	}
	return out
}

// Input is what Evaluate reads.
type Input struct {
	Graph *graph.Graph
	// Gaps are the collection calls that failed (not "not found"): the
	// resources they would have produced are unknown, not absent.
	Gaps []Gap
	// EvalTime is the clock Rego's time builtins see; zero means
	// Snapshot.CollectedAt, and when both are zero the wall clock.
	EvalTime time.Time
	Snapshot SnapshotInfo
}

// SnapshotInfo describes the snapshot the graph was built from (input.snapshot).
type SnapshotInfo struct {
	Accounts    []string
	Regions     []string
	CollectedAt time.Time
}

// Gap is a collection call that failed, or that the snapshot never made
// (ReasonNotCollected), for the entity type it feeds. An empty AccountID
// or Region is a wildcard (every account / every region).
type Gap struct {
	ResourceType string // entity _type the call feeds: aws_security_group
	AccountID    string
	Region       string // "global" for global calls
	Service      string // ec2
	Operation    string // DescribeSecurityGroups
	Reason       string // the error class: denied, throttled, unsupported, other; or ReasonNotCollected
}

// ReasonNotCollected is the Reason of a gap whose call the snapshot never
// made (its collector predates the call, or skipped the scope): nothing
// failed, and nothing is known.
const ReasonNotCollected = "not collected"

// Evaluate runs every check against in and returns the findings (sorted by
// rule ID, resource key, status, message) and one summary per check. A check
// whose evaluation fails (a strict builtin error, a malformed finding) or that
// exceeds its time limit or memory budget (limits.go) yields an ERROR finding
// and does not stop the others; Evaluate itself fails only for bad input or a
// cancelled ctx.
func (e *Engine) Evaluate(ctx context.Context, in Input) (*Result, error) {
	start := time.Now()
	doc, err := newInputDoc(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("rules: build input: %w", err)
	}
	ne, nr := 0, 0
	if in.Graph != nil {
		ne, nr = in.Graph.Len()
	}
	e.logger.Debug("rules: input built", "entities", ne, "relationships", nr, "duration", time.Since(start),
		"rule_timeout", e.ruleTimeout(in.Graph), "rule_memory", FormatByteSize(e.ruleMemory(in.Graph)))
	perCheck, err := e.runChecks(ctx, doc, in)
	if err != nil {
		return nil, err
	}
	if err := doc.buildErr(); err != nil {
		// A check read an entry that has no Rego form: its findings
		// cannot be trusted, so none are.
		return nil, fmt.Errorf("rules: build input: %w", err)
	}
	converted, entries := doc.converted()
	props, _ := doc.recordCounts()
	reruns := doc.reruns.Load()
	// doc is not read again: the input document (the lazy objects'
	// indexes and every value the checks converted, about half a gigabyte
	// at 1,000,000 resources) is garbage before the findings are gathered
	// into one slice.
	res := e.gather(perCheck)
	e.logger.Debug("rules: evaluated", "checks", len(e.checks), "findings", len(res.Findings),
		"converted", converted, "of", entries, "record_fields", props, "reruns", reruns,
		"duration", time.Since(start))
	return res, nil
}

// evaluate is runChecks and gather: Evaluate on a prepared document,
// which the benchmarks and tests evaluate more than once.
func (e *Engine) evaluate(ctx context.Context, doc *inputDoc, in Input) (*Result, error) {
	perCheck, err := e.runChecks(ctx, doc, in)
	if err != nil {
		return nil, err
	}
	return e.gather(perCheck), nil
}

// runChecks runs every check against the input document doc, up to
// e.parallel checks at a time (prepared queries are safe for concurrent use),
// each under the time limit and memory budget (see limits.go). Checks stopped
// because the shared heap crossed the budget run again alone, one after
// another, so the budget is charged to the check that used it. The result
// is each check's findings, sorted, in the order of e.checks.
func (e *Engine) runChecks(ctx context.Context, doc *inputDoc, in Input) ([][]found, error) {
	evalTime := in.EvalTime
	if evalTime.IsZero() {
		evalTime = in.Snapshot.CollectedAt
	}
	gaps := indexGaps(in.Gaps)
	perCheck := make([][]found, len(e.checks))
	again := make([]bool, len(e.checks))
	run := func(i int, guard *heapGuard) {
		c := e.checks[i]
		fs, err := e.evalLimited(ctx, c, doc, evalTime, in.Graph, guard)
		var limit *LimitError
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return // Evaluate reports ctx's error
		case errors.Is(err, errSharedMemory):
			again[i] = true
			return
		case errors.As(err, &limit):
			e.logger.Warn("rules: check stopped", "rule", c.info.ID, "file", c.info.File, "limit", limit.Limit, "value", limit.Value)
			fs = []found{errorFound(limit.Error())}
		default:
			e.logger.Warn("rules: check failed", "rule", c.info.ID, "file", c.info.File, "error", err)
			fs = []found{errorFound("evaluation error: " + err.Error())}
		}
		perCheck[i] = applyGaps(c.info, fs, gaps)
		sortFindings(perCheck[i]) // here, in parallel: every finding has c's ID, and e.checks are sorted by ID
	}

	if slices.ContainsFunc(e.checks, func(c check) bool { return c.eager }) {
		doc.eager() // converted before the checks start, so no check's limits are charged for it
	}
	memory := e.ruleMemory(in.Graph)
	shared := memory
	if e.sharedMemory > 0 {
		shared = e.sharedMemory
	}
	guard := startHeapGuard(shared, false)
	sem := make(chan struct{}, e.parallel)
	var wg sync.WaitGroup
	for _, i := range largestFirst(e.checks, in.Graph) {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			soloLock.RLock()
			defer soloLock.RUnlock()
			pprof.Do(ctx, pprof.Labels("check", e.checks[i].info.ID), func(context.Context) { run(i, guard) })
		}()
	}
	wg.Wait()
	guard.close()
	for i := range e.checks {
		if !again[i] || ctx.Err() != nil {
			continue
		}
		e.logger.Debug("rules: heap over budget with several checks running; running again alone", "rule", e.checks[i].info.ID)
		again[i] = false
		soloLock.Lock()
		solo := startHeapGuard(memory, true)
		pprof.Do(ctx, pprof.Labels("check", e.checks[i].info.ID), func(context.Context) { run(i, solo) })
		solo.close()
		soloLock.Unlock()
		if again[i] { // cannot happen: alone, the check itself is blamed
			return nil, fmt.Errorf("rules: evaluate %s: memory attribution failed", e.checks[i].info.ID)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rules: evaluate: %w", err)
	}
	return perCheck, nil
}

// gather makes the Result of runChecks' findings: every check's findings
// in one slice (sorted by rule ID, as e.checks are) and one summary per
// check. The slice is made at its size, and each check's compact findings
// (found) are released as they are expanded into it: at 1,000,000
// resources the 600,000 Findings take 115 MB, their found 53 MB.
func (e *Engine) gather(perCheck [][]found) *Result {
	total := 0
	for _, fs := range perCheck {
		total += len(fs)
	}
	res := &Result{Rules: make([]RuleSummary, 0, len(e.checks))}
	if total > 0 {
		res.Findings = make([]Finding, 0, total)
	}
	for i := range e.checks {
		info := &e.checks[i].info
		for j := range perCheck[i] {
			res.Findings = append(res.Findings, perCheck[i][j].finding(info))
		}
		res.Rules = append(res.Rules, summarize(*info, perCheck[i]))
		perCheck[i] = nil
	}
	return res
}

// largestFirst is the order to start checks in: by the number of entities
// of their resource_types, most first, so the longest checks do not start
// last and leave the other cores idle (at 100k resources AWS-TAG-001, over
// the 14 DataStore types, takes half the evaluation). Findings do not
// depend on the order.
func largestFirst(checks []check, g *graph.Graph) []int {
	size := make([]int, len(checks))
	order := make([]int, len(checks))
	for i, c := range checks {
		order[i] = i
		for _, t := range c.info.ResourceTypes {
			if g != nil {
				size[i] += len(g.EntitiesOfType(t))
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return size[b] - size[a] })
	return order
}

// evalLimited evaluates one check under the time limit, watched by guard.
// When a limit stopped it, the error is the limit's (*LimitError or
// errSharedMemory).
func (e *Engine) evalLimited(ctx context.Context, c check, doc *inputDoc, evalTime time.Time, g *graph.Graph, guard *heapGuard) ([]found, error) {
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timeout := e.ruleTimeout(g)
	tctx, stop := context.WithTimeoutCause(cctx, timeout, &LimitError{Limit: "time", Value: timeout.String()})
	defer stop()
	guard.enter(&cancel)
	fs, err := e.evalCheck(tctx, c, doc, evalTime, g)
	guard.leave(&cancel)
	if err != nil && ctx.Err() == nil {
		if cause := context.Cause(tctx); cause != nil {
			return nil, cause
		}
	}
	return fs, err
}

// evalCheck evaluates one check on doc and turns its findings set into
// Findings. A check evaluates on lazy records (entities and relationships,
// lazyrecord.go) unless lazyGuard sent it to the converted document; when
// that evaluation panics, fails, or uses a lazy record whole (its own or a
// check's running at the same time: the count is shared), its answer is not
// trusted and the check is evaluated again on whole records.
func (e *Engine) evalCheck(ctx context.Context, c check, doc *inputDoc, evalTime time.Time, g *graph.Graph) ([]found, error) {
	if c.eager {
		return e.evalOn(ctx, c, doc.eager(), evalTime, g)
	}
	_, before := doc.recordCounts()
	fs, err := e.evalLazyRecords(ctx, c, doc.lazy, evalTime, g)
	if ctx.Err() != nil {
		return fs, err
	}
	_, after := doc.recordCounts()
	if err == nil && after == before {
		return fs, nil
	}
	doc.reruns.Add(1)
	e.logger.Debug("rules: check evaluated again on whole records", "rule", c.info.ID, "error", err, "whole_uses", after-before)
	return e.evalOn(ctx, c, doc.whole, evalTime, g)
}

// evalLazyRecords is evalOn, a panic turned into an error: OPA's own
// object code panics when it compares itself with a lazy record.
func (e *Engine) evalLazyRecords(ctx context.Context, c check, val ast.Value, evalTime time.Time, g *graph.Graph) (fs []found, err error) {
	defer func() {
		if r := recover(); r != nil {
			fs, err = nil, fmt.Errorf("panic on lazy records: %v", r)
		}
	}()
	return e.evalOn(ctx, c, val, evalTime, g)
}

// evalOn evaluates one check on the input document val.
func (e *Engine) evalOn(ctx context.Context, c check, val ast.Value, evalTime time.Time, g *graph.Graph) ([]found, error) {
	evalOpts := []rego.EvalOption{
		rego.EvalParsedInput(val),
		rego.EvalPrintHook(printHook{logger: e.logger, rule: c.info.ID}),
		rego.EvalVirtualCache(newFindingCache()),
	}
	if !evalTime.IsZero() {
		evalOpts = append(evalOpts, rego.EvalTime(evalTime))
	}
	rs, err := c.query.Eval(ctx, evalOpts...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil // findings undefined: no resource matched
	}
	t, ok := rs[0].Expressions[0].Value.(*ast.Term)
	if !ok {
		return nil, fmt.Errorf("findings: unexpected result %T", rs[0].Expressions[0].Value)
	}
	set, ok := t.Value.(ast.Set)
	if !ok {
		v, err := ast.JSON(t.Value)
		if err != nil {
			return nil, fmt.Errorf("findings must be a set of objects, got %v", t)
		}
		return nil, fmt.Errorf("findings must be a set of objects, got %T", v)
	}
	out := make([]found, 0, set.Len())
	var bad []string
	set.Foreach(func(it *ast.Term) { // in sorted order, as before
		f, err := decodeFindingValue(it.Value, g)
		if err != nil {
			bad = append(bad, err.Error())
			return
		}
		out = append(out, f)
	})
	if len(bad) > 0 {
		// One ERROR per check, not per malformed item, listing the first few.
		if len(bad) > 3 {
			bad = append(bad[:3], fmt.Sprintf("and %d more", len(bad)-3))
		}
		out = append(out, errorFound("malformed findings: "+strings.Join(bad, "; ")))
	}
	return out, nil
}

// rawResult is the rego.GenerateJSON of every check: the findings set as
// OPA's term, read in place by evalCheck. Converting it to Go maps first
// (and sorting it) was a third of the evaluation of a check that reports
// every resource (AWS-TAG-001).
func rawResult(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// printHook sends Rego print() output to the logger.
type printHook struct {
	logger *slog.Logger
	rule   string
}

func (h printHook) Print(pc print.Context, msg string) error {
	loc := ""
	if pc.Location != nil {
		loc = fmt.Sprintf("%s:%d", pc.Location.File, pc.Location.Row)
	}
	h.logger.Debug("rego print", "rule", h.rule, "location", loc, "msg", msg)
	return nil
}
