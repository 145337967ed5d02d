package model

// Coverage gaps: never confuse empty with unknown.
//
// An entity type with no entities in a region is only "none there" when
// every call feeding it answered. Gaps turns the snapshot manifest's call
// statuses into the list of (entity type, account, region) scopes whose
// data is incomplete, so the rule engine reports ERROR there instead of a
// PASS. A call that failed only with not_found (no bucket policy, no
// password policy, organizations not in use) is data, not a gap. A row the
// builder skipped because its response was malformed (OnMalformed,
// FromMalformed) is a gap of class ClassMalformed. A call the snapshot
// never made (its collector predates it) is a gap of class ""
// (notcollected.go).

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/snapaudit/snapaudit/snapshot"
)

// CallStatus is the outcome of one call in one account and region, as the
// snapshot manifest records it.
type CallStatus struct {
	AccountID string
	Region    string
	Service   string
	Operation string
	Status    string                      // ok | partial | error
	Errors    map[snapshot.ErrorClass]int // failed invocations by class
	FirstErr  string                      // first error code and message, for the reason text
}

// Gap is one scope where an entity type's data is incomplete.
type Gap struct {
	ResourceType string
	AccountID    string
	Region       string
	Service      string
	Operation    string
	Class        snapshot.ErrorClass // the worst failed class; "" when the call is missing
	Reason       string              // "ec2:DescribeInstances in 111122223333/eu-west-1 failed (denied: 3 of 3 invocations)"
	// Unknown names, for a call that was never made (Class ""), what it
	// leaves unknown (null) on the type's entities: properties and
	// relationships, or "(entities)" (notcollected.go). Empty otherwise:
	// a failed call's are the same, and its gap has always named the
	// call only.
	Unknown []string `json:",omitempty"`
}

// ClassMalformed is the class of a gap whose call has ok rows with a
// malformed response (see OnMalformed). It is analyze's own: a snapshot's
// rows never carry it.
const ClassMalformed snapshot.ErrorClass = "malformed"

// classRank orders error classes for choosing the one to report.
var classRank = map[snapshot.ErrorClass]int{
	ClassMalformed: 6, snapshot.ClassDenied: 5, snapshot.ClassThrottled: 4, snapshot.ClassOther: 3,
	snapshot.ClassUnsupported: 2, snapshot.ClassNotFound: 1,
}

// Gaps returns, sorted, one Gap per entity type and failed call: every
// call status that is not ok and failed with a class other than not_found
// (a failed status without class counts as other), for every type the call
// feeds (Sources). A top-level source call of a type with no status at all
// for an account (or, for regional types, for a region where other
// regional calls of that account ran) is a gap too, and so is a missing
// top-level call upstream of a per-parent source (ListTables before
// DescribeTable): the snapshot never asked, so nothing is known. Every
// other call the model reads that the snapshot's plan does not name, or,
// top-level, that has no status in a scope, is a gap there too, naming
// what it leaves unknown (Gap.Unknown; notcollected.go), except where the
// type's entities themselves were not collected. Which
// calls are per-parent, and their parents, is the collector's plan: the
// one the snapshot's manifest records (WithPlan), else the current
// registry's (plan.go), never a list kept here.
func Gaps(calls []CallStatus, opts ...GapOption) []Gap {
	var cfg gapConfig
	for _, o := range opts {
		o(&cfg)
	}
	p := cfg.plan
	if p == nil {
		p = planOf
	}
	feeds := map[Call][]string{} // call -> types it feeds
	for _, t := range registry {
		for _, c := range t.callsIn(p) {
			feeds[c] = append(feeds[c], t.Type)
		}
	}
	for _, s := range services {
		for _, c := range s.Calls() {
			feeds[c] = append(feeds[c], s.Type())
		}
	}
	// An organisation call that one account of the snapshot answered
	// (its management account) tells every member too (org.go): a
	// member's own refusal of it is no gap.
	readElsewhere := map[Call]bool{}
	for _, cs := range calls {
		if c := (Call{cs.Service, cs.Operation}); cs.Status == snapshot.StatusOK && slices.Contains(orgHatch.Calls, c) {
			readElsewhere[c] = true
		}
	}
	var out []Gap
	seen := map[[3]string]bool{} // account, region, call
	accounts := map[string]bool{}
	regions := map[string]map[string]bool{} // account -> regions with regional calls
	for _, cs := range calls {
		c := Call{cs.Service, cs.Operation}
		seen[[3]string{cs.AccountID, cs.Region, c.String()}] = true
		seen[[3]string{cs.AccountID, "", c.String()}] = true
		accounts[cs.AccountID] = true
		if isRegionalCall(c) {
			if regions[cs.AccountID] == nil {
				regions[cs.AccountID] = map[string]bool{}
			}
			regions[cs.AccountID][cs.Region] = true
		}
		if cs.Status == snapshot.StatusOK {
			continue
		}
		class, failed, total := worst(cs)
		if class == snapshot.ClassNotFound || (readElsewhere[c] && cs.Status == snapshot.StatusError && class == snapshot.ClassDenied) {
			continue
		}
		reason := fmt.Sprintf("%s in %s/%s failed (%s", c, cs.AccountID, cs.Region, class)
		if total > 0 {
			reason += fmt.Sprintf(": %d failed invocations", failed)
		}
		reason += ")"
		if class == ClassMalformed {
			reason = fmt.Sprintf("%s in %s/%s: %d malformed response", c, cs.AccountID, cs.Region, total)
			if total != 1 {
				reason += "s"
			}
			reason += " skipped"
		}
		if cs.FirstErr != "" {
			reason += ": " + cs.FirstErr
		}
		for _, typ := range feeds[c] {
			out = append(out, Gap{
				ResourceType: typ, AccountID: cs.AccountID, Region: cs.Region,
				Service: cs.Service, Operation: cs.Operation, Class: class, Reason: reason,
			})
		}
	}
	// Calls never made.
	for acct := range accounts {
		for _, t := range registry {
			for _, c := range t.topLevelCallsIn(p) {
				var scopes []string
				if t.Scope() == Regional {
					for r := range regions[acct] {
						scopes = append(scopes, r)
					}
				} else {
					scopes = []string{""}
				}
				for _, r := range scopes {
					if seen[[3]string{acct, r, c.String()}] {
						continue
					}
					where := acct
					if r != "" {
						where += "/" + r
					}
					reason := fmt.Sprintf("%s was not collected in %s", c, where)
					if _, planned := p(c); cfg.plan != nil && !planned {
						reason += " (not in the snapshot's collection plan)"
					}
					out = append(out, Gap{
						ResourceType: t.Type, AccountID: acct, Region: r,
						Service: c.Service, Operation: c.Operation, Reason: reason,
					})
				}
			}
		}
	}
	// The other calls never made, but not where the type's entities
	// themselves were not collected: everything about them is unknown
	// there already.
	whole := map[[3]string]bool{} // type, account, region ("": every region)
	for _, g := range out {
		if g.Class == "" {
			whole[[3]string{g.ResourceType, g.AccountID, g.Region}] = true
		}
	}
	for _, g := range neverMade(calls, p, cfg.plan != nil, seen, accounts, regions) {
		if !whole[[3]string{g.ResourceType, g.AccountID, g.Region}] && !whole[[3]string{g.ResourceType, g.AccountID, ""}] {
			out = append(out, g)
		}
	}
	// Of several gaps with one key (the manifest's failure and malformed
	// rows), the highest-ranked class is kept.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ka := strings.Join([]string{a.ResourceType, a.AccountID, a.Region, a.Service, a.Operation}, "\x00")
		kb := strings.Join([]string{b.ResourceType, b.AccountID, b.Region, b.Service, b.Operation}, "\x00")
		if ka != kb {
			return ka < kb
		}
		if classRank[a.Class] != classRank[b.Class] {
			return classRank[a.Class] > classRank[b.Class]
		}
		return a.Reason < b.Reason
	})
	return slices.CompactFunc(out, func(a, b Gap) bool {
		return a.ResourceType == b.ResourceType && a.AccountID == b.AccountID && a.Region == b.Region &&
			a.Service == b.Service && a.Operation == b.Operation
	})
}

