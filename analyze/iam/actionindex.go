package iam

import "strings"

// An AWS managed policy may list hundreds of actions in one statement
// (ReadOnlyAccess, ViewOnlyAccess...), and an offline analysis asks every
// statement of every policy a principal holds about each action: trying
// each pattern in turn was the costliest step of an evaluation. An action
// pattern whose service prefix has no wildcard ("ec2:Describe*") matches
// only actions of that service: the actions compare case-insensitively and
// are lower case here, a pattern's text before its first ':' is literal,
// so a match starts with that text and ':', and the action's service (its
// text before its first ':') is that text. A statement with many patterns
// therefore keeps them by service and tries only those of the request's
// service, and the patterns whose service prefix has a wildcard.

// minIndexedActions is the number of patterns from which a statement
// indexes them (below it, trying each is as fast).
const minIndexedActions = 8

// actionIndex lists a statement's action patterns (indexes into its
// Action or NotAction list) by service prefix.
type actionIndex struct {
	byService map[string][]int32
	wild      []int32 // "*" and patterns whose service prefix has a wildcard
}

// newActionIndex indexes pats (compiled by compileActions: lower case, no
// variables), or returns nil when they are few.
func newActionIndex(pats []pattern) *actionIndex {
	if len(pats) < minIndexedActions {
		return nil
	}
	x := &actionIndex{byService: map[string][]int32{}}
	for i := range pats {
		svc, _, ok := strings.Cut(pats[i].text, ":")
		if pats[i].all || !ok || strings.ContainsAny(svc, "*?") {
			x.wild = append(x.wild, int32(i))
			continue
		}
		x.byService[svc] = append(x.byService[svc], int32(i))
	}
	return x
}

// match reports whether action (lower case) matches one of pats, the
// patterns x indexes; a nil x tries every pattern.
func (x *actionIndex) match(pats []pattern, action string) bool {
	if x == nil {
		for i := range pats {
			if m, _ := pats[i].match(action, nil); m {
				return true
			}
		}
		return false
	}
	svc, _, _ := strings.Cut(action, ":")
	for _, l := range [2][]int32{x.byService[svc], x.wild} {
		for _, i := range l {
			if m, _ := pats[i].match(action, nil); m {
				return true
			}
		}
	}
	return false
}
