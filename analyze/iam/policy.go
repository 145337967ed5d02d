package iam

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Policy versions. Only 2012-10-17 substitutes policy variables; a policy
// with Version 2008-10-17 or no Version treats `${...}` as literal text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is a statement's effect.
type Effect string

// Statement effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed and compiled policy document. It is immutable after
// Parse and safe for concurrent use by many evaluations.
type Policy struct {
	// Name identifies the policy in reasons and errors (an ARN, a
	// "<principal>/inline-policy/<name>", a file name...).
	Name       string
	Version    string
	ID         string
	Statements []*Statement
	// Warnings report malformed elements read the way AWS reads them
	// (a Principal written as a bare ARN string), each naming the policy
	// and statement.
	Warnings []string
	// Digest identifies the document's content (SHA-256 of its canonical
	// JSON): two policies with one digest decide every request alike,
	// whatever their names.
	Digest string
}

// Statement is one compiled statement.
type Statement struct {
	Sid    string
	Index  int // position in the policy, from 0
	Effect Effect

	// Principal / NotPrincipal (nil when absent).
	Principal    *PrincipalSet
	NotPrincipal *PrincipalSet

	actions, notActions     []pattern
	resources, notResources []pattern
	hasAction, hasResource  bool // Action (true) or NotAction (false); Resource or NotResource
	resourceMissing         bool // neither Resource nor NotResource (trust policies)
	conditions              []condition
	memo                    *coverMemo   // matchResource's answers for request patterns (memo.go); nil: not remembered
	actionIndex             *actionIndex // its Action or NotAction patterns by service; nil: few patterns, tried in turn

	// Raw action strings as written (for expansion / reporting).
	ActionPatterns    []string
	NotActionPatterns []string
}

// label names the statement in reasons: its Sid or its position.
func (s *Statement) label() string {
	if s.Sid != "" {
		return strconv.Quote(s.Sid)
	}
	return "#" + strconv.Itoa(s.Index)
}

// PrincipalSet is a parsed Principal or NotPrincipal element.
type PrincipalSet struct {
	// Any is true for "*" and {"AWS": "*"}.
	Any bool
	// AWS holds account, user, role, session and root ARNs; bare 12-digit
	// account IDs are normalised to arn:aws:iam::ID:root.
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// ParseError is returned for a malformed policy document.
type ParseError struct {
	Policy string // the policy name
	Where  string // e.g. "Statement[2].Condition"
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("policy %q: %s", e.Policy, e.Msg)
	}
	return fmt.Sprintf("policy %q: %s: %s", e.Policy, e.Where, e.Msg)
}

// Parse parses a policy document as IAM returns it: a JSON object, or a
// string holding the JSON, URL-encoded or not (GetAccountAuthorizationDetails,
// GetRolePolicy and GetPolicyVersion return URL-encoded documents). doc may
// be a string, []byte, json.RawMessage or an already-decoded JSON value
// (map[string]any). name identifies the policy in errors and reasons.
func Parse(name string, doc any) (*Policy, error) {
	raw, err := documentBytes(doc)
	if err != nil {
		return nil, &ParseError{Policy: name, Msg: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, &ParseError{Policy: name, Msg: "not a JSON object: " + err.Error()}
	}
	if dec.More() {
		return nil, &ParseError{Policy: name, Msg: "trailing data after the JSON object"}
	}
	p, err := compile(name, top)
	if err != nil {
		return nil, err
	}
	canon, err := json.Marshal(top) // map keys sorted: one text per content
	if err != nil {
		return nil, &ParseError{Policy: name, Msg: err.Error()}
	}
	sum := sha256.Sum256(canon)
	p.Digest = hex.EncodeToString(sum[:])
	return p, nil
}

// documentBytes turns the accepted document forms into JSON bytes.
func documentBytes(doc any) ([]byte, error) {
	switch d := doc.(type) {
	case nil:
		return nil, fmt.Errorf("empty document")
	case string:
		return documentString(d)
	case []byte:
		return documentString(string(d))
	case json.RawMessage:
		t := bytes.TrimSpace(d)
		if len(t) > 0 && t[0] == '"' {
			var s string
			if err := json.Unmarshal(t, &s); err != nil {
				return nil, err
			}
			return documentString(s)
		}
		return documentString(string(d))
	case map[string]any:
		return json.Marshal(d)
	default:
		return nil, fmt.Errorf("unsupported document type %T", doc)
	}
}

func documentString(s string) ([]byte, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("empty document")
	}
	if t[0] != '{' {
		// URL-encoded (RFC 3986: spaces are %20, a '+' is a literal '+').
		u, err := url.PathUnescape(t)
		if err != nil {
			return nil, fmt.Errorf("neither JSON nor URL-encoded JSON: %v", err)
		}
		t = strings.TrimSpace(u)
		if t == "" || t[0] != '{' {
			return nil, fmt.Errorf("not a JSON object")
		}
	}
	return []byte(t), nil
}

