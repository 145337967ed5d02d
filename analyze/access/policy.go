package access

// Policy documents are read twice: once as raw JSON, to keep what the
// derivations report (Resource patterns as written, raw principal strings,
// the Condition block), and once through iam.Parse for evaluation. The
// evaluation copy is "lenient": the Condition of every Allow statement is
// removed, so the evaluator answers "is there a request context in which
// the access is granted?" — an Allow that depends on a condition still
// counts (the relationship says conditional=true and carries the
// conditions), while a Deny keeps its conditions and cancels access only
// when they hold for the request the evaluator sees (the derived principal
// context: aws:PrincipalArn, aws:PrincipalAccount, aws:username ...).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/iam"
)

// statement is one policy statement as written.
type statement struct {
	index        int
	sid          string
	effect       iam.Effect
	actions      []string // Action as written (nil with NotAction)
	notActions   []string
	resources    []string // Resource as written; nil with NotResource or none
	notResources []string
	// principals lists the Principal element's entries (resource-based
	// and trust policies); notPrincipal is set for NotPrincipal.
	principals   []principalRef
	notPrincipal bool
	conditions   string // compact JSON of the Condition block, "" when none
	condition    map[string]any
	// raw and version are the statement as written and its document's
	// Version, for compiling it alone with its Condition (strict).
	raw     map[string]any
	version any
	strict  *iam.Policy
	// condKeys caches conditionKeys, prTags principalTagNames,
	// lowActions and lowNotActions the lower-cased patterns (matchesAction).
	condKeys                  []string
	prTags                    *[]string
	lowActions, lowNotActions []string
	region                    int8 // readsRegion: 0 not computed, 1 no, 2 yes
}

// principalTagNames returns the principal tags (lower case, sorted) the
// statement reads: in a condition key aws:PrincipalTag/KEY or a policy
// variable ${aws:PrincipalTag/KEY} in its conditions or resources.
func (s *statement) principalTagNames() []string {
	if s.prTags != nil {
		return *s.prTags
	}
	var out []string
	for _, k := range s.conditionKeys() {
		if n, ok := strings.CutPrefix(k, "aws:principaltag/"); ok {
			out = append(out, n)
		}
	}
	texts := append([]string{s.conditions}, s.resources...)
	for _, t := range texts {
		l := strings.ToLower(t)
		for {
			i := strings.Index(l, "${aws:principaltag/")
			if i < 0 {
				break
			}
			l = l[i+len("${aws:principaltag/"):]
			j := strings.IndexAny(l, ",}")
			if j < 0 {
				break
			}
			out = append(out, strings.TrimSpace(l[:j]))
		}
	}
	out = uniqSorted(out)
	s.prTags = &out
	return out
}

// strictPolicy compiles the statement alone, Condition kept.
func (s *statement) strictPolicy() (*iam.Policy, error) {
	if s.strict != nil {
		return s.strict, nil
	}
	top := map[string]any{"Statement": []any{s.raw}}
	if s.version != nil {
		top["Version"] = s.version
	}
	p, err := iam.Parse(fmt.Sprintf("statement #%d", s.index), top)
	if err != nil {
		return nil, err
	}
	s.strict = p
	return p, nil
}

// principalRef is one entry of a Principal element: its kind (AWS,
// Service, Federated, CanonicalUser, or "*" for the bare string) and the
// string as written.
type principalRef struct {
	kind, raw string
}

// document is a parsed policy document.
type document struct {
	name  string
	stmts []*statement
	// eval is the lenient compiled copy (see the top of the file).
	eval *iam.Policy
	// top is the document as written, strict its compiled copy with every
	// Condition (strictPolicy).
	top    map[string]any
	strict *iam.Policy
}

// renamed returns a copy of d named name: the parsed statements (whose
// caches depend only on their text) and compiled statements shared, the
// compiled policy's Name its own. d must have no Warnings (they name it).
func (d *document) renamed(name string) *document {
	cp := *d
	cp.name, cp.strict = name, nil
	ev := *d.eval
	ev.Name = name
	cp.eval = &ev
	return &cp
}

// strictPolicy compiles the document as written, Conditions kept, once.
// It may be asked from several goroutines (the derivation's strict
// questions, effective.go): compiled under strictMu.
func (d *document) strictPolicy() (*iam.Policy, error) {
	strictMu.Lock()
	defer strictMu.Unlock()
	if d.strict != nil {
		return d.strict, nil
	}
	p, err := iam.Parse(d.name, d.top)
	if err != nil {
		return nil, err
	}
	d.strict = p
	return p, nil
}

var strictMu sync.Mutex

// parseDocument reads a document as analyze/model stores it: decoded JSON
// text, or an already-decoded object.
func parseDocument(name string, v any) (*document, error) {
	raw, err := documentJSON(v)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	var top map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("policy %s: not a JSON object: %w", name, err)
	}
	var list []any
	switch s := top["Statement"].(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, fmt.Errorf("policy %s: Statement must be an object or a list", name)
	}
	d := &document{name: name, top: top}
	lenient := make([]any, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy %s: Statement[%d] is not an object", name, i)
		}
		st, err := readStatement(i, m)
		if err != nil {
			return nil, fmt.Errorf("policy %s: Statement[%d]: %w", name, i, err)
		}
		st.raw, st.version = m, top["Version"]
		d.stmts = append(d.stmts, st)
		if st.effect == iam.Allow && st.condition != nil {
			c := make(map[string]any, len(m))
			for k, v := range m {
				if k != "Condition" {
					c[k] = v
				}
			}
			m = c
		}
		lenient = append(lenient, m)
	}
	top2 := make(map[string]any, len(top))
	for k, v := range top {
		top2[k] = v
	}
	top2["Statement"] = lenient
	if d.eval, err = iam.Parse(name, top2); err != nil {
		return nil, err
	}
	return d, nil
}

