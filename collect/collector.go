package collect

// A run has three phases:
//
//  1. Identify: sts GetCallerIdentity (names the account; a failure stops the
//     run because no row could say which account it belongs to). Its
//     children, calls whose input is the account ID (s3control
//     GetPublicAccessBlock), are queued with the account as their key.
//  2. Plan: ec2 DescribeRegions with AllRegions=false lists the regions the
//     account has enabled; regions outside the aws partition (China,
//     GovCloud, ISO) are dropped, and --regions narrows the list (names that
//     are not regions are an UnknownRegionsError, regions.go). No region
//     left to collect is an error, and so is a run whose every region was
//     skipped.
//  3. Collect: global calls once (through us-east-1) and, per region, the
//     probe call first; when the probe answers a region-level refusal the
//     region is skipped (an error row for every regional call records why),
//     otherwise the region's other calls are queued. Every page of a parent
//     call is handed to its children's key extractors, which queue one job
//     per key. A pool of workers drains the queue.
//
// Rows are written as each page arrives; nothing accumulates beyond the queue
// of pending keys.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/snapaudit/snapaudit/snapshot"
)

// RowWriter receives rows; *snapshot.Writer satisfies it. Write must be
// safe for concurrent use.
type RowWriter interface {
	Write(ctx context.Context, r snapshot.Row) error
}

// GlobalRegion is the region global calls are sent to, and RowGlobal the
// Row.Region of their rows.
const (
	GlobalRegion = "us-east-1"
	RowGlobal    = "global"
)

// Names of the calls the collector runs itself before planning.
const (
	callerIdentityCall = "sts:GetCallerIdentity"
	regionsCall        = "ec2:DescribeRegions"
)

// Collector walks one AWS account read-only. Build it with New.
type Collector struct {
	cfg   aws.Config
	calls []Call
	opts  options
}

type options struct {
	regions      []string
	concurrency  int
	events       func(Event)
	logger       *slog.Logger
	redactionKey []byte
	now          func() time.Time
	pollInterval time.Duration
	calls        []Call
	toolVersion  string
	roleARN      string // WithRoleARN (resume.go)
	commitSlots  int    // per worker (commitSlots; tests lower it)
}

// Option configures a Collector.
type Option func(*options)

// WithToolVersion records the tool's release version in the snapshot
// manifest when the binary's module information has none (a build from a
// checkout reports "(devel)").
func WithToolVersion(v string) Option { return func(o *options) { o.toolVersion = v } }

// WithRegions restricts collection to these regions (still intersected with
// the regions the account has enabled).
func WithRegions(regions ...string) Option {
	return func(o *options) { o.regions = append([]string(nil), regions...) }
}

// WithConcurrency sets the number of concurrent API invocations (default 8).
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = n } }

// WithEvents sets the progress callback. Calls are serialized.
func WithEvents(fn func(Event)) Option { return func(o *options) { o.events = fn } }

// WithLogger sets the logger for diagnostics (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithRedactionKey sets the HMAC key of redaction markers. Without it a
// random key is drawn per run (markers then only compare within the run).
func WithRedactionKey(key []byte) Option {
	return func(o *options) { o.redactionKey = append([]byte(nil), key...) }
}

// WithClock sets the clock used for CollectedAt and the summary times
// (tests use a fixed clock for reproducible snapshots).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithPollInterval sets the wait between credential-report polls
// (default 2s; tests use 0).
func WithPollInterval(d time.Duration) Option { return func(o *options) { o.pollInterval = d } }

// WithCalls replaces the registry (tests and benchmarks use a subset). The
// two planning calls (sts GetCallerIdentity, ec2 DescribeRegions) must be
// included.
func WithCalls(calls []Call) Option {
	return func(o *options) { o.calls = append([]Call(nil), calls...) }
}

