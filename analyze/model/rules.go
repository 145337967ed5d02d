package model

// Firewall rules as data: the J1 rule relationships of security groups and
// network ACLs (notes.md §6), declared by RuleSpec records on the type.
//
// Each rule element becomes one relationship per peer (a CIDR or a
// security group) between the firewall and the peer's entity, of _type
// <firewall _type>_rule (aws_security_group_rule, aws_network_acl_rule).
// Ingress is REVERSE (the peer ALLOWS the firewall), egress FORWARD (the
// firewall ALLOWS the peer); a deny rule DENIES instead. The rules are
// read from the item in phase 1 and their peers resolved once every
// entity exists, because a CIDR may name an instance, a subnet or a VPC.

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// RuleSpec declares one list of firewall rules of an entity type.
type RuleSpec struct {
	// Path is where the rules are below the item (IpPermissions[]).
	Path string
	// Ingress says every rule at Path is ingress; when Egress is set, the
	// rule's own boolean at that path says egress instead (NACL entries).
	Ingress bool
	Egress  string
	// Protocol, FromPort and ToPort are paths below the rule: a protocol
	// name or IANA number ("-1" is every protocol) and the port range.
	Protocol, FromPort, ToPort string
	// Action, optional, is the path of allow|deny; a deny rule DENIES.
	Action string
	// Number, optional, is the path of the rule number (ruleNumber,
	// part of the relationship _key: NACL entries are unique by it).
	Number string
	// IDProp names the relationship property that carries the
	// firewall's id (groupId, networkAclId).
	IDProp string
	// Peers are the rule's peers.
	Peers []RulePeer
}

// RulePeer is one kind of peer of a rule: the elements at Path below the
// rule ("" = the rule itself), each a CIDR (the path CIDR) or a security
// group id (Group, in the account at Owner, default the firewall's).
type RulePeer struct {
	Path, CIDR, Group, Owner, Description string
}

// rulesOf returns the relationship kinds a type's rules can produce.
func rulesOf(t EntityType) []RelInfo {
	if len(t.Rules) == 0 {
		return nil
	}
	verbs := []string{"ALLOWS"}
	var ends []string
	ingress, egress := false, false
	for _, r := range t.Rules {
		if r.Action != "" && len(verbs) == 1 {
			verbs = append(verbs, "DENIES")
		}
		ingress = ingress || r.Ingress || r.Egress != ""
		egress = egress || !r.Ingress || r.Egress != ""
		for _, p := range r.Peers {
			if p.CIDR != "" && !containsString(ends, "internet") {
				ends = append(ends, cidrTargetTypes...)
			}
			if p.Group != "" && !containsString(ends, "aws_security_group") {
				ends = append(ends, "aws_security_group")
			}
		}
	}
	var out []RelInfo
	for _, v := range verbs {
		for _, end := range ends {
			if ingress {
				out = append(out, RelInfo{From: end, Verb: v, To: t.Type, Type: t.Type + "_rule"})
			}
			if egress {
				out = append(out, RelInfo{From: t.Type, Verb: v, To: end, Type: t.Type + "_rule"})
			}
		}
	}
	return out
}

// cidrTargetTypes are the types cidrTarget may answer.
var cidrTargetTypes = []string{"internet", "aws_instance", "aws_subnet", "aws_vpc", externalHostType, externalNetworkType}

// pendingRule is one rule peer read from an item, waiting for its entity.
type pendingRule struct {
	fw       *graph.Entity
	relType  string
	verb     string
	ingress  bool
	number   string
	props    map[string]any // protocol, ports, direction, description ...
	cidr     string
	group    string
	groupAcc string
}

