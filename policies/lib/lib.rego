# METADATA
# title: snapaudit check library
# description: |
#   Helpers every check uses to read the graph from the input document and to
#   build findings. The input contract is documented in policies/README.md.
#   `in` is a Rego keyword, so the edge helpers are named outgoing/incoming.
package lib

# entity(key) is the entity with that _key; undefined when there is none.
entity(key) := input.entities[key]

# entities_of_type(t) is the list of entities whose _type is t, sorted by _key.
entities_of_type(t) := [input.entities[k] | some k in object.get(input.types, t, [])]

# entities_of_class(c) is the list of entities whose _class contains c, sorted by _key.
entities_of_class(c) := [input.entities[k] | some k in object.get(input.classes, c, [])]

# resources_of_type(t) is entities_of_type(t) less the placeholders: what
# the snapshot collected. Checks that judge resources iterate over these.
# (input.resource_types is input.types less the placeholders: testing each
# entity's _source here cost every check a builtin call or two per entity.)
resources_of_type(t) := [input.entities[k] | some k in object.get(input.resource_types, t, [])]

# resources_of_class(c) is entities_of_class(c) less the placeholders.
# (The built-in checks over the largest populations iterate
# input.resource_types or input.resource_classes by key instead: iterating
# over a function's array costs OPA about three allocations per element
# past the 512th; docs/performance.md, "Fewer allocations in the checks".)
resources_of_class(c) := [input.entities[k] | some k in object.get(input.resource_classes, c, [])]

# placeholder(e) is true for an entity the derivations created for a
# principal or account the snapshot did not collect (a role of a partner
# account that a trust policy names, ...): J1's mapper marks them with
# _source "system-mapper". They have no configuration to judge.
placeholder(e) if e._source == "system-mapper"

# has_class(e, c) is true when e's _class list contains c.
has_class(e, c) if c in e._class

# out_edges(e, verb) is the list of {"key": toKey, "rel": relKey} for e's
# outgoing relationships of that verb (upper case: HAS, PROTECTS, ...).
out_edges(e, verb) := object.get(input.out, [e._key, verb], [])

# in_edges(e, verb) is the list of {"key": fromKey, "rel": relKey} for e's
# incoming relationships of that verb.
in_edges(e, verb) := object.get(input["in"], [e._key, verb], [])

# outgoing(e, verb) is the list of entities e points to with that verb
# (e VERB x). lib.outgoing(instance, "USES") are the instance's volumes, ...
outgoing(e, verb) := [input.entities[x.key] | some x in out_edges(e, verb)]

# incoming(e, verb) is the list of entities pointing at e with that verb
# (x VERB e). lib.incoming(instance, "PROTECTS") are its security groups.
incoming(e, verb) := [input.entities[x.key] | some x in in_edges(e, verb)]

# relationship(edge) is the full relationship object of an edge from
# out_edges/in_edges (its properties: ingress, fromPort, actions, ...).
relationship(edge) := input.relationships[edge.rel]

# tag(e, k) is the value of e's AWS tag k (property "tag.<k>"); undefined when
# the tag is absent. Values follow J1 conversion: "true" -> true, "42" -> 42.
tag(e, k) := e[concat("", ["tag.", k])]

# has_tag(e, k) is true when tag k is present with a non-empty value.
has_tag(e, k) if {
	v := tag(e, k)
	v != null
	v != ""
}

# list(e, name) is property name of e when it is an array, else [] (absent,
# null or another type): use it to iterate over optional lists safely.
list(e, name) := v if {
	v := e[name]
	is_array(v)
} else := []

# account(e) is the entity's accountId ("" when absent).
account(e) := object.get(e, "accountId", "")

# region(e) is the entity's region ("global" for global resources).
region(e) := r if {
	r := e.region
	is_string(r)
	r != ""
} else := "global"

# config(name, fallback) is data.snapaudit.config[name], or fallback when the
# engine (or opa test) supplied no such setting.
config(name, fallback) := object.get(_config, name, fallback)

default _config := {}

_config := c if {
	c := data.snapaudit.config
	is_object(c)
}

# fail(e, msg) is a FAIL finding for entity e.
fail(e, msg) := {"resource_key": e._key, "status": "FAIL", "message": msg}

# pass(e, msg) is a PASS finding for entity e.
pass(e, msg) := {"resource_key": e._key, "status": "PASS", "message": msg}

# error(e, msg) is an ERROR finding: the check could not decide for e (for
# example a policy document that is not valid JSON).
error(e, msg) := {"resource_key": e._key, "status": "ERROR", "message": msg}

# with_severity(f, s) is finding f with its severity overridden (one of
# critical, high, medium, low, info); the check's METADATA severity applies
# otherwise.
with_severity(f, s) := object.union(f, {"severity": s})

# rel(from, verb, to) builds a relationship object the way the engine keys
# them (<fromKey>|<verb lowercased>|<toKey>); meant for _test.rego files.
rel(from, verb, to) := {
	"_key": concat("|", [from._key, lower(verb), to._key]),
	"_class": upper(verb),
	"_fromEntityKey": from._key,
	"_toEntityKey": to._key,
}