// New returns a Collector for cfg. The read-only guard is added to a copy of
// cfg, so every client the collector builds refuses undeclared operations.
func New(cfg aws.Config, opts ...Option) *Collector {
	o := options{concurrency: 8, now: time.Now, pollInterval: 2 * time.Second, commitSlots: commitSlots}
	for _, fn := range opts {
		fn(&o)
	}
	if o.concurrency < 1 {
		o.concurrency = 1
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	calls := o.calls
	if calls == nil {
		calls = Registry()
	}
	cfg = cfg.Copy()
	cfg.APIOptions = append(append(cfg.APIOptions[:0:0], cfg.APIOptions...), ReadOnlyGuard(calls))
	return &Collector{cfg: cfg, calls: calls, opts: o}
}

// ErrNoRegion is returned (wrapped) when planning leaves no region to
// collect. Like an UnknownRegionsError it is a matter of settings, so the
// run is not resumable: a resume with the same settings would fail again.
var ErrNoRegion = errors.New("no region to collect")

// fatalError stops the whole run (writer failure, redaction failure).
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }
func (e fatalError) Unwrap() error { return e.err }

// run is the state of one Run.
type run struct {
	c        *Collector
	w        RowWriter
	clients  *clientPool
	quick    *clientPool // for the first call (quickConfig)
	red      redactor
	children map[string][]*Call
	byName   map[string]*Call
	q        *queue
	account  string
	journal  *runJournal // resume.go; nil when w keeps no journal

	evMu sync.Mutex

	statMu   sync.Mutex
	summary  Summary
	failures failures
	stats    workerStats
}

// Run collects the account into w and returns a summary. It returns an
// error when the run could not complete: the caller identity failed,
// regions could not be planned, a row could not be written, or ctx was
// cancelled. Failed AWS calls are not errors: they are rows.
func (c *Collector) Run(ctx context.Context, w RowWriter) (Summary, error) {
	key := c.opts.redactionKey
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key) // never fails (crypto/rand panics rather than return an error)
	}
	r := &run{
		c: c, w: w, clients: newClientPool(c.cfg), quick: newClientPool(quickConfig(c.cfg)), red: redactor{key: key},
		children: map[string][]*Call{}, byName: map[string]*Call{}, failures: failures{},
		summary: Summary{StartedAt: c.now(), SkippedRegions: map[string]string{}, Errors: map[snapshot.ErrorClass]int{}},
	}
	r.attachJournal(w)
	for i := range c.calls {
		call := &c.calls[i]
		r.byName[call.Name()] = call
		if call.Scope == PerParent {
			r.children[call.Parent] = append(r.children[call.Parent], call)
		}
	}
	sum, err := r.collect(ctx)
	sum.FinishedAt = c.now()
	c.emit(r, Event{Kind: EventDone, Account: sum.AccountID, Summary: &sum})
	return sum, err
}

func (c *Collector) now() time.Time { return c.opts.now().UTC() }

func (c *Collector) emit(r *run, ev Event) {
	if c.opts.events == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = c.now()
	}
	r.evMu.Lock()
	defer r.evMu.Unlock()
	c.opts.events(ev)
}

