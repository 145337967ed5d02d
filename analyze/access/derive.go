package access

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// Stats counts what Derive added and what it could not do.
type Stats struct {
	Trusts          int // TRUSTS relationships
	IdentityAllows  int // policy ALLOWS target relationships
	ResourceAllows  int // resource ALLOWS principal relationships
	PrincipalAccess int // aws_principal_access relationships
	Placeholders    int // entities created for principals outside the graph
	Documents       int // policy documents read
	// DocumentErrors counts documents that could not be parsed; they are
	// skipped and logged (a warning each).
	DocumentErrors int
	// Unresolved counts principal entries that name nothing the graph can
	// hold (canonical users, malformed entries).
	Unresolved int
	// CappedStatements counts statements whose Resource patterns reached
	// more than Limits.MaxTargetsPerStatement resources and were mapped to
	// the service entity instead (relationship property capped=true).
	CappedStatements int
	// CappedPrincipals counts principals with more than
	// Limits.MaxAccessPerPrincipal access relationships; the rest were not
	// emitted and the principal has accessCapped=true.
	CappedPrincipals int
	// Inconclusive counts principals whose access could not be evaluated
	// (a permissions boundary missing from the graph); they have
	// accessInconclusive=true and no aws_principal_access relationships.
	Inconclusive int
	Evaluations  int // requests sent to the evaluator
	// OrgEvaluations counts the requests sent to the evaluator with the
	// organisation policies alone (org.go: most actions need none).
	OrgEvaluations int
	// CellEvaluations counts the requests asked of the evaluator about a
	// scoped edge's cells (cells.go), ExceptInEdges the access
	// relationships with exceptIn.
	CellEvaluations, ExceptInEdges int
	// WithoutSCPs and WithoutRCPs list the accounts whose SCPs, and whose
	// RCPs, could not be read: their edges carry derivedWithoutSCPs /
	// derivedWithoutRCPs.
	WithoutSCPs, WithoutRCPs []string
}

// Limits bound the derivations' output. Zero means no limit. Every limit
// that bites is counted in Stats, logged, and marked on the graph.
type Limits struct {
	// MaxTargetsPerStatement caps the resources one identity-policy
	// statement's Resource pattern may fan out to; beyond it the pattern
	// targets the service entity of each account it reached, with
	// capped=true and matched=<count>.
	MaxTargetsPerStatement int
	// MaxAccessPerPrincipal caps the aws_principal_access relationships of
	// one principal (in target key order); the principal then gets
	// accessCapped=true.
	MaxAccessPerPrincipal int
	// MaxActionsListed caps the `actions` list on aws_principal_access
	// relationships (actionCount keeps the full number). Default 50.
	MaxActionsListed int
}

// Option configures Derive.
type Option func(*config)

type config struct {
	log     *slog.Logger
	ev      *iam.Evaluator
	catalog *actions.Catalog
	limits  Limits
	exact   bool // ask the evaluator even where the answer is known (tests)
	noShare bool // derive every principal alone (tests: shared.go)
	noFast  bool // neither fastProps nor canonicalOrgs nor the cells' shared and organisation-only answers (tests: shared.go, cells.go)
	workers int  // principals derived at once (workers.go); 0: GOMAXPROCS
	// deferMembers leaves every principal of a class but its first for the
	// second pass (tests: workers.go), as when they arrive before it is done.
	deferMembers bool
}

// WithLogger sets the logger for warnings (unparsable documents, caps).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithEvaluator sets the IAM evaluator (default iam.NewEvaluator with a
// zero clock, so aws:CurrentTime conditions do not depend on when the
// analysis runs, the catalog's RCP services, and WithoutReasons: the
// derivation reads only decisions).
func WithEvaluator(ev *iam.Evaluator) Option { return func(c *config) { c.ev = ev } }

// WithCatalog sets the action catalog (default the embedded one).
func WithCatalog(cat *actions.Catalog) Option { return func(c *config) { c.catalog = cat } }

// WithWorkers sets how many principals are derived at once (default
// GOMAXPROCS). The graph is the same for any number: results are added in
// principal order (workers.go).
func WithWorkers(n int) Option { return func(c *config) { c.workers = n } }

// WithLimits sets the output limits.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// derivation is one step of Derive. Steps run in table order; Needs names
// the earlier steps whose results a step reads.
type derivation struct {
	Name  string
	Needs []string
	// Produces describes the relationships the step adds (for docs and
	// the invariant test).
	Produces string
	run      func(*deriver, context.Context) error // a method expression: ctx is the method's first parameter
}

// derivations is the table of steps, in the order they run.
var derivations = []derivation{
	{Name: "trusts", Produces: "aws_iam_role TRUSTS principal", run: (*deriver).trusts},
	{Name: "identity-allows", Produces: "identity policy ALLOWS resource | aws_<svc> | aws_account", run: (*deriver).identityAllows},
	{Name: "resource-allows", Produces: "resource ALLOWS principal", run: (*deriver).resourceAllows},
	{Name: "principal-access", Needs: []string{"trusts", "identity-allows", "resource-allows"},
		Produces: "principal ALLOWS target (_type aws_principal_access); effective on identity ALLOWS", run: (*deriver).principalAccess},
}

