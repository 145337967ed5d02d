package iam

import (
	"bytes"
	"hash/maphash"
	"slices"
	"sync"
)

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

// universal reports whether the pattern t matches every string ("*").
func universal(t []globTok) bool {
	return len(t) == 1 && t[0].kind == tokStar && t[0].cross
}

// otherByte stands for any byte that no pattern of a comparison names.
const otherByte = -1

// jointSuffix reports whether some string takes every rs[k] from position
// pos[k] to its end. A single glob pattern always matches some string.
func jointSuffix(rs [][]globTok, pos []int) bool {
	if len(rs) == 1 {
		return true
	}
	rest := make([][]globTok, len(rs))
	for k, r := range rs {
		rest[k] = r[pos[k]:]
	}
	return !globCoversAll(rest, nil)
}

// relevantBytesIn appends to dst the bytes that can move the states of p
// marked in at differently from otherByte: ':' and the literal bytes at
// those positions. Every other byte moves them exactly as otherByte does,
// so a search only needs these (plus otherByte itself).
func relevantBytesIn(dst []int, p []globTok, at []bool) []int {
	for i := range p {
		if at[i] {
			dst = relevantByteAt(dst, p, i)
		}
	}
	return dst
}

// relevantByteAt is relevantBytesIn for the single state i of p.
func relevantByteAt(dst []int, p []globTok, i int) []int {
	if i < len(p) {
		if t := p[i]; t.kind == tokLit && t.c != ':' && !containsInt(dst, int(t.c)) {
			dst = append(dst, int(t.c))
		}
	}
	return dst
}

func containsInt(list []int, x int) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
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
	w := len(b) + 1
	// Buffers on the stack for the usual short patterns.
	var seenBuf [1024]bool
	var queueBuf [64]int
	var sigmaBuf [8]int
	seen := seenBuf[:0]
	if n := (len(a) + 1) * w; n <= len(seenBuf) {
		seen = seenBuf[:n]
	} else {
		seen = make([]bool, n)
	}
	queue, sigma := queueBuf[:0], sigmaBuf[:0]
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
		sigma = relevantByteAt(relevantByteAt(append(sigma[:0], ':', otherByte), a, i), b, j)
		for _, c := range sigma {
			as, aa := stepTok(a, i, c)
			bs, ba := stepTok(b, j, c)
			for di, aok := range [2]bool{as, aa} { // stay, advance
				for dj, bok := range [2]bool{bs, ba} {
					if aok && bok {
						push(i+di, j+dj)
					}
				}
			}
		}
	}
	return false
}

// maxCoverStates bounds the subset construction of globCovers.
const maxCoverStates = 1 << 12

// globCovers reports whether every string that matches r matches one of
// ds. It answers false when the search exceeds maxCoverStates.
func globCovers(r []globTok, ds [][]globTok) bool {
	return globCoversAll([][]globTok{r}, ds)
}

// coverScratch is globCoversAll's working memory, reused through
// coverPool: the IAM derivation asks it about a million times at 1,000,000
// resources, and its per-call slices, state keys, queue and set were a
// fifth of the evaluator's allocations (325 MB). The states found are
// keys of stride bytes in one arena, in breadth-first order (the queue),
// with an open-addressing set of their indexes.
type coverScratch struct {
	off, pos, buf, nopt, pick, sigma []int
	st, next                         []bool
	opts                             [][2]int
	kb, keys                         []byte
	table                            []int32 // state index + 1; 0 is empty
	stride                           int
}

var coverPool = sync.Pool{New: func() any { return new(coverScratch) }}

// coverSeed hashes the states' keys (the set's layout, never its answers).
var coverSeed = maphash.MakeSeed()

// resize makes *s n long and zeroed, reusing its array when large enough.
func resize[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	} else {
		*s = (*s)[:n]
		clear(*s)
	}
	return *s
}

// reset empties the set of states, whose keys will be stride bytes.
func (sc *coverScratch) reset(stride int) {
	sc.stride, sc.keys = stride, sc.keys[:0]
	clear(sc.table)
}

// states is how many states were added.
func (sc *coverScratch) states() int { return len(sc.keys) / sc.stride }

// key is the key of state i.
func (sc *coverScratch) key(i int) []byte { return sc.keys[i*sc.stride : (i+1)*sc.stride] }

// add adds the state of key k (stride bytes) unless it is there already.
func (sc *coverScratch) add(k []byte) {
	n := sc.states()
	if 2*(n+1) > len(sc.table) {
		sc.table = make([]int32, max(64, 2*len(sc.table)))
		for i := range n {
			sc.insert(sc.key(i), int32(i+1))
		}
	}
	if sc.insert(k, int32(n+1)) {
		sc.keys = append(sc.keys, k...)
	}
}

