package access

// Principal access on every core. The principals are derived by up to
// GOMAXPROCS workers (Limits aside, WithWorkers), each a copy of the
// deriver with caches of its own (the statement answers, the organisation
// answers, lower-cased tags and actions, its scratch buffers): they are
// memos of answers that depend only on their keys, so a worker that asks
// again gets what another would have. The evaluator's answers (statement
// and organisation decisions) are shared (memo): two workers missing the
// same key at once both ask, so Evaluations may grow a little. What the
// workers share is read-only while they run, or guarded:
//
//   - the parsed documents (d.docs) and every lazily computed field of
//     the grants and statements the derivation reads: computed before the
//     workers start (warm); a document no earlier step read is parsed under
//     a lock (parallel.doc);
//   - the classes of principals sharing their access (shared.go): the
//     first principal of a class to arrive derives it, another principal
//     of the class arriving before it is done is left for a second pass
//     (no worker waits), which runs once every first principal is done;
//   - the access relationships' property sets, shared between workers
//     (parallel.props) so that equal edges still share one set.
//
// The graph is not touched while the workers run: each principal's
// relationships, and what is to be marked on it, are kept in its result,
// and added to the graph in principal order afterwards, as one worker
// would have added them. The identity ALLOWS relationships a principal
// used are marked effective then too. The graph is therefore byte for
// byte the same for any number of workers (TestDeriveWorkers).

import (
	"context"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// principalResult is what deriving one principal gives.
type principalResult struct {
	rels         []*graph.Relationship // its access relationships, in key order
	inconclusive bool                  // its permissions boundary is not in the graph
	capped       int                   // >0: its targets, more than Limits.MaxAccessPerPrincipal
	deferred     bool                  // left for the second pass (its class is being derived)
	denials      []ownDenial           // resources its own Deny refuses it (owndeny.go)
}

// parallel is what the workers of principal-access share.
type parallel struct {
	mu      sync.Mutex
	classes map[string]*accessClass // by accessClassKey

	propsMu sync.Mutex
	propsOf map[string]*graph.Props // accessProps' sets by key

	docMu sync.Mutex
	docs  map[docKey]*document // parsed while the workers run

	cells     *cellInventory // the collected resources' cells (cells.go), built on first use
	cellsMu   sync.Mutex
	cellProps map[exceptInKey]*graph.Props // withExceptIn's sets
}

// class returns the class ck names, created (first) when absent; ready
// tells whether its first principal is done, ok then whether its access
// is shared (true for the first principal itself).
func (p *parallel) class(ck []byte) (cls *accessClass, first, ready, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cls = p.classes[string(ck)]; cls == nil { // looked up without a copy
		cls = &accessClass{ok: true}
		p.classes[string(ck)] = cls
		return cls, true, false, true
	}
	return cls, false, cls.ready, cls.ok
}

// classDone records the shared access of a class, derived by its first
// principal (ok false: it met something personal, the others are derived
// alone).
func (p *parallel) classDone(cls *accessClass, ok bool, edges []sharedEdge) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cls.ok, cls.ready = ok, true
	if ok {
		cls.edges = edges
	}
}

// props returns the property set shared under key, built when absent.
func (p *parallel) props(key string, build func() *graph.Props) *graph.Props {
	p.propsMu.Lock()
	defer p.propsMu.Unlock()
	if s, ok := p.propsOf[key]; ok {
		return s
	}
	s := build()
	p.propsOf[key] = s
	return s
}

// doc parses a document no step read before the workers started (d is
// the asking worker).
func (p *parallel) doc(d *deriver, k docKey) *document {
	p.docMu.Lock()
	defer p.docMu.Unlock()
	if doc, ok := p.docs[k]; ok {
		return doc
	}
	doc := d.loadDoc(k, p.docs)
	if doc != nil {
		warmDoc(doc)
	}
	return doc
}