func (r *run) collect(ctx context.Context) (Summary, error) {
	ctx, cancel := context.WithCancelCause(withPollInterval(ctx, r.c.opts.pollInterval))
	defer cancel(nil)

	// The queue exists from the start: the identity's children (calls
	// whose input is the account ID, s3control GetPublicAccessBlock) are
	// queued by the identify call and run with the rest.
	q, stop := newQueue(ctx)
	defer stop()
	r.q = q

	// 1. Identify.
	idCall, ok := r.byName[callerIdentityCall]
	if !ok {
		return r.snapshotSummary(), fmt.Errorf("collect: registry lacks %s", callerIdentityCall)
	}
	var ident *sts.GetCallerIdentityOutput
	res := r.exec(ctx, job{call: idCall, region: GlobalRegion, rowRegion: RowGlobal}, func(out any) {
		if o, ok := out.(*sts.GetCallerIdentityOutput); ok {
			ident = o
			r.account = aws.ToString(o.Account)
		}
	})
	if res.fatal != nil {
		return r.snapshotSummary(), res.fatal
	}
	if ident == nil || r.account == "" {
		if cause, ok := unreachable(res.err); ok {
			return r.snapshotSummary(), fmt.Errorf("cannot reach AWS (%s, %s): %s; check --endpoint-url, "+
				"AWS_ENDPOINT_URL, the proxy settings and the network", callerIdentityCall, GlobalRegion, cause)
		}
		return r.snapshotSummary(), fmt.Errorf("%s %s: %s (cannot tell which account to collect)",
			callerIdentityCall, GlobalRegion, strings.TrimPrefix(res.code+": "+res.msg, ": "))
	}
	r.statMu.Lock()
	r.summary.AccountID, r.summary.CallerARN, r.summary.CallerUserID = r.account, aws.ToString(ident.Arn), aws.ToString(ident.UserId)
	r.statMu.Unlock()

	// 2. Plan.
	regions, err := r.plan(ctx)
	if err != nil {
		return r.snapshotSummary(), err
	}

	// 3. Collect.
	for i := range r.c.calls {
		call := &r.c.calls[i]
		if call.Scope == Global && call.Name() != callerIdentityCall && call.Name() != regionsCall {
			q.push(job{call: call, region: GlobalRegion, rowRegion: RowGlobal})
		}
	}
	probe := r.probeCall()
	for _, region := range regions {
		if probe != nil {
			q.push(job{call: probe, region: region, rowRegion: region})
		} else {
			r.queueRegion(region, nil)
		}
	}
	// after ends a job: a fatal error stops the run, a probe plans its region.
	after := func(j job, res result) {
		if res.fatal != nil {
			cancel(res.fatal)
		} else if j.call.Probe {
			if err := r.afterProbe(ctx, j, res); err != nil {
				cancel(err)
			}
		}
		q.done()
	}
	// A worker hands a sent invocation to a finisher, which waits for the
	// journal's fsync, and takes its next job meanwhile: the request
	// latency, not the disk, paces the workers. The job is done (and its
	// region planned, for a probe) only once it is durable; at most
	// commitSlots per worker wait for their commit at a time.
	var wg, finishers sync.WaitGroup
	commits := make(chan struct{}, max(1, r.c.opts.commitSlots)*r.c.opts.concurrency)
	stats := &r.stats
	for range r.c.opts.concurrency {
		wg.Go(func() {
			for {
				t := time.Now()
				j, ok := q.pop(ctx)
				stats.since(t, &stats.idle)
				if !ok {
					return
				}
				res, unit, sent := r.start(ctx, j, nil)
				if !sent || unit == nil {
					if sent {
						res = r.finish(ctx, j, res, unit) // no journal: nothing to wait for
					}
					after(j, res)
					continue
				}
				select {
				case commits <- struct{}{}:
				default:
					t := time.Now()
					commits <- struct{}{}
					stats.since(t, &stats.commitWait)
					stats.commitWaits.Add(1)
				}
				finishers.Go(func() {
					defer func() { <-commits }()
					after(j, r.finish(ctx, j, res, unit))
				})
			}
		})
	}
	wg.Wait()
	workersDone := time.Now()
	finishers.Wait()
	r.c.opts.logger.Debug("workers", "concurrency", r.c.opts.concurrency,
		"idle", time.Duration(stats.idle.Load()).Round(time.Millisecond),
		"commit_wait", time.Duration(stats.commitWait.Load()).Round(time.Millisecond), "commit_waits", stats.commitWaits.Load(),
		"pages", time.Duration(stats.pages.Load()).Round(time.Millisecond), "writes", time.Duration(stats.writes.Load()).Round(time.Millisecond),
		"last_commits", time.Since(workersDone).Round(time.Millisecond))
	if err := context.Cause(ctx); err != nil {
		return r.snapshotSummary(), fmt.Errorf("collect %s: %w", r.account, err)
	}
	if sum := r.snapshotSummary(); len(sum.Regions) == 0 {
		return sum, fmt.Errorf("collect %s: no region could be collected: %s", r.account, r.skippedReasons("-"))
	}
	return r.snapshotSummary(), nil
}

