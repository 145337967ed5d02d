package iam

import "strings"

// Requests over resource patterns.
//
// A request whose Resource is "*" or contains wildcards asks whether SOME
// resource matching it is allowed. Both the request and a statement's
// Resource/NotResource values are then patterns with the segment rules of
// matchARN (`?` is one character other than ':', `*` a run of characters
// without ':' unless it ends its segment), and the evaluator compares
// languages instead of matching a string:
//
//   - an Allow statement applies when one of its Resource patterns
//     intersects the request pattern (some resource matches both), or when
//     its NotResource patterns do not cover the request pattern (some
//     resource escapes them);
//   - a Deny statement denies the request only when its Resource patterns
//     cover the request pattern (every resource matching the request
//     matches the Deny), or when none of its NotResource patterns intersects
//     the request pattern. A Deny that meets only part of the request
//     pattern denies those resources and lets the others escape, so it does
//     not deny the request; the decision's reasons say so;
//   - an Allow whose part of the request pattern (request ∩ its Resource)
//     is covered by the Resource patterns of those partial Denies allows
//     nothing and is dropped (eval.go, step 1a; the reasons name it).
//
//   - when several policies must allow (an identity policy and a
//     permissions boundary, the session policy, every SCP level, both sides
//     of a cross-account request), one same resource of the pattern must be
//     allowed by a statement of each: the Resource patterns chosen, one per
//     policy, must meet the request pattern together outside the partial
//     Denies (eval.go, someResourceOfAll); otherwise the request is
//     implicitly denied, saying that they allow different parts of it.
//
// Over-approximations, stated: NotResource statements constrain nothing in
// those checks (an Allow with NotResource is taken to leave some resource,
// a partial NotResource Deny is not subtracted), and past
// maxLayerCombinations choices or maxCoverStates states the answer is
// "some resource may be allowed". An Allowed answer over a pattern is
// therefore "some resources may be allowed"; a denial is exact.
//
// Patterns are compiled to token lists and compared as automata:
// globIntersects explores the product of two NFAs; globCoversAll explores
// the product of the covered patterns against the covering union
// determinised on the fly (subset construction), and gives up, answering
// "not covered", past maxCoverStates states — the answer that keeps an
// Allow and never invents a Deny.

// globTok is one token of a compiled resource pattern.
type globTok struct {
	kind  uint8 // tokLit, tokOne, tokStar
	c     byte  // tokLit: the byte
	cross bool  // tokStar: may match ':' (it ends its segment)
}

const (
	tokLit uint8 = iota
	tokOne
	tokStar
)

// globTokens compiles text (with lit marking bytes that are literal, as in
// globMatch) with matchARN's segment rules. A run of stars is one star.
func globTokens(text string, lit []bool) []globTok {
	wild := func(i int) bool { return lit == nil || !lit[i] }
	var out []globTok
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '*' && wild(i):
			j := i + 1
			for j < len(text) && text[j] == '*' && wild(j) {
				j++
			}
			out = append(out, globTok{kind: tokStar, cross: j == len(text) || text[j] == ':'})
			i = j - 1
		case c == '?' && wild(i):
			out = append(out, globTok{kind: tokOne})
		default:
			out = append(out, globTok{kind: tokLit, c: c})
		}
	}
	return out
}

// otherByte stands for any byte that no pattern of a comparison names.
const otherByte = -1

// alphabet returns the bytes the patterns name, ':' and otherByte: every
// other byte behaves like otherByte in all of them.
func alphabet(pats ...[]globTok) []int {
	seen := map[int]bool{':': true, otherByte: true}
	out := []int{':', otherByte}
	for _, p := range pats {
		for _, t := range p {
			if t.kind == tokLit && !seen[int(t.c)] {
				seen[int(t.c)] = true
				out = append(out, int(t.c))
			}
		}
	}
	return out
}

// closeStars adds to st the states reachable by letting stars match
// nothing.
func closeStars(p []globTok, st []bool) {
	for i := range p {
		if st[i] && p[i].kind == tokStar {
			st[i+1] = true
		}
	}
}

// stepTok returns the states reached from state i of p on byte c (-1 for
// none), as (stay, advance).
func stepTok(p []globTok, i, c int) (stay, adv bool) {
	if i >= len(p) {
		return false, false
	}
	t := p[i]
	switch t.kind {
	case tokStar:
		return c != ':' || t.cross, false
	case tokOne:
		return false, c != ':'
	}
	return false, c == int(t.c)
}

