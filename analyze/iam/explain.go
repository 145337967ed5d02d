package iam

import "fmt"

// Explanation is a decision with what each policy layer contributed to it,
// in the order AWS evaluates them (see the steps at the top of eval.go).
type Explanation struct {
	Result Result         `json:"result"`
	Layers []LayerOutcome `json:"layers"`
}

// LayerOutcome is one policy layer of a request: the resource control
// policies of one organisation level, the SCPs of one level, the
// resource-based policy, the identity-based policies, the permissions
// boundary or the session policy.
type LayerOutcome struct {
	Layer string `json:"layer"`
	// Contribution is what the layer did: "explicit deny", "allows",
	// "allows nothing", "not attached", or why it does not apply.
	Contribution string             `json:"contribution"`
	Statements   []StatementOutcome `json:"statements,omitempty"`
}

// StatementOutcome is one statement of a layer and whether it matched.
type StatementOutcome struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"` // Sid, or its position
	Effect    Effect `json:"effect"`
	// Outcome is "matches" or why the statement does not apply ("action
	// not matched", "condition StringEquals on aws:SourceVpc does not
	// hold", ...).
	Outcome string `json:"outcome"`
}

// Explain decides a request as Evaluate does and reports every policy
// layer and statement it examined. unknown is as for EvaluateUnknown (nil:
// every absent key is absent); the statements are those of the decisive
// evaluation.
func (e *Evaluator) Explain(req *Request, pol *Policies, unknown func(key string) bool) Explanation {
	if pol == nil {
		pol = &Policies{}
	}
	var layers []LayerOutcome
	where := map[*Statement]int{}
	policyOf := map[*Statement]*Policy{}
	add := func(name string, list []*Policy) {
		idx := len(layers)
		layers = append(layers, LayerOutcome{Layer: name})
		for _, p := range list {
			if p == nil {
				continue
			}
			for _, s := range p.Statements {
				where[s], policyOf[s] = idx, p
			}
		}
	}
	for i, lvl := range pol.RCPs {
		add(fmt.Sprintf("resource control policies, organisation level %d", i+1), lvl)
	}
	for i, lvl := range pol.SCPs {
		add(fmt.Sprintf("service control policies, organisation level %d", i+1), lvl)
	}
	add("resource-based policy", []*Policy{pol.Resource})
	add("identity-based policies", pol.Identity)
	add("permissions boundary", pol.Boundaries)
	add("session policy", []*Policy{pol.Session})

	p, invalid := e.prepare(req)
	if p == nil {
		return Explanation{Result: invalid}
	}
	seen := map[*Statement]bool{}
	p.trace = func(kind policyKind, s *Statement, mk matchKind, cover coverage, why string) {
		if seen[s] {
			return
		}
		seen[s] = true
		i, ok := where[s]
		if !ok {
			return
		}
		out := StatementOutcome{Policy: policyOf[s].Name, Statement: sidOrIndex(s), Effect: s.Effect, Outcome: why}
		if why == "" {
			out.Outcome = "matches"
			if cover == coverSome {
				out.Outcome = "matches part of the request's resource pattern"
			}
		}
		layers[i].Statements = append(layers[i].Statements, out)
	}
	var r Result
	if unknown == nil {
		r = e.finish(p, pol)
	} else {
		// The decisive pass is the last one EvaluateUnknown would run:
		// run the first, and the second only when it would.
		p.unknown, p.unknownRead = unknown, map[string]bool{}
		r = e.finish(p, pol)
		if r.Decision != Allowed && len(p.unknownRead) > 0 {
			clear(seen)
			for i := range layers {
				layers[i].Statements = nil
			}
			r = e.EvaluateUnknown(req, pol, unknown) // the answer, with its keys
			p.favourUnknown = true
			e.finish(p, pol) // the trace of its favourable pass
		}
	}
	for i := range layers {
		l := &layers[i]
		l.Contribution = contribution(l, i < len(pol.RCPs))
	}
	// Drop layers with no policy at all but keep the ones that were
	// attached and did not apply, saying so.
	out := layers[:0]
	for i, l := range layers {
		if len(l.Statements) == 0 && !attached(pol, i, len(pol.RCPs), len(pol.SCPs)) {
			continue
		}
		if len(l.Statements) == 0 {
			l.Contribution = "does not apply to this request (principal or resource exempt, or not an IAM principal)"
		}
		out = append(out, l)
		if l.Layer == "resource-based policy" && req.RestrictPublic != PublicUnrestricted {
			out = append(out, publicAccessLayer(p.publicText(), p.public >= publicBlockedOn))
		}
	}
	return Explanation{Result: r, Layers: out}
}

// publicAccessLayer is the S3 Block Public Access layer of an explanation
// (step 3a of eval.go), shown after the resource-based policy when the
// request says the bucket may be restricted: what RestrictPublicBuckets
// did to the bucket policy's grant (block, the evaluation's reason) and
// whether it decided.
func publicAccessLayer(block string, blocked bool) LayerOutcome {
	l := LayerOutcome{Layer: "S3 Block Public Access (RestrictPublicBuckets)", Contribution: block}
	switch {
	case blocked:
		l.Contribution = "decided (implicit deny): " + block
	case block == "":
		l.Contribution = "does not apply to this request (an AWS service principal, the bucket policy grants the caller nothing, or an earlier layer decided)"
	}
	return l
}

func contribution(l *LayerOutcome, rcp bool) string {
	allow := false
	for _, s := range l.Statements {
		if s.Outcome != "matches" {
			continue
		}
		if s.Effect == Deny {
			return "explicit deny"
		}
		allow = true
	}
	switch {
	case rcp:
		return "no deny (RCPFullAWSAccess, always attached, allows the rest)"
	case allow:
		return "allows"
	}
	return "allows nothing"
}

// attached reports whether layer i (in Explain's order) has a policy.
func attached(pol *Policies, i, rcps, scps int) bool {
	switch {
	case i < rcps:
		return len(pol.RCPs[i]) > 0
	case i < rcps+scps:
		return len(pol.SCPs[i-rcps]) > 0
	}
	switch i - rcps - scps {
	case 0:
		return pol.Resource != nil
	case 1:
		return len(pol.Identity) > 0
	case 2:
		return len(pol.Boundaries) > 0
	default:
		return pol.Session != nil
	}
}

func sidOrIndex(s *Statement) string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", s.Index)
}