// commitSlots is how many sent invocations per worker may wait for their
// journal commit at once. A waiting invocation is a goroutine and the
// child keys its pages noted (a few KiB); the journal's group fsyncs take
// milliseconds but stall for hundreds of them when other processes load
// the disk, and with one slot per worker those stalls stopped the
// workers: 70 s of worker time in 2,082 waits at 100,000 resources, 8 of
// its 283 s of wall time (docs/performance.md, "Collect under latency").
const commitSlots = 64

// withCommitSlots sets the commit slots per worker. The tests that
// interrupt a run after n finished calls use 1: with more, the workers
// send (and the finishers journal) calls far past the n-th event on a fake
// without latency.
func withCommitSlots(n int) Option { return func(o *options) { o.commitSlots = n } }

// workerStats are where the workers' time went, logged at debug level at
// the end of the run ("workers").
type workerStats struct {
	idle        atomic.Int64 // ns waiting for a job (the queue empty)
	commitWait  atomic.Int64 // ns waiting for a commit slot
	commitWaits atomic.Int64
	pages       atomic.Int64 // ns handling decoded pages (redaction, child keys, encoding, writing)
	writes      atomic.Int64 // ns of those in the writer (a spill included)
}

func (r *run) snapshotSummary() Summary {
	r.statMu.Lock()
	defer r.statMu.Unlock()
	s := r.summary
	s.Regions = slices.Clone(s.Regions)
	s.SkippedRegions = maps.Clone(s.SkippedRegions)
	s.Errors = maps.Clone(s.Errors)
	s.Failures = r.failures.list()
	return s
}

func (r *run) probeCall() *Call {
	for i := range r.c.calls {
		if r.c.calls[i].Probe && r.c.calls[i].Scope == Regional {
			return &r.c.calls[i]
		}
	}
	return nil
}

// queueRegion queues every regional call of region except skip.
func (r *run) queueRegion(region string, skip *Call) {
	for i := range r.c.calls {
		call := &r.c.calls[i]
		if call.Scope == Regional && call != skip {
			r.q.push(job{call: call, region: region, rowRegion: region})
		}
	}
}

// afterProbe queues the region's calls, or records the region as skipped.
func (r *run) afterProbe(ctx context.Context, j job, res result) error {
	if ctx.Err() != nil {
		return nil
	}
	if res.class == snapshot.ClassNone || !regionRefusal(res.code, res.msg) {
		r.queueRegion(j.region, j.call)
		return nil
	}
	reason := fmt.Sprintf("%s answered %s: %s", j.call.Name(), res.code, res.msg)
	r.skipRegion(j.region, reason)
	// Record every regional call as failed for the same reason, so the
	// snapshot says "unknown" for them rather than nothing at all.
	for i := range r.c.calls {
		call := &r.c.calls[i]
		if call.Scope != Regional || call == j.call {
			continue
		}
		row := r.row(j.rowRegion, call, "", 0)
		row.Params = "{}"
		row.Status, row.ErrorClass, row.ErrorCode = snapshot.StatusError, res.class, res.code
		row.ErrorMessage = "not collected: region skipped because " + reason
		if err := r.write(ctx, row); err != nil {
			return fmt.Errorf("%s %s/%s: %w", call.Name(), r.account, j.region, err)
		}
	}
	return nil
}

func (r *run) skipRegion(region, reason string) {
	r.statMu.Lock()
	r.summary.SkippedRegions[region] = reason
	r.summary.Regions = slices.DeleteFunc(r.summary.Regions, func(s string) bool { return s == region })
	r.statMu.Unlock()
	r.c.emit(r, Event{Kind: EventRegionSkipped, Account: r.account, Region: region, Message: reason})
}