// globIntersects reports whether some string matches both a and b.
func globIntersects(a, b []globTok) bool {
	sigma := alphabet(a, b)
	w := len(b) + 1
	seen := make([]bool, (len(a)+1)*w)
	var queue []int
	push := func(i, j int) {
		if !seen[i*w+j] {
			seen[i*w+j] = true
			queue = append(queue, i*w+j)
		}
	}
	push(0, 0)
	for len(queue) > 0 {
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j := s/w, s%w
		if i == len(a) && j == len(b) {
			return true
		}
		// Stars may match nothing.
		if i < len(a) && a[i].kind == tokStar {
			push(i+1, j)
		}
		if j < len(b) && b[j].kind == tokStar {
			push(i, j+1)
		}
		for _, c := range sigma {
			as, aa := stepTok(a, i, c)
			bs, ba := stepTok(b, j, c)
			for _, ni := range nexts(i, as, aa) {
				for _, nj := range nexts(j, bs, ba) {
					push(ni, nj)
				}
			}
		}
	}
	return false
}

func nexts(i int, stay, adv bool) []int {
	switch {
	case stay && adv:
		return []int{i, i + 1}
	case stay:
		return []int{i}
	case adv:
		return []int{i + 1}
	}
	return nil
}

// maxCoverStates bounds the subset construction of globCovers.
const maxCoverStates = 1 << 12

// globCovers reports whether every string that matches r matches one of
// ds. It answers false when the search exceeds maxCoverStates.
func globCovers(r []globTok, ds [][]globTok) bool {
	return globCoversAll([][]globTok{r}, ds)
}

// globCoversAll reports whether every string that matches all of rs
// matches one of ds (true when no string matches all of rs). It answers
// false when the search exceeds maxCoverStates.
func globCoversAll(rs [][]globTok, ds [][]globTok) bool {
	sigma := alphabet(append(append([][]globTok(nil), rs...), ds...)...)
	// The D side is one NFA: the union of ds, states numbered by offset.
	off := make([]int, len(ds)+1)
	for k, d := range ds {
		off[k+1] = off[k] + len(d) + 1
	}
	closeD := func(st []bool) {
		for k, d := range ds {
			closeStars(d, st[off[k]:off[k+1]])
		}
	}
	acceptsD := func(st []bool) bool {
		for k := range ds {
			if st[off[k+1]-1] {
				return true
			}
		}
		return false
	}
	// A state is the position in each r (the product: all must match) and
	// the subset of D states.
	type state struct {
		pos []int
		st  []bool
	}
	key := func(s state) string {
		var b strings.Builder
		b.Grow(2*len(s.pos) + len(s.st)/8 + 1)
		for _, i := range s.pos {
			b.WriteByte(byte(i >> 8))
			b.WriteByte(byte(i))
		}
		var acc byte
		for i, x := range s.st {
			if x {
				acc |= 1 << (i % 8)
			}
			if i%8 == 7 || i == len(s.st)-1 {
				b.WriteByte(acc)
				acc = 0
			}
		}
		return b.String()
	}
	start := state{pos: make([]int, len(rs)), st: make([]bool, off[len(ds)])}
	for k := range ds {
		start.st[off[k]] = true
	}
	closeD(start.st)
	seen := map[string]bool{}
	var queue []state
	push := func(s state) {
		k := key(s)
		if !seen[k] {
			seen[k] = true
			queue = append(queue, s)
		}
	}
	push(start)
	for len(queue) > 0 {
		if len(seen) > maxCoverStates {
			return false
		}
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		done := true
		for k, r := range rs {
			done = done && s.pos[k] == len(r)
		}
		if done && !acceptsD(s.st) {
			return false // a string of every r that no d matches
		}
		// Stars of r may match nothing.
		for k, r := range rs {
			if s.pos[k] < len(r) && r[s.pos[k]].kind == tokStar {
				pos := append([]int(nil), s.pos...)
				pos[k]++
				push(state{pos, s.st})
			}
		}
		for _, c := range sigma {
			// Each r moves on c; the combinations are the product.
			moves := [][]int{nil}
			for k, r := range rs {
				stay, adv := stepTok(r, s.pos[k], c)
				var grown [][]int
				for _, m := range moves {
					for _, n := range nexts(s.pos[k], stay, adv) {
						grown = append(grown, append(append([]int(nil), m...), n))
					}
				}
				moves = grown
			}
			if len(moves) == 0 {
				continue
			}
			next := make([]bool, len(s.st))
			for k, d := range ds {
				base := off[k]
				for j := 0; j <= len(d); j++ {
					if !s.st[base+j] {
						continue
					}
					stay, adv := stepTok(d, j, c)
					if stay {
						next[base+j] = true
					}
					if adv {
						next[base+j+1] = true
					}
				}
			}
			closeD(next)
			for _, m := range moves {
				push(state{m, next})
			}
		}
	}
	return true
}
