package iam

// Condition evaluation, as the IAM User Guide describes it
// (reference_policies_elements_condition_operators.html,
// reference_policies_condition-single-vs-multi-valued-context-keys.html,
// reference_policies_condition-logic-multiple-context-keys-or-values.html):
//
//   - operators in a Condition block are ANDed, keys under one operator are
//     ANDed, the values listed for one key are ORed;
//   - a negated operator (StringNotEquals, NotIpAddress, ArnNotLike, ...) is
//     the negation of its positive form: true when no listed value matches;
//   - a key absent from the request makes the condition false, except that
//     negated operators are then true, ...IfExists operators are true, and
//     Null tests the absence itself;
//   - with no set operator a multi-valued key behaves as "any value";
//     ForAnyValue: at least one request value must match (false when the key
//     is absent or empty); ForAllValues: every request value must match
//     (true when the key is absent or empty);
//   - condition key names are case-insensitive, values are case-sensitive
//     except for the ...IgnoreCase operators and Bool;
//   - policy variables are substituted only in the values of string and ARN
//     operators (reference_policies_variables.html, "Where you can use
//     policy variables"); elsewhere `${...}` is literal text;
//   - a policy variable that cannot be resolved (no value, several values,
//     no default) stands for an effectively null value that equals and is
//     like nothing: StringEquals / StringLike do not match it, while the
//     inverted operators (StringNotEquals, StringNotLike, ArnNotLike...)
//     do (reference_policies_variables.html, "Policy variables with no
//     value"). Other values listed for the key still count (OR).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

type opFamily uint8

const (
	famString opFamily = iota
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// takesVariables reports whether policy variables are substituted in the
// values of operators of this family: string and ARN operators only.
func (f opFamily) takesVariables() bool {
	switch f {
	case famString, famStringIgnoreCase, famStringLike, famARN:
		return true
	}
	return false
}

type cmpKind uint8

const (
	cmpEq cmpKind = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type setKind uint8

const (
	setNone setKind = iota
	setForAll
	setForAny
)

type baseOp struct {
	fam     opFamily
	negated bool
	cmp     cmpKind
}

var baseOps = map[string]baseOp{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {fam: famStringIgnoreCase, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLT},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLE},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGT},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGE},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLT},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLE},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGT},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGE},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famARN},
	"ArnLike":                   {fam: famARN},
	"ArnNotEquals":              {fam: famARN, negated: true},
	"ArnNotLike":                {fam: famARN, negated: true},
	"Null":                      {fam: famNull},
}

// condition is one (operator, key) pair with its values.
type condition struct {
	opName   string
	op       baseOp
	ifExists bool
	set      setKind
	key      string // lower case
	keyRaw   string
	values   []condValue
}

// condValue is one policy value, pre-parsed when it has no variable.
type condValue struct {
	pat    pattern
	num    float64
	numOK  bool
	date   time.Time
	dateOK bool
	prefix netip.Prefix
	ipOK   bool
	// null marks a value whose policy variable could not be resolved: it
	// matches no request value.
	null bool
}