func compile(name string, top map[string]any) (*Policy, error) {
	p := &Policy{Name: name}
	perr := func(where, format string, args ...any) error {
		return &ParseError{Policy: name, Where: where, Msg: fmt.Sprintf(format, args...)}
	}
	// Sorted keys: with several bad elements the error is always the same.
	for _, k := range slices.Sorted(maps.Keys(top)) {
		v := top[k]
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || (s != Version2012 && s != Version2008) {
				return nil, perr("Version", "must be %q or %q, got %v", Version2012, Version2008, jsonText(v))
			}
			p.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, perr("Id", "must be a string")
			}
			p.ID = s
		case "Statement":
		default:
			return nil, perr("", "unknown top-level element %q", k)
		}
	}
	st, ok := top["Statement"]
	if !ok {
		return nil, perr("", "no Statement")
	}
	var list []any
	switch s := st.(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, perr("Statement", "must be an object or a list of objects")
	}
	vars := p.Version == Version2012
	for i, raw := range list {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, perr(fmt.Sprintf("Statement[%d]", i), "must be an object")
		}
		s, warns, err := compileStatement(m, i, vars)
		if err != nil {
			return nil, perr(fmt.Sprintf("Statement[%d]", i), "%v", err)
		}
		for _, w := range warns {
			p.Warnings = append(p.Warnings, fmt.Sprintf("policy %q statement %s: %s", name, s.label(), w))
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// compileStatement compiles one statement; warnings describe malformed
// elements it read anyway.
func compileStatement(m map[string]any, idx int, vars bool) (_ *Statement, warnings []string, err error) {
	s := &Statement{Index: idx}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
			"Resource", "NotResource", "Condition":
		default:
			return nil, nil, fmt.Errorf("unknown element %q", k)
		}
	}
	if v, ok := m["Sid"]; ok {
		sid, ok := v.(string)
		if !ok {
			return nil, nil, fmt.Errorf("Sid must be a string")
		}
		s.Sid = sid
	}
	switch e := m["Effect"]; e {
	case "Allow":
		s.Effect = Allow
	case "Deny":
		s.Effect = Deny
	default:
		return nil, nil, fmt.Errorf("Effect must be \"Allow\" or \"Deny\", got %s", jsonText(e))
	}
	_, hasP := m["Principal"]
	_, hasNP := m["NotPrincipal"]
	if hasP && hasNP {
		return nil, nil, fmt.Errorf("both Principal and NotPrincipal")
	}
	for _, el := range []struct {
		name string
		dst  **PrincipalSet
	}{{"Principal", &s.Principal}, {"NotPrincipal", &s.NotPrincipal}} {
		v, ok := m[el.name]
		if !ok {
			continue
		}
		var bare bool
		if *el.dst, bare, err = parsePrincipalSet(v); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", el.name, err)
		}
		if bare {
			warnings = append(warnings, fmt.Sprintf("malformed %s %q: a bare ARN string where the grammar wants \"*\" or a map; evaluated as {\"AWS\": %q}",
				el.name, v, v))
		}
	}

	a, hasA := m["Action"]
	na, hasNA := m["NotAction"]
	switch {
	case hasA && hasNA:
		return nil, nil, fmt.Errorf("both Action and NotAction")
	case !hasA && !hasNA:
		return nil, nil, fmt.Errorf("no Action or NotAction")
	case hasA:
		s.hasAction = true
		if s.ActionPatterns, err = stringList(a); err != nil {
			return nil, nil, fmt.Errorf("Action: %w", err)
		}
		s.actions = compileActions(s.ActionPatterns)
	default:
		if s.NotActionPatterns, err = stringList(na); err != nil {
			return nil, nil, fmt.Errorf("NotAction: %w", err)
		}
		s.notActions = compileActions(s.NotActionPatterns)
	}
	for _, ap := range append(append([]string(nil), s.ActionPatterns...), s.NotActionPatterns...) {
		if ap != "*" && !strings.Contains(ap, ":") {
			return nil, nil, fmt.Errorf("action %q is not of the form service:action", ap)
		}
	}

	r, hasR := m["Resource"]
	nr, hasNR := m["NotResource"]
	switch {
	case hasR && hasNR:
		return nil, nil, fmt.Errorf("both Resource and NotResource")
	case !hasR && !hasNR:
		// Allowed in resource-based policies (trust policies, some
		// bucket policies): the statement applies to the resource the
		// policy is attached to.
		s.resourceMissing = true
	case hasR:
		s.hasResource = true
		l, err := stringList(r)
		if err != nil {
			return nil, nil, fmt.Errorf("Resource: %w", err)
		}
		for _, x := range l {
			s.resources = append(s.resources, compileResource(x, vars))
		}
	default:
		l, err := stringList(nr)
		if err != nil {
			return nil, nil, fmt.Errorf("NotResource: %w", err)
		}
		for _, x := range l {
			s.notResources = append(s.notResources, compileResource(x, vars))
		}
	}
	if c, ok := m["Condition"]; ok {
		if s.conditions, err = parseConditions(c, vars); err != nil {
			return nil, nil, fmt.Errorf("Condition: %w", err)
		}
	}
	s.memo = newCoverMemo(s)
	if s.hasAction {
		s.actionIndex = newActionIndex(s.actions)
	} else {
		s.actionIndex = newActionIndex(s.notActions)
	}
	return s, warnings, nil
}