// insert records state v (index + 1) of key k in the table unless a state
// of that key is there; it reports whether it recorded it.
func (sc *coverScratch) insert(k []byte, v int32) bool {
	mask := uint64(len(sc.table) - 1)
	for i := maphash.Bytes(coverSeed, k) & mask; ; i = (i + 1) & mask {
		switch w := sc.table[i]; {
		case w == 0:
			sc.table[i] = v
			return true
		case bytes.Equal(sc.key(int(w-1)), k):
			return false
		}
	}
}

// globCoversAll reports whether every string that matches all of rs
// matches one of ds (true when no string matches all of rs). It answers
// false when the search exceeds maxCoverStates.
func globCoversAll(rs [][]globTok, ds [][]globTok) bool {
	sc := coverPool.Get().(*coverScratch)
	defer coverPool.Put(sc)
	// The D side is one NFA: the union of ds, states numbered by offset.
	off := resize(&sc.off, len(ds)+1)
	for k, d := range ds {
		off[k+1] = off[k] + len(d) + 1
	}
	nst := off[len(ds)]
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
	// the subset of D states, encoded as stride bytes: two bytes a
	// position, then the subset's bits.
	stride := 2*len(rs) + (nst+7)/8
	sc.reset(stride)
	kb := resize(&sc.kb, stride)
	encode := func(pos []int, st []bool) []byte {
		kb = kb[:0]
		for _, i := range pos {
			kb = append(kb, byte(i>>8), byte(i))
		}
		var acc byte
		for i, x := range st {
			if x {
				acc |= 1 << (i % 8)
			}
			if i%8 == 7 || i == len(st)-1 {
				kb = append(kb, acc)
				acc = 0
			}
		}
		return kb
	}
	decode := func(key []byte, pos []int, st []bool) {
		for k := range pos {
			pos[k] = int(key[2*k])<<8 | int(key[2*k+1])
		}
		bits := key[2*len(pos):]
		for i := range st {
			st[i] = bits[i/8]&(1<<(i%8)) != 0
		}
	}
	pos, st := resize(&sc.pos, len(rs)), resize(&sc.st, nst)
	buf, next := resize(&sc.buf, len(rs)), resize(&sc.next, nst)
	for k := range ds {
		st[off[k]] = true
	}
	closeD(st)
	push := func(pos []int, st []bool) { sc.add(encode(pos, st)) }
	push(pos, st)
	opts := resize(&sc.opts, len(rs)) // per r: up to two next positions
	nopt := resize(&sc.nopt, len(rs))
	pick := resize(&sc.pick, len(rs))
	sigma := sc.sigma[:0]
	defer func() { sc.sigma = sigma }()
	// Breadth first: a string that escapes ds is found at its shortest,
	// usually within a few steps.
	for head := 0; head < sc.states(); head++ {
		if sc.states() > maxCoverStates {
			return false
		}
		decode(sc.key(head), pos, st)
		if len(ds) > 0 && !slices.Contains(st, true) {
			// No d can match any more: a counterexample exists if the rs
			// can still match one same string together.
			if jointSuffix(rs, pos) {
				return false
			}
			continue
		}
		done := true
		for k, r := range rs {
			done = done && pos[k] == len(r)
		}
		if done && !acceptsD(st) {
			return false // a string of every r that no d matches
		}
		// Stars of r may match nothing.
		for k, r := range rs {
			if pos[k] < len(r) && r[pos[k]].kind == tokStar {
				copy(buf, pos)
				buf[k]++
				push(buf, st)
			}
		}
		sigma = append(sigma[:0], ':', otherByte)
		for k, r := range rs {
			sigma = relevantByteAt(sigma, r, pos[k])
		}
		for k, d := range ds {
			sigma = relevantBytesIn(sigma, d, st[off[k]:off[k+1]])
		}
	bytes:
		for _, c := range sigma {
			// Each r moves on c; the combinations are the product.
			for k, r := range rs {
				stay, adv := stepTok(r, pos[k], c)
				nopt[k] = 0
				if stay {
					opts[k][nopt[k]] = pos[k]
					nopt[k]++
				}
				if adv {
					opts[k][nopt[k]] = pos[k] + 1
					nopt[k]++
				}
				if nopt[k] == 0 {
					continue bytes
				}
			}
			clear(next)
			for k, d := range ds {
				base := off[k]
				for j := 0; j <= len(d); j++ {
					if !st[base+j] {
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
			clear(pick)
			for {
				for k := range rs {
					buf[k] = opts[k][pick[k]]
				}
				push(buf, next)
				k := 0
				for ; k < len(pick); k++ {
					if pick[k]++; pick[k] < nopt[k] {
						break
					}
					pick[k] = 0
				}
				if k == len(pick) {
					break
				}
			}
		}
	}
	return true
}