func parseConditions(v any, vars bool) ([]condition, error) {
	block, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be an object")
	}
	ops := make([]string, 0, len(block))
	for k := range block {
		ops = append(ops, k)
	}
	sort.Strings(ops)
	var out []condition
	for _, opName := range ops {
		keys, ok := block[opName].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: must be an object of key to values", opName)
		}
		name := opName
		set := setNone
		switch {
		case strings.HasPrefix(name, "ForAllValues:"):
			set, name = setForAll, strings.TrimPrefix(name, "ForAllValues:")
		case strings.HasPrefix(name, "ForAnyValue:"):
			set, name = setForAny, strings.TrimPrefix(name, "ForAnyValue:")
		}
		ifExists := false
		if n, ok := strings.CutSuffix(name, "IfExists"); ok {
			ifExists, name = true, n
		}
		op, ok := baseOps[name]
		if !ok {
			return nil, fmt.Errorf("unknown condition operator %q", opName)
		}
		if op.fam == famNull && (ifExists || set != setNone) {
			return nil, fmt.Errorf("operator %q: Null takes no IfExists or set prefix", opName)
		}
		knames := make([]string, 0, len(keys))
		for k := range keys {
			knames = append(knames, k)
		}
		sort.Strings(knames)
		for _, k := range knames {
			vals, err := conditionValues(keys[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", opName, k, err)
			}
			c := condition{opName: opName, op: op, ifExists: ifExists, set: set,
				key: strings.ToLower(k), keyRaw: k}
			for _, s := range vals {
				cv, err := compileCondValue(op.fam, s, vars && op.fam.takesVariables())
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", opName, k, err)
				}
				c.values = append(c.values, cv)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionValues reads a value or list of values; numbers and booleans are
// written as their JSON text.
func conditionValues(v any) ([]string, error) {
	one := func(e any) (string, error) {
		switch x := e.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		default:
			return "", fmt.Errorf("value %s is not a string, number or boolean", jsonText(e))
		}
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, err := one(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := one(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func compileCondValue(fam opFamily, s string, vars bool) (condValue, error) {
	cv := condValue{pat: compilePattern(s, vars, false)}
	if cv.pat.hasVar {
		return cv, nil
	}
	switch fam {
	case famNumeric:
		cv.num, cv.numOK = parseNumber(s)
	case famDate:
		cv.date, cv.dateOK = parseDate(s)
	case famIP:
		cv.prefix, cv.ipOK = parsePrefix(s)
	}
	return cv, nil
}

// parseNumber reads an integer or decimal value ("10", "-2.5"): the numeric
// operators compare integers and decimals; "Infinity", "NaN", hex and
// exponent forms are not numbers there.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseDate accepts the ISO 8601 forms IAM accepts and epoch seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if f, ok := parseNumber(s); ok && !strings.ContainsAny(s, "-:T") {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request values of its key
// (vals is nil when the key is absent).
func (c *condition) eval(vals []string, lookup func(string) (string, bool)) bool {
	absent := len(vals) == 0
	if c.op.fam == famNull {
		for i := range c.values {
			want, ok := c.values[i].pat.resolveText(lookup)
			if !ok {
				return false
			}
			if strings.EqualFold(want, "true") == absent {
				return true
			}
		}
		return false
	}
	if absent {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAll:
			return true
		case c.set == setForAny:
			return false
		default:
			return c.op.negated
		}
	}
	// Resolve the policy values once (variables).
	vs := c.values
	if c.hasVar() {
		vs = make([]condValue, len(c.values))
		for i, cv := range c.values {
			text, _, ok := cv.pat.resolve(lookup)
			if !ok {
				vs[i] = condValue{null: true}
				continue
			}
			// The resolved text is matched literally except for the
			// pattern's own wildcards: keep the pattern for StringLike
			// and ArnLike, re-parse typed values.
			r, err := compileCondValue(c.op.fam, text, false)
			if err != nil {
				return false
			}
			if c.op.fam == famStringLike || c.op.fam == famARN {
				r.pat = cv.pat
			}
			vs[i] = r
		}
	}
	anyPolicyMatch := func(v string) bool {
		for i := range vs {
			if c.matchOne(&vs[i], v, lookup) {
				return true
			}
		}
		return false
	}
	valueOK := func(v string) bool {
		m := anyPolicyMatch(v)
		if c.op.negated {
			return !m
		}
		return m
	}
	switch c.set {
	case setForAll:
		for _, v := range vals {
			if !valueOK(v) {
				return false
			}
		}
		return true
	case setForAny:
		for _, v := range vals {
			if valueOK(v) {
				return true
			}
		}
		return false
	default:
		m := false
		for _, v := range vals {
			if anyPolicyMatch(v) {
				m = true
				break
			}
		}
		if c.op.negated {
			return !m
		}
		return m
	}
}

func (c *condition) hasVar() bool {
	for i := range c.values {
		if c.values[i].pat.hasVar {
			return true
		}
	}
	return false
}

// resolveText returns the pattern's text with variables substituted.
func (p *pattern) resolveText(lookup func(string) (string, bool)) (string, bool) {
	t, _, ok := p.resolve(lookup)
	return t, ok
}

// matchOne applies the positive form of the operator to one policy value
// and one request value.
func (c *condition) matchOne(cv *condValue, v string, lookup func(string) (string, bool)) bool {
	if cv.null {
		return false
	}
	switch c.op.fam {
	case famString:
		m, _ := cv.pat.equal(v, lookup, false)
		return m
	case famStringIgnoreCase:
		m, _ := cv.pat.equal(v, lookup, true)
		return m
	case famStringLike:
		m, _ := cv.pat.match(v, lookup)
		return m
	case famBool:
		return strings.EqualFold(cv.pat.text, strings.TrimSpace(v))
	case famBinary:
		return binaryEqual(cv.pat.text, v)
	case famNumeric:
		n, ok := parseNumber(v)
		if !ok || !cv.numOK {
			return false
		}
		return compare(cmpFloat(n, cv.num), c.op.cmp)
	case famDate:
		t, ok := parseDate(v)
		if !ok || !cv.dateOK {
			return false
		}
		return compare(t.Compare(cv.date), c.op.cmp)
	case famIP:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil || !cv.ipOK {
			return false
		}
		return cv.prefix.Contains(a.Unmap())
	case famARN:
		return arnLike(&cv.pat, v, lookup)
	}
	return false
}

func binaryEqual(policy, req string) bool {
	if policy == req {
		return true
	}
	a, err1 := base64.StdEncoding.DecodeString(policy)
	b, err2 := base64.StdEncoding.DecodeString(req)
	return err1 == nil && err2 == nil && string(a) == string(b)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, k cmpKind) bool {
	switch k {
	case cmpEq:
		return c == 0
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	}
	return false
}

// arnLike matches an ARN condition value: each of the six colon-separated
// parts is matched separately with * and ? wildcards; the last part of the
// pattern also matches the rest of the ARN (so "arn:aws:s3:::*" matches
// every bucket and object). A request value that is not an ARN never
// matches.
func arnLike(p *pattern, v string, lookup func(string) (string, bool)) bool {
	text, lit, ok := p.resolve(lookup)
	if !ok {
		return false
	}
	if text == "*" && (lit == nil || !lit[0]) {
		return true
	}
	vp := strings.SplitN(v, ":", 6)
	if len(vp) < 6 || vp[0] != "arn" {
		return false
	}
	// Split the pattern at its first five colons, keeping lit aligned.
	start := 0
	for i := 0; i < 6; i++ {
		end := len(text)
		if i < 5 {
			j := strings.IndexByte(text[start:], ':')
			if j < 0 {
				// Fewer than six parts: the last part matches the rest.
				var l []bool
				if lit != nil {
					l = lit[start:]
				}
				return globMatch(text[start:], l, strings.Join(vp[i:], ":"))
			}
			end = start + j
		}
		var l []bool
		if lit != nil {
			l = lit[start:end]
		}
		if !globMatch(text[start:end], l, vp[i]) {
			return false
		}
		start = end + 1
	}
	return true
}
