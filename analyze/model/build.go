package model

// The builder: streams snapshot rows through the registry into a graph.
//
// Order of work (each call's rows are streamed once per phase, decoded one
// page at a time and dropped; only entities, small indexes and pending
// relationship records are kept):
//
//  1. entities: every distinct Source call, dispatched to every type that
//     reads it;
//  2. accounts and service placeholders for every account seen;
//  3. enrichments and service settings (entities exist now);
//  4. relationships from other calls and the hatches' row readers;
//  5. resolution of pending relationships against property indexes, then
//     of the firewall rules' peers (rules.go);
//  6. the hatches' Finish funcs (S3 public, subnet route tables);
//  7. service HAS entity edges and the aws_iam_user IS Person mapping.
//
// Decoding, entity construction with the relationships and rules each
// entity's item declares, the property indexes, target lookups and the
// service edges run on one worker per core (stream.go, resolve,
// serviceEdges); everything that writes the graph or the builder stays on
// the calling goroutine, in the order a sequential build has.

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/snapshot"
)

// Source streams the stored rows of one call. *snapshot.Snapshot
// implements it.
type Source interface {
	Rows(ctx context.Context, service, operation string, fn func(snapshot.Row) error) error
}

// Option configures Build.
type Option func(*config)

type config struct {
	log         *slog.Logger
	accounts    []string
	onMalformed func(*RowError)
}

// WithLogger sets the logger for debug notes (unresolved relationship
// targets, skipped items). The default discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithAccounts names accounts that must have an aws_account entity (and
// service placeholders) even when no row mentions them, e.g. the
// snapshot manifest's accounts.
func WithAccounts(ids ...string) Option {
	return func(c *config) { c.accounts = append(c.accounts, ids...) }
}

// OnMalformed makes Build skip a row whose response is malformed (it does
// not match the shape of its call's SDK output type, see shape.go), treat
// it like a failed row, and hand it to fn once, so the rest of the snapshot
// is still analysed. Feed FromMalformed(rows) to Gaps with the manifest's
// statuses: the types the call feeds are then incomplete in that scope
// (ERROR, never PASS). Without OnMalformed, Build fails on the first
// malformed row.
func OnMalformed(fn func(*RowError)) Option { return func(c *config) { c.onMalformed = fn } }

// RowError is a stored row whose response Build could not use.
type RowError struct {
	Call      Call
	AccountID string
	Region    string
	ParentKey string
	Page      int32
	Err       error
}

func (e *RowError) Error() string {
	return where(snapshot.Row{Service: e.Call.Service, Operation: e.Call.Operation, AccountID: e.AccountID,
		Region: e.Region, ParentKey: e.ParentKey, Page: e.Page}) + ": " + e.Err.Error()
}

func (e *RowError) Unwrap() error { return e.Err }

// rowData is one decoded ok row.
type rowData struct {
	Row  snapshot.Row
	Body any
}

func (r rowData) env() env {
	return env{Account: r.Row.AccountID, Region: r.Row.Region, Parent: r.Row.ParentKey}
}

// where names a row in errors: "ec2:DescribeInstances 111122223333/eu-west-1 page 0".
func where(r snapshot.Row) string {
	s := fmt.Sprintf("%s:%s %s/%s", r.Service, r.Operation, r.AccountID, r.Region)
	if r.ParentKey != "" {
		s += " parent " + r.ParentKey
	}
	return fmt.Sprintf("%s page %d", s, r.Page)
}

// pendingRel is a relationship waiting for its target to be resolved.
type pendingRel struct {
	from    *graph.Entity
	spec    *RelSpec
	value   string
	account string
	region  string
	props   map[string]any
}

type builder struct {
	g        *graph.Graph
	log      *slog.Logger
	accounts map[string]bool
	pending  blocks[pendingRel]
	rules    []pendingRule
	indexes  map[[2]string]map[ixKey]ixVal // (type, prop) -> (account, value) -> entities
	// unresolved counts relationship targets not found, by "from verb to".
	unresolved map[string]int
	regional   map[string]bool // types with Scope Regional
	// onMalformed receives each malformed row once (nil: fail);
	// malformed remembers the rows already reported.
	onMalformed func(*RowError)
	malformed   map[string]bool
	org         map[string]*orgFacts // the organisation rows by reader account (org.go)
	// types are the records built: the registry (benchmarks: one type).
	types []EntityType
	// needs are what types read of each call in each phase (need.go;
	// a call not in it is decoded whole); phase is the phase streaming.
	needs [nPhases]map[Call]*need
	phase phase
	// whole decodes every response in full (tests: the reference the
	// need trees are held to).
	whole bool
	// workers decode rows and build entities (stream.go), each with
	// its own caches.
	workers []*worker
}