// plan runs DescribeRegions and returns the regions to collect, sorted.
func (r *run) plan(ctx context.Context) ([]string, error) {
	call, ok := r.byName[regionsCall]
	if !ok {
		return nil, fmt.Errorf("collect: registry lacks %s", regionsCall)
	}
	var enabled []string
	res := r.exec(ctx, job{call: call, region: GlobalRegion, rowRegion: RowGlobal}, func(out any) {
		if o, ok := out.(*ec2.DescribeRegionsOutput); ok {
			for _, reg := range o.Regions {
				if n := aws.ToString(reg.RegionName); n != "" {
					enabled = append(enabled, n)
				}
			}
		}
	})
	if res.fatal != nil {
		return nil, res.fatal
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect %s: %w", r.account, err)
	}
	requested := r.c.opts.regions
	if res.class != snapshot.ClassNone {
		if len(requested) == 0 {
			return nil, fmt.Errorf("ec2:DescribeRegions %s/%s: %s: %s (cannot list enabled regions; pass --regions)",
				r.account, GlobalRegion, res.code, res.msg)
		}
		if err := checkRequested(requested, nil); err != nil {
			return nil, err
		}
		// Trust the user's list; regions that are not enabled will be
		// skipped by the probe.
		enabled = requested
	} else if err := checkRequested(requested, append([]string{}, enabled...)); err != nil {
		return nil, err
	}
	var regions []string
	for _, region := range enabled {
		if len(requested) > 0 && !slices.Contains(requested, region) {
			continue // not asked for: not a skip worth recording
		}
		if p := partition(region); p != "aws" {
			r.skipRegion(region, fmt.Sprintf("partition %s is not supported (separate credentials)", p))
			continue
		}
		regions = append(regions, region)
	}
	for _, region := range requested {
		if !slices.Contains(enabled, region) {
			r.skipRegion(region, "not enabled for the account (ec2:DescribeRegions)")
		}
	}
	slices.Sort(regions)
	regions = slices.Compact(regions)
	r.statMu.Lock()
	r.summary.Regions = slices.Clone(regions)
	r.statMu.Unlock()
	if len(regions) == 0 {
		return nil, fmt.Errorf("collect %s: %w: %s", r.account, ErrNoRegion, r.skippedReasons("ec2:DescribeRegions lists no enabled region"))
	}
	return regions, nil
}

// skippedReasons lists the skipped regions with their reasons, or says none.
func (r *run) skippedReasons(none string) string {
	sum := r.snapshotSummary()
	var parts []string
	for _, region := range slices.Sorted(maps.Keys(sum.SkippedRegions)) {
		parts = append(parts, region+": "+sum.SkippedRegions[region])
	}
	if parts == nil {
		return none
	}
	return strings.Join(parts, "; ")
}

// partition returns the AWS partition of a region name.
func partition(region string) string {
	for _, p := range []struct{ prefix, name string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"}, {"us-isof-", "aws-iso-f"},
		{"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"}, {"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.name
		}
	}
	return "aws"
}

// result is the outcome of one invocation.
type result struct {
	pages int
	class snapshot.ErrorClass
	code  string
	msg   string
	err   error // the call's error, when it failed
	fatal error
}

// exec runs one invocation and writes its rows. hook, when set, sees each
// decoded page after redaction.
func (r *run) exec(ctx context.Context, j job, hook func(any)) result {
	res, unit, sent := r.start(ctx, j, hook)
	if !sent {
		return res
	}
	return r.finish(ctx, j, res, unit)
}

// start runs the invocation j: it takes it from the journal of an
// interrupted run (sent false: nothing left to do), or sends it and writes
// its rows; finish must then make it durable.
func (r *run) start(ctx context.Context, j job, hook func(any)) (res result, unit *unitRec, sent bool) {
	if res, ok := r.reuse(ctx, j, hook); ok { // resume.go: done before an interruption
		return res, nil, false
	}
	call := j.call
	r.c.emit(r, Event{Kind: EventCallStarted, Account: r.account, Region: j.rowRegion, Service: call.Service,
		Operation: call.Operation, ParentKey: j.key})
	uctx, unit := r.beginUnit(ctx, j)
	return r.invoke(uctx, j, hook), unit, true
}

