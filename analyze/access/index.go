package access

// The resource index answers "which collected resources does this Resource
// pattern reach?" without scanning every resource. Resources are grouped by
// the ARN's service and account fields and sorted by the ARN's resource
// field; a pattern with a literal service and account looks only at that
// group, and within it only at the range sharing the literal prefix of the
// pattern's resource field (binary search). Only that candidate range is
// glob-matched. A wildcard in the service or account field widens the
// candidate groups to those fields' matches, never to other services.
//
// Policy variables (${aws:username} ...) are unknown when targets are
// resolved, so they match like `*` here; whether the access is real for a
// principal is the evaluator's call (the effective flag).
//
// Sub-resources: a pattern naming objects inside a collected resource
// (arn:aws:s3:::bucket/*, a qualified Lambda ARN, a DynamoDB index or
// stream) reaches the collected parent, declared per service in
// subResources. The request the evaluator is asked about then names the
// sub-resource pattern under that parent (arn:aws:s3:::bucket/*), so a
// Deny on objects still applies.

import (
	"sort"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// subResource declares how a service's sub-resource ARNs map to the
// collected parent: the parent's resource field is the first Keep
// Sep-separated segments of the sub-resource's.
type subResource struct {
	Service string
	Sep     byte
	Keep    int
	Example string // a sub-resource ARN, for the invariant test
	Parent  string // the parent ARN of Example
}

// subResources is sorted by service.
var subResources = []subResource{
	{Service: "dynamodb", Sep: '/', Keep: 2, Example: "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/byDate", Parent: "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"},
	{Service: "lambda", Sep: ':', Keep: 2, Example: "arn:aws:lambda:eu-west-1:111122223333:function:resize:prod", Parent: "arn:aws:lambda:eu-west-1:111122223333:function:resize"},
	{Service: "s3", Sep: '/', Keep: 1, Example: "arn:aws:s3:::reports/2024/q1.csv", Parent: "arn:aws:s3:::reports"},
}

func subResourceOf(svc string) (subResource, bool) {
	i := sort.Search(len(subResources), func(i int) bool { return subResources[i].Service >= svc })
	if i < len(subResources) && subResources[i].Service == svc {
		return subResources[i], true
	}
	return subResource{}, false
}

// parent cuts a resource field to its first Keep segments; ok is false
// when the field has no more than Keep segments (it is not a sub-resource).
func (s subResource) parent(field string) (string, bool) {
	n := 0
	for i := 0; i < len(field); i++ {
		if field[i] == s.Sep {
			n++
			if n == s.Keep {
				return field[:i], true
			}
		}
	}
	return field, false
}

// arnParts splits an ARN (or ARN pattern) into its six fields.
func arnParts(s string) (parts [6]string, ok bool) {
	for i := range 5 { // hot: no allocation, unlike strings.SplitN
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return [6]string{}, false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	if parts[0] != "arn" && parts[0] != "*" {
		return [6]string{}, false
	}
	return parts, true
}

type indexed struct {
	field string // the ARN's resource field
	arn   string
	e     *graph.Entity
}

// resourceIndex indexes the collected resources by service, account and
// resource field.
type resourceIndex struct {
	groups map[string]map[string][]indexed // service -> account -> sorted by field
	n      int
}

// newResourceIndex indexes every entity with an `arn` property that is an
// ARN, except the account entities and placeholders (_source
// system-mapper), which are not collected resources.
func newResourceIndex(g *graph.Graph) *resourceIndex {
	ix := &resourceIndex{groups: map[string]map[string][]indexed{}}
	for e := range g.All() { // unsorted: each list is sorted below, to the key
		if e.Type == "aws_account" || e.String("_source") == placeholderSource {
			continue
		}
		arn := e.String("arn")
		p, ok := arnParts(arn)
		if !ok || p[0] != "arn" {
			continue
		}
		byAcct := ix.groups[p[2]]
		if byAcct == nil {
			byAcct = map[string][]indexed{}
			ix.groups[p[2]] = byAcct
		}
		byAcct[p[4]] = append(byAcct[p[4]], indexed{field: p[5], arn: arn, e: e})
		ix.n++
	}
	for _, byAcct := range ix.groups {
		for _, l := range byAcct {
			sort.Slice(l, func(i, j int) bool {
				if l[i].field != l[j].field {
					return l[i].field < l[j].field
				}
				if l[i].arn != l[j].arn {
					return l[i].arn < l[j].arn
				}
				return l[i].e.Key < l[j].e.Key
			})
		}
	}
	return ix
}

// hit is a resource a pattern reaches and the resource to evaluate with.
type hit struct {
	e       *graph.Entity
	request string
}

// match returns the resources pattern reaches, sorted by key and unique.
// It calls visit once per candidate examined (for tests of the
// no-full-scan promise); visit may be nil.
func (ix *resourceIndex) match(pattern string, visit func()) []hit {
	pat := actions.VariablesAsWildcards(pattern)
	p, ok := arnParts(pat)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []hit
	add := func(h hit) {
		if !seen[h.e.Key] {
			seen[h.e.Key] = true
			out = append(out, h)
		}
	}
	for _, svc := range ix.fieldMatches(p[2], nil) {
		byAcct := ix.groups[svc]
		for _, acct := range ix.fieldMatches(p[4], byAcct) {
			l := byAcct[acct]
			ix.scan(l, p[5], func(c indexed) {
				if visit != nil {
					visit()
				}
				if glob(pat, c.arn) {
					add(hit{e: c.e, request: c.arn})
				}
			})
			sr, ok := subResourceOf(svc)
			if !ok {
				continue
			}
			parentField, isSub := sr.parent(p[5])
			if !isSub {
				continue
			}
			parentPat := p[0] + ":" + p[1] + ":" + p[2] + ":" + p[3] + ":" + p[4] + ":" + parentField
			rest := p[5][len(parentField):]
			ix.scan(l, parentField, func(c indexed) {
				if visit != nil {
					visit()
				}
				if glob(parentPat, c.arn) {
					add(hit{e: c.e, request: c.arn + rest})
				}
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].e.Key < out[j].e.Key })
	return out
}

// scan calls fn for the entries of l whose field starts with the literal
// prefix of the pattern field.
func (ix *resourceIndex) scan(l []indexed, field string, fn func(indexed)) {
	prefix := field
	if i := strings.IndexAny(field, "*?"); i >= 0 {
		prefix = field[:i]
	}
	i := sort.Search(len(l), func(i int) bool { return l[i].field >= prefix })
	for ; i < len(l) && strings.HasPrefix(l[i].field, prefix); i++ {
		fn(l[i])
	}
}

// fieldMatches returns the keys of groups (or of ix.groups when groups is
// nil) that the ARN field pattern f can match.
func (ix *resourceIndex) fieldMatches(f string, groups map[string][]indexed) []string {
	has := func(k string) bool { _, ok := groups[k]; return ok }
	if groups == nil {
		has = func(k string) bool { _, ok := ix.groups[k]; return ok }
	}
	if !strings.ContainsAny(f, "*?") {
		if has(f) {
			return []string{f}
		}
		return nil
	}
	var keys []string
	if groups == nil {
		for k := range ix.groups {
			keys = append(keys, k)
		}
	} else {
		for k := range groups {
			keys = append(keys, k)
		}
	}
	var out []string
	for _, k := range keys {
		if glob(f, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