// worker is the state of one stream worker: the caches of the entity
// builder, which only its goroutine touches.
type worker struct {
	// names maps a response field name to its property name (camel);
	// strs interns the row envelope's account and region, which every
	// entity of a row repeats; propHint is the property count of the last
	// entity of each type.
	names    map[string]string
	strs     map[string]any
	propHint map[string]int
	classes  map[string][]string
	// order is the sorted field names of the last item of each type
	// flattened: the next item usually has the same fields.
	order map[string][]string
}

func newWorker() *worker {
	return &worker{names: map[string]string{}, strs: map[string]any{}, propHint: map[string]int{},
		classes: map[string][]string{}, order: map[string][]string{}}
}

// camel is camel(k), computed once per field name.
func (w *worker) camel(k string) string {
	if n, ok := w.names[k]; ok {
		return n
	}
	n := camel(k)
	w.names[k] = n
	return n
}

// sortedFields returns the keys of item m of type typ in sorted order:
// those of the previous item of the type when m has the same keys
// (checked by lookups, cheaper than sorting), else sorted anew.
func (w *worker) sortedFields(typ string, m map[string]any) []string {
	if prev, ok := w.order[typ]; ok && len(prev) == len(m) {
		same := true
		for _, k := range prev {
			if _, ok := m[k]; !ok {
				same = false
				break
			}
		}
		if same {
			return prev
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.order[typ] = keys
	return keys
}

// class returns the _class list of t's entities: one copy of the
// registry's per type and worker, shared by them (nothing changes an
// entity's Class in place).
func (w *worker) class(t *EntityType) []string {
	c, ok := w.classes[t.Type]
	if !ok {
		c = slices.Clip(slices.Clone(t.Class)) // an append copies
		w.classes[t.Type] = c
	}
	return c
}

// intern returns one shared copy of s, boxed once: a property value
// stored from it costs nothing per entity.
func (w *worker) intern(s string) any {
	if v, ok := w.strs[s]; ok {
		return v
	}
	w.strs[s] = s
	return s
}

// Build reads every call the registry knows from src and returns the graph.
// A malformed response is an error naming service, operation, account,
// region and page; failed calls are skipped here and reported by Gaps.
func Build(ctx context.Context, src Source, opts ...Option) (*graph.Graph, error) {
	b := newBuilder(opts...)
	if err := b.entities(ctx, src); err != nil {
		return nil, err
	}
	if err := b.connect(ctx, src); err != nil {
		return nil, err
	}
	b.deferLinks()
	return b.g, nil
}

// deferLinks replaces every entity's webLink by a template of the
// properties it is made of (the region and the id or name), where one
// expands to it: a console link is the longest string most entities keep
// (about 140 B with its box), and the template is one per type. Run when
// the properties are final.
func (b *builder) deferLinks() {
	for _, t := range b.types {
		if t.WebLink == "" {
			continue
		}
		tmpls := linkTemplates(t.WebLink)
		if len(tmpls) == 0 {
			continue
		}
		for _, e := range b.g.EntitiesOfType(t.Type) {
			for _, tm := range tmpls {
				if e.SetTemplate("webLink", tm) {
					break
				}
			}
		}
	}
}

// linkTemplates returns the templates a webLink template may be made of
// over an entity's properties: {region} and {account} are its region and
// accountId, any other placeholder its id, its name or the property its
// field is flattened to. Each entity takes the first that expands to its
// link, or none.
func linkTemplates(link string) []*graph.Template {
	var lits []string
	var cands [][]string // per placeholder, the properties it may be
	rest := link
	for {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest[max(i, 0):], '}')
		if i < 0 || j < 0 {
			lits = append(lits, rest)
			break
		}
		lits = append(lits, rest[:i])
		switch expr := rest[i+1 : i+j]; {
		case expr == "region":
			cands = append(cands, []string{"region"})
		case expr == "account":
			cands = append(cands, []string{"accountId"})
		case expr == "parent":
			return nil
		default:
			c := []string{"id", "name"}
			if isIdent(expr) {
				c = append(c, camel(expr))
			}
			cands = append(cands, c)
		}
		rest = rest[i+j+1:]
	}
	// Every combination, the first candidates first.
	combos := [][]string{nil}
	for _, c := range cands {
		var next [][]string
		for _, names := range combos {
			for _, n := range c {
				next = append(next, append(slices.Clone(names), n))
			}
		}
		combos = next
	}
	out := make([]*graph.Template, 0, len(combos))
	for _, names := range combos {
		out = append(out, graph.NewTemplate(lits, names))
	}
	return out
}

// isIdent reports whether s is a plain field name (letters and digits).
func isIdent(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func newBuilder(opts ...Option) *builder {
	c := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	b := &builder{
		g:          graph.New(),
		log:        c.log,
		accounts:   map[string]bool{},
		unresolved: map[string]int{},
		regional:   map[string]bool{},

		types:       registry,
		needs:       phaseNeeds(),
		onMalformed: c.onMalformed,
		malformed:   map[string]bool{},
	}
	for _, t := range registry {
		b.regional[t.Type] = t.Scope() == Regional
	}
	for _, a := range c.accounts {
		b.accounts[a] = true
	}
	return b
}

// connect is every phase after the entities (2 to 7 of the list above):
// envelope, enrichments, relationships and their resolution.
func (b *builder) connect(ctx context.Context, src Source) error {
	b.envelope()
	if err := b.enrich(ctx, src); err != nil {
		return err
	}
	if err := b.relCalls(ctx, src); err != nil {
		return err
	}
	b.resolve()
	if err := b.emitRules(); err != nil {
		return err
	}
	for _, t := range b.types {
		for _, h := range t.Hatch {
			if h.Finish == nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := h.Finish(b); err != nil {
				return fmt.Errorf("%s %s: %w", t.Type, h.Name, err)
			}
		}
	}
	b.serviceEdges()
	MapPersons(b.g)
	if len(b.unresolved) > 0 {
		keys := make([]string, 0, len(b.unresolved))
		for k := range b.unresolved {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.log.Debug("relationship targets not in the snapshot", "relationship", k, "count", b.unresolved[k])
		}
	}
	return nil
}

// distinct returns calls in first-seen order without repeats.
func distinct(calls []Call) []Call {
	var out []Call
	seen := map[Call]bool{}
	for _, c := range calls {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// entities is phase 1. The workers build each row's entities (rowEntities);
// the calling goroutine adds them to the graph in row and item order and
// records their relationships and rules.
func (b *builder) entities(ctx context.Context, src Source) error {
	var calls []Call
	for _, t := range b.types {
		calls = append(calls, t.Source)
	}
	b.phase = phaseEntities
	for _, c := range distinct(calls) {
		prep := func(w *worker, row snapshot.Row, body any) any { return b.rowEntities(w, c, row, body) }
		err := b.streamPrep(ctx, src, c, prep, func(row snapshot.Row, body, prepped any) error {
			b.accounts[row.AccountID] = true
			if row.Status != snapshot.StatusOK {
				return nil
			}
			built := prepped.(*builtRow)
			defer built.release()
			rd := rowData{Row: row, Body: body}
			var rels, rules, unres int // where the item's records start in built.out
			for _, x := range built.items {
				if x.e == nil {
					b.log.Debug("item without a key skipped", "type", x.t.Type, "row", where(row))
					continue
				}
				e, _ := b.g.AddEntity(x.e)
				if e != x.e {
					// An entity of that key exists already: the records
					// are made again, from it.
					if err := itemRels(b, x.t, rd, e, x.item, x.stack); err != nil {
						return fmt.Errorf("%s: %s: %w", where(row), x.t.Type, err)
					}
				} else {
					for _, p := range built.out.rels[rels:x.rels] {
						b.pending.add(p)
					}
					b.rules = append(b.rules, built.out.rules[rules:x.rules]...)
					for _, k := range built.out.unresolved[unres:x.unres] {
						b.unresolved[k]++
					}
				}
				rels, rules, unres = x.rels, x.rules, x.unres
			}
			if built.err != nil {
				return fmt.Errorf("%s: %s: %w", where(row), built.errType.Type, built.err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// builtRow is the entities of one row, built by a worker, in item order,
// and the relationships and rules their items declare (out); err is the
// error that stopped building (after items).
type builtRow struct {
	items   []builtItem
	out     rowRecords
	err     error
	errType *EntityType
}

// builtRows recycles builtRows: the calling goroutine hands each back
// when it has added its entities and records.
var builtRows = sync.Pool{New: func() any { return &builtRow{} }}

// release clears r (it holds no pointer to its items, entities or
// records) and hands it back to builtRows.
func (r *builtRow) release() {
	clear(r.items)
	clear(r.out.rels)
	clear(r.out.rules)
	clear(r.out.unresolved)
	*r = builtRow{items: r.items[:0], out: rowRecords{rels: r.out.rels[:0], rules: r.out.rules[:0], unresolved: r.out.unresolved[:0]}}
	builtRows.Put(r)
}

// builtItem is one item's entity, nil for an item without a key; its
// records end at rels, rules and unres in its row's out.
type builtItem struct {
	t                  *EntityType
	e                  *graph.Entity
	item               any
	stack              []any
	rels, rules, unres int
}

// records receives the relationships and firewall rules an entity's item
// declares (collectRels, collectRules) and the rules it cannot read: the
// builder's own lists, or on a stream worker a row's (rowRecords), added
// to the builder's with the row's entities.
type records interface {
	rel(pendingRel)
	rule(pendingRule)
	unresolvedRule(what string)
}

func (b *builder) rel(p pendingRel)           { b.pending.add(p) }
func (b *builder) rule(p pendingRule)         { b.rules = append(b.rules, p) }
func (b *builder) unresolvedRule(what string) { b.unresolved[what]++ }

// rowRecords are the records of one row's items.
type rowRecords struct {
	rels       []pendingRel
	rules      []pendingRule
	unresolved []string
}

func (o *rowRecords) rel(p pendingRel)           { o.rels = append(o.rels, p) }
func (o *rowRecords) rule(p pendingRule)         { o.rules = append(o.rules, p) }
func (o *rowRecords) unresolvedRule(what string) { o.unresolved = append(o.unresolved, what) }

// rowEntities builds the entities of every type that reads c from one ok
// row (on a worker: nothing of the builder is written).
func (b *builder) rowEntities(w *worker, c Call, row snapshot.Row, body any) *builtRow {
	out := builtRows.Get().(*builtRow)
	rd := rowData{Row: row, Body: body}
	for i := range b.types {
		t := &b.types[i]
		if t.Source != c {
			continue
		}
		err := walk(body, parsePath(t.Items), nil, func(item any, stack []any) error {
			e, ok, err := w.entity(t, rd, item, stack)
			if err == nil && e != nil {
				err = itemRels(&out.out, t, rd, e, item, stack)
			}
			if ok {
				out.items = append(out.items, builtItem{t: t, e: e, item: item, stack: stack,
					rels: len(out.out.rels), rules: len(out.out.rules), unres: len(out.out.unresolved)})
			}
			return err
		})
		if err != nil {
			out.err, out.errType = err, t
			return out
		}
	}
	return out
}

// entity builds one entity from one item. ok is false for an item its
// type's When skips; e is nil for an item without a key.
func (w *worker) entity(t *EntityType, rd rowData, item any, stack []any) (e *graph.Entity, ok bool, err error) {
	if !t.When.holds(item) {
		return nil, false, nil
	}
	s := scope{env: rd.env(), elem: item, stack: stack}
	if t.keyUsesProps() {
		s.props = map[string]any{}
		for _, p := range t.Props {
			v, err := propValue(s, p)
			if err != nil {
				return nil, false, err
			}
			s.props[p.Name] = v
		}
	}
	key, keyV := "", any(nil)
	for _, k := range t.Key {
		if key, keyV = s.expandBoxed(k); key != "" {
			break
		}
	}
	if key == "" {
		return nil, true, nil
	}
	// The properties are sized like the last entity of the type, so they
	// are not grown (and copied) property by property.
	e = &graph.Entity{Key: key, Type: t.Type, Class: w.class(t)}
	e.GrowProps(w.propHint[t.Type])
	if m, ok := item.(map[string]any); ok && !t.NoFlatten {
		// In sorted order: entities with the same fields then get their
		// properties in the same order and share one graph shape.
		for _, k := range w.sortedFields(t.Type, m) {
			v := m[k]
			if slices.Contains(t.Skip, k) {
				continue
			}
			if pv, ok := flattenValue(v); ok {
				e.Set(w.camel(k), pv)
			}
		}
	}
	e.Set("accountId", w.intern(rd.Row.AccountID))
	if t.Scope() == Regional {
		e.Set("region", w.intern(rd.Row.Region))
	}
	if strings.HasPrefix(key, "arn:") && !t.SyntheticKey {
		e.Set("arn", boxed(key, keyV))
	}
	var idV any
	if t.ID != "" {
		if id, v := s.expandBoxed(t.ID); id != "" {
			idV = boxed(id, v)
			e.Set("id", idV)
		}
	}
	name, nameV := "", any(nil)
	if t.Name != "" {
		name, nameV = s.expandBoxed(t.Name)
	}
	if name == "" {
		name, nameV = e.String("id"), idV
	}
	nameV = boxed(name, nameV) // one boxed value for both
	e.Set("name", nameV)
	e.Set("displayName", nameV)
	if t.Created != "" {
		v, err := epochMS(lookup(item, t.Created))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", t.Created, err)
		}
		if v != nil {
			e.Set("createdOn", v)
		}
	}
	if t.WebLink != "" {
		if l := s.expand(t.WebLink); l != "" {
			e.Set("webLink", l)
		}
	}
	if err := fill(e, s, t.Props, t.Constants, t.Tags); err != nil {
		return nil, false, err
	}
	for _, c := range e.Class {
		for _, p := range requiredProps[c] {
			if !e.Has(p) {
				e.Set(p, nil)
			}
		}
	}
	w.propHint[t.Type] = e.Len()
	return e, true, nil
}

// itemRels records in out the relationships and firewall rules that an
// entity's item declares.
func itemRels(out records, t *EntityType, rd rowData, e *graph.Entity, item any, stack []any) error {
	for i := range t.Rels {
		r := &t.Rels[i]
		if r.Call != (Call{}) {
			continue
		}
		if err := collectRels(out, e, r, rd, item, stack); err != nil {
			return err
		}
	}
	for i := range t.Rules {
		if err := collectRules(out, e, &t.Rules[i], item); err != nil {
			return err
		}
	}
	return nil
}

// propValue evaluates one Prop against a scope.
func propValue(s scope, p Prop) (any, error) {
	v := s.value(p.Path)
	if v == "" {
		v = nil // unset SDK strings and enums marshal as ""
	}
	if p.Conv != nil {
		var err error
		if v, err = p.Conv(v); err != nil {
			return nil, fmt.Errorf("property %s: %w", p.Name, err)
		}
	} else {
		v = normalize(v)
	}
	if v == nil {
		v = normalize(p.Default)
	}
	return v, nil
}

// fill sets explicit properties, then constants, then the tags at path
// tags below the scope's element.
func fill(e *graph.Entity, s scope, props []Prop, constants map[string]any, tags string) error {
	for _, p := range props {
		v, err := propValue(s, p)
		if err != nil {
			return err
		}
		if v != nil || p.KeepNull {
			e.Set(p.Name, v)
		}
	}
	// In sorted order, as every name set from a map: entities built alike
	// then get their names in the same order and share one graph shape.
	var buf [8]string
	for _, k := range sortedNames(constants, buf[:0]) {
		e.Set(k, normalize(constants[k])) // a copy: entities never share a constant list
	}
	if tags != "" {
		applyTags(e, tagPairs(lookup(s.elem, tags)))
	}
	return nil
}

// appendPage appends the list properties of a later page of a paged
// enrichment (Enrichment.Paged) to those of the earlier pages.
func appendPage(e *graph.Entity, s scope, props []Prop) error {
	for _, p := range props {
		v, err := propValue(s, p)
		if err != nil {
			return err
		}
		switch l := v.(type) {
		case []string:
			old, _ := e.Get(p.Name).([]string)
			e.Set(p.Name, append(slices.Clip(old), l...))
		case []any:
			old, _ := e.Get(p.Name).([]any)
			e.Set(p.Name, append(slices.Clip(old), l...))
		}
	}
	return nil
}

// collectRels records the relationships of spec r found at r.Path below
// item in out; ancestors are the iterated elements above item.
func collectRels(out records, from *graph.Entity, r *RelSpec, rd rowData, item any, ancestors []any) error {
	stack := ancestors
	if r.Path != "" {
		stack = append(ancestors[:len(ancestors):len(ancestors)], item)
	}
	return walk(item, parsePath(r.Path), stack, func(elem any, st []any) error {
		s := scope{env: rd.env(), elem: elem, stack: st}
		if !r.When.holds(elem) {
			return nil
		}
		v := s.expand(r.Value)
		if r.Conv != nil && v != "" {
			cv, err := r.Conv(v)
			if err != nil {
				return fmt.Errorf("relationship %s %s: value %q: %w", r.Verb, r.Target, v, err)
			}
			v = scalarString(cv)
		}
		if v == "" {
			return nil
		}
		var props map[string]any
		for _, p := range r.Props {
			pv, err := propValue(s, p)
			if err != nil {
				return fmt.Errorf("relationship %s %s: %w", r.Verb, r.Target, err)
			}
			if pv != nil {
				if props == nil {
					props = map[string]any{}
				}
				props[p.Name] = pv
			}
		}
		out.rel(pendingRel{
			from: from, spec: r, value: v,
			account: rd.Row.AccountID, region: rd.Row.Region, props: props,
		})
		return nil
	})
}

// envelope is phase 2: accounts and their service placeholders.
func (b *builder) envelope() {
	for _, a := range b.accountList() {
		Account(b.g, a)
		for _, s := range services {
			ServiceEntity(b.g, a, s.Name)
		}
	}
}

func (b *builder) accountList() []string {
	out := make([]string, 0, len(b.accounts))
	for a := range b.accounts {
		if a != "" {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// enrich is phase 3.
func (b *builder) enrich(ctx context.Context, src Source) error {
	var calls []Call
	for _, t := range b.types {
		for _, en := range t.Enrich {
			calls = append(calls, en.Call)
		}
	}
	for _, s := range services {
		for _, st := range s.Settings {
			calls = append(calls, st.Call)
		}
	}
	b.phase = phaseEnrich
	for _, c := range distinct(calls) {
		// Per call: which scopes answered ok / failed, which entities
		// were matched (for Otherwise).
		okScopes, errScopes := map[string]bool{}, map[string]bool{}
		matched := map[*graph.Entity]bool{}
		err := b.stream(ctx, src, c, func(row snapshot.Row, body any) error {
			rd := rowData{Row: row, Body: body}
			sk := row.AccountID + "\x00" + row.Region
			if row.Status == snapshot.StatusOK {
				okScopes[sk], okScopes[row.AccountID] = true, true
			} else {
				errScopes[sk], errScopes[row.AccountID] = true, true
			}
			for i := range b.types {
				t := &b.types[i]
				for j := range t.Enrich {
					en := &t.Enrich[j]
					if en.Call != c {
						continue
					}
					if err := b.applyEnrichment(t, en, rd, matched); err != nil {
						return fmt.Errorf("%s: %s: %w", where(row), t.Type, err)
					}
				}
			}
			if row.Status != snapshot.StatusOK {
				return nil
			}
			for _, s := range services {
				for _, st := range s.Settings {
					if st.Call != c {
						continue
					}
					if err := b.applySetting(s, st, rd); err != nil {
						return fmt.Errorf("%s: %s: %w", where(row), s.Type(), err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i := range b.types {
			t := &b.types[i]
			for _, en := range t.Enrich {
				if en.Call != c || len(en.SetOnNoMatch) == 0 {
					continue
				}
				for _, e := range b.g.EntitiesOfType(t.Type) {
					sk := e.String("accountId")
					if t.Scope() == Regional {
						sk += "\x00" + e.String("region")
					}
					if matched[e] || !okScopes[sk] || errScopes[sk] {
						continue
					}
					var buf [8]string
					for _, k := range sortedNames(en.SetOnNoMatch, buf[:0]) { // sorted: one graph shape
						e.Set(k, normalize(en.SetOnNoMatch[k]))
					}
				}
			}
		}
	}
	return nil
}

func (b *builder) applyEnrichment(t *EntityType, en *Enrichment, rd rowData, matched map[*graph.Entity]bool) error {
	match := en.Match
	if match == "" {
		match = "{parent}"
	}
	if rd.Row.Status != snapshot.StatusOK {
		if rd.Row.ErrorClass != snapshot.ClassNotFound || len(en.SetOnNotFound) == 0 {
			return nil
		}
		s := scope{env: rd.env()}
		for _, e := range b.lookup(t.Type, en.By, rd.Row.AccountID, rd.Row.Region, s.expand(match)) {
			var buf [8]string
			for _, k := range sortedNames(en.SetOnNotFound, buf[:0]) { // sorted: one graph shape
				e.Set(k, normalize(en.SetOnNotFound[k]))
			}
		}
		return nil
	}
	return walk(rd.Body, parsePath(en.Items), nil, func(item any, stack []any) error {
		s := scope{env: rd.env(), elem: item, stack: stack}
		for _, e := range b.lookup(t.Type, en.By, rd.Row.AccountID, rd.Row.Region, s.expand(match)) {
			matched[e] = true
			if en.Paged && rd.Row.Page > 0 {
				if err := appendPage(e, s, en.Props); err != nil {
					return err
				}
				continue
			}
			if err := fill(e, s, en.Props, en.SetOnMatch, en.Tags); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *builder) applySetting(s ServiceInfo, st Setting, rd rowData) error {
	v := lookup(rd.Body, st.Path)
	if st.Conv != nil {
		var err error
		if v, err = st.Conv(v); err != nil {
			return fmt.Errorf("setting %s: %w", st.Prop, err)
		}
	} else {
		v = normalize(v)
	}
	e := ServiceEntity(b.g, rd.Row.AccountID, s.Name)
	m, _ := e.Get(st.Prop).(map[string]any)
	if m == nil {
		m = map[string]any{}
		e.Set(st.Prop, m)
	}
	if old, ok := m[rd.Row.Region].([]any); ok {
		// several pages: concatenate lists
		if l, ok := v.([]any); ok {
			v = append(old, l...)
		}
	}
	m[rd.Row.Region] = v
	return nil
}

// relCalls is phase 4.
func (b *builder) relCalls(ctx context.Context, src Source) error {
	var calls []Call
	for _, t := range b.types {
		for _, r := range t.Rels {
			if r.Call != (Call{}) {
				calls = append(calls, r.Call)
			}
		}
		for _, h := range t.Hatch {
			if h.Rows != nil {
				calls = append(calls, h.Calls...)
			}
		}
	}
	b.phase = phaseRels
	for _, c := range distinct(calls) {
		err := b.stream(ctx, src, c, func(row snapshot.Row, body any) error {
			if row.Status != snapshot.StatusOK {
				// Only hatches that ask see failed rows (Body nil).
				rd := rowData{Row: row}
				for i := range b.types {
					for _, h := range b.types[i].Hatch {
						if h.Failed && slices.Contains(h.Calls, c) {
							if err := h.Rows(b, c, rd); err != nil {
								return fmt.Errorf("%s: %s %s: %w", where(row), b.types[i].Type, h.Name, err)
							}
						}
					}
				}
				return nil
			}
			rd := rowData{Row: row, Body: body}
			for i := range b.types {
				t := &b.types[i]
				for j := range t.Rels {
					r := &t.Rels[j]
					if r.Call != c {
						continue
					}
					if err := b.relFromCall(t, r, rd); err != nil {
						return fmt.Errorf("%s: %s: %w", where(row), t.Type, err)
					}
				}
				for _, h := range t.Hatch {
					if h.Rows == nil || !slices.Contains(h.Calls, c) {
						continue
					}
					if err := h.Rows(b, c, rd); err != nil {
						return fmt.Errorf("%s: %s %s: %w", where(row), t.Type, h.Name, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) relFromCall(t *EntityType, r *RelSpec, rd rowData) error {
	fromMatch, fromBy := r.OwnerMatch, r.OwnerBy
	if fromMatch == "" {
		fromMatch = "{parent}"
	}
	if fromBy == "" {
		fromBy = "name"
	}
	return walk(rd.Body, parsePath(r.Items), nil, func(item any, stack []any) error {
		s := scope{env: rd.env(), elem: item, stack: stack}
		for _, from := range b.lookup(t.Type, fromBy, rd.Row.AccountID, rd.Row.Region, s.expand(fromMatch)) {
			if err := collectRels(b, from, r, rd, item, stack); err != nil {
				return err
			}
		}
		return nil
	})
}

// index returns the (type, prop) index, building it on first use. Values
// that are lists index every element.
func (b *builder) index(typ, prop string) map[ixKey]ixVal {
	if b.indexes == nil {
		b.indexes = map[[2]string]map[ixKey]ixVal{}
	}
	k := [2]string{typ, prop}
	if ix, ok := b.indexes[k]; ok {
		return ix
	}
	ix := b.buildIndex(typ, prop)
	b.indexes[k] = ix
	return ix
}

// buildIndex builds the (type, prop) index (reading the graph only: the
// workers build several at once).
func (b *builder) buildIndex(typ, prop string) map[ixKey]ixVal {
	ix := map[ixKey]ixVal{}
	for _, e := range b.g.EntitiesOfType(typ) {
		acct, region := e.String("accountId"), ""
		if b.regional[typ] {
			region = e.String("region")
		}
		var vals []string
		switch v := e.Get(prop).(type) {
		case []any:
			for _, x := range v {
				vals = append(vals, scalarString(x))
			}
		case []string:
			vals = v
		default:
			vals = []string{scalarString(v)}
		}
		for _, v := range vals {
			if v != "" {
				k := ixKey{acct, v}
				iv := ix[k]
				iv.ents, iv.regions = append(iv.ents, e), append(iv.regions, region)
				ix[k] = iv
			}
		}
	}
	return ix
}

// ixKey is an index entry: an account and a property value (a struct, so
// a lookup builds no string).
type ixKey struct{ account, value string }

// ixVal are the entities of an index entry and, for a regional type, the
// region of each (so a lookup does not read every candidate's properties).
type ixVal struct {
	ents    []*graph.Entity
	regions []string
}

// lookup finds entities of typ whose prop equals value in the account (and,
// for regional types, the region of a regional row; a global row, such as a
// Route 53 record naming an instance's public IP, searches every region).
// "_key" looks up by key in any account. An ARN value that matches nothing
// by prop falls back to the key.
func (b *builder) lookup(typ, prop, account, region, value string) []*graph.Entity {
	if value == "" {
		return nil
	}
	byKey := func() []*graph.Entity {
		if e := b.g.Entity(value); e != nil && e.Type == typ {
			return []*graph.Entity{e}
		}
		return nil
	}
	if prop == "_key" {
		return byKey()
	}
	iv := b.index(typ, prop)[ixKey{account, value}]
	cands := iv.ents
	if len(cands) == 0 {
		if strings.HasPrefix(value, "arn:") {
			return byKey()
		}
		return nil
	}
	if b.regional[typ] && region != globalRowRegion {
		// A regional id (instance id, SG id) names the entity of the
		// row's region; ids are unique per region, not across them.
		if len(cands) == 1 && iv.regions[0] == region {
			return cands // the usual case, without a copy
		}
		var same []*graph.Entity
		for i, e := range cands {
			if iv.regions[i] == region {
				same = append(same, e)
			}
		}
		return same
	}
	return cands
}

// globalRowRegion is the Region of the rows of global calls (snapshot.Row).
const globalRowRegion = "global"

// resolve is phase 5: indexes are rebuilt because enrichments added
// properties. The indexes are built first; then the workers look up the
// targets of blocks of pending relationships and make the relationships
// (read-only: the graph's entities and the indexes), and the calling
// goroutine adds them to the graph in pending order.
func (b *builder) resolve() {
	b.indexes = map[[2]string]map[ixKey]ixVal{}
	var need [][2]string
	seen := map[[2]string]bool{}
	for _, block := range b.pending.list {
		for _, p := range block {
			if k := [2]string{p.spec.Target, p.spec.By}; p.spec.By != "_key" && !seen[k] {
				seen[k] = true
				need = append(need, k)
			}
		}
	}
	ordered(len(b.streamWorkers()), len(need), func(i int) map[ixKey]ixVal {
		return b.buildIndex(need[i][0], need[i][1])
	}, func(i int, ix map[ixKey]ixVal) { b.indexes[need[i]] = ix })
	ordered(len(b.streamWorkers()), len(b.pending.list), func(i int) *resolvedBlock {
		return b.resolveBlock(b.pending.list[i])
	}, func(i int, rb *resolvedBlock) {
		block := b.pending.list[i]
		start := 0
		for j, p := range block {
			if rb.missing[j] {
				b.unresolved[p.from.Type+" "+p.spec.Verb+" "+p.spec.Target]++
			}
			for _, r := range rb.rels[start:rb.ends[j]] {
				// Both ends are in the graph: AddRelationship cannot fail.
				_ = b.g.AddRelationship(r)
			}
			start = rb.ends[j]
		}
	})
	b.pending = blocks[pendingRel]{}
}

// resolveBlock pending relationships are resolved per hand-over.
const resolveBlock = 1024

// blocks is a list kept in blocks of resolveBlock elements: adding never
// copies what it holds (the pending relationships, millions at 1,000,000
// resources, were one slice that doubled and was copied about twenty
// times), and resolve hands the blocks to the workers as they are.
type blocks[T any] struct {
	list [][]T
}

func (l *blocks[T]) add(v T) {
	if n := len(l.list); n == 0 || len(l.list[n-1]) == resolveBlock {
		l.list = append(l.list, make([]T, 0, resolveBlock))
	}
	last := &l.list[len(l.list)-1]
	*last = append(*last, v)
}

// resolvedBlock is what a block of pending relationships resolved to: the
// relationships of pending j are rels[ends[j-1]:ends[j]]; missing[j] says
// that its target was not found.
type resolvedBlock struct {
	rels    []*graph.Relationship
	ends    []int
	missing []bool
}

// resolveBlock looks up the targets of pending relationships and makes
// their relationships (on a worker: nothing is written but the result).
func (b *builder) resolveBlock(block []pendingRel) *resolvedBlock {
	rb := &resolvedBlock{ends: make([]int, len(block)), missing: make([]bool, len(block))}
	for j, p := range block {
		targets := b.lookup(p.spec.Target, p.spec.By, p.account, p.region, p.value)
		rb.missing[j] = len(targets) == 0
		for _, t := range targets {
			if p.spec.SameRegion && t.String("region") != p.region {
				continue
			}
			from, to := p.from, t
			if p.spec.Reverse {
				from, to = t, p.from
			}
			var props map[string]any
			if p.props != nil {
				props = make(map[string]any, len(p.props))
				for k, v := range p.props {
					props[k] = v
				}
			}
			rb.rels = append(rb.rels, graph.NewRelationship(from, p.spec.Verb, to, props))
		}
		rb.ends[j] = len(rb.rels)
	}
	return rb
}

// ordered runs work(i) for i in [0, n) on up to workers goroutines, a few
// items per worker ahead of the caller, and calls use(i, work(i)) on the
// calling goroutine in the order of i.
func ordered[T any](workers, n int, work func(i int) T, use func(i int, r T)) {
	jobs := make(chan int)
	order := make(chan chan T, streamAhead*workers)
	results := make([]chan T, n)
	go func() {
		defer close(order)
		defer close(jobs)
		for i := range n {
			results[i] = make(chan T, 1)
			jobs <- i
			order <- results[i]
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] <- work(i)
			}
		}()
	}
	i := 0
	for res := range order {
		use(i, <-res)
		i++
	}
	wg.Wait()
}

// serviceEdges is phase 7: aws_<service> HAS every entity of its types.
// The workers make the relationships of blocks of entities; the calling
// goroutine adds them in entity order (and makes the placeholder of an
// account that envelope did not see, should an entity name one).
func (b *builder) serviceEdges() {
	for _, t := range b.types {
		if t.Service == "" {
			continue
		}
		ents := b.g.EntitiesOfType(t.Type)
		svcs := map[string]*graph.Entity{} // by account; read-only while the workers run
		for _, a := range b.accountList() {
			if svc := b.g.Entity(ServiceKey(a, t.Service)); svc != nil {
				svcs[a] = svc
			}
		}
		nBlocks := (len(ents) + resolveBlock - 1) / resolveBlock
		ordered(len(b.streamWorkers()), nBlocks, func(i int) []*graph.Relationship {
			block := ents[i*resolveBlock : min(len(ents), (i+1)*resolveBlock)]
			rels := make([]*graph.Relationship, len(block))
			for j, e := range block {
				if svc := svcs[e.String("accountId")]; svc != nil {
					rels[j] = graph.NewRelationship(svc, "HAS", e, nil)
				}
			}
			return rels
		}, func(i int, rels []*graph.Relationship) {
			block := ents[i*resolveBlock : min(len(ents), (i+1)*resolveBlock)]
			for j, r := range rels {
				if r == nil {
					acct := block[j].String("accountId")
					if acct == "" {
						continue
					}
					r = graph.NewRelationship(ServiceEntity(b.g, acct, t.Service), "HAS", block[j], nil)
				}
				_ = b.g.AddRelationship(r)
			}
		})
	}
}

// keyUsesProps reports whether a Key template names a Prop ({=name}).
func (t *EntityType) keyUsesProps() bool {
	return slices.ContainsFunc(t.Key, func(k string) bool { return strings.Contains(k, "{=") })
}
