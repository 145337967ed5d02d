package access

import (
	"maps"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// Target sets. A principal allowed a technique on every role (or user) of
// an account gets one edge to the set, not one per role: the analysis
// stays proportional to principals × accounts, not principals × roles,
// and so does the graph (relationships to the account).

// indexSets lists the members of each target set, in key order (the order
// the techniques try them).
func (ex *escalator) indexSets() {
	ex.sets = map[string][]string{}
	for _, u := range ex.users {
		name := "users of " + accountOf(u)
		ex.sets[name] = append(ex.sets[name], u.Key)
	}
	for _, r := range ex.roles {
		name := "roles of " + accountOf(r)
		ex.sets[name] = append(ex.sets[name], r.Key)
	}
	for svc, roles := range ex.trusting {
		for _, r := range roles {
			name := "roles of " + accountOf(r) + " trusted by " + svc
			ex.sets[name] = append(ex.sets[name], r.Key)
		}
	}
}

// setAccount is the account of a set's members (its name's third word).
func setAccount(name string) string {
	if f := strings.Fields(name); len(f) > 2 {
		return f[2]
	}
	return ""
}

// setOf names the set of a technique's targets in an account; "" when its
// targets form none (they are per principal: roles it may assume,
// resources that run as a role).
func setOf(t technique, acct string) string {
	switch {
	case t.Target == toUser:
		return "users of " + acct
	case t.Target == toRole && t.Service != "":
		return "roles of " + acct + " trusted by " + t.Service
	case t.Target == toRole && t.ID == "update-assume-role-policy":
		return "roles of " + acct
	}
	return ""
}

// escHit is a target a technique reaches: the resource of each step (by its
// `on`) and whether some step holds only under conditions (keys, sorted).
type escHit struct {
	to          string
	res         onRes
	conditional bool
	keys        []string
}

// onRes are the resources of a technique's steps, by their `on`.
type onRes [onAdminGroup + 1]string

// edge is the edge from principal from to h's target.
func (h *escHit) edge(from string, t technique) EscalationEdge {
	e := EscalationEdge{From: from, To: h.to, Technique: t.ID, Name: t.Name, Source: t.Source,
		Conditional: h.conditional, ConditionKeys: slices.Clone(h.keys), Permissions: make([]string, 0, len(t.Steps))}
	for _, s := range t.Steps {
		shown := h.res[s.On]
		if shown == "*" {
			shown = "some resource"
		}
		e.Permissions = append(e.Permissions, s.Action+" on "+shown)
	}
	return e
}

// toSets appends to out the edges from principal from ("" for a class) of
// technique t's hits (in target order, so account by account): the hits of
// an account that reach more than half of its set, alike (the same
// conditions), are one edge to the set with the other members as Except,
// the others one edge each. self is the principal the edges are for (""
// for a class: each member then leaves itself out). Building only the
// edges that remain keeps the cost per principal in techniques × accounts
// it reaches, not in targets.
func (ex *escalator) toSets(out []EscalationEdge, from string, t technique, hits []escHit, self string) []EscalationEdge {
	for i := 0; i < len(hits); {
		acct := principalAccount(hits[i].to)
		j := i + 1
		alike := true
		for ; j < len(hits) && principalAccount(hits[j].to) == acct; j++ {
			alike = alike && hits[j].conditional == hits[i].conditional && slices.Equal(hits[j].keys, hits[i].keys)
		}
		name := setOf(t, acct)
		members := ex.sets[name]
		if name == "" || acct == "" || !alike || j-i < 2 || 2*(j-i) <= len(members) {
			for k := i; k < j; k++ {
				out = append(out, hits[k].edge(from, t))
			}
			i = j
			continue
		}
		e := hits[i].edge(from, t)
		for k, p := range e.Permissions {
			e.Permissions[k] = strings.ReplaceAll(p, e.To, SetMember)
		}
		e.To, e.ToSet = "", name
		e.Except = exceptOf(members, hits[i:j], self)
		out = append(out, e)
		i = j
	}
	return out
}

// exceptOf lists the members of a set that hits do not reach, but self.
// The hits come in the members' order (both follow the principals' key
// order), so one walk of both finds them; hits in another order are
// looked up in a set instead.
func exceptOf(members []string, hits []escHit, self string) []string {
	var out []string
	k := 0
	for _, m := range members {
		if k < len(hits) && hits[k].to == m {
			k++
		} else if m != self {
			out = append(out, m)
		}
	}
	if k == len(hits) {
		return out
	}
	allowed := make(map[string]bool, len(hits))
	for _, h := range hits {
		allowed[h.to] = true
	}
	out = nil
	for _, m := range members {
		if !allowed[m] && m != self {
			out = append(out, m)
		}
	}
	return out
}

// principalAccount is the account of a user or role ARN ("" for AdminNode).
func principalAccount(arn string) string {
	if p, ok := arnParts(arn); ok && isAccountID(p[4]) {
		return p[4]
	}
	return ""
}

// members lists the targets of an edge: To, or the members of its set but
// From and Except, in order.
func (e *EscalationEdge) members(sets map[string][]string, yield func(string) bool) {
	if e.ToSet == "" {
		yield(e.To)
		return
	}
	for _, m := range sets[e.ToSet] {
		if m != e.From && !slices.Contains(e.Except, m) && !yield(m) {
			return
		}
	}
}

// to is the edge to one member of its set (itself when it has no set).
func (e EscalationEdge) to(member string) EscalationEdge {
	if e.ToSet == "" {
		return e
	}
	e.Permissions = slices.Clone(e.Permissions)
	for i, p := range e.Permissions {
		e.Permissions[i] = strings.ReplaceAll(p, SetMember, member)
	}
	e.To, e.ToSet, e.Except = member, "", nil
	return e
}

// Expanded lists the edges with each edge to a set replaced by one edge
// per member.
func (res *Escalation) Expanded() []EscalationEdge {
	var out []EscalationEdge
	for _, e := range res.Edges {
		e.members(res.Sets, func(m string) bool {
			out = append(out, e.to(m))
			return true
		})
	}
	return out
}

// paths finds the shortest path from every principal that is not an
// administrator to administrator access: the distances to administrator
// access first, breadth first backwards from it, then each principal's
// path forwards, taking at each step the first edge (in edge order, set
// members in order) that gets one step closer. That is the path a breadth
// first search from the principal finds first, without a search per
// principal.
func paths(edges []EscalationEdge, sets map[string][]string, admins map[string]bool, principals []*graph.Entity) []EscalationPath {
	out := map[string][]int{}     // from -> edges
	into := map[string][]int{}    // to -> edges
	pending := map[string][]int{} // set -> edges to it not yet followed
	inSets := map[string][]string{}
	for name, ms := range sets {
		for _, m := range ms {
			inSets[m] = append(inSets[m], name)
		}
	}
	for i := range edges {
		e := &edges[i]
		out[e.From] = append(out[e.From], i)
		if e.ToSet != "" {
			pending[e.ToSet] = append(pending[e.ToSet], i)
		} else {
			into[e.To] = append(into[e.To], i)
		}
	}
	dist := map[string]int{AdminNode: 0}
	queue := []string{AdminNode}
	for a := range admins {
		dist[a] = 0
	}
	queue = append(queue, slices.Sorted(maps.Keys(admins))...)
	reach := func(from string, d int) {
		if _, ok := dist[from]; !ok {
			dist[from] = d
			queue = append(queue, from)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		d := dist[n] + 1
		for _, i := range into[n] {
			reach(edges[i].From, d)
		}
		for _, name := range inSets[n] {
			left := pending[name][:0]
			for _, i := range pending[name] {
				if e := &edges[i]; e.From == n || slices.Contains(e.Except, n) {
					left = append(left, i)
				} else {
					reach(e.From, d)
				}
			}
			pending[name] = left
		}
	}
	res := []EscalationPath{}
	for _, p := range principals {
		d, ok := dist[p.Key]
		if admins[p.Key] || !ok {
			continue
		}
		path := EscalationPath{Principal: p.Key}
		for cur := p.Key; d > 0; d-- {
			var step EscalationEdge
			found := false
			for _, i := range out[cur] {
				edges[i].members(sets, func(m string) bool {
					if md, ok := dist[m]; ok && md == d-1 {
						step, found = edges[i].to(m), true
					}
					return !found
				})
				if found {
					break
				}
			}
			path.Steps = append(path.Steps, step)
			path.Conditional = path.Conditional || step.Conditional
			cur = step.To
		}
		res = append(res, path)
	}
	return res
}
