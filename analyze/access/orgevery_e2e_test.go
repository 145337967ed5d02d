package access_test

import (
	"testing"

	"github.com/snapaudit/snapaudit/analyze/access"
)

// TestCollectedOrgWhoCanEveryAction is TestOrgWhoCanEveryAction on a
// graph as analyze builds it: the demo account and its organisation's
// management account collected with the real SDK clients against fakeaws
// (collectWorlds), every resource type the demo world has.
func TestCollectedOrgWhoCanEveryAction(t *testing.T) {
	q, g := collectWorlds(t, demoWorld, orgWorld)
	st := access.SweepWhoCan(t, q, g)
	if st.Resources < 20 || st.ResourceProbes < 1000 {
		t.Errorf("only %d probes on %d resources: the demo world lost resources", st.ResourceProbes, st.Resources)
	}
}
