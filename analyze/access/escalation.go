package access

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// AdminNode stands for administrator access in escalation paths.
const AdminNode = "admin"

// EscalationEdge says that From can become To (a user, a role, or
// AdminNode) with one technique, using the permissions listed.
//
// An edge to a set (ToSet, instead of To) stands for one edge to each
// member of the named set (Escalation.Sets) but From and Except: a
// technique allowed on most roles or users of an account is one edge, not
// one per target. Its Permissions name the member as SetMember.
type EscalationEdge struct {
	From      string   `json:"from"`
	To        string   `json:"to,omitempty"`
	ToSet     string   `json:"to_set,omitempty"`
	Except    []string `json:"except,omitempty"`
	Technique string   `json:"technique"`
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	// Permissions are "action on resource", each allowed by the
	// evaluator for From.
	Permissions []string `json:"permissions"`
	// Conditional: some permission is allowed only under conditions the
	// snapshot cannot know (ConditionKeys).
	Conditional   bool     `json:"conditional,omitempty"`
	ConditionKeys []string `json:"condition_keys,omitempty"`
}

// EscalationPath is the shortest chain of edges from a principal that is
// not an administrator to administrator access.
type EscalationPath struct {
	Principal   string           `json:"principal"`
	Steps       []EscalationEdge `json:"steps"`
	Conditional bool             `json:"conditional,omitempty"`
}

// Escalation is the result of the privilege-escalation analysis.
type Escalation struct {
	// Admins are the principals with administrator access already: every
	// action on every resource ("*" on "*"), as the evaluator decides for
	// a set of probe actions.
	Admins []string         `json:"admins"`
	Edges  []EscalationEdge `json:"edges"`
	Paths  []EscalationPath `json:"paths"`
	// Sets are the target sets edges name (ToSet): "users of ACCOUNT",
	// "roles of ACCOUNT", "roles of ACCOUNT trusted by SERVICE", each
	// sorted.
	Sets   map[string][]string `json:"sets"`
	Limits []string            `json:"limits"`
}

// SetMember stands for the member in the Permissions of an edge to a set.
const SetMember = "<member>"

// adminProbes are asked on no resource (the literal "*"): a principal
// allowed all of them, unconditionally, has "*" on "*" (the last one is no
// real action: only Action "*" or a NotAction grants it).
var adminProbes = []string{"iam:PutRolePolicy", "iam:PassRole", "sts:AssumeRole", "ec2:RunInstances",
	"s3:GetObject", "kms:Decrypt", "lambda:UpdateFunctionCode", "snapaudit:AnyOtherAction"}

