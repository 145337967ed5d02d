package model

// What the registry reads of a response: the decoder (decode.go) builds
// values only along these paths and checks the rest without keeping it.
//
// The registry is declarative, so the parts of a call's response that any
// record reads are known before a row is read: the items' paths, the
// paths and templates evaluated on each item, relationship and rule paths
// below them, enrichment and setting paths, and, for the automatic
// flattening, the scalars of every entity item. A need tree says so per
// call and phase of Build (a call read by two phases is decoded in each
// along what that phase reads): a node is one field (its value, and for a list or map the
// elements, share the node); all means the value is used as a whole (a
// Prop's value, tags, a policy document) and is decoded in full; otherwise
// only the fields named below it are decoded, plus, where flat is set (an
// entity's items), its non-null scalars. Everything else is checked
// against the shape, exactly as if decoded, and dropped: to a path, a
// dropped field reads as the null it was or as what no path asks for.
//
// A call that a hatch reads (code, not a record) is decoded in full.

import (
	"strings"
	"sync"
)

// need is the part of one value the registry reads (see above).
type need struct {
	all  bool
	flat bool // the element is an entity's item: its scalars are flattened
	kids map[string]*need
	// byField is kids by the field numbers of the object shape whose
	// fields are order (indexFields), for the decoder: a field's number
	// instead of a lookup of its name.
	byField []*need
	order   *[]field
}

// indexFields fills byField along sh, the shape of the value n is the
// need of (the elements' for a list).
func (n *need) indexFields(sh *shape) {
	for sh != nil && sh.kind == kList {
		sh = sh.elem
	}
	if n.all || sh == nil || sh.kind != kObject || len(n.kids) == 0 || n.order != nil {
		return
	}
	n.order = sh.order
	n.byField = make([]*need, len(*sh.order))
	for name, k := range n.kids {
		if f, ok := sh.fields[name]; ok {
			n.byField[f.idx] = k
			k.indexFields(f.shape)
		}
	}
}

// kid returns the node of the field key (f: its field, nil when the
// shape sh has none).
func (n *need) kid(sh *shape, f *field, key string) *need {
	if f != nil && n.order != nil && n.order == sh.order {
		return n.byField[f.idx]
	}
	return n.kids[key]
}

// needAll is the need of a value read as a whole.
var needAll = &need{all: true}

// child returns the node of field f below n, adding it.
func (n *need) child(f string) *need {
	if n.kids == nil {
		n.kids = map[string]*need{}
	}
	k, ok := n.kids[f]
	if !ok {
		k = &need{}
		n.kids[f] = k
	}
	return k
}

// cursor is where the registry stands in a response while it reads it: the
// node of the current element and those of the enclosing iterated
// elements (what walk's stack holds; ^ climbs them).
type cursor struct {
	node *need
	anc  []*need
}

// at descends path below c the way walk does: an element reached by
// iteration with more steps below it becomes an ancestor.
func (c cursor) at(path string) cursor {
	steps := parsePath(path)
	anc := c.anc[:len(c.anc):len(c.anc)]
	n := c.node
	for i, s := range steps {
		n = n.child(s.Field)
		if s.Iter != 0 && i < len(steps)-1 {
			anc = append(anc, n)
		}
	}
	return cursor{node: n, anc: anc}
}

// push makes the current element an ancestor (collectRels below an item).
func (c cursor) push() cursor {
	return cursor{node: c.node, anc: append(c.anc[:len(c.anc):len(c.anc)], c.node)}
}

// read marks the value at path (which may climb with ^) as read whole.
func (c cursor) read(path string) {
	n := c.node
	if rest := strings.TrimLeft(path, "^"); rest != path {
		up := len(path) - len(rest)
		if up > len(c.anc) {
			return // above the response: walk finds nothing either
		}
		n = c.anc[len(c.anc)-up]
		path = strings.TrimPrefix(rest, ".")
	}
	for _, s := range parsePath(path) {
		n = n.child(s.Field)
	}
	n.all = true
}

// template marks every value a template reads.
func (c cursor) template(tmpl string) {
	for _, p := range templatePaths(tmpl) {
		c.read(p)
	}
	if strings.Contains(tmpl, "{@}") || strings.Contains(tmpl, "{@"+baseFilter+"}") {
		c.node.all = true
	}
}

func (c cursor) props(ps []Prop) {
	for _, p := range ps {
		c.read(p.Path)
	}
}

