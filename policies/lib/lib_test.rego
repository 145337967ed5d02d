package lib_test

import data.lib

_sg := {"_key": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", "_type": "aws_security_group", "_class": ["Firewall"], "accountId": "111122223333", "region": "eu-west-1"}

_i1 := {"_key": "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "_type": "aws_instance", "_class": ["Host"], "tag.Owner": "web", "tag.Empty": "", "tag.PII": true}

_i2 := {"_key": "arn:aws:ec2:eu-west-1:111122223333:instance/i-2", "_type": "aws_instance", "_class": ["Host"], "region": ""}

_vol := {"_key": "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1", "_type": "aws_ebs_volume", "_class": ["DataStore", "Disk"]}

_in := lib.build_input(
	[_i2, _sg, _vol, _i1],
	[lib.rel(_sg, "PROTECTS", _i2), lib.rel(_sg, "PROTECTS", _i1), lib.rel(_i1, "USES", _vol)],
)

test_entities_of_type_sorted_by_key if {
	keys := [e._key | some e in lib.entities_of_type("aws_instance")] with input as _in
	keys == [_i1._key, _i2._key]
}

test_entities_of_unknown_type_empty if {
	es := lib.entities_of_type("aws_nothing") with input as _in
	es == []
}

test_entities_of_class if {
	keys := [e._key | some e in lib.entities_of_class("DataStore")] with input as _in
	keys == [_vol._key]
}

test_resources_leave_out_placeholders if {
	ph := {"_key": "arn:aws:iam::444455556666:role/x", "_type": "aws_iam_role", "_class": ["AccessRole"], "_source": "system-mapper", "external": true}
	own := {"_key": "arn:aws:iam::111122223333:role/y", "_type": "aws_iam_role", "_class": ["AccessRole"]}
	doc := lib.build_input([ph, own], [])
	[e._key | some e in lib.entities_of_type("aws_iam_role")] == [own._key, ph._key] with input as doc
	[e._key | some e in lib.resources_of_type("aws_iam_role")] == [own._key] with input as doc
	[e._key | some e in lib.resources_of_class("AccessRole")] == [own._key] with input as doc
	lib.placeholder(ph)
	not lib.placeholder(own)
}

test_entity_by_key if {
	e := lib.entity(_vol._key) with input as _in
	e == _vol
}

test_has_class if {
	lib.has_class(_vol, "Disk")
	not lib.has_class(_vol, "Host")
}

test_outgoing_and_incoming if {
	protected := [e._key | some e in lib.outgoing(_sg, "PROTECTS")] with input as _in
	protected == [_i1._key, _i2._key]
	guards := [e._key | some e in lib.incoming(_i1, "PROTECTS")] with input as _in
	guards == [_sg._key]
	none := lib.outgoing(_i2, "USES") with input as _in
	none == []
}

test_edges_carry_relationship if {
	edges := lib.out_edges(_i1, "USES") with input as _in
	edges == [{"key": _vol._key, "rel": concat("|", [_i1._key, "uses", _vol._key])}]
	r := lib.relationship(edges[0]) with input as _in
	r._class == "USES"
	r._fromEntityKey == _i1._key
	in_edges := lib.in_edges(_vol, "USES") with input as _in
	in_edges == [{"key": _i1._key, "rel": r._key}]
}

test_tag if {
	lib.tag(_i1, "Owner") == "web"
	lib.tag(_i1, "PII") == true
	not lib.tag(_i1, "Missing")
}

test_has_tag if {
	lib.has_tag(_i1, "Owner")
	lib.has_tag(_i1, "PII")
	not lib.has_tag(_i1, "Empty")
	not lib.has_tag(_i1, "Missing")
}

test_list if {
	lib.list({"xs": [1, 2]}, "xs") == [1, 2]
	lib.list({"xs": null}, "xs") == []
	lib.list({"xs": "a"}, "xs") == []
	lib.list({}, "xs") == []
}

test_account_and_region if {
	lib.account(_sg) == "111122223333"
	lib.account(_vol) == ""
	lib.region(_sg) == "eu-west-1"
	lib.region(_vol) == "global"
	lib.region(_i2) == "global"
}

test_config_default_and_override if {
	lib.config("required_tags", ["Owner"]) == ["Owner"]
	v := lib.config("required_tags", ["Owner"]) with data.snapaudit.config as {"required_tags": ["CostCenter"]}
	v == ["CostCenter"]
}

test_finding_builders if {
	lib.fail(_sg, "m") == {"resource_key": _sg._key, "status": "FAIL", "message": "m"}
	lib.pass(_sg, "m") == {"resource_key": _sg._key, "status": "PASS", "message": "m"}
	lib.error(_sg, "m") == {"resource_key": _sg._key, "status": "ERROR", "message": "m"}
	lib.with_severity(lib.fail(_sg, "m"), "medium").severity == "medium"
}

test_build_input_indexes if {
	_in.types == {"aws_ebs_volume": [_vol._key], "aws_instance": [_i1._key, _i2._key], "aws_security_group": [_sg._key]}
	_in.classes.Host == [_i1._key, _i2._key]
	_in.snapshot.accounts == ["111122223333"]
	_in.snapshot.regions == ["eu-west-1"]
	_in.gaps == []
	count(_in.relationships) == 3
}

_doc(statements) := {"Version": "2012-10-17", "Statement": statements}

_st := {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}

test_policy_document_reads_text_and_objects if {
	lib.policy_document(json.marshal(_doc([_st]))) == _doc([_st])
	lib.policy_document(_doc([_st])) == _doc([_st])
	lib.policy_document(json.marshal({"Statement": _st})) == {"Statement": _st}
	lib.policy_document(json.marshal(_doc([]))) == _doc([])
}

test_policy_document_rejects_what_the_derivations_skip if {
	every v in [
		"{\"Statement\": [",
		"[]",
		"\"text\"",
		json.marshal({"Version": "2012-10-17"}),
		json.marshal({"Statement": "Allow everything"}),
		json.marshal(_doc(["not an object"])),
		json.marshal(_doc([object.union(_st, {"Effect": "Permit"})])),
		json.marshal(_doc([object.remove(_st, ["Action"])])),
		json.marshal(_doc([object.union(_st, {"NotAction": "iam:*"})])),
		json.marshal(_doc([object.union(_st, {"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}})])),
		42,
		null,
	] {
		not lib.policy_document(v)
	}
}

test_unreadable_policy if {
	lib.unreadable_policy({"policy": "{not json"}, "policy")
	lib.unreadable_policy({"policy": 7}, "policy")
	lib.unreadable_policy({"policy": {"Statement": 1}}, "policy")
	not lib.unreadable_policy({"policy": json.marshal(_doc([_st]))}, "policy")
	not lib.unreadable_policy({}, "policy")
	not lib.unreadable_policy({"policy": null}, "policy")
	not lib.unreadable_policy({"policy": "  "}, "policy")
	lib.unreadable_document("{not json")
	not lib.unreadable_document(null)
}

test_condition_blocks_and_keys if {
	r := {"conditions": "[{\"StringEquals\":{\"aws:SourceIp\":\"x\",\"aws:PrincipalOrgID\":\"o-1\"}},{\"Bool\":{\"aws:SecureTransport\":\"true\"}}]"}
	blocks := lib.condition_blocks(r)
	count(blocks) == 2
	lib.condition_keys(blocks) == ["aws:PrincipalOrgID", "aws:SecureTransport", "aws:SourceIp"]
	lib.condition_blocks({"conditions": null}) == []
	lib.condition_blocks({}) == []
	lib.condition_blocks({"conditions": "{broken"}) == []
	lib.condition_keys([]) == []
}

test_narrows if {
	lib.narrows({"StringEquals": {"sts:ExternalId": "x"}})
	lib.narrows({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
	lib.narrows({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})
	lib.narrows({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:PrincipalOrgID": "o-1"}})
	lib.narrows({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-1/*"}})
}

test_not_narrows if {
	every block in [
		{"Bool": {"aws:SecureTransport": "true"}},
		{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
		{"StringEquals": {"aws:RequestedRegion": "eu-west-1", "aws:UserAgent": "x"}},
		{"StringEqualsIfExists": {"sts:ExternalId": "x"}},
		{"Null": {"sts:ExternalId": "false"}},
		{"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}},
		{},
		"not an object",
	] {
		not lib.narrows(block)
	}
}

# A statement has exactly one of Action and NotAction and at most one of
# Principal and NotPrincipal, counted as keys (a null value is present).
test_policy_document_statement_keys if {
	lib.policy_document(_doc([object.union(object.remove(_st, ["Action"]), {"NotAction": "iam:*"})]))
	lib.policy_document(_doc([object.union(object.remove(_st, ["Principal"]), {"NotPrincipal": "*"})]))
	lib.policy_document(_doc([object.remove(_st, ["Principal"])]))
	lib.policy_document(_doc([object.union(_st, {"Action": null})]))
	not lib.policy_document(_doc([object.union(_st, {"NotAction": null})]))
}

test_sharing_finding_builds_the_whole_finding if {
	shared := {"_key": "s1", "public": false, "shared": true, "sharedWithAccounts": ["111122223333"]}
	lib.sharing_finding(shared, "snapshot s1", "anyone can copy it", set()) == {
		"resource_key": "s1", "status": "FAIL", "severity": "medium",
		"message": "snapshot s1 is shared with 111122223333",
	}
	lib.sharing_finding({"_key": "s2"}, "snapshot s2", "x", set()).status == "ERROR"
	lib.sharing_finding({"_key": "s3", "public": false, "shared": false}, "snapshot s3", "x", set()).message == "snapshot s3 is neither public nor shared with other accounts"
}