// Escalation finds, for every user and role of the snapshot, the
// techniques (techniques.go) by which it can become another principal or
// an administrator, and the shortest path of each non-administrator to
// administrator access.
func (q *Query) Escalation(ctx context.Context) (*Escalation, error) {
	ex, err := newEscalator(ctx, q)
	if err != nil {
		return nil, err
	}
	// The shared techniques of each class first, a class per task: left to
	// the principals (the first of a class deciding them while the
	// others of the class waited for it), one worker did most of them.
	reps := ex.classRepresentatives()
	err = q.parallel(ctx, len(reps), func(i int) error {
		p := reps[i]
		pr, err := iam.ParsePrincipal(p.Key)
		if err != nil {
			return nil
		}
		_, err = ex.classEdgesOf(ctx, p, pr, ex.classOf[p.Key].key)
		return err
	})
	if err != nil {
		return nil, err
	}
	edges := make([][]EscalationEdge, len(q.principals))
	err = q.parallel(ctx, len(q.principals), func(i int) error {
		var err error
		edges[i], err = ex.from(ctx, q.principals[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, l := range edges {
		n += len(l)
	}
	res := &Escalation{Admins: slices.Sorted(maps.Keys(ex.admins)), Edges: make([]EscalationEdge, 0, n), Paths: []EscalationPath{},
		Sets: map[string][]string{}, Limits: q.Limits()}
	for _, l := range edges {
		res.Edges = append(res.Edges, l...)
		for _, e := range l {
			if e.ToSet != "" {
				res.Sets[e.ToSet] = ex.sets[e.ToSet]
			}
		}
	}
	res.Paths = paths(res.Edges, res.Sets, ex.admins, q.principals)
	return res, nil
}

// escalator holds what every principal's analysis shares.
type escalator struct {
	q            *Query
	admins       map[string]bool
	users, roles []*graph.Entity
	groupsOf     map[string][]*graph.Entity // user key -> groups
	policiesOf   map[string][]*graph.Entity // principal or group key -> customer managed policies
	groupDocs    map[string][]*graph.Entity // group key -> its policies (with a document)
	adminGroups  []*graph.Entity
	trusting     map[string][]*graph.Entity    // service principal -> roles that trust it
	via          map[string][][2]*graph.Entity // entity type -> (resource, role it runs as)
	trust        *trustIndex
	targets      map[string]*target  // users, roles and resources that run as a role, by ARN
	sets         map[string][]string // target sets by name (Escalation.Sets)
	cands        sync.Map            // "technique|account" -> targets worth asking (candidates)
	classes      sync.Map            // classKey -> *classEdges
	patterns     sync.Map            // patternKey -> Answer (asker.decide)
	mayMasks     sync.Map            // *iam.Policy -> uint64 (mayMask)
	trustBases   sync.Map            // trustBaseKey -> []*graph.Entity (trustBase)
	classOf      map[string]classOf  // principal key -> its classKey (written before the analysis of each principal)
	// hitBufs recycles edges' buffers of hits (*[]escHit): grown anew for
	// every principal they were a third of the analysis' allocations.
	hitBufs sync.Pool
	// oddTrust: some trust policy has a statement that could speak to an
	// action other than sts:* (Action "*", NotAction): role techniques are
	// then decided principal by principal.
	oddTrust bool
}

func newEscalator(ctx context.Context, q *Query) (*escalator, error) {
	ex := &escalator{q: q, admins: map[string]bool{}, groupsOf: map[string][]*graph.Entity{},
		policiesOf: map[string][]*graph.Entity{}, groupDocs: map[string][]*graph.Entity{}, trusting: map[string][]*graph.Entity{},
		via: map[string][][2]*graph.Entity{}, classOf: map[string]classOf{}}
	for _, p := range q.principals {
		if p.Type == "aws_iam_user" {
			ex.users = append(ex.users, p)
		} else {
			ex.roles = append(ex.roles, p)
		}
	}
	for _, r := range q.g.Relationships() {
		if r.Class != "CONTAINS" && r.Class != "HAS" && r.Class != "USES" {
			continue // what follows reads no other (most are derived access)
		}
		from, to := q.g.Entity(r.From), q.g.Entity(r.To)
		if from == nil || to == nil {
			continue
		}
		switch {
		case r.Class == "CONTAINS" && from.Type == "aws_iam_group" && to.Type == "aws_iam_user":
			ex.groupsOf[to.Key] = append(ex.groupsOf[to.Key], from)
		case r.Class == "HAS" && to.Type == "aws_iam_policy" && to.Get("awsManaged") == false:
			ex.policiesOf[from.Key] = append(ex.policiesOf[from.Key], to)
		}
		if r.Class == "HAS" && from.Type == "aws_iam_group" && to.Get("document") != nil {
			ex.groupDocs[from.Key] = append(ex.groupDocs[from.Key], to)
		}
		if (r.Class == "HAS" || r.Class == "USES") && to.Type == "aws_iam_role" && (from.Type == "aws_lambda_function" || from.Type == "aws_instance") {
			ex.via[from.Type] = append(ex.via[from.Type], [2]*graph.Entity{from, to})
		}
	}
	// The roles' trust policies (indexTrust, indexTargets) and the
	// principals' policies (classKey), parsed on the workers.
	err := q.parallel(ctx, len(q.principals), func(i int) error {
		p := q.principals[i]
		if pr, err := iam.ParsePrincipal(p.Key); err == nil {
			q.principalInfo(ctx, pr)
		}
		pol, _ := q.resourcePolicy(ctx, p.Key) // kept by the query: indexTrust and indexTargets read it
		ex.mayMask(pol)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := ex.indexTrust(ctx); err != nil {
		return nil, err
	}
	if err := ex.indexTargets(ctx); err != nil {
		return nil, err
	}
	// Groups whose own policies give administrator access.
	for _, g := range q.g.EntitiesOfType("aws_iam_group") {
		if g.String("_source") == placeholderSource {
			continue
		}
		admin, err := ex.groupIsAdmin(ctx, g)
		if err != nil {
			return nil, err
		}
		if admin {
			ex.adminGroups = append(ex.adminGroups, g)
		}
	}
	// Roles each service can assume (their trust policy allows it), a
	// service per task.
	services := map[string]bool{}
	for _, t := range techniques {
		if t.Service != "" {
			services[t.Service] = true
		}
	}
	svcs := slices.Sorted(maps.Keys(services))
	trusting := make([][]*graph.Entity, len(svcs))
	err = q.parallel(ctx, len(svcs), func(i int) error {
		pr, _ := iam.ParsePrincipal(svcs[i])
		ask := &asker{ex: ex, pr: pr, memo: map[askKey]*askMemo{}} // once per trust policy content
		for _, r := range ex.roles {
			a, err := ask.decide(ctx, "sts:AssumeRole", r.Key, r)
			if err != nil {
				return err
			}
			if a.Decision == iam.Allowed {
				trusting[i] = append(trusting[i], r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, svc := range svcs {
		if trusting[i] != nil {
			ex.trusting[svc] = trusting[i]
		}
	}
	ex.indexSets()
	if err := ex.indexAdmins(ctx); err != nil {
		return nil, err
	}
	return ex, nil
}

// indexAdmins finds the administrators (admins) and each principal's
// class (classOf): the classes on the workers, then administrator access
// once per class, decided by its first principal, or per principal for
// one without a class, a class or principal per task.
func (ex *escalator) indexAdmins(ctx context.Context) error {
	ps := ex.q.principals
	classes := make([]classOf, len(ps))
	parsed := make([]bool, len(ps))
	err := ex.q.parallel(ctx, len(ps), func(i int) error {
		pr, err := iam.ParsePrincipal(ps[i].Key)
		if err != nil {
			return nil
		}
		parsed[i] = true
		classes[i].key, classes[i].ok = ex.classKey(ctx, ps[i], pr)
		return nil
	})
	if err != nil {
		return err
	}
	var decide []int              // principals that decide (their class's) administrator access
	deciderOf := map[string]int{} // classKey -> position in decide
	for i, c := range classes {
		if !parsed[i] {
			continue
		}
		ex.classOf[ps[i].Key] = c
		if _, known := deciderOf[c.key]; c.ok && known {
			continue
		}
		if c.ok {
			deciderOf[c.key] = len(decide)
		}
		decide = append(decide, i)
	}
	admin := make([]bool, len(decide))
	err = ex.q.parallel(ctx, len(decide), func(j int) error {
		var err error
		admin[j], err = ex.admin(ctx, ps[decide[j]], false)
		return err
	})
	if err != nil {
		return err
	}
	for j, i := range decide {
		if c := classes[i]; admin[j] && !c.ok {
			ex.admins[ps[i].Key] = true
		}
	}
	for i, c := range classes {
		if j, known := deciderOf[c.key]; parsed[i] && c.ok && known && admin[j] {
			ex.admins[ps[i].Key] = true
		}
	}
	return nil
}

// admin reports whether p has "*" on "*"; withoutBoundary evaluates its
// identity policies alone.
func (ex *escalator) admin(ctx context.Context, p *graph.Entity, withoutBoundary bool) (bool, error) {
	pr, err := iam.ParsePrincipal(p.Key)
	if err != nil {
		return false, nil
	}
	for _, action := range adminProbes {
		req, pol, unknown, _, err := ex.q.request(ctx, pr, action, "", nil)
		if err != nil {
			return false, err
		}
		if withoutBoundary {
			pol.Boundaries = nil
		}
		if r := ex.q.ev.EvaluateUnknown(req, pol, unknown); r.Decision != iam.Allowed || r.Conditional {
			return false, nil
		}
	}
	return true, nil
}

// groupIsAdmin evaluates the probes with the group's own policies.
func (ex *escalator) groupIsAdmin(ctx context.Context, g *graph.Entity) (bool, error) {
	acct := accountOf(g)
	if acct == "" {
		return false, nil
	}
	member, err := iam.ParsePrincipal("arn:aws:iam::" + acct + ":user/snapaudit-group-probe")
	if err != nil {
		return false, err
	}
	var pols []*iam.Policy
	for _, pe := range ex.groupDocs[g.Key] {
		p, err := iam.Parse(pe.Key, pe.Get("document"))
		if err != nil {
			return false, fmt.Errorf("group %s: policy %s: %w", g.Key, pe.Key, err)
		}
		pols = append(pols, p)
	}
	for _, action := range adminProbes {
		r := ex.q.ev.Evaluate(&iam.Request{Principal: member, Action: action}, &iam.Policies{Identity: pols})
		if r.Decision != iam.Allowed {
			return false, nil
		}
	}
	return true, nil
}

// from lists the edges out of one principal. Administrators have none:
// they are where paths end.
func (ex *escalator) from(ctx context.Context, p *graph.Entity) ([]EscalationEdge, error) {
	if ex.admins[p.Key] {
		return nil, nil
	}
	pr, err := iam.ParsePrincipal(p.Key)
	if err != nil {
		return nil, nil
	}
	c, found := ex.classOf[p.Key]
	if !found {
		c.key, c.ok = ex.classKey(ctx, p, pr)
	}
	key, ok := c.key, c.ok
	class := ""
	if ok {
		class = key
	}
	out, err := ex.edges(ctx, p, pr, func(t technique) bool { return !ex.shared(t) }, p.Key, class)
	if err != nil {
		return nil, err
	}
	if !ok {
		more, err := ex.edges(ctx, p, pr, ex.shared, p.Key, "")
		return append(out, more...), err
	}
	// Principals of one class decide the shared techniques alike: the
	// first to get here decides them for every target (itself included),
	// the others take its edges.
	shared, err := ex.classEdgesOf(ctx, p, pr, key)
	if err != nil {
		return nil, err
	}
	for _, e := range shared {
		if e.To != p.Key {
			e.From = p.Key
			out = append(out, e)
		}
	}
	return out, nil
}

// classEdgesOf returns the shared techniques' edges of the class key
// (p's), deciding them with p when no principal of the class has yet.
// They are the same whichever member decides them.
func (ex *escalator) classEdgesOf(ctx context.Context, p *graph.Entity, pr iam.Principal, key string) ([]EscalationEdge, error) {
	v, _ := ex.classes.LoadOrStore(key, &classEdges{})
	ce := v.(*classEdges)
	ce.once.Do(func() { ce.edges, ce.err = ex.edges(ctx, p, pr, ex.shared, "", key) })
	return ce.edges, ce.err
}

// classRepresentatives lists the first principal of each class (classKey)
// that is not an administrator, in principal order.
func (ex *escalator) classRepresentatives() []*graph.Entity {
	var out []*graph.Entity
	seen := map[string]bool{}
	for _, p := range ex.q.principals {
		c, found := ex.classOf[p.Key]
		if !found || !c.ok || ex.admins[p.Key] || seen[c.key] {
			continue
		}
		seen[c.key] = true
		out = append(out, p)
	}
	return out
}

// classOf is a principal's classKey: ok is false when it has none.
type classOf struct {
	key string
	ok  bool
}

// classEdges are the shared techniques' edges of one class of principals.
type classEdges struct {
	once  sync.Once
	edges []EscalationEdge
	err   error
}

// shared reports whether a technique's answer is the same for every
// principal of a class (classKey): its targets are users or roles, whose
// only resource policy is a trust policy that cannot speak to the
// technique's actions (checked: oddTrust).
func (ex *escalator) shared(t technique) bool {
	switch {
	case t.Target == toUser:
		return true
	case t.Target == toRole && (t.Service != "" || t.ID == "update-assume-role-policy"):
		return !ex.oddTrust
	}
	return false
}

// classKey groups principals that every shared technique decides alike:
// same kind, account, tags, identity policies and boundary (by content:
// iam.Policy.Digest), none of them personal (iam.Policy.Personal). ok is false for a principal that must be
// decided alone.
func (ex *escalator) classKey(ctx context.Context, p *graph.Entity, pr iam.Principal) (string, bool) {
	info := ex.q.principalInfo(ctx, pr)
	if info.err != nil || info.ent == nil || info.pp == nil {
		return "", false
	}
	pols := slices.Clone(info.pp.Identity)
	if info.pp.Boundary != nil {
		pols = append(pols, info.pp.Boundary)
	}
	var ids []string
	for _, pol := range pols {
		if pol == nil || pol.Personal() {
			return "", false
		}
		ids = append(ids, pol.Digest)
	}
	slices.Sort(ids)
	var tags []string
	for k, v := range info.context {
		tags = append(tags, k+"="+strings.Join(v, ","))
	}
	slices.Sort(tags)
	b := ""
	if info.pp.Boundary != nil {
		b = info.pp.Boundary.Digest
	}
	return strings.Join([]string{p.Type, pr.Account, b, strings.Join(ids, ","), strings.Join(tags, "\x00")}, "|"), true
}

// edges runs the techniques that keep for principal p; self, when set, is
// a target to leave out (p itself); class is p's classKey ("" when none).
func (ex *escalator) edges(ctx context.Context, p *graph.Entity, pr iam.Principal, keep func(technique) bool, self, class string) ([]EscalationEdge, error) {
	var out []EscalationEdge
	ask := &asker{ex: ex, pr: pr, class: class, memo: map[askKey]*askMemo{}}
	// try asks every step with the step's resources (by its `on`) and
	// keeps the target when each is allowed; the technique's hits become
	// edges (toSets, which copies what it keeps) once all its targets are
	// asked.
	buf, _ := ex.hitBufs.Get().(*[]escHit)
	if buf == nil {
		buf = new([]escHit)
	}
	hits := (*buf)[:0]
	defer func() {
		clear(hits) // what the last technique used (each clears its predecessor's)
		*buf = hits[:0]
		ex.hitBufs.Put(buf)
	}()
	// anyAnswers are the answers of the current technique's steps on
	// "*" (onAny), the same for each of its targets: asked once per
	// technique, not once per target (by position in its Steps).
	var anyAnswers [maxSteps]*Answer
	try := func(t technique, to string, res onRes) error {
		if to == self {
			return nil
		}
		h := escHit{to: to, res: res}
		for i, s := range t.Steps {
			a, err := ask.decideStep(ctx, &anyAnswers[i], s, res)
			if err != nil {
				return err
			}
			if a.Decision != iam.Allowed {
				return nil
			}
			if a.Conditional {
				h.conditional = true
				h.keys = append(h.keys, a.ConditionKeys...)
			}
		}
		if len(h.keys) > 0 {
			slices.Sort(h.keys)
			h.keys = slices.Compact(h.keys)
		}
		hits = append(hits, h)
		return nil
	}
	// possible prunes a technique: the principal must be allowed each
	// step on some resource of the step's kind.
	possible := func(t technique, pattern string) (bool, error) {
		for _, s := range t.Steps {
			res := "*"
			if s.On == onTarget || s.On == onVia {
				res = pattern
			}
			if s.On != onAny && s.On != onTarget && s.On != onVia {
				continue
			}
			a, err := ask.decide(ctx, s.Action, res, nil)
			if err != nil {
				return false, err
			}
			if a.Decision != iam.Allowed {
				return false, nil
			}
		}
		return true, nil
	}
	isUser := p.Type == "aws_iam_user"
	for _, t := range techniques {
		if (t.UsersOnly && !isUser) || !keep(t) {
			continue
		}
		var err error
		// Cleared as far as it was used (not to its capacity, which the
		// largest class grew it to: that was a quarter of the analysis).
		clear(hits)
		hits = hits[:0]
		anyAnswers = [maxSteps]*Answer{}
		switch t.Target {
		case toAdmin:
			err = ex.toAdmin(ctx, p, t, try)
		case toUser:
			var ok bool
			if ok, err = possible(t, "arn:aws:iam::*:user/*"); ok {
				for _, u := range ex.candidates(t, pr.Account, ex.users) {
					if err = try(t, u.Key, onRes{onTarget: u.Key}); err != nil {
						break
					}
				}
			}
		case toRole:
			err = ex.toRole(ctx, p, pr, t, ask, try, possible)
		}
		if err != nil {
			return nil, err
		}
		out = ex.toSets(out, p.Key, t, hits, self)
	}
	return out, nil
}

func (ex *escalator) toAdmin(ctx context.Context, p *graph.Entity, t technique, try func(technique, string, onRes) error) error {
	if t.Boundary {
		if p.String("permissionsBoundaryArn") == "" {
			return nil
		}
		if ok, err := ex.admin(ctx, p, true); err != nil || !ok {
			return err
		}
	}
	var choices []onRes
	switch t.Steps[0].On {
	case onSelf:
		choices = append(choices, onRes{onSelf: p.Key})
	case onGroup:
		for _, g := range ex.groupsOf[p.Key] {
			choices = append(choices, onRes{onGroup: g.Key})
		}
	case onPolicy:
		owners := append([]*graph.Entity{p}, ex.groupsOf[p.Key]...)
		for _, o := range owners {
			for _, pol := range ex.policiesOf[o.Key] {
				choices = append(choices, onRes{onPolicy: pol.Key})
			}
		}
	case onAdminGroup:
		for _, g := range ex.adminGroups {
			if !slices.Contains(ex.groupsOf[p.Key], g) {
				choices = append(choices, onRes{onAdminGroup: g.Key})
			}
		}
	}
	for _, c := range choices {
		if err := try(t, AdminNode, c); err != nil {
			return err
		}
	}
	return nil
}

func (ex *escalator) toRole(ctx context.Context, p *graph.Entity, pr iam.Principal, t technique, ask *asker,
	try func(technique, string, onRes) error, possible func(technique, string) (bool, error)) error {
	switch {
	case t.Via != "":
		ok, err := possible(t, "*")
		if !ok || err != nil {
			return err
		}
		for _, c := range ex.viaCandidates(t, pr.Account) {
			if err := try(t, c.role.Key, onRes{onVia: c.arn}); err != nil {
				return err
			}
		}
		return nil
	case t.Service != "":
		ok, err := possible(t, "arn:aws:iam::*:role/*")
		if !ok || err != nil {
			return err
		}
		for _, r := range ex.candidates(t, pr.Account, ex.trusting[t.Service]) {
			if err := try(t, r.Key, onRes{onTarget: r.Key, onAny: "*"}); err != nil {
				return err
			}
		}
		return nil
	case t.ID == "assume-role":
		// Roles of other accounts need the principal's own policies to
		// allow it too: without one that may, its own account's alone.
		ownOnly := !ask.identityMayMatch(ctx, t.Steps[0].Action)
		for _, r := range ex.trustCandidates(pr, ownOnly) {
			if r.Key == p.Key {
				continue
			}
			// A role of another account needs the principal's own
			// policies to allow it too: not when they do not, whatever
			// the role's trust policy says.
			if accountOf(r) != pr.Account {
				ok, err := ask.ownSideAllows(ctx, t.Steps[0].Action, r.Key, r)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if err := try(t, r.Key, onRes{onTarget: r.Key}); err != nil {
				return err
			}
		}
		return nil
	default: // rewriting a role's trust policy
		ok, err := possible(t, "arn:aws:iam::*:role/*")
		if !ok || err != nil {
			return err
		}
		for _, r := range ex.candidates(t, pr.Account, ex.roles) {
			if err := try(t, r.Key, onRes{onTarget: r.Key}); err != nil {
				return err
			}
		}
		return nil
	}
}

// trustIndex lists, for each principal, the roles whose trust policy may
// name it: its ARN (any path), its account, or everyone. Only those roles
// are asked about sts:AssumeRole (the evaluator then decides).
type trustIndex struct {
	anyone    []*graph.Entity            // "*", wildcards, NotPrincipal
	anyoneIn  map[string][]*graph.Entity // anyone by the role's account
	byAccount map[string][]*graph.Entity // account root or id
	// ownAccount is byAccount keeping the roles of that account alone
	// (trustCandidates' ownOnly, once per account, not per principal).
	ownAccount map[string][]*graph.Entity
	byName     map[string][]*graph.Entity // "User|ACCOUNT|name", "Role|ACCOUNT|name"
}

func (ex *escalator) indexTrust(ctx context.Context) error {
	ix := &trustIndex{byAccount: map[string][]*graph.Entity{}, byName: map[string][]*graph.Entity{}, anyoneIn: map[string][]*graph.Entity{}}
	for _, r := range ex.roles {
		pol, err := ex.q.resourcePolicy(ctx, r.Key)
		if err != nil || pol == nil {
			continue // an unreadable trust policy is reported by the graph's TRUSTS derivation
		}
		seen := map[string]bool{}
		add := func(m map[string][]*graph.Entity, k string) {
			if !seen[k] {
				seen[k] = true
				m[k] = append(m[k], r)
			}
		}
		anyone := false
		for _, s := range pol.Statements {
			for _, a := range s.ActionPatterns {
				if !strings.HasPrefix(strings.ToLower(a), "sts:") {
					ex.oddTrust = true
				}
			}
			if len(s.NotActionPatterns) > 0 {
				ex.oddTrust = true
			}
			if s.NotPrincipal != nil || (s.Principal != nil && s.Principal.Any) {
				anyone = true
				continue
			}
			if s.Principal == nil {
				continue
			}
			for _, a := range s.Principal.AWS {
				if strings.ContainsAny(a, "*?") {
					anyone = true
					continue
				}
				p, err := iam.ParsePrincipal(a)
				switch {
				case err != nil:
				case p.Type == iam.PrincipalRoot:
					add(ix.byAccount, p.Account)
				case p.Type == iam.PrincipalAssumedRole:
					add(ix.byName, string(iam.PrincipalRole)+"|"+p.Account+"|"+p.Name)
				default:
					add(ix.byName, string(p.Type)+"|"+p.Account+"|"+p.Name)
				}
			}
		}
		if anyone {
			ix.anyone = append(ix.anyone, r)
			ix.anyoneIn[accountOf(r)] = append(ix.anyoneIn[accountOf(r)], r)
		}
	}
	ix.ownAccount = make(map[string][]*graph.Entity, len(ix.byAccount))
	for acct, roles := range ix.byAccount {
		ix.ownAccount[acct] = slices.DeleteFunc(slices.Clone(roles), func(r *graph.Entity) bool { return accountOf(r) != acct })
	}
	ex.trust = ix
	return nil
}

// trustCandidates are the roles whose trust policy may name pr, in key
// order; ownOnly: those of pr's account alone (what an account holds, not
// every role anyone may assume in the organisation).
func (ex *escalator) trustCandidates(pr iam.Principal, ownOnly bool) []*graph.Entity {
	byName := ex.trust.byName[string(pr.Type)+"|"+pr.Account+"|"+pr.Name]
	if ownOnly {
		byName = slices.DeleteFunc(slices.Clone(byName), func(r *graph.Entity) bool { return accountOf(r) != pr.Account })
	}
	base := ex.trustBase(pr.Account, ownOnly)
	if len(byName) == 0 {
		return base // shared: read only
	}
	out := slices.Concat(base, byName)
	slices.SortFunc(out, func(a, b *graph.Entity) int { return strings.Compare(a.Key, b.Key) })
	return slices.CompactFunc(out, func(a, b *graph.Entity) bool { return a == b })
}

// trustBaseKey is an account, and whether its own roles alone are kept.
type trustBaseKey struct {
	account string
	ownOnly bool
}

// trustBase is trustCandidates but the roles naming the principal itself:
// those naming anyone or its account, sorted once per account (not per
// principal).
func (ex *escalator) trustBase(acct string, ownOnly bool) []*graph.Entity {
	k := trustBaseKey{acct, ownOnly}
	if v, ok := ex.trustBases.Load(k); ok {
		return v.([]*graph.Entity)
	}
	anyone, named := ex.trust.anyone, ex.trust.byAccount[acct]
	if ownOnly {
		anyone, named = ex.trust.anyoneIn[acct], ex.trust.ownAccount[acct]
	}
	out := slices.Concat(anyone, named)
	slices.SortFunc(out, func(a, b *graph.Entity) int { return strings.Compare(a.Key, b.Key) })
	out = slices.Clip(slices.CompactFunc(out, func(a, b *graph.Entity) bool { return a == b }))
	v, _ := ex.trustBases.LoadOrStore(k, out)
	return v.([]*graph.Entity)
}
