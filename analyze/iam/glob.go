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
	// toks: text compiled for the automata of intersect.go (resource
	// patterns without variables, see compileResource); nil otherwise.
	toks []globTok
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

// compileResource compiles a Resource or NotResource value: a pattern
// without variables gets its tokens now rather than per request.
func compileResource(s string, vars bool) pattern {
	p := compilePattern(s, vars, false)
	if p.parts == nil {
		p.toks = globTokens(p.text, p.lit)
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
func globMatch(p string, lit []bool, s string) bool { return wildMatch(p, lit, s, false) }

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
	return segmentGlobMatch(text, lit, s), true
}

// segmentGlobMatch is globMatch with the segment rules of matchARN.
func segmentGlobMatch(p string, lit []bool, s string) bool { return wildMatch(p, lit, s, true) }

// wildMatch matches s against p (a '*' or '?' is a wildcard unless lit
// marks it literal), with the segment rules of matchARN when arn is set.
// It allocates nothing and runs in time O(len(p)+len(s)) when no chunk
// holds a wildcard '?' and no retry (below) happens, which covers 30,000
// "*a" against 300,000 bytes; the classic algorithms are quadratic there.
// A chunk with a '?' is searched position by position (O(len(s)) times its
// length), and a retry rescans at most the text its run of chunks spans,
// which is bounded by the colons in those chunks (a handful in an ARN).
//
// The pattern is a sequence of chunks (runs without wildcard '*': literal
// bytes and '?') separated by runs of '*'. The first chunk must match at
// the start of s, the last at its end; every other chunk is placed at its
// leftmost occurrence after the previous one (found with strings.Index when
// it has no '?'). A star that may match anything needs no backtracking: a
// later chunk that is not found anywhere further right is not found by
// moving earlier chunks right either, and the leftmost placement leaves
// the most room for what follows.
//
// Under the segment rules a star that does not end its segment (not
// followed by ':' or the end of the pattern) may not match a colon, so the
// chunk after it must start before the next colon of s. When it does not,
// the whole run of chunks since the last segment-ending star is retried at
// that star's next occurrence; the colons of s and the literal colons of
// those chunks must line up one for one, so earlier placements cannot
// help. Only these retries rescan text, each from a later colon of s.
func wildMatch(p string, lit []bool, s string, arn bool) bool {
	isStar := func(i int) bool { return p[i] == '*' && (lit == nil || !lit[i]) }
	chunkEnd := func(i int) int {
		for i < len(p) && !isStar(i) {
			i++
		}
		return i
	}
	n := chunkEnd(0)
	if n == len(p) {
		return len(s) == n && chunkAt(p[:n], lit, s, arn)
	}
	if len(s) < n || !chunkAt(p[:n], lit, s[:n], arn) {
		return false
	}
	pos, cs := n, n         // pos: s consumed so far; cs: pattern index of the star run
	retry, retryAt := -1, 0 // the chunk after the last segment-ending star, and where it was placed
	// s has no colon in [colonFrom, colon): the next colon is looked up
	// once per colon, not once per star.
	colonFrom, colon := 0, -1
	for {
		ce := cs
		for ce < len(p) && isStar(ce) {
			ce++
		}
		if ce == len(p) {
			return true // trailing stars end the last segment: they match the rest
		}
		cross := !arn || p[ce] == ':'
		cs, ce = ce, chunkEnd(ce)
		maxStart := len(s)
		if !cross {
			if pos < colonFrom || pos > colon {
				colonFrom, colon = pos, len(s)
				if k := strings.IndexByte(s[pos:], ':'); k >= 0 {
					colon = pos + k
				}
			}
			maxStart = colon
		}
		a := findChunk(p, lit, cs, ce, s, pos, maxStart, arn)
		if a < 0 && !cross {
			if retry < 0 {
				return false
			}
			cs, ce, cross = retry, chunkEnd(retry), true
			a = findChunk(p, lit, cs, ce, s, retryAt+1, len(s), arn)
		}
		if a < 0 {
			return false
		}
		if cross {
			retry, retryAt = cs, a
		}
		pos = a + ce - cs
		if ce == len(p) {
			return true // the last chunk was placed at the end of s
		}
		cs = ce
	}
}

// findChunk returns the leftmost a in [from, maxStart] where the chunk
// p[cs:ce] matches s, or -1. The last chunk of p only matches at the end
// of s.
func findChunk(p string, lit []bool, cs, ce int, s string, from, maxStart int, arn bool) int {
	n := ce - cs
	chunk := p[cs:ce]
	var l []bool
	if lit != nil {
		l = lit[cs:ce]
	}
	if ce == len(p) {
		a := len(s) - n
		if a < from || a > maxStart || !chunkAt(chunk, l, s[a:], arn) {
			return -1
		}
		return a
	}
	hi := min(maxStart, len(s)-n) // last possible start
	if hi < from {
		return -1
	}
	if !hasWildcard(chunk, l) {
		if k := strings.Index(s[from:hi+n], chunk); k >= 0 {
			return from + k
		}
		return -1
	}
	for a := from; a <= hi; a++ {
		if chunkAt(chunk, l, s[a:a+n], arn) {
			return a
		}
	}
	return -1
}

// chunkAt reports whether the star-free chunk matches s, which has its
// length; '?' matches any byte but, with the segment rules, a colon.
func chunkAt(chunk string, lit []bool, s string, arn bool) bool {
	for i := 0; i < len(chunk); i++ {
		c := chunk[i]
		if c == '?' && (lit == nil || !lit[i]) {
			if arn && s[i] == ':' {
				return false
			}
		} else if c != s[i] {
			return false
		}
	}
	return true
}