// deriver holds the state of one Derive call.
type deriver struct {
	g     *graph.Graph
	cfg   config
	stats *Stats
	cat   *catalog
	res   *resolver
	idx   *resourceIndex

	// denyHitsOf are the resources each Deny of an identity policy names
	// (owndeny.go; read-only while the workers run), ownDenied a worker's
	// answers by class and resource.
	denyHitsOf map[*statement][]hit
	ownDenied  map[string]ownDenial

	docs map[docKey]*document // nil value: unparsable
	// docsByText holds the first parse of each document text: the same
	// text under another entity is a renamed copy (document.renamed).
	docsByText map[string]*document

	// IAM adjacency, from the HAS and CONTAINS relationships.
	policiesOf map[string][]*graph.Entity // user/group/role key -> its policies
	groupsOf   map[string][]*graph.Entity // user key -> its groups
	attached   map[string][]*graph.Entity // policy key -> users/groups/roles having it
	accountsOf map[string][]string        // policy key -> the accounts "*" means for it (policyAccounts)

	// Results shared between steps.
	identityGrants   map[string]accountGrants            // policy key -> its grants
	resourceGrants   map[string][]*grant                 // user/role key -> resource-policy grants reaching it (grantees)
	restrictedBy     map[string][]restricted             // restrictedOf, built on first use
	classesBy        map[string][][]member               // accountClasses, built on first use
	ctx              context.Context                     // principal-access's
	stmtCache        *memo[stmtCacheKey, stmtResult]     // statementHolds answers (shared by the workers)
	tagsOf           map[*graph.Entity]map[string]string // lower-cased tags (lowerTags)
	orgs             map[string]any                      // organizationId by collected account (factRequest)
	accessPropsOf    map[string]*graph.Props             // shared access relationship properties (accessProps)
	keyBuf           []byte                              // accessProps' key, reused
	classes          classScratch                        // patternSet.representatives' buffers and lower-cased actions
	byTarget         map[string]*access                  // principal's accesses by target, reused
	par              *parallel                           // what principal-access's workers share (workers.go)
	keys             []string                            // sortedTargets' buffer, reused
	classesOf        map[classKey]*patternSet            // principal's action classes, reused
	classKeyBuf      []byte                              // accessClassKey's key, reused
	tagNames         []string                            // accessClassKey's tag names, reused
	req              iam.Request                         // evaluate's, reused
	pol              iam.Policies                        // principal's request policies, reused
	orgPersonalAny   int8                                // orgPersonalPolicies: 0 not known, 1 no, 2 yes
	orgTags          []string                            // orgTagNames, nil: not known
	sharedPrincipals int                                 // principals that reused their class's access
	accessPool       []*access                           // principal's accesses, reused
	fastPropsOf      map[string]*graph.Props             // accessProps' sets by fastProps' key (a worker's)
	fastKey          []byte                              // fastProps' key, reused
	fastHits         int                                 // fastProps' hits (a worker's, logged)
	grantIDs         uint32                              // grants numbered so far (warmGrant)
	abacSets         map[abacSetKey]*actionSet           // abacSet's answers (identity-allows)
	abacHitsOf       map[string][]hit                    // abacHits' answers
	abacRefused      map[*statement]*abacAnswers         // tagsNeverAccept's answers
	abacCells        map[*graph.Entity]string            // abacCell's answers
	cellSets         map[cellSetKey]cellActions          // cellSet's, a worker's
	cellOrgs         map[orgKey]cellLimits               // orgCellLimits', a worker's
	cellAnswers      map[cellAnswerKey]cellAnswer        // cellGrant's, a worker's
	cellPatterns     map[cellPatternKey]*patternSet      // cellGrant's action classes, a worker's
	cellPending      []int                               // cellExceptions' buffer, reused

	// Organisation policies (org.go).
	org          orgMap
	orgActions   map[orgActionKey]orgAction
	orgSets      map[orgSetKey]bool             // orgClear
	orgPersonals map[orgSetKey]bool             // orgPersonal
	orgCanon     orgCanon                       // what orgClear and orgPersonal share between accounts
	orgDecisions *memo[orgDecisionKey, verdict] // shared by the workers
}