// derivePrincipals derives the access of principals (sorted by key) on
// the workers and adds it to the graph in their order.
func (d *deriver) derivePrincipals(ctx context.Context, principals []*graph.Entity) error {
	d.warm(principals)
	d.par = &parallel{classes: map[string]*accessClass{}, propsOf: map[string]*graph.Props{}, docs: map[docKey]*document{},
		cells: &cellInventory{}, cellProps: map[exceptInKey]*graph.Props{}}
	defer func() { d.par = nil }()
	n := d.cfg.workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(1, min(n, len(principals)))
	stats := make([]Stats, n)
	workers := make([]*deriver, n)
	for i := range workers {
		workers[i] = d.worker(&stats[i])
	}
	results := make([]principalResult, len(principals))
	var (
		deferredMu sync.Mutex
		deferred   []int
	)
	// run derives the principals order[0..count) names (nil order: all).
	run := func(count int, order []int, mayDefer bool) error {
		var next atomic.Int64
		var failed atomic.Bool
		errs := make([]error, len(workers))
		var wg sync.WaitGroup
		for wi, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !failed.Load() {
					j := int(next.Add(1)) - 1
					if j >= count {
						return
					}
					i := j
					if order != nil {
						i = order[j]
					}
					p := principals[i]
					if err := ctx.Err(); err != nil {
						errs[wi] = err
						failed.Store(true)
						return
					}
					if p.String("_source") == placeholderSource {
						continue
					}
					r := &results[i]
					*r = principalResult{}
					if err := w.principal(p, r, mayDefer); err != nil {
						errs[wi] = err
						failed.Store(true)
						return
					}
					if r.deferred {
						deferredMu.Lock()
						deferred = append(deferred, i)
						deferredMu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := run(len(principals), nil, true); err != nil {
		return err
	}
	// Every first principal of a class is done: its others now reuse it.
	slices.Sort(deferred)
	if err := run(len(deferred), deferred, false); err != nil {
		return err
	}
	reused, fastHits := 0, 0
	for i, w := range workers {
		st := &stats[i]
		d.stats.Evaluations += st.Evaluations
		d.stats.OrgEvaluations += st.OrgEvaluations
		d.stats.CellEvaluations += st.CellEvaluations
		d.stats.ExceptInEdges += st.ExceptInEdges
		d.stats.Documents += st.Documents
		d.stats.DocumentErrors += st.DocumentErrors
		reused += w.sharedPrincipals
		fastHits += w.fastHits
	}
	if err := d.addPrincipalResults(principals, results); err != nil {
		return err
	}
	d.cfg.log.Debug("access shared by classes of principals", "principals", len(principals), "classes", len(d.par.classes),
		"reused", reused, "workers", len(workers), "secondPass", len(deferred), "propertySetsByGrants", fastHits)
	return nil
}

// addPrincipalResults adds the workers' results to the graph in principal
// order, and marks effective the identity ALLOWS relationships a
// principal used.
func (d *deriver) addPrincipalResults(principals []*graph.Entity, results []principalResult) error {
	for i, p := range principals {
		r := &results[i]
		if r.inconclusive {
			d.stats.Inconclusive++
			p.Set("accessInconclusive", true)
			d.cfg.log.Warn("access not evaluated: permissions boundary not in the graph", "principal", p.Key, "boundary", p.String("permissionsBoundaryArn"))
		}
		if max := d.cfg.limits.MaxAccessPerPrincipal; r.capped > 0 {
			d.stats.CappedPrincipals++
			p.Set("accessCapped", true)
			d.cfg.log.Warn("access relationships capped", "principal", p.Key, "targets", r.capped, "max", max)
		}
		addOwnDenials(p, r.denials)
		for _, rel := range r.rels {
			if err := d.g.AddRelationship(rel); err != nil {
				return err
			}
			d.stats.PrincipalAccess++
		}
		r.rels = nil // the graph holds them now
	}
	for _, pk := range sortedKeys(d.identityGrants) {
		ag := d.identityGrants[pk]
		mark := func(l []*grant) {
			for _, gr := range l {
				if gr.marked.Load() && gr.rel.Get("effective") != true {
					gr.rel.Set("effective", true)
				}
			}
		}
		mark(ag.any)
		for _, l := range ag.byAccount {
			mark(l)
		}
	}
	return nil
}

// worker returns a copy of d for one worker of principal-access: caches
// of its own (seeded with what the earlier steps cached) but for the
// evaluator's answers (memo), stats into st.
func (d *deriver) worker(st *Stats) *deriver {
	w := *d
	w.stats = st
	w.tagsOf = maps.Clone(d.tagsOf)
	w.orgActions = maps.Clone(d.orgActions)
	w.orgSets = maps.Clone(d.orgSets)
	w.orgPersonals = maps.Clone(d.orgPersonals)
	w.accessPropsOf = map[string]*graph.Props{}
	w.classes = classScratch{lower: maps.Clone(d.classes.lower)}
	w.keyBuf, w.keys, w.byTarget, w.accessPool, w.classesOf = nil, nil, nil, nil, nil
	w.classKeyBuf, w.tagNames = nil, nil
	w.fastPropsOf, w.fastKey, w.fastHits = nil, nil, 0
	w.cellSets, w.cellOrgs, w.cellAnswers, w.cellPatterns, w.cellPending = nil, nil, nil, nil, nil
	w.stmtCache, w.orgDecisions = d.stmtCache.forWorker(), d.orgDecisions.forWorker()
	w.sharedPrincipals = 0
	w.ownDenied = nil
	return &w
}

// warm computes, before the workers start, what they share and would
// otherwise compute lazily: the documents of the principals' boundaries
// and of the grants' targets, and the cached fields of grants and
// statements.
func (d *deriver) warm(principals []*graph.Entity) {
	d.orgIDs()
	d.orgTagNames()
	d.orgPersonalPolicies()
	for _, p := range principals {
		if b := p.String("permissionsBoundaryArn"); b != "" {
			if be := d.g.Entity(b); be != nil {
				d.doc(be, "document")
			}
		}
		for _, o := range append([]*graph.Entity{p}, d.groupsOf[p.Key]...) {
			for _, pe := range d.policiesOf[o.Key] {
				d.doc(pe, "document")
			}
		}
	}
	for _, pk := range sortedKeys(d.identityGrants) {
		ag := d.identityGrants[pk]
		for _, gr := range ag.any {
			d.warmGrant(gr)
		}
		for _, a := range sortedKeys(ag.byAccount) {
			for _, gr := range ag.byAccount[a] {
				d.warmGrant(gr)
			}
		}
	}
	for _, pk := range sortedKeys(d.resourceGrants) {
		for _, gr := range d.resourceGrants[pk] {
			d.warmGrant(gr)
		}
	}
	for _, doc := range d.docs {
		if doc != nil {
			warmDoc(doc)
		}
	}
	d.orgStatements(warmStatement)
}

// warmGrant computes a grant's cached fields.
func (d *deriver) warmGrant(gr *grant) {
	if gr.id == 0 {
		d.grantIDs++
		gr.id = d.grantIDs
	}
	if gr.set != nil {
		gr.levels()
		gr.shortcutRuledOut()
	}
	gr.statementNames()
	facts, _ := gr.conditionKeys()
	d.resourceDocFor(gr.target)
	for i, part := range gr.parts {
		warmStatement(part.st)
		if facts && part.st.hasCondition() {
			d.factPartOf(gr, i)
			_, _ = part.st.strictPolicy() // cached on success; an error is met again where it is used
		}
	}
	for _, st := range gr.stmts {
		warmStatement(st)
	}
}

func warmDoc(doc *document) {
	for _, st := range doc.stmts {
		warmStatement(st)
	}
}

// warmStatement computes a statement's cached fields.
func warmStatement(st *statement) {
	st.principalTagNames()
	st.conditionKeys()
	st.matchesAction("")
	st.readsRegion()
}

// memo is a map safe for concurrent use: the evaluator's answers the
// workers share (statementHolds, orgAllows). Two workers missing the same
// key at once both ask; the answers are the same. A worker's memo
// (forWorker) keeps what it read in a map of its own too, so the answers
// it asks again (most: the same statement for every principal of an
// account) cost no lock shared with the other workers.
type memo[K comparable, V any] struct {
	s   *memoStore[K, V]
	own map[K]V // a worker's: read without the lock; nil for the deriver's own
}

// memoStore is what the memos of one derivation share.
type memoStore[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func newMemo[K comparable, V any]() *memo[K, V] { return &memo[K, V]{s: &memoStore[K, V]{}} }

// forWorker returns a memo sharing m's answers, with a map of its own.
func (m *memo[K, V]) forWorker() *memo[K, V] { return &memo[K, V]{s: m.s, own: map[K]V{}} }

func (m *memo[K, V]) get(k K) (V, bool) {
	if v, ok := m.own[k]; ok {
		return v, true
	}
	m.s.mu.RLock()
	v, ok := m.s.m[k]
	m.s.mu.RUnlock()
	if ok {
		m.keep(k, v)
	}
	return v, ok
}

// maxOwnMemo bounds a worker's own memo map: past it the map starts again
// (the shared one still answers).
const maxOwnMemo = 1 << 17

// keep records an answer in a worker's own map.
func (m *memo[K, V]) keep(k K, v V) {
	if m.own == nil {
		return
	}
	if len(m.own) >= maxOwnMemo {
		clear(m.own)
	}
	m.own[k] = v
}

func (m *memo[K, V]) put(k K, v V) {
	m.keep(k, v)
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if m.s.m == nil {
		m.s.m = map[K]V{}
	}
	m.s.m[k] = v
}

// sortedTargets returns the keys of m sorted, in a buffer reused for
// the next principal.
func (d *deriver) sortedTargets(m map[string]*access) []string {
	keys := d.keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	d.keys = keys
	return keys
}
