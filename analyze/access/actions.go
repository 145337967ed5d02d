package access

// Action sets: what one statement grants on one target. Patterns are kept
// as written (filtered to the target's service) for reporting, and expanded
// through the action catalog into concrete actions grouped by access level,
// which the evaluator is asked about and which give accessLevels and the
// boolean flags.

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// levelFlag is an access level and the boolean property it sets.
type levelFlag struct {
	level actions.AccessLevel
	flag  string
}

// levelOrder is the order access levels are listed in, with the flag
// property each one sets.
var levelOrder = []levelFlag{
	{level: actions.List, flag: "list"},
	{level: actions.Read, flag: "read"},
	{level: actions.Write, flag: "write"},
	{level: actions.Tagging, flag: "tagging"},
	{level: actions.PermissionsManagement, flag: "permissionsManagement"},
}

// actionSet is what one statement (or several merged) grants on one
// service ("" = every service: the account target).
type actionSet struct {
	patterns   []string // Action patterns as written, sorted and unique
	notActions []string // NotAction patterns (the statement allows all but these)
	// byLevel holds the concrete catalog actions per level; unknown holds
	// literal patterns the catalog does not know (still evaluated).
	byLevel map[actions.AccessLevel][]string
	unknown []string
	full    bool // every action of the service (or of every service) is granted
}

// levelBits is levels as a levelSet, without allocating.
func (a *actionSet) levelBits() levelSet {
	var s levelSet
	for i, l := range levelOrder {
		if len(a.byLevel[l.level]) > 0 {
			s |= 1 << i
		}
	}
	return s
}

// levels returns the levels with at least one action, in levelOrder.
func (a *actionSet) levels() []actions.AccessLevel {
	var out []actions.AccessLevel
	for _, l := range levelOrder {
		if len(a.byLevel[l.level]) > 0 {
			out = append(out, l.level)
		}
	}
	return out
}

// catalog wraps the action catalog with the expansions derivations repeat.
type catalog struct {
	c  *actions.Catalog
	mu sync.Mutex
	// sets caches actionSets by service and patterns.
	sets map[string]*actionSet
}

func newCatalog(c *actions.Catalog) *catalog {
	return &catalog{c: c, sets: map[string]*actionSet{}}
}

// splitAction splits "svc:Name" into lower-case parts; "*" is ("*", "*").
func splitAction(p string) (svc, name string) {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == "*" {
		return "*", "*"
	}
	svc, name, ok := strings.Cut(p, ":")
	if !ok {
		return p, ""
	}
	return svc, name
}

// serviceOf is splitAction's svc alone. It lower-cases only the service
// part, which policies mostly write in lower case already, so on the hot
// paths (a statement's patterns times the services it names) it seldom
// allocates.
func serviceOf(p string) string {
	p = strings.TrimSpace(p)
	if p == "*" {
		return "*"
	}
	svc, _, _ := strings.Cut(p, ":")
	return strings.ToLower(svc)
}

// servicesOf returns the service prefixes a statement's actions name, and
// all=true when they reach every service (a wildcard in the service part,
// or NotAction).
func servicesOf(st *statement) (svcs []string, all bool) {
	if st.actions == nil {
		return nil, true
	}
	seen := map[string]bool{}
	for _, p := range st.actions {
		svc := serviceOf(p)
		if strings.ContainsAny(svc, "*?") {
			return nil, true
		}
		if !seen[svc] {
			seen[svc] = true
			svcs = append(svcs, svc)
		}
	}
	sort.Strings(svcs)
	return svcs, false
}

// forService returns the statement's Action patterns that can match an
// action of service svc ("" = any service).
func forService(patterns []string, svc string) []string {
	var out []string
	for _, p := range patterns {
		if svc == "" || glob(serviceOf(p), svc) {
			out = append(out, p)
		}
	}
	return out
}

// set returns the actionSet of patterns (or of NotAction exclusions when
// not is true) restricted to service svc ("" = every service).
func (c *catalog) set(patterns []string, not bool, svc string) *actionSet {
	key := svc + "\x00" + strings.Join(patterns, "\x00")
	if not {
		key = "!" + key
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sets[key]; ok {
		return s
	}
	s := &actionSet{byLevel: map[actions.AccessLevel][]string{}}
	var acts []actions.Action
	if not {
		s.notActions = uniqSorted(patterns)
		excluded := map[string]bool{}
		for _, a := range c.expand(patterns, svc) {
			excluded[a.String()] = true
		}
		for _, a := range c.expand([]string{"*"}, svc) {
			if !excluded[a.String()] {
				acts = append(acts, a)
			}
		}
		s.full = len(excluded) == 0
	} else {
		s.patterns = uniqSorted(patterns)
		acts = c.expand(patterns, svc)
		for _, p := range patterns {
			ps, pn := splitAction(p)
			if pn == "*" && (ps == "*" || ps == svc) {
				s.full = true
			}
			if !strings.ContainsAny(p, "*?") && len(c.expand([]string{p}, svc)) == 0 {
				s.unknown = append(s.unknown, p)
			}
		}
	}
	for _, a := range acts {
		for _, l := range a.Levels() {
			s.byLevel[l] = append(s.byLevel[l], a.String())
		}
	}
	c.sets[key] = s
	return s
}

// expand returns the catalog actions matching patterns, restricted to svc
// ("" = every service).
func (c *catalog) expand(patterns []string, svc string) []actions.Action {
	if svc == "" {
		return c.c.ExpandAll(patterns)
	}
	var restricted []string
	for _, p := range patterns {
		ps, pn := splitAction(p)
		if glob(ps, svc) {
			restricted = append(restricted, svc+":"+pn)
		}
	}
	if len(restricted) == 0 {
		return nil
	}
	return c.c.ExpandAll(restricted)
}

// merge returns the union of action sets (for relationships built from
// several statements).
func merge(sets []*actionSet) *actionSet {
	if len(sets) == 1 {
		return sets[0]
	}
	out := &actionSet{byLevel: map[actions.AccessLevel][]string{}}
	for _, s := range sets {
		out.patterns = append(out.patterns, s.patterns...)
		out.notActions = append(out.notActions, s.notActions...)
		out.unknown = append(out.unknown, s.unknown...)
		out.full = out.full || s.full
		for l, acts := range s.byLevel {
			out.byLevel[l] = append(out.byLevel[l], acts...)
		}
	}
	out.patterns, out.notActions, out.unknown = uniqSorted(out.patterns), uniqSorted(out.notActions), uniqSorted(out.unknown)
	for l := range out.byLevel {
		out.byLevel[l] = uniqSorted(out.byLevel[l])
	}
	return out
}

// uniqSorted returns a sorted copy of l without duplicates (nil for empty).
func uniqSorted(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	out := slices.Clone(l)
	sort.Strings(out)
	return slices.Compact(out)
}

// lowerAll returns l lower-cased.
func lowerAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ToLower(s)
	}
	return out
}

// glob matches s against p, where * matches any run of bytes (also ':'
// and '/') and ? exactly one, as IAM matches actions and resources.
func glob(p, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
