package access

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// bfsPaths is the search paths replaces, kept as its reference: from each
// principal that is not an administrator, breadth first over the expanded
// edges in order, the first administrator (or AdminNode) reached.
func bfsPaths(edges []EscalationEdge, admins map[string]bool, principals []*graph.Entity) []EscalationPath {
	out := map[string][]EscalationEdge{}
	for _, e := range edges {
		out[e.From] = append(out[e.From], e)
	}
	res := []EscalationPath{}
	for _, p := range principals {
		if admins[p.Key] {
			continue
		}
		prev := map[string]EscalationEdge{}
		seen := map[string]bool{p.Key: true}
		queue := []string{p.Key}
		end := ""
		for len(queue) > 0 && end == "" {
			cur := queue[0]
			queue = queue[1:]
			for _, e := range out[cur] {
				if seen[e.To] {
					continue
				}
				seen[e.To] = true
				prev[e.To] = e
				if e.To == AdminNode || admins[e.To] {
					end = e.To
					break
				}
				queue = append(queue, e.To)
			}
		}
		if end == "" {
			continue
		}
		var steps []EscalationEdge
		cond := false
		for n := end; n != p.Key; n = prev[n].From {
			steps = append(steps, prev[n])
			cond = cond || prev[n].Conditional
		}
		slices.Reverse(steps)
		res = append(res, EscalationPath{Principal: p.Key, Steps: steps, Conditional: cond})
	}
	return res
}

// On random graphs with edges to sets, paths finds exactly the paths the
// breadth-first search per principal finds on the expanded edges: same
// length, same steps, same tie-breaks.
func TestEscalationPathsMatchSearch(t *testing.T) {
	long := 0 // paths of two steps or more, through sets or not
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := 2 + r.IntN(12)
		var principals []*graph.Entity
		var keys []string
		for i := range n {
			k := fmt.Sprintf("arn:aws:iam::111122223333:role/r%02d", i)
			principals = append(principals, &graph.Entity{Key: k})
			keys = append(keys, k)
		}
		sets := map[string][]string{"roles of 111122223333": keys, "some roles": keys[:n/2]}
		admins := map[string]bool{}
		if r.IntN(3) == 0 {
			admins[keys[r.IntN(n)]] = true
		}
		var edges []EscalationEdge
		for _, from := range keys {
			if admins[from] {
				continue
			}
			for k := r.IntN(4); k > 0; k-- {
				e := EscalationEdge{From: from, Technique: fmt.Sprint("t", r.IntN(3)), Conditional: r.IntN(4) == 0,
					Permissions: []string{"x:Do on " + SetMember}}
				switch v := r.IntN(10); {
				case v == 0:
					e.To, e.Permissions = AdminNode, []string{"x:Admin on " + from}
				case v < 3:
					e.ToSet = []string{"roles of 111122223333", "some roles"}[r.IntN(2)]
					for _, m := range sets[e.ToSet] {
						if r.IntN(4) == 0 {
							e.Except = append(e.Except, m)
						}
					}
				default:
					e.To = keys[r.IntN(n)]
					if e.To == from {
						continue
					}
					e.Permissions = []string{"x:Do on " + e.To}
				}
				edges = append(edges, e)
			}
		}
		res := &Escalation{Edges: edges, Sets: sets}
		want := bfsPaths(res.Expanded(), admins, principals)
		got := paths(edges, sets, admins, principals)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: paths\n got %+v\nwant %+v\nedges %+v", seed, got, want, edges)
		}
		for _, p := range got {
			if len(p.Steps) > 1 {
				long++
			}
		}
	}
	if long < 100 {
		t.Errorf("only %d paths of two steps or more: the random graphs test too little", long)
	}
}

// candidateIndex.of merges a technique's targets of one account with
// those every account may reach, in list order, each once.
func TestCandidateIndexOf(t *testing.T) {
	ix := &candidateIndex{byAccount: map[string][]int{"a": {0, 2, 5}, "b": {1, 3}}, anyAccount: []int{2, 3, 4}}
	for _, c := range []struct {
		acct string
		want []int
	}{
		{"a", []int{0, 2, 3, 4, 5}},
		{"b", []int{1, 2, 3, 4}},
		{"c", []int{2, 3, 4}},
	} {
		if got := ix.of(c.acct); !slices.Equal(got, c.want) {
			t.Errorf("of(%q) = %v, want %v", c.acct, got, c.want)
		}
	}
}

// exceptOf gives the same members whether the hits come in the members'
// order (one walk) or not (a set).
func TestExceptOf(t *testing.T) {
	members := []string{"a", "b", "c", "d", "e"}
	hit := func(to ...string) []escHit {
		var out []escHit
		for _, x := range to {
			out = append(out, escHit{to: x})
		}
		return out
	}
	for _, c := range []struct {
		name string
		hits []escHit
		self string
		want []string
	}{
		{"in order", hit("a", "c", "d"), "", []string{"b", "e"}},
		{"in order, self left out", hit("a", "c"), "e", []string{"b", "d"}},
		{"out of order", hit("d", "a", "c"), "", []string{"b", "e"}},
		{"all", hit("a", "b", "c", "d", "e"), "", nil},
		{"all but self", hit("a", "b", "d", "e"), "c", nil},
	} {
		if got := exceptOf(members, c.hits, c.self); !slices.Equal(got, c.want) || (c.want == nil) != (got == nil) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