// finish commits a sent invocation to the journal (durable before it
// counts as done), then counts it and reports it finished.
func (r *run) finish(ctx context.Context, j job, res result, unit *unitRec) result {
	call := j.call
	if res.fatal == nil && ctx.Err() == nil {
		res.fatal = r.commitUnit(unit)
	}
	if res.fatal == nil && ctx.Err() == nil {
		r.statMu.Lock()
		r.summary.Calls++
		if res.class != snapshot.ClassNone {
			r.summary.Errors[res.class]++
			// A probe's region-level refusal is a skipped region, not a failed call.
			if Incomplete(res.class) && !(call.Probe && regionRefusal(res.code, res.msg)) {
				r.failures.add(call.Name(), j.rowRegion, res.class, res.code, briefMessage(res.err, res.msg))
			}
		}
		r.statMu.Unlock()
		rows := res.pages
		if res.class != snapshot.ClassNone {
			rows++
		}
		r.c.emit(r, Event{Kind: EventCallFinished, Account: r.account, Region: j.rowRegion, Service: call.Service,
			Operation: call.Operation, ParentKey: j.key, Pages: res.pages, Rows: rows,
			ErrorClass: res.class, ErrorCode: res.code, Message: res.msg})
	}
	return res
}

func (r *run) invoke(ctx context.Context, j job, hook func(any)) result {
	call := j.call
	where := fmt.Sprintf("%s %s/%s", call.Name(), r.account, j.region)
	if j.key != "" {
		where += " " + j.key
	}
	pool := r.clients
	if call.Name() == callerIdentityCall {
		pool = r.quick
	}
	client, err := pool.get(call.Service, j.region)
	if err != nil {
		return result{fatal: fmt.Errorf("%s: %w", where, err)}
	}
	in := call.Run.newInput(j.key)
	params, err := paramsJSON(in)
	if err != nil {
		return result{fatal: fmt.Errorf("%s: params: %w", where, err)}
	}
	var res result
	run := call.Run.run
	if call.Recurse.fn != nil && j.depth > call.Depth {
		run = func(context.Context, any, any, emitFunc) error { return depthLimitError{depth: call.Depth} }
	}
	err = run(ctx, client, in, func(out any) error {
		defer r.stats.since(time.Now(), &r.stats.pages)
		// Redact first: neither a child key (parent_key, the child's
		// request) nor the hook can see a secret.
		if err := r.red.apply(out, call.Redact); err != nil {
			return fatalError{fmt.Errorf("%s: redact: %w", where, err)}
		}
		if err := r.red.applyURL(out, call.RedactURL); err != nil {
			return fatalError{fmt.Errorf("%s: redact: %w", where, err)}
		}
		for _, child := range r.children[call.Name()] {
			for _, it := range child.Keys.fn(j.key, out) {
				cj := job{call: child, region: j.region, rowRegion: j.rowRegion, key: it.Key}
				if it.Region != "" {
					cj.region, cj.rowRegion = it.Region, it.Region
				}
				r.pushChild(ctx, cj)
			}
		}
		if call.Recurse.fn != nil {
			for _, it := range call.Recurse.fn(j.key, out) {
				r.pushChild(ctx, job{call: call, region: j.region, rowRegion: j.rowRegion, key: it.Key, depth: j.depth + 1})
			}
		}
		if hook != nil {
			hook(out)
		}
		resp, err := responseJSON(out)
		if err != nil {
			return fatalError{fmt.Errorf("%s: response: %w", where, err)}
		}
		row := r.row(j.rowRegion, call, j.key, res.pages)
		row.Params, row.Status, row.Response = params, snapshot.StatusOK, resp
		if err := r.write(ctx, row); err != nil {
			return fatalError{fmt.Errorf("%s: %w", where, err)}
		}
		res.pages++
		return nil
	})
	if err == nil {
		return res
	}
	if fe := (fatalError{}); errors.As(err, &fe) {
		res.fatal = fe.err
		return res
	}
	if ctx.Err() != nil {
		// Cancelled: the run is abandoned; a row would only say "cancelled".
		return res
	}
	res.err = err
	res.class, res.code, res.msg = classify(err)
	r.c.opts.logger.Debug("call failed", "call", call.Name(), "account", r.account, "region", j.region,
		"key", j.key, "class", res.class, "code", res.code, "error", err)
	if r.account == "" {
		return res // the caller identity itself failed: no account to record it under
	}
	row := r.row(j.rowRegion, call, j.key, res.pages)
	row.Params, row.Status = params, snapshot.StatusError
	row.ErrorClass, row.ErrorCode, row.ErrorMessage = res.class, res.code, res.msg
	if err := r.write(ctx, row); err != nil {
		res.fatal = fmt.Errorf("%s: %w", where, err)
	}
	return res
}

