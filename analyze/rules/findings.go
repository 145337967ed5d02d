package rules

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// Finding statuses.
const (
	StatusFail  = "FAIL"
	StatusPass  = "PASS"
	StatusError = "ERROR"
	// StatusNotApplicable is a rule summary status only: the check produced
	// no finding (no resource of its types, no gap).
	StatusNotApplicable = "NOT_APPLICABLE"
)

// Finding is one result of one check for one resource (or, for ERROR
// findings from gaps, for one account/region scope).
type Finding struct {
	RuleID       string   `json:"rule_id"`
	Title        string   `json:"title"`
	Severity     string   `json:"severity"`
	Status       string   `json:"status"` // FAIL, PASS or ERROR
	ResourceKey  string   `json:"resource_key,omitempty"`
	ResourceType string   `json:"resource_type,omitempty"`
	AccountID    string   `json:"account_id,omitempty"`
	Region       string   `json:"region,omitempty"` // "global" for global resources
	Message      string   `json:"message"`
	Frameworks   []string `json:"frameworks"`
	Remediation  string   `json:"remediation"`
	// Partial marks a PASS whose account/region had a collection gap for one
	// of the check's resource types: the resource passed, but the scope's
	// result is ERROR, not a clean pass.
	Partial bool `json:"partial,omitempty"`
}

// RuleSummary is one check's metadata and overall status: FAIL if any
// finding failed, else ERROR if any errored, else PASS if any passed, else
// NOT_APPLICABLE.
type RuleSummary struct {
	RuleInfo
	Status string `json:"status"`
	Fail   int    `json:"fail"`
	Pass   int    `json:"pass"`
	Error  int    `json:"error"`
}

// Result is what Evaluate returns.
type Result struct {
	Findings []Finding     `json:"findings"`
	Rules    []RuleSummary `json:"rules"` // sorted by ID
}

// found is one finding of a check while the checks run: the fields that
// differ between a check's findings. The check's metadata (rule ID, title,
// severity, frameworks, remediation) is the same in each and is filled in
// when the findings are gathered (finding): at 1,000,000 resources, 600,000
// findings of 88 bytes each, not of a Finding's 192, stay alive until then.
type found struct {
	key, typ, account, region, message string
	status                             statusCode
	severity                           uint8 // 1 + its index in severities; 0: the check's own
	partial                            bool
}

// statusCode is a finding's status, in the order of its name.
type statusCode uint8

const (
	statusError statusCode = iota
	statusFail
	statusPass
)

var statusNames = [...]string{statusError: StatusError, statusFail: StatusFail, statusPass: StatusPass}

// parseStatus is the statusCode named s.
func parseStatus(s string) (statusCode, bool) {
	i := slices.Index(statusNames[:], s)
	return statusCode(max(i, 0)), i >= 0
}

// parseSeverity is the found.severity of severity s, "" for the check's.
func parseSeverity(s string) (uint8, bool) {
	if s == "" {
		return 0, true
	}
	i := slices.Index(severities, s)
	return uint8(i + 1), i >= 0
}

// finding is f as the check of info reports it.
func (f *found) finding(info *RuleInfo) Finding {
	sev := info.Severity
	if f.severity > 0 {
		sev = severities[f.severity-1]
	}
	return Finding{
		RuleID: info.ID, Title: info.Title, Severity: sev, Status: statusNames[f.status],
		ResourceKey: f.key, ResourceType: f.typ, AccountID: f.account, Region: f.region, Message: f.message,
		Frameworks: info.Frameworks, Remediation: info.Remediation, Partial: f.partial,
	}
}

// errorFound is an ERROR finding with message msg and no resource.
func errorFound(msg string) found { return found{status: statusError, message: msg} }

