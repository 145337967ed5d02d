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
//     not deny the request; the decision's reasons say so.
//
// Each policy is checked on its own: when several policies must allow (an
// identity policy and a permissions boundary, an SCP...), each allowing
// some resource of the pattern does not prove that one resource is allowed
// by all of them. An Allowed answer over a pattern is therefore "some
// resources may be allowed", an over-approximation; a denial is exact.
//
// Patterns are compiled to token lists and compared as automata: intersects
// explores the product of two NFAs, covers determinises the covering side
// on the fly (subset construction) and gives up, answering "not covered",
// past maxCoverStates states — the answer that keeps an Allow.

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
const maxCoverStates = 1 << 14

// globCovers reports whether every string that matches r matches one of
// ds. It answers false when the search exceeds maxCoverStates.
func globCovers(r []globTok, ds [][]globTok) bool {
	all := append([][]globTok{r}, ds...)
	sigma := alphabet(all...)
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
	key := func(i int, st []bool) string {
		var b strings.Builder
		b.Grow(4 + len(st))
		b.WriteByte(byte(i >> 8))
		b.WriteByte(byte(i))
		for _, x := range st {
			if x {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
		return b.String()
	}
	type state struct {
		i  int
		st []bool
	}
	start := make([]bool, off[len(ds)])
	for k := range ds {
		start[off[k]] = true
	}
	closeD(start)
	seen := map[string]bool{}
	var queue []state
	push := func(i int, st []bool) {
		k := key(i, st)
		if !seen[k] {
			seen[k] = true
			queue = append(queue, state{i, st})
		}
	}
	push(0, start)
	for len(queue) > 0 {
		if len(seen) > maxCoverStates {
			return false
		}
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if s.i == len(r) && !acceptsD(s.st) {
			return false // a string of r that no d matches
		}
		if s.i < len(r) && r[s.i].kind == tokStar {
			push(s.i+1, s.st)
		}
		for _, c := range sigma {
			rs, ra := stepTok(r, s.i, c)
			if !rs && !ra {
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
			for _, ni := range nexts(s.i, rs, ra) {
				push(ni, next)
			}
		}
	}
	return true
}
