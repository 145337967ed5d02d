package synth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/snapshot"
)

// ResourcesPerAccount is how many resources one synthetic account holds:
// an organisation of N resources has max(1, round(N/ResourcesPerAccount))
// accounts.
const ResourcesPerAccount = 12500

// MaxResources bounds --resources (a guard against a typo filling the disk).
const MaxResources = 10_000_000

// regionPool is where accounts' regions are drawn from (2 to 4 each).
var regionPool = []string{"ap-southeast-2", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"}

// Options says what to generate.
type Options struct {
	Resources int    // target resource count (see the package doc for what counts)
	Seed      uint64 // same Resources and Seed: byte-identical snapshot
	// Policies is the AWS managed policy corpus roles, users and groups
	// attach (LoadPolicies); it must not be empty.
	Policies []ManagedPolicy
}

// Stats counts what Generate wrote.
type Stats struct {
	Accounts int
	Regions  []string
	Rows     int64
	// Planned is the number of resources planned per entity _type (the
	// analyze graph has these plus the account, service and global
	// placeholders).
	Planned map[string]int
}

// epoch is the fixed "collection time" of every snapshot: rows, manifest
// times and resource creation dates derive from it, never from the clock.
var epoch = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

// Generate writes a synthetic organisation snapshot to the new directory
// dir through the snapshot writer and commits it. On failure the writer is
// aborted: dir holds no manifest.
func Generate(ctx context.Context, dir string, o Options, wopts ...snapshot.WriterOption) (*snapshot.Manifest, Stats, error) {
	if o.Resources < 1 || o.Resources > MaxResources {
		return nil, Stats{}, fmt.Errorf("synth: resources %d out of range 1..%d", o.Resources, MaxResources)
	}
	if len(o.Policies) == 0 {
		return nil, Stats{}, errors.New("synth: no managed policies (LoadPolicies)")
	}
	w, err := snapshot.Create(dir, wopts...)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("synth: %w", err)
	}
	g, err := newGen(w, o)
	if err != nil {
		return nil, Stats{}, errors.Join(err, w.Abort())
	}
	m, err := g.run(ctx, dir)
	if err != nil {
		if aerr := w.Abort(); aerr != nil {
			err = errors.Join(err, fmt.Errorf("abort snapshot %s: %w", dir, aerr))
		}
		return nil, Stats{}, err
	}
	return m, g.stats, nil
}

// gen is the state of one Generate.
type gen struct {
	w        *snapshot.Writer
	o        Options
	calls    map[string]collect.Call
	params   map[string]string // Params of top-level calls
	policies []policyRef       // the organisation's managed policy pool
	accounts []string
	stats    Stats
}

func newGen(w *snapshot.Writer, o Options) (*gen, error) {
	g := &gen{w: w, o: o, calls: map[string]collect.Call{}, params: map[string]string{},
		stats: Stats{Planned: map[string]int{}}}
	for _, c := range collect.Registry() {
		g.calls[c.Name()] = c
		if c.Scope != collect.PerParent {
			p, err := c.ParamsJSON("")
			if err != nil {
				return nil, fmt.Errorf("synth: params of %s: %w", c.Name(), err)
			}
			g.params[c.Name()] = p
		}
	}
	pool, err := policyPool(o.Policies, o.Seed)
	if err != nil {
		return nil, err
	}
	g.policies = pool
	n := max(1, (o.Resources+ResourcesPerAccount/2)/ResourcesPerAccount)
	prefix := 100 + mix(o.Seed)%900
	for i := range n {
		g.accounts = append(g.accounts, fmt.Sprintf("%03d%09d", prefix, 100000+uint64(i)*7919))
	}
	return g, nil
}

func (g *gen) run(ctx context.Context, dir string) (*snapshot.Manifest, error) {
	var regions []string
	n := len(g.accounts)
	for i, acct := range g.accounts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Spread the resources evenly; the first accounts take the rest.
		share := g.o.Resources / n
		if i < g.o.Resources%n {
			share++
		}
		a := newAccount(g, i, acct, share)
		if err := a.generate(ctx); err != nil {
			return nil, fmt.Errorf("synth account %s: %w", acct, err)
		}
		regions = append(regions, a.regions...)
	}
	slices.Sort(regions)
	regions = slices.Compact(regions)
	g.stats.Accounts, g.stats.Regions = n, regions
	tool, mods := snapshot.BuildInfo()
	m, err := g.w.Commit(ctx, snapshot.Metadata{
		Tool:       tool,
		SDKModules: mods,
		Caller:     snapshot.Caller{AccountID: g.accounts[0], ARN: callerARN(g.accounts[0]), UserID: callerUserID(g.accounts[0])},
		Accounts:   g.accounts,
		Regions:    regions,
		StartedAt:  epoch,
		FinishedAt: epoch.Add(time.Duration(g.o.Resources/100+1) * time.Second),
		Plan:       collect.Plan(collect.Registry()),
	})
	if err != nil {
		return nil, fmt.Errorf("commit snapshot %s: %w", dir, err)
	}
	return m, nil
}