func (c cursor) cond(w *Cond) {
	if w != nil {
		c.read(w.Path)
	}
}

// rel marks what one RelSpec reads below its item (collectRels).
func (c cursor) rel(r *RelSpec) {
	el := c
	if r.Path != "" {
		el = c.push().at(r.Path)
	}
	el.cond(r.When)
	el.template(r.Value)
	el.props(r.Props)
}

// rules marks what one RuleSpec reads below its item (collectRules).
func (c cursor) rules(r *RuleSpec) {
	rule := cursor{node: c.at(r.Path).node}
	for _, p := range []string{r.Egress, r.Protocol, r.FromPort, r.ToPort, r.Action, r.Number} {
		if p != "" {
			rule.read(p)
		}
	}
	for _, p := range r.Peers {
		peer := cursor{node: rule.at(p.Path).node}
		for _, q := range []string{p.CIDR, p.Group, p.Owner, p.Description} {
			if q != "" {
				peer.read(q)
			}
		}
	}
}

// needs returns the need tree of every call the registry reads.
var needs = sync.OnceValue(func() map[Call]*need { return needsOf(registry, services, allPhases) })

// phaseNeeds are the need trees of each phase of Build that streams
// calls: a call read by several phases (ec2:DescribeInstances: the
// instances, then aws_ami's relationship call) is decoded in each along
// what that phase reads alone.
var phaseNeeds = sync.OnceValue(func() [nPhases]map[Call]*need { return phaseNeedsOf(registry, services) })

// phase is a phase of Build that streams calls.
type phase uint8

const (
	phaseEntities phase = iota // entities (Source)
	phaseEnrich                // enrichments and service settings
	phaseRels                  // relationship calls and hatches' rows
	nPhases
	allPhases phase = 255
)

// phaseNeedsOf is needsOf per phase.
func phaseNeedsOf(types []EntityType, svcs []ServiceInfo) (out [nPhases]map[Call]*need) {
	for p := range nPhases {
		out[p] = needsOf(types, svcs, p)
	}
	return out
}

// needsOf builds the need trees of the calls that types and svcs read in
// phase ph (allPhases: in any).
func needsOf(types []EntityType, svcs []ServiceInfo, ph phase) map[Call]*need {
	out := map[Call]*need{}
	root := func(c Call, in phase) cursor {
		if ph != allPhases && in != ph {
			return cursor{node: &need{}} // read in another phase
		}
		n, ok := out[c]
		if !ok {
			n = &need{}
			out[c] = n
		}
		return cursor{node: n}
	}
	for i := range types {
		t := &types[i]
		item := root(t.Source, phaseEntities).at(t.Items)
		if !t.NoFlatten {
			item.node.flat = true
		}
		item.cond(t.When)
		for _, k := range t.Key {
			item.template(k)
		}
		item.template(t.ID)
		item.template(t.Name)
		item.template(t.WebLink)
		if t.Created != "" {
			item.read(t.Created)
		}
		if t.Tags != "" {
			item.read(t.Tags)
		}
		item.props(t.Props)
		for j := range t.Rules {
			item.rules(&t.Rules[j])
		}
		for j := range t.Rels {
			r := &t.Rels[j]
			if r.Call == (Call{}) {
				item.rel(r)
				continue
			}
			owner := root(r.Call, phaseRels).at(r.Items)
			match := r.OwnerMatch
			if match == "" {
				match = "{parent}"
			}
			owner.template(match)
			owner.rel(r)
		}
		for _, en := range t.Enrich {
			el := root(en.Call, phaseEnrich).at(en.Items)
			match := en.Match
			if match == "" {
				match = "{parent}"
			}
			el.template(match)
			if en.Tags != "" {
				el.read(en.Tags)
			}
			el.props(en.Props)
		}
		for _, h := range t.Hatch {
			for _, c := range h.Calls {
				root(c, phaseRels).node.all = true
			}
		}
	}
	for _, s := range svcs {
		for _, st := range s.Settings {
			root(st.Call, phaseEnrich).read(st.Path)
		}
	}
	for c, n := range out {
		if cs, err := shapeOf(c); err == nil {
			n.indexFields(cs.shape)
		}
	}
	return out
}

// needOf returns the need tree of call c; a call no record names is read
// whole.
func needOf(c Call) *need {
	if n, ok := needs()[c]; ok {
		return n
	}
	return needAll
}
