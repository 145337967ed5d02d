package access

import (
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// resourceParts are the parts of a resource, by ARN prefix, that actions
// act on besides the resource itself and that an access relationship to
// the resource speaks for: a bucket's objects, a function's version or
// alias (a qualified ARN). One representative request each: the catalog's
// resource types tell an object from a bucket, not one object from
// another.
var resourceParts = []struct {
	prefix string
	parts  []string
}{
	{"arn:aws:lambda:", []string{":1"}},
	{"arn:aws:s3:::", []string{"/x"}},
}

// cellOf returns the cell of a resource: its _type and its ARN's Region
// ("<_type>@<Region>", the type alone when the ARN has none). The actions
// that act on a resource are the same for every resource of its cell (but
// for those AWS manages: managedByAWS).
func cellOf(e *graph.Entity) string {
	p, ok := arnParts(e.String("arn"))
	if !ok || p[3] == "" {
		return e.Type
	}
	return e.Type + "@" + p[3]
}

// partsOf returns the resourceParts of arn.
func partsOf(arn string) []string {
	for _, pr := range resourceParts {
		if strings.HasPrefix(arn, pr.prefix) {
			return pr.parts
		}
	}
	return nil
}

// resourceServices are the action prefixes whose actions may act on a
// resource of ARN service svc: svc itself and the crossService prefixes
// that act on it (sts for IAM roles, ssm for EC2 instances).
func resourceServices(svc string) []string {
	out := []string{svc}
	for _, c := range crossService {
		if c.Resource == svc {
			out = append(out, c.Action)
		}
	}
	return out
}

// actionsOn calls fn with each catalog action of the services svcs that
// acts on the resource arn, with the request it acts on: arn itself, and
// each of parts (suffixes of arn: an object of a bucket) the action acts
// on. It is the one definition of "the actions that apply to a resource":
// Who reads a service- or account-scope edge onto a resource only at the
// levels of these actions (applicableLevels), and the who-can sweep asks
// about each of them.
func actionsOn(cat *actions.Catalog, svcs []string, arn string, parts []string, fn func(a actions.Action, request string)) {
	for _, s := range cat.Services() {
		if !slices.Contains(svcs, s.Prefix) {
			continue
		}
		for _, a := range s.Actions {
			if a.AppliesTo(arn) {
				fn(a, arn)
			}
			for _, p := range parts {
				if a.AppliesTo(arn + p) {
					fn(a, arn+p)
				}
			}
		}
	}
}

// applicableLevels returns the access levels of the catalog actions of svcs
// that act on arn or one of its parts (resourceParts), that match one of
// the Action patterns (lower case; nil: every action), and that a
// customer's principal may be allowed at all (not refused on an
// AWS-managed resource whatever its policies say: iam.Immutable).
func applicableLevels(cat *actions.Catalog, svcs []string, arn string, patterns []string) levelSet {
	var s levelSet
	actionsOn(cat, svcs, arn, partsOf(arn), func(a actions.Action, request string) {
		if patterns != nil {
			name := strings.ToLower(a.String())
			if !slices.ContainsFunc(patterns, func(p string) bool { return glob(p, name) }) {
				return
			}
		}
		if !iam.Immutable(a.String(), request) {
			s = s.with(a.Levels())
		}
	})
	return s
}