// GapOption configures Gaps.
type GapOption func(*gapConfig)

type gapConfig struct{ plan plan }

// WithPlan makes Gaps read which calls are per-parent, and their parents,
// from the collection plan the snapshot's manifest records
// (snapshot.Manifest.Plan) instead of the current collector's registry: a
// call the snapshot's collector did not plan is unknown (a gap), however
// the current collector would run it. An empty plan (a snapshot written
// before manifests recorded one) keeps the registry's.
func WithPlan(ps []snapshot.PlannedCall) GapOption {
	return func(c *gapConfig) { c.plan = manifestPlan(ps) }
}

// worst returns the highest-ranked failed class of a status and the
// number of failed invocations. A non-ok status without classes is other.
func worst(cs CallStatus) (class snapshot.ErrorClass, failed, total int) {
	for c, n := range cs.Errors {
		if n <= 0 || c == snapshot.ClassNone {
			continue
		}
		total += n
		if c != snapshot.ClassNotFound {
			failed += n
		}
		if classRank[c] > classRank[class] {
			class = c
		}
	}
	if class == snapshot.ClassNone {
		class = snapshot.ClassOther
	}
	return class, failed, total
}

// isRegionalCall reports whether a call is the source of a regional type.
func isRegionalCall(c Call) bool {
	for _, t := range registry {
		if t.Source == c && t.Scope() == Regional {
			return true
		}
	}
	return false
}

// FromManifest converts the snapshot manifest's call statuses
// (snapshot.Manifest.Calls) for Gaps.
func FromManifest(calls []snapshot.CallStatus) []CallStatus {
	out := make([]CallStatus, 0, len(calls))
	for _, c := range calls {
		cs := CallStatus{AccountID: c.AccountID, Region: c.Region, Service: c.Service, Operation: c.Operation, Status: c.Status}
		if len(c.Errors) > 0 {
			cs.Errors = make(map[snapshot.ErrorClass]int, len(c.Errors))
			for k, v := range c.Errors {
				cs.Errors[k] = int(v)
			}
		}
		if c.FirstError != nil {
			cs.FirstErr = c.FirstError.Code + ": " + c.FirstError.Message
		}
		out = append(out, cs)
	}
	return out
}

// FromMalformed converts the rows Build skipped as malformed (OnMalformed)
// into call statuses for Gaps: one per account, region and call, of class
// ClassMalformed, naming the first row's error.
func FromMalformed(rows []*RowError) []CallStatus {
	var out []CallStatus
	at := map[[3]string]int{}
	for _, r := range rows {
		k := [3]string{r.AccountID, r.Region, r.Call.String()}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			first := fmt.Sprintf("page %d", r.Page)
			if r.ParentKey != "" {
				first = "parent " + r.ParentKey + " " + first
			}
			out = append(out, CallStatus{AccountID: r.AccountID, Region: r.Region, Service: r.Call.Service,
				Operation: r.Call.Operation, Status: "partial", Errors: map[snapshot.ErrorClass]int{},
				FirstErr: first + ": " + r.Err.Error()})
		}
		out[i].Errors[ClassMalformed]++
	}
	return out
}
