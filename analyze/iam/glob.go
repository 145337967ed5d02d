package iam

import (
	"strings"
)

// A pattern is one value of Action, Resource or a condition: a string in
// which `*` and `?` are wildcards (when wild) and `${key}` / `${key, 'default'}`
// are policy variables (only in policies whose Version is 2012-10-17).
//
// A pattern is compiled once at parse time. Patterns without variables match
// with no allocation; patterns with variables are expanded per request: the
// value of a variable is literal text (a `*` inside a tag value is not a
// wildcard), as are the escapes `${*}`, `${?}` and `${$}`.
type pattern struct {
	raw   string
	text  string // the pattern with variables removed (only when !hasVar)
	lit   []bool // lit[i] true when text[i] is a literal '*' or '?' (from ${*}, ${?}); nil when none
	parts []patPart
	// flags
	hasVar  bool
	hasWild bool // contains a wildcard * or ?
	all     bool // the pattern is exactly "*"
}

type patPart struct {
	text   string // literal text (kind 0) or variable key, lower case (kind 1)
	def    string // default value of a variable
	hasDef bool
	isVar  bool
	escape bool // literal text that came from ${*} / ${?} / ${$}: never a wildcard
}

// compilePattern compiles s. vars says whether ${...} is a variable (policy
// Version 2012-10-17); lower folds the pattern to lower case (actions).
func compilePattern(s string, vars, lower bool) pattern {
	if lower {
		s = strings.ToLower(s)
	}
	p := pattern{raw: s, all: s == "*"}
	if !vars || !strings.Contains(s, "${") {
		p.text = s
		p.hasWild = strings.ContainsAny(s, "*?")
		return p
	}
	rest := s
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.parts = append(p.parts, patPart{text: lit.String()})
			lit.Reset()
		}
	}
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			lit.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			lit.WriteString(rest)
			break
		}
		lit.WriteString(rest[:i])
		body := strings.TrimSpace(rest[i+2 : i+j])
		rest = rest[i+j+1:]
		switch body {
		case "*", "?", "$":
			flush()
			p.parts = append(p.parts, patPart{text: body, escape: true})
			continue
		}
		v := patPart{isVar: true}
		if k := strings.IndexByte(body, ','); k >= 0 {
			def := strings.TrimSpace(body[k+1:])
			if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
				v.def, v.hasDef = def[1:len(def)-1], true
			}
			body = strings.TrimSpace(body[:k])
		}
		v.text = strings.ToLower(body)
		flush()
		p.parts = append(p.parts, v)
		p.hasVar = true
	}
	flush()
	if !p.hasVar {
		// Only escapes: fold into text with literal markers.
		p.text, p.lit, _ = p.resolve(nil)
		p.hasWild = hasWildcard(p.text, p.lit)
		p.parts = nil
		return p
	}
	for _, pt := range p.parts {
		if !pt.isVar && !pt.escape && strings.ContainsAny(pt.text, "*?") {
			p.hasWild = true
		}
	}
	return p
}

func hasWildcard(text string, lit []bool) bool {
	for i := 0; i < len(text); i++ {
		if (text[i] == '*' || text[i] == '?') && (lit == nil || !lit[i]) {
			return true
		}
	}
	return false
}

// resolve expands the pattern for one request. ok is false when a variable
// has no value in the request context and no default: AWS then treats the
// value as not matching. lit marks the bytes that are literal (variable
// values and escapes): a '*' there is not a wildcard.
func (p *pattern) resolve(lookup func(string) (string, bool)) (text string, lit []bool, ok bool) {
	if p.parts == nil {
		return p.text, p.lit, true
	}
	b := make([]byte, 0, len(p.raw)+16)
	lit = make([]bool, 0, len(p.raw)+16)
	for _, pt := range p.parts {
		v, literal := pt.text, pt.escape
		if pt.isVar {
			found := false
			if lookup != nil {
				v, found = lookup(pt.text)
			}
			if !found {
				if !pt.hasDef {
					return "", nil, false
				}
				v = pt.def
			}
			literal = true
		}
		b = append(b, v...)
		for range len(v) {
			lit = append(lit, literal)
		}
	}
	return string(b), lit, true
}

// match reports whether s matches the pattern. ok is false when a variable
// could not be resolved.
func (p *pattern) match(s string, lookup func(string) (string, bool)) (matched, ok bool) {
	if p.all {
		return true, true
	}
	if p.parts == nil {
		if !p.hasWild {
			return p.text == s, true
		}
		return globMatch(p.text, p.lit, s), true
	}
	text, lit, ok := p.resolve(lookup)
	if !ok {
		return false, false
	}
	return globMatch(text, lit, s), true
}