// ok writes one page of an ok call: out must be a pointer to the call's
// SDK output struct; it is marshalled by the collector's own function.
func (g *gen) ok(ctx context.Context, account, region, name, key string, page int, out any) error {
	c, params, err := g.call(name, key)
	if err != nil {
		return err
	}
	if t := reflect.TypeOf(out); t == nil || t.Kind() != reflect.Pointer || t.Elem() != c.Output() {
		return fmt.Errorf("synth: %s page is %T, want *%v", name, out, c.Output())
	}
	resp, err := collect.ResponseJSON(out)
	if err != nil {
		return fmt.Errorf("synth: %s %s/%s %s: response: %w", name, account, region, key, err)
	}
	return g.write(ctx, snapshot.Row{
		AccountID: account, Region: region, Service: c.Service, Operation: c.Operation, ParentKey: key,
		Params: params, Page: int32(page), Status: snapshot.StatusOK, Response: resp, CollectedAt: epoch,
	})
}

// fail writes the error row of a call that answered an error, as the
// collector records it (class, code and the service's message).
func (g *gen) fail(ctx context.Context, account, region, name, key string, class snapshot.ErrorClass, code, msg string) error {
	c, params, err := g.call(name, key)
	if err != nil {
		return err
	}
	return g.write(ctx, snapshot.Row{
		AccountID: account, Region: region, Service: c.Service, Operation: c.Operation, ParentKey: key,
		Params: params, Status: snapshot.StatusError, ErrorClass: class, ErrorCode: code, ErrorMessage: msg,
		CollectedAt: epoch,
	})
}

func (g *gen) call(name, key string) (collect.Call, string, error) {
	c, ok := g.calls[name]
	if !ok {
		return c, "", fmt.Errorf("synth: %s is not in the collect registry", name)
	}
	if p, ok := g.params[name]; ok && key == "" {
		return c, p, nil
	}
	p, err := c.ParamsJSON(key)
	if err != nil {
		return c, "", fmt.Errorf("synth: %s %q: params: %w", name, key, err)
	}
	return c, p, nil
}

func (g *gen) write(ctx context.Context, r snapshot.Row) error {
	if err := g.w.Write(ctx, r); err != nil {
		return fmt.Errorf("write %s:%s %s/%s %q: %w", r.Service, r.Operation, r.AccountID, r.Region, r.ParentKey, err)
	}
	g.stats.Rows++
	return nil
}

// pages writes the items of one paginated call as pages of size items
// (the service's default page size); build makes page p's output from its
// items and reports whether more pages follow. No items: one empty page,
// as AWS answers.
func pages[T any](ctx context.Context, g *gen, account, region, name, key string, items []T, size int,
	build func(page []T, more bool, next string) any) error {
	for p, start := 0, 0; ; p++ {
		end := min(start+size, len(items))
		more := end < len(items)
		next := ""
		if more {
			next = token(name, key, end)
		}
		if err := g.ok(ctx, account, region, name, key, p, build(items[start:end], more, next)); err != nil {
			return err
		}
		if !more {
			return nil
		}
		start = end
	}
}

// token is an opaque pagination token.
func token(name, key string, offset int) string {
	return fmt.Sprintf("%016x", mix(hashString(name+"\x00"+key)^uint64(offset)))
}

// mix is the splitmix64 finalizer: a bijection of uint64, so distinct
// counters give distinct identifiers.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashString is FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// newRand returns the generator of stream i of a seed.
func newRand(seed, i uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, mix(i+1))) }

func callerARN(account string) string {
	return "arn:aws:sts::" + account + ":assumed-role/SnapauditAudit/snapaudit-synth"
}

func callerUserID(account string) string {
	return fmt.Sprintf("AROA%016X:snapaudit-synth", mix(hashString(account))&0xffffffffffff)
}