func documentJSON(v any) ([]byte, error) {
	switch x := v.(type) {
	case string: // analyze/model stores documents decoded (never URL-encoded)
		return []byte(x), nil
	case map[string]any:
		return json.Marshal(x)
	case nil:
		return nil, fmt.Errorf("no document")
	default:
		return nil, fmt.Errorf("document is %T, not JSON text or an object", v)
	}
}

func readStatement(i int, m map[string]any) (*statement, error) {
	st := &statement{index: i}
	st.sid, _ = m["Sid"].(string)
	switch m["Effect"] {
	case "Allow":
		st.effect = iam.Allow
	case "Deny":
		st.effect = iam.Deny
	default:
		return nil, fmt.Errorf("Effect must be Allow or Deny")
	}
	var err error
	if st.actions, err = strs(m["Action"]); err != nil {
		return nil, fmt.Errorf("Action: %w", err)
	}
	if st.notActions, err = strs(m["NotAction"]); err != nil {
		return nil, fmt.Errorf("NotAction: %w", err)
	}
	if st.resources, err = strs(m["Resource"]); err != nil {
		return nil, fmt.Errorf("Resource: %w", err)
	}
	if st.notResources, err = strs(m["NotResource"]); err != nil {
		return nil, fmt.Errorf("NotResource: %w", err)
	}
	if p, ok := m["Principal"]; ok {
		if st.principals, err = principalRefs(p); err != nil {
			return nil, fmt.Errorf("Principal: %w", err)
		}
	} else if p, ok := m["NotPrincipal"]; ok {
		st.notPrincipal = true
		if st.principals, err = principalRefs(p); err != nil {
			return nil, fmt.Errorf("NotPrincipal: %w", err)
		}
	}
	if c, ok := m["Condition"].(map[string]any); ok && len(c) > 0 {
		st.condition = c
		b, err := json.Marshal(c) // map keys sorted: stable text
		if err != nil {
			return nil, fmt.Errorf("Condition: %w", err)
		}
		st.conditions = string(b)
	}
	return st, nil
}

// strs reads a string-or-list element; absent is nil.
func strs(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("list element %v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("must be a string or a list of strings")
	}
}

func principalRefs(v any) ([]principalRef, error) {
	switch x := v.(type) {
	case string:
		switch x = strings.TrimSpace(x); {
		case x == "*":
			return []principalRef{{kind: "*", raw: "*"}}, nil
		case strings.HasPrefix(x, "arn:"):
			// Malformed (the grammar wants "*" or a map) but read as
			// {"AWS": x}, as the evaluator reads it (its Policy.Warnings
			// name the statement).
			return []principalRef{{kind: "AWS", raw: x}}, nil
		}
		return nil, fmt.Errorf("a string principal must be \"*\" (or, malformed, an ARN), got %q", x)
	case map[string]any:
		kinds := make([]string, 0, len(x))
		for k := range x {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var out []principalRef
		for _, k := range kinds {
			l, err := strs(x[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			for _, s := range l {
				out = append(out, principalRef{kind: k, raw: strings.TrimSpace(s)})
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("must be \"*\" or an object")
	}
}

// matchesAction reports whether the statement's Action (or NotAction)
// covers action (lower case).
func (s *statement) matchesAction(action string) bool {
	if s.lowActions == nil {
		low := func(l []string) []string {
			out := make([]string, len(l))
			for i, p := range l {
				out[i] = strings.ToLower(strings.TrimSpace(p))
			}
			return out
		}
		s.lowActions, s.lowNotActions = low(s.actions), low(s.notActions)
	}
	match := func(pats []string) bool {
		return slices.ContainsFunc(pats, func(p string) bool { return glob(p, action) })
	}
	if s.actions != nil {
		return match(s.lowActions)
	}
	return s.notActions != nil && !match(s.lowNotActions)
}

// onEveryResource reports whether the statement's Resource is "*" alone.
func (s *statement) onEveryResource() bool {
	return s.notResources == nil && len(s.resources) == 1 && strings.TrimSpace(s.resources[0]) == "*"
}

// hasCondition reports whether the statement has a Condition block.
func (s *statement) hasCondition() bool { return s.conditions != "" }

// conditionKeys returns the lower-cased condition keys of the statement.
// readsRegion reports whether the statement reads aws:RequestedRegion, in
// a condition key or a policy variable.
func (s *statement) readsRegion() bool {
	if s.region == 0 {
		s.region = 1
		if slices.Contains(s.conditionKeys(), "aws:requestedregion") || strings.Contains(strings.ToLower(s.conditions), "${aws:requestedregion") {
			s.region = 2
		}
	}
	return s.region == 2
}

func (s *statement) conditionKeys() []string {
	if s.condKeys != nil || s.condition == nil {
		return s.condKeys
	}
	out := []string{}
	for _, v := range s.condition {
		if m, ok := v.(map[string]any); ok {
			for k := range m {
				out = append(out, strings.ToLower(k))
			}
		}
	}
	sort.Strings(out)
	s.condKeys = out
	return out
}
