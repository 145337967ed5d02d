package iam

// refMatch is the reference matcher the fuzz and property tests compare the
// real matchers with: a memoised recursion straight from the rules in
// glob.go, with no cleverness. p[i] is a wildcard unless lit[i]; with arn,
// the Resource segment rules apply: `?` never matches ':' and `*` matches
// ':' only when the first non-`*` after it is ':' or the end of p.
func refMatch(p string, lit []bool, s string, arn bool) bool {
	wild := func(i int) bool { return lit == nil || !lit[i] }
	memo := make([]int8, (len(p)+1)*(len(s)+1)) // 0 unknown, 1 no, 2 yes
	var m func(i, j int) bool
	m = func(i, j int) bool {
		k := i*(len(s)+1) + j
		if memo[k] != 0 {
			return memo[k] == 2
		}
		var r bool
		switch {
		case i == len(p):
			r = j == len(s)
		case p[i] == '*' && wild(i):
			cross := !arn
			if arn {
				e := i
				for e < len(p) && p[e] == '*' && wild(e) {
					e++
				}
				cross = e == len(p) || p[e] == ':'
			}
			r = m(i+1, j) || (j < len(s) && (cross || s[j] != ':') && m(i, j+1))
		case p[i] == '?' && wild(i):
			r = j < len(s) && (!arn || s[j] != ':') && m(i+1, j+1)
		default:
			r = j < len(s) && p[i] == s[j] && m(i+1, j+1)
		}
		memo[k] = 1
		if r {
			memo[k] = 2
		}
		return r
	}
	return m(0, 0)
}