// equal compares s with the pattern literally (no wildcards); fold compares
// case-insensitively.
func (p *pattern) equal(s string, lookup func(string) (string, bool), fold bool) (matched, ok bool) {
	text, _, ok := p.resolve(lookup)
	if !ok {
		return false, false
	}
	if fold {
		return strings.EqualFold(text, s), true
	}
	return text == s, true
}

// globMatch matches s against p where '*' matches any run of bytes
// (including ':' and '/') and '?' exactly one byte, unless lit marks that
// position as literal.
func globMatch(p string, lit []bool, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			wild := lit == nil || !lit[pi]
			switch {
			case c == '*' && wild:
				star, mark = pi, si
				pi++
				continue
			case (c == '?' && wild) || c == s[si]:
				pi++
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark++
		si = mark
	}
	for pi < len(p) && p[pi] == '*' && (lit == nil || !lit[pi]) {
		pi++
	}
	return pi == len(p)
}

// matchARN reports whether the resource ARN s matches the pattern with the
// Resource element's segment rules (reference_policies_elements_resource.html,
// "Using wildcards in resource ARNs"): wildcards work within the
// colon-separated segments of the ARN; `?` never matches a colon and `*`
// matches one only when it is the last character of its segment (followed
// by ':' or the end of the pattern), so "arn:aws:ec2:*" and
// "arn:aws:s3:::bucket/*" expand beyond colon boundaries while
// "arn:aws:s3:::bucket/*/x" does not. ok is false when a variable could not
// be resolved.
func (p *pattern) matchARN(s string, lookup func(string) (string, bool)) (matched, ok bool) {
	if p.all {
		return true, true
	}
	text, lit := p.text, p.lit
	if p.parts != nil {
		text, lit, ok = p.resolve(lookup)
		if !ok {
			return false, false
		}
	} else if !p.hasWild {
		return text == s, true
	}
	if !strings.Contains(s, ":") || allWildcardsCross(text, lit) {
		// No colon to protect: the plain glob gives the same answer.
		return globMatch(text, lit, s), true
	}
	return segmentGlobMatch(text, lit, s), true
}

// allWildcardsCross reports whether every wildcard of p may match a colon:
// there is no `?` and every `*` ends its segment.
func allWildcardsCross(p string, lit []bool) bool {
	for i := 0; i < len(p); i++ {
		if lit != nil && lit[i] {
			continue
		}
		switch p[i] {
		case '?':
			return false
		case '*':
			if i+1 < len(p) && p[i+1] != ':' && p[i+1] != '*' {
				return false
			}
		}
	}
	return true
}

// segmentGlobMatch is globMatch with the segment rules of matchARN, as a
// set-of-states simulation (linear in len(p)*len(s), one allocation).
func segmentGlobMatch(p string, lit []bool, s string) bool {
	wild := func(i int) bool { return lit == nil || !lit[i] }
	// crosses[i]: the '*' at i may match ':' (it ends its segment; a run of
	// stars counts as one).
	crosses := func(i int) bool {
		j := i + 1
		for j < len(p) && p[j] == '*' && wild(j) {
			j++
		}
		return j == len(p) || p[j] == ':'
	}
	cur := make([]bool, 2*(len(p)+1))
	next := cur[len(p)+1:]
	cur = cur[:len(p)+1]
	// closure: a star may match the empty string.
	closure := func(st []bool) {
		for i := 0; i < len(p); i++ {
			if st[i] && p[i] == '*' && wild(i) {
				st[i+1] = true
			}
		}
	}
	cur[0] = true
	closure(cur)
	for k := 0; k < len(s); k++ {
		c := s[k]
		clear(next)
		alive := false
		for i := 0; i < len(p); i++ {
			if !cur[i] {
				continue
			}
			switch {
			case p[i] == '*' && wild(i):
				if c != ':' || crosses(i) {
					next[i] = true
					alive = true
				}
			case p[i] == '?' && wild(i):
				if c != ':' {
					next[i+1] = true
					alive = true
				}
			case p[i] == c:
				next[i+1] = true
				alive = true
			}
		}
		if !alive {
			return false
		}
		closure(next)
		cur, next = next, cur
	}
	return cur[len(p)]
}