# build_input(entities, relationships) builds the same input document the
# engine builds from a graph (entities, types, classes, resource_types,
# resource_classes, relationships, out, in, snapshot, gaps), from plain
# lists; meant for _test.rego files:
#   findings with input as lib.build_input([sg1, sg2], [])
build_input(entities, relationships) := {
	"entities": {e._key: e | some e in entities},
	"types": {t: sort([e._key | some e in entities; e._type == t]) | some t in {e._type | some e in entities}},
	"classes": {c: sort([e._key | some e in entities; c in e._class]) | some c in {c | some e in entities; some c in e._class}},
	"resource_types": {t: sort([e._key | some e in entities; e._type == t; not placeholder(e)]) | some t in {e._type | some e in entities; not placeholder(e)}},
	"resource_classes": {c: sort([e._key | some e in entities; c in e._class; not placeholder(e)]) | some c in {c | some e in entities; not placeholder(e); some c in e._class}},
	"relationships": {r._key: r | some r in relationships},
	"out": {from: _edges(relationships, "_fromEntityKey", "_toEntityKey", from) | some from in {r._fromEntityKey | some r in relationships}},
	"in": {to: _edges(relationships, "_toEntityKey", "_fromEntityKey", to) | some to in {r._toEntityKey | some r in relationships}},
	"snapshot": {
		"accounts": sort({a | some e in entities; a := e.accountId; a != ""}),
		"regions": sort({r | some e in entities; r := e.region; r != ""}),
		"collected_at": "",
	},
	"gaps": [],
}

_edges(relationships, self, other, k) := {verb: sort([{"key": r[other], "rel": r._key} |
	some r in relationships
	r[self] == k
	r._class == verb
]) |
	some r in relationships
	r[self] == k
	verb := r._class
}

# policy_document(v) is the IAM policy document v (decoded JSON text, or an
# object), parsed. It is undefined when v is not a document the derivations
# (analyze/access) can read: not a JSON object, a Statement that is neither
# an object nor a list of objects, or a statement whose Effect is not
# "Allow"/"Deny", that has neither or both of Action and NotAction, or both
# Principal and NotPrincipal. The derivations skip such a document, so the
# graph has no TRUSTS or ALLOWS from it: a check that relies on those edges
# must report lib.error for it, never PASS (see unreadable_policy).
policy_document(v) := doc if {
	is_string(v)
	json.is_valid(v)
	doc := json.unmarshal(v)
	_policy_shape(doc)
}

policy_document(v) := v if {
	is_object(v)
	_policy_shape(v)
}

# unreadable_policy(e, prop) is true when e carries a policy in property prop
# (not absent, null or blank) that policy_document cannot read.
unreadable_policy(e, prop) if unreadable_document(e[prop])

# unreadable_document(v) is unreadable_policy for the property's value v:
# in a check over many resources, call it with the value (OPA caches it per
# distinct value), not the resource (cached per resource).
unreadable_document(v) if {
	_present(v)
	not policy_document(v)
}

_present(v) if is_object(v)

_present(v) if {
	not is_object(v)
	v != null
	not _blank(v)
}

_blank(v) if {
	is_string(v)
	trim_space(v) == ""
}

_policy_shape(doc) if {
	is_object(doc)
	sts := _policy_statements(doc)
	every st in sts {
		_statement_shape(st)
	}
}

_policy_statements(doc) := doc.Statement if is_array(doc.Statement)

_policy_statements(doc) := [doc.Statement] if is_object(doc.Statement)

_statement_shape(st) if {
	is_object(st)
	st.Effect in {"Allow", "Deny"}
	count(object.filter(st, ["Action", "NotAction"])) == 1
	count(object.filter(st, ["Principal", "NotPrincipal"])) < 2
}

# condition_blocks(r) is the list of Condition blocks of a TRUSTS or ALLOWS
# relationship from the derivations (its `conditions` property: the JSON
# text of an array, one block per contributing statement that has a
# Condition; null when none has). [] when there are none.
condition_blocks(r) := blocks if {
	raw := r.conditions
	is_string(raw)
	json.is_valid(raw)
	blocks := json.unmarshal(raw)
	is_array(blocks)
} else := []

# condition_keys(blocks) is the sorted list of the distinct condition keys
# (as written, e.g. "aws:SourceIp") of the Condition blocks.
condition_keys(blocks) := sort({k |
	some b in blocks
	is_object(b)
	some _, kv in b
	is_object(kv)
	some k, _ in kv
})

# narrows(block) is true when a Condition block has at least one test that
# can limit who makes the request: an operator that is not Null, not
# ...IfExists and not ForAllValues:... (those hold when the key is absent)
# on a key that is not one of the caller-independent or caller-controlled
# keys in _non_narrowing_keys (aws:SecureTransport, aws:CurrentTime,
# aws:UserAgent, ...). The values are not judged: {"aws:SourceIp":
# "0.0.0.0/0"} still counts as narrowing.
narrows(block) if {
	is_object(block)
	some op, kv in block
	_narrowing_operator(lower(op))
	is_object(kv)
	some key, _ in kv
	not lower(key) in _non_narrowing_keys
}

_narrowing_operator(op) if {
	op != "null"
	not endswith(op, "ifexists")
	not startswith(op, "forallvalues:")
}

# _non_narrowing_keys hold for any caller (transport, clock, region) or are
# set by the caller at will (User-Agent and Referer headers).
_non_narrowing_keys := {
	"aws:securetransport", "aws:currenttime", "aws:epochtime", "aws:requestedregion",
	"aws:useragent", "aws:referer",
}