// decodeFinding checks one element of a check's findings set (built by
// lib.fail/lib.pass/lib.error) and adds what the engine knows about the
// resource from the graph.
func decodeFinding(item any, g *graph.Graph) (found, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return found{}, fmt.Errorf("finding %v is not an object (build it with lib.fail, lib.pass or lib.error)", item)
	}
	key, _ := m["resource_key"].(string)
	name, _ := m["status"].(string)
	status, statusOK := parseStatus(name)
	msg, msgOK := m["message"].(string)
	switch {
	case key == "":
		return found{}, fmt.Errorf("finding %v has no resource_key string", item)
	case !statusOK:
		return found{}, fmt.Errorf("finding for %s has status %v, want FAIL, PASS or ERROR", key, m["status"])
	case !msgOK:
		return found{}, fmt.Errorf("finding for %s has no message string", key)
	}
	f := found{key: key, message: msg, status: status}
	if s, has := m["severity"]; has {
		sev, _ := s.(string)
		if f.severity, ok = parseSeverity(sev); !ok || sev == "" {
			return found{}, fmt.Errorf("finding for %s has severity %v, want one of %s", key, s, strings.Join(severities, ", "))
		}
	}
	return locateFinding(f, g)
}

// locateFinding completes f, whose fields a check set, from the graph
// entity of its resource key.
func locateFinding(f found, g *graph.Graph) (found, error) {
	var ent *graph.Entity
	if g != nil {
		ent = g.Entity(f.key)
	}
	if ent == nil {
		return found{}, fmt.Errorf("finding for %s: no entity with that _key in the graph", f.key)
	}
	f.typ = ent.Type
	f.account = ent.String("accountId")
	f.region = normRegion(ent.String("region"))
	return f, nil
}

// The keys of a finding object, made once: decodeFindingValue looks up
// four per finding (600,000 findings at 1,000,000 resources).
var (
	findingResourceKey = ast.StringTerm("resource_key")
	findingStatus      = ast.StringTerm("status")
	findingMessage     = ast.StringTerm("message")
	findingSeverity    = ast.StringTerm("severity")
)

// decodeFindingValue is decodeFinding on the OPA value of a finding. A
// well-formed one is read in place; anything else goes through its Go
// form and decodeFinding, whose errors quote it.
func decodeFindingValue(v ast.Value, g *graph.Graph) (found, error) {
	if obj, ok := v.(ast.Object); ok {
		str := func(name *ast.Term) (string, bool) {
			t := obj.Get(name)
			if t == nil {
				return "", false
			}
			s, ok := t.Value.(ast.String)
			return string(s), ok
		}
		key, _ := str(findingResourceKey)
		name, _ := str(findingStatus)
		status, statusOK := parseStatus(name)
		msg, msgOK := str(findingMessage)
		var sev uint8
		sevOK := true // severity is optional, but a severity
		if obj.Get(findingSeverity) != nil {
			var s string
			s, sevOK = str(findingSeverity)
			sev, ok = parseSeverity(s)
			sevOK = sevOK && ok && s != ""
		}
		if key != "" && statusOK && msgOK && sevOK {
			return locateFinding(found{key: key, message: msg, status: status, severity: sev}, g)
		}
	}
	item, err := ast.JSON(v)
	if err != nil {
		return found{}, fmt.Errorf("finding %v: %w", v, err)
	}
	return decodeFinding(item, g)
}

func normRegion(r string) string {
	if r == "" {
		return "global"
	}
	return r
}

// gapIndex holds the gaps by resource type.
type gapIndex map[string][]Gap

func indexGaps(gaps []Gap) gapIndex {
	idx := gapIndex{}
	for _, g := range sortedGaps(gaps) {
		if g.ResourceType != "" {
			idx[g.ResourceType] = append(idx[g.ResourceType], g)
		}
	}
	return idx
}

// sortedGaps returns a sorted, de-duplicated copy.
func sortedGaps(gaps []Gap) []Gap {
	out := append([]Gap(nil), gaps...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return strings.Join([]string{a.ResourceType, a.AccountID, a.Region, a.Service, a.Operation, a.Reason}, "\x00") <
			strings.Join([]string{b.ResourceType, b.AccountID, b.Region, b.Service, b.Operation, b.Reason}, "\x00")
	})
	return slices.Compact(out)
}

