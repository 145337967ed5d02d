package collect

// Failed calls, grouped for the run's report. The snapshot holds every
// failed invocation as an error row; the summary groups those that leave it
// incomplete by call and class, so the CLI can say which calls failed where
// and decide the exit code of a partial collection.

import (
	"cmp"
	"maps"
	"slices"

	"github.com/snapaudit/snapaudit/snapshot"
)

// Incomplete reports whether a failed invocation of class c leaves a gap in
// the snapshot that the user must hear about: denied, throttled and other
// do. not_found (the account has no such configuration: a bucket without a
// policy) and unsupported (the service or region is not available to the
// account) are answers about the account, not gaps.
func Incomplete(c snapshot.ErrorClass) bool {
	switch c {
	case snapshot.ClassDenied, snapshot.ClassThrottled, snapshot.ClassOther:
		return true
	}
	return false
}

// failureKey groups failed invocations.
type failureKey struct {
	call  string
	class snapshot.ErrorClass
}

type failureGroup struct {
	codes, regions map[string]bool
	invocations    int
	message        string
}

// failures accumulates failed invocations; the caller serialises access.
type failures map[failureKey]*failureGroup

func (f failures) add(call, region string, class snapshot.ErrorClass, code, msg string) {
	k := failureKey{call: call, class: class}
	g := f[k]
	if g == nil {
		g = &failureGroup{codes: map[string]bool{}, regions: map[string]bool{}, message: msg}
		f[k] = g
	}
	if code != "" {
		g.codes[code] = true
	}
	g.regions[region] = true
	g.invocations++
}

// list returns the groups sorted by call, then class.
func (f failures) list() []CallFailure {
	var out []CallFailure
	for k, g := range f {
		out = append(out, CallFailure{
			Call: k.call, Class: k.class, Invocations: g.invocations, Message: g.message,
			Codes: slices.Sorted(maps.Keys(g.codes)), Regions: slices.Sorted(maps.Keys(g.regions)),
		})
	}
	slices.SortFunc(out, func(a, b CallFailure) int {
		return cmp.Or(cmp.Compare(a.Call, b.Call), cmp.Compare(a.Class, b.Class))
	})
	return out
}
