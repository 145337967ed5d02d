// Package suggest finds the likely intended spelling of a name a user
// typed (a region, a config key) among the valid ones, for "did you mean"
// messages. It links only the standard library and lives under snapshot/
// because both phases, collect and analyze, import snapshot.
package suggest

// Closest returns the candidate nearest to s by edit distance when it is at
// most maxEdits away, else "". Of equally near candidates the first wins.
func Closest(s string, candidates []string, maxEdits int) string {
	best, bestD := "", maxEdits+1
	for _, c := range candidates {
		if d := Distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, over bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