// covers reports whether gap g's scope includes account/region.
func (g Gap) covers(account, region string) bool {
	return (g.AccountID == "" || g.AccountID == account) &&
		(g.Region == "" || normRegion(g.Region) == normRegion(region))
}

// scope is how a gap's account/region reads in messages ("*" for a wildcard).
func (g Gap) scope() string {
	acct, region := g.AccountID, g.Region
	if acct == "" {
		acct = "*"
	}
	if region == "" {
		region = "*"
	}
	return acct + "/" + region
}

// applyGaps adds one ERROR finding per gap that touches the check's resource
// types (one per account/region/call; never a PASS) and marks the check's
// PASS findings in a gapped scope as Partial.
func applyGaps(info RuleInfo, fs []found, idx gapIndex) []found {
	var hit []Gap
	for _, t := range info.ResourceTypes {
		hit = append(hit, idx[t]...)
	}
	if len(hit) == 0 {
		return fs
	}
	for i := range fs {
		if fs[i].status != statusPass {
			continue
		}
		for _, g := range hit {
			if g.covers(fs[i].account, fs[i].region) {
				fs[i].partial = true
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, g := range hit {
		reason := g.Reason
		if reason == "" {
			reason = "error"
		}
		msg := fmt.Sprintf("cannot evaluate: %s:%s in %s failed (%s)", g.Service, g.Operation, g.scope(), reason)
		if reason == ReasonNotCollected {
			msg = fmt.Sprintf("cannot evaluate: %s:%s in %s was not collected", g.Service, g.Operation, g.scope())
		}
		k := g.ResourceType + "\x00" + msg
		if seen[k] {
			continue
		}
		seen[k] = true
		fs = append(fs, found{status: statusError, typ: g.ResourceType, account: g.AccountID, region: g.Region, message: msg})
	}
	return fs
}

// summarize counts a check's findings and derives its overall status.
func summarize(info RuleInfo, fs []found) RuleSummary {
	s := RuleSummary{RuleInfo: info}
	for i := range fs {
		switch fs[i].status {
		case statusFail:
			s.Fail++
		case statusPass:
			s.Pass++
		case statusError:
			s.Error++
		}
	}
	switch {
	case s.Fail > 0:
		s.Status = StatusFail
	case s.Error > 0:
		s.Status = StatusError
	case s.Pass > 0:
		s.Status = StatusPass
	default:
		s.Status = StatusNotApplicable
	}
	return s
}

// sortFindings orders a check's findings by resource key, resource type,
// account, region, status and message, so output is deterministic (the
// rule ID, which Finding order starts with, is the check's in each). It
// sorts indexes, not the findings, whose copies per comparison cost 1.4 s
// of CPU for 177k findings when a finding was a Finding. The order is then
// applied in place, cycle by cycle, not through a sorted copy.
func sortFindings(fs []found) {
	idx := make([]int32, len(fs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(i, j int32) int {
		a, b := &fs[i], &fs[j]
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.typ, b.typ),
			strings.Compare(a.account, b.account), strings.Compare(a.region, b.region),
			cmp.Compare(a.status, b.status), strings.Compare(a.message, b.message))
	})
	permute(fs, idx)
}

// permute sets fs[k] to the old fs[idx[k]] for every k, in place; idx is a
// permutation of 0..len(fs)-1, marked -1 as its entries are used.
func permute[T any](fs []T, idx []int32) {
	for start := range idx {
		if idx[start] < 0 {
			continue
		}
		saved := fs[start]
		k := start
		for {
			from := int(idx[k])
			idx[k] = -1
			if from == start {
				fs[k] = saved
				break
			}
			fs[k] = fs[from]
			k = from
		}
	}
}
