package access

// Action classes keep the evaluator from being asked about thousands of
// actions when a level's first action is denied (an Allow "*" cancelled
// by a Deny "*" would otherwise cost one evaluation per catalog action).
//
// For one request (principal, resource, context and policies fixed) the
// evaluator's decision depends on the action only through which policy
// action patterns (Action and NotAction, of every statement) match it, and
// through the action's service (KMS key policies and RCP services are
// per service; the sts role-trust actions and sts:GetCallerIdentity are
// special-cased, so sts actions each get their own class). Two actions of
// the same service matched by the same set of patterns therefore get the
// same decision, and one representative per class is enough. The reduction
// is exact, not a sample.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/iam"
)

// patternSet holds the lower-cased action patterns of some policies,
// grouped by their literal service part (wildcard services apart).
type patternSet struct {
	byService map[string][]int // service -> indexes into pats
	wild      []int            // patterns whose service part has a wildcard
	// wildAll: every one of wild is "*" (it matches every action alike),
	// so the actions of a service no pattern names share one class.
	wildAll bool
	pats    []string
	scratch *classScratch
}

// classScratch is what the pattern sets of one derivation share: the
// lower-cased catalog actions (a few thousand, asked about again for every
// principal) and a buffer for signatures.
type classScratch struct {
	lower map[string]string
	sig   []byte
	seen  map[string]bool // newPatternSet's, cleared for each set
	all   []*iam.Policy   // newPatternSet's, reused
	sigs  map[string]bool // representatives', cleared for each call
	// ofPolicy holds each policy's Action and NotAction patterns, lower
	// case, each once, in order: a principal's policies come back for
	// each of its targets with a resource policy, and in every principal
	// holding them.
	ofPolicy map[*iam.Policy][]string
}

// policyPatterns returns the Action and NotAction patterns of p in lower
// case, each once, in the order of its statements (newPatternSet).
func (c *classScratch) policyPatterns(p *iam.Policy) []string {
	if l, ok := c.ofPolicy[p]; ok {
		return l
	}
	if c.ofPolicy == nil {
		c.ofPolicy = map[*iam.Policy][]string{}
	}
	var l []string
	for _, st := range p.Statements {
		for _, pats := range [][]string{st.ActionPatterns, st.NotActionPatterns} {
			for _, a := range pats {
				if a = c.lowerAction(a); !slices.Contains(l, a) {
					l = append(l, a)
				}
			}
		}
	}
	c.ofPolicy[p] = l
	return l
}

// lowerAction returns action in lower case.
func (c *classScratch) lowerAction(action string) string {
	la, ok := c.lower[action]
	if !ok {
		if c.lower == nil {
			c.lower = map[string]string{}
		}
		la = strings.ToLower(action)
		c.lower[action] = la
	}
	return la
}

func newPatternSet(pols *iam.Policies, scratch *classScratch) *patternSet {
	ps := &patternSet{byService: map[string][]int{}, scratch: scratch}
	if scratch.seen == nil {
		scratch.seen = map[string]bool{}
	}
	seen := scratch.seen
	clear(seen)
	all := append(append(append(scratch.all[:0], pols.Resource), pols.Identity...), pols.Boundaries...)
	for _, lvl := range pols.SCPs {
		all = append(all, lvl...)
	}
	for _, lvl := range pols.RCPs {
		all = append(all, lvl...)
	}
	scratch.all = all
	defer clear(all) // keep no policy alive through the buffer
	defer func() {
		ps.wildAll = true
		for _, i := range ps.wild {
			ps.wildAll = ps.wildAll && ps.pats[i] == "*"
		}
	}()
	for _, p := range all {
		if p == nil {
			continue
		}
		for _, a := range scratch.policyPatterns(p) { // lower-cased once per worker
			if seen[a] {
				continue
			}
			seen[a] = true
			i := len(ps.pats)
			ps.pats = append(ps.pats, a)
			if svc := serviceOf(a); strings.ContainsAny(svc, "*?") {
				ps.wild = append(ps.wild, i)
			} else {
				ps.byService[svc] = append(ps.byService[svc], i)
			}
		}
	}
	return ps
}

// appendSignature appends to b the name of the class of an action: its
// service and the patterns matching it (the action itself for sts).
func (ps *patternSet) appendSignature(b []byte, action string) []byte {
	la := ps.scratch.lowerAction(action)
	svc := serviceOf(la)
	if svc == "sts" {
		return append(b, la...)
	}
	b = append(b, svc...)
	for _, l := range [2][]int{ps.byService[svc], ps.wild} {
		for _, i := range l {
			if glob(ps.pats[i], la) {
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(i), 10)
			}
		}
	}
	return b
}

// representatives calls fn with the first action of each class, in order,
// until fn returns false: the classes of the actions after that are not
// computed (a level of "*" has thousands of actions).
func (ps *patternSet) representatives(acts []string, fn func(action string) bool) {
	if ps.scratch.sigs == nil {
		ps.scratch.sigs = map[string]bool{}
	}
	seen := ps.scratch.sigs
	clear(seen)
	// A run of actions of a service no pattern names (a level of "*" has
	// thousands) has the signature of its first: not computed again.
	lastRaw, uniform := "", false
	for _, a := range acts {
		if ps.wildAll {
			raw, _, _ := strings.Cut(a, ":") // the same prefix: the same service, not lower-cased again
			if uniform && raw == lastRaw {
				continue // its class is its service's first action's: seen
			}
			svc := serviceOf(ps.scratch.lowerAction(a))
			lastRaw, uniform = raw, svc != "sts" && len(ps.byService[svc]) == 0
		}
		b := ps.appendSignature(ps.scratch.sig[:0], a)
		ps.scratch.sig = b
		if !seen[string(b)] { // looked up without a copy
			seen[string(b)] = true
			if !fn(a) {
				return
			}
		}
	}
}