func compileActions(l []string) []pattern {
	out := make([]pattern, len(l))
	for i, a := range l {
		out[i] = compilePattern(a, false, true)
	}
	return out
}

// stringList reads a string-or-list-of-strings element.
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("list element %s is not a string", jsonText(e))
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("empty list")
		}
		return out, nil
	default:
		return nil, fmt.Errorf("must be a string or a list of strings, got %s", jsonText(v))
	}
}

// parsePrincipalSet parses a Principal or NotPrincipal element. bare is
// true for a bare ARN string ("Principal": "arn:aws:iam::111122223333:root"),
// which the grammar does not allow (reference_policies_grammar.html: "*" or
// a map) and which is read as {"AWS": "<arn>"}.
func parsePrincipalSet(v any) (ps *PrincipalSet, bare bool, err error) {
	ps = &PrincipalSet{}
	switch x := v.(type) {
	case string:
		switch {
		case x == "*":
			ps.Any = true
		case strings.HasPrefix(strings.TrimSpace(x), "arn:"):
			ps.AWS = []string{strings.TrimSpace(x)}
			bare = true
		default:
			return nil, false, fmt.Errorf("a string principal must be \"*\" (or, malformed, an ARN), got %q", x)
		}
		return ps, bare, nil
	case map[string]any:
		if len(x) == 0 {
			return nil, false, fmt.Errorf("empty principal object")
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			l, err := stringList(x[k])
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", k, err)
			}
			switch k {
			case "AWS":
				for _, a := range l {
					a = strings.TrimSpace(a)
					switch {
					case a == "*":
						ps.Any = true
					case isAccountID(a):
						ps.AWS = append(ps.AWS, "arn:aws:iam::"+a+":root")
					default:
						ps.AWS = append(ps.AWS, a)
					}
				}
			case "Service":
				// Service principals are case-sensitive
				// (IAM API Reference, CreateServiceLinkedRole:
				// "Service principals are unique and case-sensitive").
				for _, a := range l {
					ps.Service = append(ps.Service, strings.TrimSpace(a))
				}
			case "Federated":
				ps.Federated = append(ps.Federated, l...)
			case "CanonicalUser":
				ps.CanonicalUser = append(ps.CanonicalUser, l...)
			default:
				return nil, false, fmt.Errorf("unknown principal type %q", k)
			}
		}
		return ps, false, nil
	default:
		return nil, false, fmt.Errorf("must be \"*\" or an object, got %s", jsonText(v))
	}
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// principalKeys are the condition keys (lower case) whose values differ
// between principals that hold the same policies (tags aside).
var principalKeys = []string{"aws:principalarn", "aws:username", "aws:userid", "aws:sourceidentity", "aws:federatedprovider"}

// Personal reports whether the policy can decide differently for two
// principals of one account that hold the same policies and tags: it uses
// a policy variable (${aws:username}, ...) or a condition on the caller's
// own identity (aws:PrincipalArn, aws:username, aws:userid, ...).
// Analyses that group principals by their policies must evaluate such
// principals one by one.
func (p *Policy) Personal() bool {
	for _, s := range p.Statements {
		for _, l := range [][]pattern{s.actions, s.notActions, s.resources, s.notResources} {
			for i := range l {
				if l[i].hasVar {
					return true
				}
			}
		}
		for i := range s.conditions {
			c := &s.conditions[i]
			if c.hasVar() || slices.Contains(principalKeys, c.key) {
				return true
			}
		}
	}
	return false
}