// Derive adds the IAM derivations to g: TRUSTS from role trust policies,
// ALLOWS from identity policies and from resource policies, and effective
// access per principal (aws_principal_access). See the package comment for
// the shapes. g must not be changed concurrently.
func Derive(ctx context.Context, g *graph.Graph, opts ...Option) (Stats, error) {
	cfg := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.catalog == nil {
		c, err := actions.Load()
		if err != nil {
			return Stats{}, fmt.Errorf("access: %w", err)
		}
		cfg.catalog = c
	}
	if cfg.ev == nil {
		cfg.ev = iam.NewEvaluator(iam.WithClock(zeroTime), iam.WithRCPServices(cfg.catalog.RCPServices()), iam.WithoutReasons())
	}
	if cfg.limits.MaxActionsListed == 0 {
		cfg.limits.MaxActionsListed = 50
	}
	var st Stats
	d := &deriver{
		g: g, cfg: cfg, stats: &st, cat: newCatalog(cfg.catalog),
		res: newResolver(g), idx: newResourceIndex(g),
		docs: map[docKey]*document{}, docsByText: map[string]*document{},
		policiesOf: map[string][]*graph.Entity{}, groupsOf: map[string][]*graph.Entity{},
		attached: map[string][]*graph.Entity{}, accountsOf: map[string][]string{},
		identityGrants: map[string]accountGrants{}, resourceGrants: map[string][]*grant{},
		accessPropsOf: map[string]*graph.Props{}, stmtCache: newMemo[stmtCacheKey, stmtResult](), tagsOf: map[*graph.Entity]map[string]string{},
		orgActions: map[orgActionKey]orgAction{}, orgSets: map[orgSetKey]bool{}, orgPersonals: map[orgSetKey]bool{}, orgDecisions: newMemo[orgDecisionKey, verdict](),
	}
	d.adjacency()
	d.orgSetup()
	if !cfg.noFast {
		d.orgCanon = canonicalOrgs(g, d.org)
	}
	for _, s := range derivations {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if err := s.run(d, ctx); err != nil {
			return st, fmt.Errorf("access %s: %w", s.Name, err)
		}
	}
	st.Placeholders = d.res.created
	return st, nil
}

// adjacency indexes principal HAS policy and group CONTAINS user.
func (d *deriver) adjacency() {
	for _, r := range d.g.Relationships() {
		if r.Class != "HAS" && r.Class != "CONTAINS" { // most: no entity to look up
			continue
		}
		from, to := d.g.Entity(r.From), d.g.Entity(r.To)
		if from == nil || to == nil {
			continue
		}
		switch {
		case r.Class == "HAS" && isPrincipalOwner(from.Type) && isPolicy(to.Type):
			d.policiesOf[from.Key] = append(d.policiesOf[from.Key], to)
			d.attached[to.Key] = append(d.attached[to.Key], from)
		case r.Class == "CONTAINS" && from.Type == "aws_iam_group" && to.Type == "aws_iam_user":
			d.groupsOf[to.Key] = append(d.groupsOf[to.Key], from)
		}
	}
}

func isPrincipalOwner(typ string) bool {
	return typ == "aws_iam_user" || typ == "aws_iam_group" || typ == "aws_iam_role"
}

// policyTypes are the identity policy entity types, sorted.
var policyTypes = []string{"aws_iam_group_policy", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy"}

func isPolicy(typ string) bool {
	i := sort.SearchStrings(policyTypes, typ)
	return i < len(policyTypes) && policyTypes[i] == typ
}

// doc returns the parsed document in property prop of e, nil when e has
// none or it cannot be parsed (counted and logged once).
func (d *deriver) doc(e *graph.Entity, prop string) *document {
	k := docKey{e, prop} // hot (every grant of every principal): no key to build
	if doc, ok := d.docs[k]; ok {
		return doc
	}
	if d.par != nil { // a worker of principal-access: d.docs is read-only (workers.go)
		return d.par.doc(d, k)
	}
	return d.loadDoc(k, d.docs)
}

// loadDoc parses the document k names into docs (doc).
func (d *deriver) loadDoc(k docKey, docs map[docKey]*document) *document {
	e, prop := k.e, k.prop
	v := e.Get(prop)
	text, isText := v.(string)
	if v == nil || (isText && strings.TrimSpace(text) == "") {
		docs[k] = nil
		return nil
	}
	// Many entities hold the same text (an inline policy cut from one
	// template in every account, a customer managed policy copied across
	// accounts): it is parsed once.
	if src := d.docsByText[text]; isText && src != nil {
		doc := src.renamed(e.Key + "#" + prop)
		d.stats.Documents++
		docs[k] = doc
		return doc
	}
	doc, err := parseDocument(e.Key+"#"+prop, v)
	if err != nil {
		d.stats.DocumentErrors++
		d.cfg.log.Warn("policy document skipped", "entity", e.Key, "property", prop, "error", err)
		doc = nil
	} else {
		d.stats.Documents++
		if isText && len(doc.eval.Warnings) == 0 { // a warning names its policy: not shared
			d.docsByText[text] = doc
		}
	}
	docs[k] = doc
	return doc
}

// docKey names a policy document: an entity's property.
type docKey struct {
	e    *graph.Entity
	prop string
}

// sortedKeys returns the keys of m sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
