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