// collectRules reads the rules of spec r below item into out.
func collectRules(out records, fw *graph.Entity, r *RuleSpec, item any) error {
	return walk(item, parsePath(r.Path), nil, func(rule any, _ []any) error {
		ingress := r.Ingress
		if r.Egress != "" {
			eg, ok := lookup(rule, r.Egress).(bool)
			if !ok {
				// No direction, no relationship: counted, never guessed.
				out.unresolvedRule(fw.Type + " rule without " + r.Egress)
				return nil
			}
			ingress = !eg
		}
		proto := protocolName(scalarString(lookup(rule, r.Protocol)))
		from, fromOK := normalize(lookup(rule, r.FromPort)).(int64)
		to, toOK := normalize(lookup(rule, r.ToPort)).(int64)
		portRange := "*"
		if proto == "*" || !fromOK || !toOK || from == -1 {
			from, to = 0, 65535
		} else {
			if to == -1 {
				to = 65535
			}
			portRange = fmt.Sprintf("%d-%d", from, to)
		}
		verb := "ALLOWS"
		if r.Action != "" && scalarString(lookup(rule, r.Action)) == "deny" {
			verb = "DENIES"
		}
		base := map[string]any{
			"ingress": ingress, "inbound": ingress, "egress": !ingress, "outbound": !ingress,
			"ipProtocol": proto, "protocol": proto, "fromPort": from, "toPort": to, "portRange": portRange,
			r.IDProp: fw.String("id"),
		}
		number := ""
		if r.Number != "" {
			n := normalize(lookup(rule, r.Number))
			base["ruleNumber"] = n
			number = scalarString(n)
		}
		for _, p := range r.Peers {
			err := walk(rule, parsePath(p.Path), nil, func(peer any, _ []any) error {
				pr := pendingRule{fw: fw, relType: fw.Type + "_rule", verb: verb, ingress: ingress,
					number: number, props: base}
				if d := scalarString(lookup(peer, p.Description)); p.Description != "" && d != "" {
					pr.props = withProp(base, "description", d)
				}
				switch {
				case p.CIDR != "":
					pr.cidr = scalarString(lookup(peer, p.CIDR))
				case p.Group != "":
					pr.group = scalarString(lookup(peer, p.Group))
					if p.Owner != "" {
						pr.groupAcc = scalarString(lookup(peer, p.Owner))
					}
				}
				if pr.cidr != "" || pr.group != "" {
					out.rule(pr)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// withProp returns a copy of props with k set to v.
func withProp(props map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(props)+1)
	for pk, pv := range props {
		out[pk] = pv
	}
	out[k] = v
	return out
}

// protocolName is the J1 protocol of an AWS one: "*" for all ("-1"), a
// name for the IANA numbers NACL entries use (6 tcp, 17 udp, 1 icmp,
// 58 icmpv6), anything else as given.
func protocolName(p string) string {
	switch p {
	case "", "-1":
		return "*"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	return p
}

// emitRules resolves the pending rules' peers and adds the relationships.
func (b *builder) emitRules() error {
	for _, pr := range b.rules {
		acct, region := pr.fw.String("accountId"), pr.fw.String("region")
		var target *graph.Entity
		label := pr.cidr
		if pr.cidr != "" {
			target = b.cidrTarget(acct, region, pr.cidr)
		} else {
			owner := pr.groupAcc
			if owner == "" {
				owner = acct
			}
			targets := b.lookup("aws_security_group", "id", owner, region, pr.group)
			if len(targets) == 0 {
				b.unresolved[pr.fw.Type+" "+pr.verb+" aws_security_group (rule group pair)"]++
				continue
			}
			target, label = targets[0], pr.group
		}
		props := pr.props
		if strings.Contains(label, "/") {
			props = withProp(props, "ipRange", label)
		}
		dir := "egress"
		from, to := pr.fw, target
		if pr.ingress {
			dir = "ingress"
			from, to = target, pr.fw
		}
		if pr.number != "" {
			dir += ":" + pr.number
		}
		r := graph.NewCustomRelationship(
			fmt.Sprintf("%s:%s:%s:%s:%s:%s", pr.relType, pr.fw.String("id"), dir, props["protocol"], props["portRange"], label),
			pr.relType, pr.verb, from.Key, to.Key, props)
		if err := b.g.AddRelationship(r); err != nil {
			return fmt.Errorf("%s %s: %w", pr.fw.Type, pr.fw.Key, err)
		}
	}
	b.rules = nil
	return nil
}

const (
	// externalHostType and externalNetworkType are the entities J1's
	// mapper would create for rule CIDRs that match nothing ingested
	// (notes.md §6); property _source marks them "system-mapper".
	externalHostType    = "external_host"
	externalNetworkType = "external_network"
)

// cidrTarget picks the entity a rule CIDR stands for: the Internet for
// 0.0.0.0/0 and ::/0; for a single address an instance of the account and
// region with that public or private IP, else an external host; for other
// CIDRs a subnet or VPC with exactly that CIDR, else an external network.
func (b *builder) cidrTarget(acct, region, cidr string) *graph.Entity {
	if cidr == "0.0.0.0/0" || cidr == "::/0" {
		return Internet(b.g)
	}
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil {
		// Not a CIDR AWS would accept; keep the text as an external network.
		return b.external(externalNetworkType, "network:"+cidr, "Network", map[string]any{"CIDR": cidr})
	}
	addr := pfx.Addr()
	public := addr.IsGlobalUnicast() && !addr.IsPrivate()
	if pfx.IsSingleIP() {
		ip := addr.String()
		for _, prop := range []string{"publicIpAddress", "privateIpAddress"} {
			if t := b.lookup("aws_instance", prop, acct, region, ip); len(t) > 0 {
				return t[0]
			}
		}
		props := map[string]any{"ipAddress": ip, "public": public}
		if public {
			props["publicIpAddress"] = ip
		} else {
			props["privateIpAddress"] = ip
		}
		return b.external(externalHostType, "host:"+ip, "Host", props)
	}
	for _, typ := range []string{"aws_subnet", "aws_vpc"} {
		for _, prop := range []string{"CIDR", "CIDRv6"} {
			if t := b.lookup(typ, prop, acct, region, pfx.String()); len(t) > 0 {
				return t[0]
			}
		}
	}
	return b.external(externalNetworkType, "network:"+pfx.String(), "Network",
		map[string]any{"CIDR": pfx.String(), "public": public, "internal": nil})
}

// external gets or creates a mapper-style placeholder for an address
// outside the snapshot.
func (b *builder) external(typ, key, class string, props map[string]any) *graph.Entity {
	if e := b.g.Entity(key); e != nil {
		return e
	}
	name := strings.SplitN(key, ":", 2)[1]
	props["name"], props["displayName"], props["_source"] = name, name, "system-mapper"
	if class == "Host" {
		props["hostname"] = nil
	}
	e, _ := b.g.AddEntity(graph.NewEntity(key, typ, []string{class}, props))
	return e
}