// depthLimitError is the outcome of a recursive call's key found deeper
// than its Depth (Call.Recurse): recorded, never sent.
type depthLimitError struct{ depth int }

func (e depthLimitError) Error() string {
	return fmt.Sprintf("not collected: deeper than the %d levels the registry walks", e.depth)
}
func (e depthLimitError) ErrorCode() string             { return "DepthLimit" }
func (e depthLimitError) ErrorMessage() string          { return e.Error() }
func (e depthLimitError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func (r *run) row(region string, call *Call, key string, page int) snapshot.Row {
	return snapshot.Row{
		AccountID: r.account, Region: region, Service: call.Service, Operation: call.Operation,
		ParentKey: key, Page: int32(page), CollectedAt: r.c.now().Truncate(time.Millisecond),
	}
}

func (s *workerStats) since(t time.Time, total *atomic.Int64) { total.Add(int64(time.Since(t))) }

func (r *run) write(ctx context.Context, row snapshot.Row) error {
	t := time.Now()
	err := r.w.Write(ctx, row)
	r.stats.since(t, &r.stats.writes)
	if err != nil {
		return fmt.Errorf("write row: %w", err)
	}
	journalRow(ctx, row) // resume.go: when ctx carries a live unit
	r.statMu.Lock()
	r.summary.Rows++
	r.statMu.Unlock()
	return nil
}

// tokenParams are request fields that carry pagination state; they are
// dropped from Row.Params so rows do not depend on where a page started.
var tokenParams = []string{"NextToken", "Marker", "ContinuationToken", "StartingToken", "Position",
	"ExclusiveStartTableName", "NextMarker"}

// paramsJSON renders a request input: Go field names, null fields and
// pagination tokens removed, keys sorted.
func paramsJSON(in any) (string, error) {
	return objectJSON(in, func(k string, v json.RawMessage) bool {
		return string(v) == "null" || slices.Contains(tokenParams, k)
	})
}

// objectJSON marshals a struct as a JSON object with sorted keys, without
// the members drop selects.
func objectJSON(v any, drop func(string, json.RawMessage) bool) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	maps.DeleteFunc(m, drop)
	b, err = json.Marshal(m)
	return string(b), err
}

// ResponseJSON renders an SDK output page (a pointer to the operation's
// output struct) exactly as the collector stores it in Row.Response. Tools
// that write snapshots without AWS (the synthetic organisation generator)
// use it so their rows cannot drift from collected ones.
func ResponseJSON(out any) (string, error) { return responseJSON(out) }

// ParamsJSON renders the request input the collector sends for parent key
// key ("" for top-level calls) exactly as it stores it in Row.Params.
func (c Call) ParamsJSON(key string) (string, error) { return paramsJSON(c.Run.newInput(key)) }

// RecursiveItems returns the items a recursive call c (Call.Recurse)
// queues for itself from one of its own pages; nil for other calls.
func (c Call) RecursiveItems(parentKey string, page any) []Item {
	if c.Recurse.fn == nil {
		return nil
	}
	return c.Recurse.fn(parentKey, page)
}

// ChildItems returns the items (parent keys, and regions when they differ
// from the parent's) the collector queues for the per-parent call c from
// one page of its parent's output (a pointer to the parent's SDK output
// struct); nil for other scopes.
func (c Call) ChildItems(parentKey string, page any) []Item {
	if c.Scope != PerParent || c.Keys.fn == nil {
		return nil
	}
	return c.Keys.fn(parentKey, page)
}
