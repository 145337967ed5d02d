package model

import (
	"slices"
	"testing"
)

// TestProperties checks Properties against what the builder really sets on
// the fixtures' entities: every property of a built entity (tag.<Key>
// aside) is listed, for every type the fixtures build.
func TestProperties(t *testing.T) {
	g := buildWorld(t)
	for _, et := range Types() {
		t.Run(et.Type, func(t *testing.T) {
			props := et.Properties()
			if !slices.IsSorted(props) || len(slices.Compact(slices.Clone(props))) != len(props) {
				t.Fatalf("Properties() = %v: want sorted and unique", props)
			}
			ents := g.EntitiesOfType(et.Type)
			if len(ents) == 0 {
				t.Fatalf("the fixtures build no %s", et.Type)
			}
			for _, e := range ents {
				for k := range e.Properties {
					if len(k) > 4 && k[:4] == "tag." || slices.Contains(props, k) {
						continue
					}
					t.Errorf("%s has property %q, which Properties() does not list (a hatch declares what it sets in its Sets)", e.Key, k)
				}
			}
		})
	}
}
